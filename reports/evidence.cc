#include "reports/evidence.h"

#include <map>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "config/version.h"
#include "detectors/image_analyzer.h"
#include "reports/report.h"
#include "store/record_codec.h"

namespace scrapewatch::reports {
namespace {

using nlohmann::json;

json Fetch(const store::FetchEvidence& f, const std::string& skipped_reason = "") {
  json headers = json::array();
  for (const auto& [name, value] : f.headers) headers.push_back({name, value});
  json entry{{"url", f.url}, {"fetched_at", store::FormatTimestamp(f.fetched_at)}};
  if (!skipped_reason.empty()) {
    entry["not_fetched"] = skipped_reason;
    return entry;
  }
  entry.update({{"final_url", f.final_url}, {"redirect_to", f.redirect_to},
                {"http_status", f.http_status}, {"headers", headers},
                {"body_sha256", f.body_sha256}, {"body_bytes", f.body_bytes}, {"error", f.error}});
  return entry;
}

json Manifest(const store::RunContents& contents,
             std::map<std::string, std::string>& robots_files) {
  const store::RunRecord& run = contents.run;
  json pages = json::array(), images = json::array(), robots = json::array();
  for (const store::PageRecord& p : contents.pages) pages.push_back(Fetch(p.fetch, p.skipped_reason));
  for (const store::ImageRecord& i : contents.images) {
    json entry = Fetch(i.fetch, i.skipped_reason);
    if (i.findings) entry["image_sha256"] = i.findings->sha256;
    images.push_back(entry);
  }
  for (size_t n = 0; n < contents.robots.size(); ++n) {
    const store::RobotsRecord& r = contents.robots[n];
    std::string file = absl::StrCat("robots/", n + 1, "-", SiteDirectoryName(r.origin), ".txt");
    robots_files[file] = r.body;
    robots.push_back({{"origin", r.origin}, {"policy", r.policy}, {"file", file},
                      {"robots_txt", Fetch(r.fetch)},
                      {"tdmrep_json", r.tdmrep_fetch ? Fetch(*r.tdmrep_fetch) : json(nullptr)}});
  }
  return {{"tool", {{"name", kToolName}, {"version", run.tool_version}}},
          {"site", run.site},
          {"run",
           {{"id", run.id}, {"started_at", store::FormatTimestamp(run.started_at)},
            {"finished_at", run.finished_at ? json(store::FormatTimestamp(*run.finished_at))
                                            : json(nullptr)},
            {"user_agent", run.user_agent}, {"robots_token", run.robots_token},
            {"seeds", run.seeds}, {"config_sha256", run.config_sha256}}},
          {"pages", pages},
          {"images", images},
          {"robots", robots}};
}

}  // namespace

absl::Status WriteEvidenceBundle(const store::RunContents& contents, const std::string& dir,
                                 const ReportOptions& options) {
  std::map<std::string, std::string> robots_files;
  std::map<std::string, std::string> files = {
      {"manifest.json",
       Manifest(contents, robots_files).dump(2, ' ', false, json::error_handler_t::replace) +
           "\n"},
      {"report.json", Render(contents, Format::kJson, options)},
      {"config.toml", contents.run.config_toml}};
  files.insert(robots_files.begin(), robots_files.end());
  std::string sums;
  for (const auto& [name, body] : files) {
    if (absl::Status s = WriteFileAtomically(absl::StrCat(dir, "/", name), body); !s.ok()) {
      return s;
    }
    absl::StrAppend(&sums, detectors::Sha256Hex(body), "  ", name, "\n");
  }
  return WriteFileAtomically(absl::StrCat(dir, "/SHA256SUMS"), sums);
}

}  // namespace scrapewatch::reports
