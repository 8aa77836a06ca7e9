// `scrapewatch report`, `extract`, `inspect` and `robots`.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crawler/html_extractor.h"
#include "crawler/robots.h"
#include "crawler/url.h"
#include "detectors/analysis_module.h"
#include "reports/evidence.h"
#include "reports/report.h"
#include "store/store.h"
#include "tools/scrapewatch/commands.h"

namespace scrapewatch::cli {
namespace {

using nlohmann::json;

int Fail(const std::string& message) {
  std::cerr << "scrapewatch: " << message << "\n";
  return 1;
}

int Fail(const absl::Status& status) { return Fail(std::string(status.message())); }

void PrintJson(const json& value) {
  std::cout << value.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// The report's `site` value, or any URL of the site.
std::string SiteKey(const std::string& site_or_url) {
  absl::StatusOr<std::string> origin = crawler::OriginOf(site_or_url);
  return origin.ok() ? *origin : site_or_url;
}

}  // namespace

bool ReadFile(const std::string& path, std::string* contents) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "scrapewatch: cannot read '" << path << "'\n";
    return false;
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  *contents = buffer.str();
  return true;
}

namespace {

// The id of `run_id`, or of the site's latest run when it is empty.
absl::StatusOr<std::string> ResolveRunId(const store::Store& store, const std::string& site,
                                         const std::string& run_id) {
  if (!run_id.empty()) return run_id;
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns(site);
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return absl::NotFoundError("the store has no runs for site '" + site + "'");
  return runs->back().id;
}

absl::StatusOr<store::RunContents> ReadSelectedRun(const store::Store& store,
                                                   const std::string& site_or_url,
                                                   const std::string& run_id) {
  std::string site = SiteKey(site_or_url);
  absl::StatusOr<std::string> id = ResolveRunId(store, site, run_id);
  if (!id.ok()) return id.status();
  return store.ReadRun(site, *id);
}

}  // namespace

absl::StatusOr<reports::RunDiff> DiffStoredRuns(const store::Store& store, const std::string& site,
                                                const std::string& to_run,
                                                const std::string& from_run) {
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns(site);
  if (!runs.ok()) return runs.status();
  std::string from = from_run;
  if (from.empty()) {
    for (const store::RunRecord& run : *runs) {
      if (run.id < to_run) from = run.id;  // ids sort by start time
    }
    if (from.empty()) return absl::NotFoundError("no run of '" + site + "' before " + to_run);
  }
  absl::StatusOr<store::RunContents> before = store.ReadRun(site, from);
  if (!before.ok()) return before.status();
  absl::StatusOr<store::RunContents> after = store.ReadRun(site, to_run);
  if (!after.ok()) return after.status();
  return reports::DiffRuns(reports::BuildExposure(*before, {}), reports::BuildExposure(*after, {}));
}

namespace {

int PrintOrWrite(const std::string& text, const std::string& out_file) {
  if (out_file.empty()) {
    std::cout << text;
    return 0;
  }
  absl::Status written = reports::WriteFileAtomically(out_file, text);
  return written.ok() ? 0 : Fail(written);
}

}  // namespace

int RunEvidence(const RunFlags& flags, const std::string& out_dir, bool precise_locations) {
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(flags.store_dir);
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<store::RunContents> contents = ReadSelectedRun(**store, flags.site, flags.run_id);
  if (!contents.ok()) return Fail(contents.status());
  absl::Status written = reports::WriteEvidenceBundle(
      *contents, out_dir, {.precise_locations = precise_locations});
  if (!written.ok()) return Fail(written);
  std::cout << "evidence bundle for run " << contents->run.id << " in " << out_dir
            << " (check with: cd " << out_dir << " && sha256sum -c SHA256SUMS)\n";
  return 0;
}

int RunDiff(const RunFlags& to, const std::string& from_run, const std::string& format) {
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(to.store_dir);
  if (!store.ok()) return Fail(store.status());
  std::string site = SiteKey(to.site);
  absl::StatusOr<std::string> to_run = ResolveRunId(**store, site, to.run_id);
  if (!to_run.ok()) return Fail(to_run.status());
  absl::StatusOr<reports::RunDiff> diff = DiffStoredRuns(**store, site, *to_run, from_run);
  if (!diff.ok()) return Fail(diff.status());
  std::cout << (format == "json" ? reports::RenderDiffJson(*diff) : reports::RenderDiffText(*diff));
  return 0;
}

int RunReport(const ReportFlags& flags) {
  absl::StatusOr<reports::Format> format = reports::ParseFormat(flags.format);
  if (!format.ok()) return Fail(format.status());
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(flags.store_dir);
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<store::RunContents> contents = ReadSelectedRun(**store, flags.site, flags.run_id);
  if (!contents.ok()) return Fail(contents.status());
  return PrintOrWrite(
      reports::Render(*contents, *format, {.precise_locations = flags.precise_locations}),
      flags.out_file);
}

int RunExtract(const std::string& html_file, const std::string& base_url) {
  std::string html;
  if (!ReadFile(html_file, &html)) return 1;
  absl::StatusOr<crawler::ExtractedPage> page = crawler::ExtractPage(html, base_url);
  if (!page.ok()) return Fail(page.status());
  json images = json::array();
  for (const crawler::ImageRef& ref : page->images) {
    images.push_back({{"url", ref.url},
                      {"kind", ref.kind},
                      {"is_data_uri", ref.is_data_uri},
                      {"fetchable", ref.fetchable},
                      {"context",
                       {{"alt", ref.alt},
                        {"title", ref.title},
                        {"sizes", ref.sizes},
                        {"caption", ref.caption},
                        {"link_url", ref.link_url},
                        {"link_text", ref.link_text},
                        {"nearby_text", ref.nearby_text},
                        {"names", ref.names}}}});
  }
  const crawler::PageSignals& signals = page->signals;
  PrintJson({{"page_url", page->url},
             {"base_url", page->base_url},
             {"title", page->title},
             {"charset", page->charset},
             {"people", page->people},
             {"schema",
              {{"types", page->schema.types},
               {"typical_age_range", page->schema.typical_age_range},
               {"suggested_min_age", page->schema.suggested_min_age},
               {"suggested_max_age", page->schema.suggested_max_age},
               {"audience_types", page->schema.audience_types}}},
             {"images", images},
             {"links", page->links},
             {"signals",
              {{"meta_robots", signals.meta_robots},
               {"tdm_reservation",
                signals.tdm_reservation ? json(*signals.tdm_reservation) : json(nullptr)},
               {"tdm_policy", signals.tdm_policy}}},
             {"warnings", page->warnings}});
  return 0;
}

int RunInspect(const std::string& image_file) {
  std::string bytes;
  if (!ReadFile(image_file, &bytes)) return 1;
  absl::StatusOr<detectors::AnalysisModule*> module = detectors::LoadAnalysisModule();
  if (!module.ok()) {
    std::cerr << "scrapewatch: " << module.status().message() << "\n";
    return 1;
  }
  const detectors::ImageFindings f =
      (*module)->Analyze(bytes, DetectConfig{}, CrawlConfig{}.max_image_bytes);
  const detectors::ImageMetadata& m = f.metadata;
  json faces = json::array();
  for (const detectors::FaceBox& face : f.faces) {
    faces.push_back({{"x", face.x}, {"y", face.y}, {"w", face.w}, {"h", face.h},
                     {"score", face.score},
                     {"age_years", face.age_years ? json(*face.age_years) : json(nullptr)},
                     {"age_band", face.age_band.empty() ? json(nullptr) : json(face.age_band)}});
  }
  json gps = nullptr;
  if (m.gps) {
    gps = {{"lat", m.gps->latitude},
           {"lon", m.gps->longitude},
           {"alt", m.gps->altitude_m ? json(*m.gps->altitude_m) : json(nullptr)},
           {"source", m.gps->source},
           {"timestamp", m.gps->gps_timestamp},
           {"valid", m.gps->valid},
           {"invalid_reason", m.gps->invalid_reason}};
  }
  PrintJson({{"file", image_file},
             {"sha256", f.sha256},
             {"phash", f.phash},
             {"bytes", f.byte_size},
             {"format", f.format},
             {"width", f.width},
             {"height", f.height},
             {"decode_error", f.decode_error},
             {"metadata_error", f.metadata_error},
             {"faces", faces},
             {"face_backend", f.face_backend},
             {"age_model", f.age_model},
             // A location only when it is a valid one; (0,0) is a placeholder.
             {"has_gps", m.gps.has_value() && m.gps->valid},
             {"gps", gps},
             {"location_text",
              {{"city", m.city}, {"sublocation", m.sublocation}, {"state", m.state},
               {"country", m.country}}},
             {"camera",
              {{"make", m.make}, {"model", m.model}, {"body_serial_number", m.body_serial_number}}},
             {"people", {{"artist", m.artist}, {"owner_name", m.owner_name},
                         {"copyright", m.copyright}}},
             {"datetime_original", m.datetime_original}});
  return 0;
}

int RunRobots(const std::string& robots_file, const std::string& user_agent,
              const std::vector<std::string>& urls) {
  std::string body;
  if (!ReadFile(robots_file, &body)) return 1;
  crawler::RobotsPolicy policy = crawler::RobotsPolicy::Parse(body);
  for (const std::string& url : urls) {
    std::cout << (policy.IsAllowed(user_agent, url) ? "allowed " : "disallowed ") << url << "\n";
  }
  return 0;
}

}  // namespace scrapewatch::cli
