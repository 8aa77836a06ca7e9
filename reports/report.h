// Rendering an audit run as reports: JSON (the versioned, documented schema
// in reports/report.schema.json), self-contained HTML, CSV and Markdown.
//
// Every renderer is a pure function of the stored run: the same run renders
// the same bytes, so a report can be re-created from the store at any time.
// Thread safety: pure functions. Errors: only writing files can fail; the
// Status names the path.
#ifndef SCRAPEWATCH_REPORTS_REPORT_H_
#define SCRAPEWATCH_REPORTS_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "reports/exposure.h"
#include "store/records.h"

namespace scrapewatch::reports {

inline constexpr int kReportSchemaVersion = 1;

enum class Format { kJson, kHtml, kCsv, kMarkdown };

// Text made safe inside HTML elements and quoted attributes.
std::string EscapeHtml(const std::string& text);

// Parses "json", "html", "csv" or "md".
absl::StatusOr<Format> ParseFormat(const std::string& name);

std::string Render(const store::RunContents& contents, Format format,
                   const ReportOptions& options);

// A file-system-safe directory name for a site, e.g. "example.org_8080".
std::string SiteDirectoryName(const std::string& site);

// Writes `text` to `path` atomically (temporary file, then rename), creating
// parent directories.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_REPORT_H_
