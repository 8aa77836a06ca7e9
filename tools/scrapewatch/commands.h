// The scrapewatch subcommands. main.cc parses flags into these option structs;
// each Run* function wires the libraries together and returns the process
// exit status (0 success, 1 runtime failure; usage errors never get here).
#ifndef SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_
#define SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "reports/diff.h"
#include "store/store.h"

namespace scrapewatch::cli {

// A command-line flag that sets a config key, as one line of TOML
// ("crawl.delay = 0.5"), applied over the config file in command-line order.
struct ConfigOverride {
  std::string flag;  // e.g. "--delay", named in error messages
  std::string toml;
};

struct AuditFlags {
  std::vector<std::string> urls;
  std::string config_file;
  std::vector<ConfigOverride> overrides;
  bool precise_locations = false;
  bool quiet = false;
  bool fresh = false;   // never resume an interrupted run
  std::string fail_on;  // "new-exposure": exit 3 when the diff to the previous run has one
  std::string sites_file;        // one URL per line, '#' comments
  int max_concurrent_sites = 4;  // sites audited at once
  int64_t max_connections = 64;  // across all sites
  std::string max_runtime;       // e.g. "6h": stop cleanly, resumable
  std::string log_format = "text";  // or "json" (JSON Lines on stderr)
  int shard = 1, shards = 1;     // --shard K/N
};
// `status`: runs per site, last finish, and unfinished crawls' frontier state.
int RunStatus(const std::string& store_dir);
// `merge`: copies every run of each source store into `into`.
int RunMerge(const std::string& into, const std::vector<std::string>& sources);

// Exit status of an audit whose --fail-on condition was met.
inline constexpr int kExitNewExposure = 3;
int RunAudit(const AuditFlags& flags);

struct ReportFlags {
  std::string store_dir;
  std::string site;
  std::string run_id;  // empty: the latest run
  std::string format;
  std::string out_file;  // empty: standard output
  bool precise_locations = false;
};
int RunReport(const ReportFlags& flags);

// Which stored run: `site` as in the report or any URL of it; an empty run id
// means the site's latest run (for diff's --from: the one before --to).
struct RunFlags {
  std::string store_dir;
  std::string site;
  std::string run_id;
};

// The diff from the run before `to_run` (or from `from_run` when given) to
// `to_run`; NotFound when the site has no earlier run.
absl::StatusOr<reports::RunDiff> DiffStoredRuns(const store::Store& store, const std::string& site,
                                                const std::string& to_run,
                                                const std::string& from_run = "");

int RunEvidence(const RunFlags& run, const std::string& out_dir, bool precise_locations);
int RunDiff(const RunFlags& to, const std::string& from_run, const std::string& format);

int RunExtract(const std::string& html_file, const std::string& base_url);
int RunInspect(const std::string& image_file);
int RunRobots(const std::string& robots_file, const std::string& user_agent,
              const std::vector<std::string>& urls);

// Reads a whole file; false (with a message on stderr naming it) on failure.
bool ReadFile(const std::string& path, std::string* contents);

}  // namespace scrapewatch::cli

#endif  // SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_
