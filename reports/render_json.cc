#include <nlohmann/json.hpp>

#include "config/version.h"
#include "reports/harvestability.h"
#include "reports/remediation.h"
#include "reports/renderers.h"
#include "reports/report.h"
#include "store/record_codec.h"

namespace scrapewatch::reports {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<absl::Time>& time) {
  return time ? json(store::FormatTimestamp(*time)) : json(nullptr);
}

json Evidence(const store::FetchEvidence& fetch) {
  // Pairs, not an object: a header may repeat (X-Robots-Tag often does).
  json headers = json::array();
  for (const auto& [name, value] : fetch.headers) headers.push_back({name, value});
  return json{{"url", fetch.url}, {"final_url", fetch.final_url},
              {"http_status", fetch.http_status}, {"fetched_at", store::FormatTimestamp(fetch.fetched_at)},
              {"sha256", fetch.body_sha256}, {"bytes", fetch.body_bytes},
              {"headers", headers}, {"error", fetch.error}};
}

json Pages(const store::RunContents& contents) {
  const store::RunRecord& run = contents.run;
  json list = json::array();
  for (const store::PageRecord& page : contents.pages) {
    json entry{{"url", page.fetch.url},
               {"title", page.title},
               {"meta_robots", page.meta_robots},
               {"images", page.images.size()},
               {"people", page.people},
               {"tdm_reservation",
                page.tdm_reservation ? json(*page.tdm_reservation) : json(nullptr)},
               {"charset", page.charset},
               {"warnings", page.warnings}};
    if (page.skipped_reason.empty()) {
      entry["fetch"] = Evidence(page.fetch);
      entry["skipped_reason"] = nullptr;
    } else {
      entry["fetch"] = nullptr;
      entry["skipped_reason"] = page.skipped_reason;
    }
    list.push_back(entry);
  }
  return json{{"discovered", run.pages_discovered}, {"fetched", run.pages_fetched},
              {"disallowed_by_robots", run.pages_disallowed}, {"errors", run.pages_errors},
              {"list", list}};
}

json Metadata(const detectors::ImageMetadata& m) {
  return json{{"make", m.make}, {"model", m.model}, {"datetime_original", m.datetime_original},
              {"body_serial_number", m.body_serial_number}, {"artist", m.artist},
              {"copyright", m.copyright}, {"owner_name", m.owner_name}, {"city", m.city},
              {"sublocation", m.sublocation}, {"state", m.state}, {"country", m.country}};
}

json Image(const ImageExposure& image) {
  const store::ImageRecord& record = *image.record;
  json found_on = json::array();
  for (const Appearance& a : image.found_on) {
    found_on.push_back({{"page", a.page_url}, {"page_title", a.page_title}, {"alt", a.alt},
                        {"kind", a.kind}, {"caption", a.caption}, {"nearby_text", a.nearby_text},
                        {"link", a.link_url}, {"names", a.names}});
  }
  json entry{{"url", record.fetch.url}, {"found_on", found_on},
             {"redirected_from", image.redirected_from},
             {"near_duplicates", image.near_duplicates},
             {"pages_with_photo", image.pages_with_photo}, {"faces", json::array()},
             {"gps", nullptr}, {"sha256", nullptr}, {"face_backend", nullptr},
             {"metadata", nullptr}, {"gps_invalid_reason", nullptr}, {"error", nullptr}};
  const OptOutSignals& signals = image.signals;
  entry["opt_out"] = {{"x_robots_tag", signals.x_robots_tag},
                      {"page_meta_robots", signals.page_meta_robots},
                      {"tdm_reserved", signals.tdm_reserved},
                      {"tdm_source", signals.tdm_source}};
  entry["harvestable_by"] = image.harvestable_by;
  json text_evidence = json::array();
  for (const detectors::TextEvidence& e : image.minors.text) {
    text_evidence.push_back({{"field", e.field}, {"matched", e.matched}, {"rule", e.rule},
                             {"strength", e.strength}});
  }
  entry["minors"] = {
      {"possible_minor", image.minors.possible_minor},
      {"age_signals", image.minors.age},
      {"text_signal", image.minors.text_reason.empty()
                          ? json(nullptr)
                          : json{{"page", image.minors.text_page},
                                 {"reason", image.minors.text_reason},
                                 {"evidence", text_evidence}}}};
  if (!record.skipped_reason.empty()) {
    entry["error"] = "not fetched: " + record.skipped_reason;
    entry["fetch"] = nullptr;
    return entry;
  }
  entry["fetch"] = Evidence(record.fetch);
  if (!record.fetch.error.empty()) entry["error"] = record.fetch.error;
  if (!record.findings) return entry;
  const detectors::ImageFindings& f = *record.findings;
  entry["sha256"] = f.sha256;
  entry["phash"] = f.phash;
  if (!f.thumbnail_jpeg.empty()) {
    entry["thumbnail"] = ThumbnailDataUri(f);
    entry["thumbnail_blurred"] = f.thumbnail_blurred;
  }
  entry["format"] = f.format;
  entry["width"] = f.width;
  entry["height"] = f.height;
  if (!f.decode_error.empty()) entry["error"] = f.decode_error;
  entry["age_model"] = f.age_model;
  for (const detectors::FaceBox& face : f.faces) {
    json box = {{"x", face.x}, {"y", face.y}, {"w", face.w}, {"h", face.h},
                {"score", face.score},
                {"age_years", face.age_years ? json(*face.age_years) : json(nullptr)},
                {"age_band", face.age_band.empty() ? json(nullptr) : json(face.age_band)}};
    if (!face.backend.empty()) box["backend"] = face.backend;
    entry["faces"].push_back(std::move(box));
  }
  if (!f.face_backend.empty()) entry["face_backend"] = f.face_backend;
  entry["metadata"] = Metadata(f.metadata);
  if (image.gps) {
    entry["gps"] = {{"lat", image.gps->lat}, {"lon", image.gps->lon},
                    {"alt", image.gps->alt_m ? json(*image.gps->alt_m) : json(nullptr)},
                    {"rounded", image.gps->rounded}, {"source", image.gps->source},
                    {"timestamp", image.gps->timestamp}};
  }
  if (!image.gps_invalid_reason.empty()) entry["gps_invalid_reason"] = image.gps_invalid_reason;
  return entry;
}

}  // namespace

std::string RenderJson(const SiteExposure& exposure) {
  const store::RunContents& contents = *exposure.contents;
  const store::RunRecord& run = contents.run;
  json images = json::array();
  for (const ImageExposure& image : exposure.images) images.push_back(Image(image));
  json robots = json::array();
  for (const store::RobotsRecord& r : contents.robots) {
    json groups = json::array();
    for (const RobotsStance& s : RobotsStances(contents, r, run.profile_tokens)) {
      groups.push_back({{"token", s.token}, {"root_allowed", s.root_allowed},
                        {"urls", s.urls}, {"urls_allowed", s.urls_allowed},
                        {"crawl_delay", s.crawl_delay ? json(*s.crawl_delay) : json(nullptr)}});
    }
    robots.push_back({{"origin", r.origin}, {"policy", r.policy}, {"groups", groups},
                      {"fetch", Evidence(r.fetch)},
                      {"body", r.body},
                      {"tdmrep_fetch", r.tdmrep_fetch ? Evidence(*r.tdmrep_fetch) : json(nullptr)},
                      {"tdmrep_body", r.tdmrep_body}});
  }
  const Summary& s = exposure.summary;
  json profiles = json::array();
  for (const ProfileDescription& p : DescribeProfiles(run.profile_tokens)) {
    profiles.push_back({{"name", p.name}, {"rule", p.rule}});
  }
  json harvestability = json::array();
  for (const ProfileCount& c : exposure.harvestability) {
    harvestability.push_back({{"profile", c.profile}, {"images", c.images},
                              {"images_with_faces", c.images_with_faces}});
  }
  json remediation = json::array();
  for (const Remediation& r : PlanRemediation(exposure)) {
    remediation.push_back({{"finding", r.finding}, {"title", r.title}, {"images", r.images},
                           {"examples", r.examples}, {"advice", r.advice},
                           {"snippets", r.snippets}});
  }
  json report{
      {"schema_version", kReportSchemaVersion},
      {"tool", {{"name", kToolName}, {"version", kToolVersion}}},
      {"site", run.site},
      {"run",
       {{"id", run.id}, {"started_at", store::FormatTimestamp(run.started_at)},
        {"finished_at", OptionalTime(run.finished_at)}, {"user_agent", run.user_agent},
        {"robots_token", run.robots_token}, {"profile_tokens", run.profile_tokens},
        {"config_sha256", run.config_sha256},
        {"tool_version", run.tool_version},
        {"seeds", run.seeds}}},
      {"pages", Pages(contents)},
      {"images", images},
      {"robots", robots},
      {"profiles", profiles},
      {"remediation", remediation},
      {"summary",
       {{"images", s.images}, {"images_analysed", s.images_analysed},
        {"images_with_faces", s.images_with_faces}, {"faces", s.faces},
        {"images_with_gps", s.images_with_gps}, {"data_uri_images", s.data_uri_images},
        {"distinct_photos", s.distinct_photos}, {"limits_hit", s.limits_hit},
        {"images_possible_minor", s.images_possible_minor}, {"face_sizes", s.face_sizes},
        {"minors_lexicon_loaded", s.minors_lexicon_loaded},
        {"harvestability", harvestability}}}};
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace scrapewatch::reports
