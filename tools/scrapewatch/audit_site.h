// One site's audit (audit_command.cc) as the batch driver (batch_command.cc)
// runs it: crawl, analyse, store one run, write its reports. Internal to the
// CLI.
#ifndef SCRAPEWATCH_TOOLS_SCRAPEWATCH_AUDIT_SITE_H_
#define SCRAPEWATCH_TOOLS_SCRAPEWATCH_AUDIT_SITE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "detectors/analysis_module.h"
#include "store/store.h"
#include "tools/scrapewatch/commands.h"
#include "tools/scrapewatch/console.h"

namespace scrapewatch::cli {

// What every site of a batch shares; all pointers outlive the batch.
struct AuditContext {
  const AuditConfig* config = nullptr;
  const AuditFlags* flags = nullptr;
  detectors::AnalysisModule* analysis = nullptr;  // null with --analysis none
  store::Store* store = nullptr;
  Console* console = nullptr;
  const std::atomic<bool>* stop = nullptr;  // set by a signal or --max-runtime
};

struct SiteOutcome {
  std::string site;
  std::string run_id;
  // "done", "new-exposure", "stopped" (resumable) or "failed".
  std::string status;
  std::string message;     // why it failed or stopped
  std::string report_dir;  // empty when no report was written
  int64_t pages_fetched = 0;
  int64_t images = 0;  // distinct image URLs the run recorded
  // What the detectors found; unset when the run's images were not analysed
  // (--analysis none), which is not the same as finding nothing.
  std::optional<int64_t> images_with_faces;
  std::optional<int64_t> faces;
  std::optional<int64_t> images_with_gps;
  std::optional<int64_t> images_possible_minor;
};

// Fills `outcome`'s figures for the finished `run` from the store, so a site
// finished by an earlier, killed process of the same batch is listed with
// the same figures as one finished now. `analysed`: its images went through
// the detectors (a report was written).
absl::Status CountOutcome(const store::Store& store, const store::RunRecord& run, bool analysed,
                          SiteOutcome& outcome);

SiteOutcome AuditSite(const std::string& site, const std::vector<std::string>& seeds,
                      const AuditContext& context);

}  // namespace scrapewatch::cli

#endif  // SCRAPEWATCH_TOOLS_SCRAPEWATCH_AUDIT_SITE_H_
