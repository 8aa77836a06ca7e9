// Evidence bundles: one run's record in a form a regulator can verify.
//
// WriteEvidenceBundle writes into a directory:
//   manifest.json   the run (tool version, effective configuration and its
//                   SHA-256, user agent, start and end in UTC) and, for every
//                   page, image, robots.txt and tdmrep.json fetched: time, URL,
//                   final URL, HTTP status, the headers that matter, SHA-256
//                   and size of the body, or why it was not fetched;
//   report.json     the report, as `scrapewatch report --format json` renders it;
//   config.toml     the effective configuration;
//   robots/*.txt    each robots.txt body as fetched (its hash is in the manifest);
//   SHA256SUMS      the SHA-256 of every file above, in the format
//                   `sha256sum -c SHA256SUMS` verifies from inside the directory.
// The bundle holds no image bytes: images are identified by their hashes.
//
// Errors: a directory or file that cannot be written, named in the Status.
#ifndef SCRAPEWATCH_REPORTS_EVIDENCE_H_
#define SCRAPEWATCH_REPORTS_EVIDENCE_H_

#include <string>

#include "absl/status/status.h"
#include "reports/exposure.h"
#include "store/records.h"

namespace scrapewatch::reports {

absl::Status WriteEvidenceBundle(const store::RunContents& contents, const std::string& dir,
                                 const ReportOptions& options);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_EVIDENCE_H_
