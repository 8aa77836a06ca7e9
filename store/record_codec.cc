#include "store/record_codec.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace scrapewatch {
namespace crawler {

void to_json(nlohmann::json& j, const SchemaHints& h) {
  j = nlohmann::json{{"types", h.types},
                     {"typical_age_range", h.typical_age_range},
                     {"suggested_min_age", h.suggested_min_age},
                     {"suggested_max_age", h.suggested_max_age},
                     {"audience_types", h.audience_types}};
}
void from_json(const nlohmann::json& j, SchemaHints& h) {
  j.at("types").get_to(h.types), j.at("typical_age_range").get_to(h.typical_age_range);
  j.at("suggested_min_age").get_to(h.suggested_min_age);
  j.at("suggested_max_age").get_to(h.suggested_max_age);
  j.at("audience_types").get_to(h.audience_types);
}

}  // namespace crawler
namespace detectors {

using nlohmann::json;

// Landmarks are left out on purpose: face geometry is not needed for the
// report, so it is never stored (detectors/face_detector.h).
void to_json(json& j, const FaceBox& f) {
  j = json{{"x", f.x}, {"y", f.y}, {"w", f.w}, {"h", f.h}, {"score", f.score},
           {"backend", f.backend},
           {"age_years", f.age_years ? json(*f.age_years) : json(nullptr)},
           {"age_band", f.age_band}};
}
void from_json(const json& j, FaceBox& f) {
  j.at("x").get_to(f.x), j.at("y").get_to(f.y), j.at("w").get_to(f.w), j.at("h").get_to(f.h);
  j.at("score").get_to(f.score);
  // backend and the ages are absent from records written before the ensemble
  // backend and age estimation existed.
  f.backend = j.value("backend", "");
  if (j.contains("age_years") && !j.at("age_years").is_null()) f.age_years = j.at("age_years").get<double>();
  f.age_band = j.value("age_band", "");
}

void to_json(json& j, const GeoLocation& g) {
  j = json{{"latitude", g.latitude}, {"longitude", g.longitude}, {"valid", g.valid},
           {"invalid_reason", g.invalid_reason}, {"source", g.source},
           {"gps_timestamp", g.gps_timestamp}};
  j["altitude_m"] = g.altitude_m ? json(*g.altitude_m) : json(nullptr);
}
void from_json(const json& j, GeoLocation& g) {
  j.at("latitude").get_to(g.latitude), j.at("longitude").get_to(g.longitude);
  j.at("valid").get_to(g.valid), j.at("invalid_reason").get_to(g.invalid_reason);
  j.at("source").get_to(g.source), j.at("gps_timestamp").get_to(g.gps_timestamp);
  if (!j.at("altitude_m").is_null()) g.altitude_m = j.at("altitude_m").get<double>();
}

// The identifying text fields, by their JSON names.
constexpr std::pair<const char*, std::string ImageMetadata::*> kMetadataText[] = {
    {"make", &ImageMetadata::make},
    {"model", &ImageMetadata::model},
    {"datetime_original", &ImageMetadata::datetime_original},
    {"body_serial_number", &ImageMetadata::body_serial_number},
    {"artist", &ImageMetadata::artist},
    {"copyright", &ImageMetadata::copyright},
    {"owner_name", &ImageMetadata::owner_name},
    {"city", &ImageMetadata::city},
    {"sublocation", &ImageMetadata::sublocation},
    {"state", &ImageMetadata::state},
    {"country", &ImageMetadata::country},
};

void to_json(json& j, const ImageMetadata& m) {
  j = json::object();
  for (const auto& [name, field] : kMetadataText) j[name] = m.*field;
  j["gps"] = m.gps ? json(*m.gps) : json(nullptr);
  j["pixel_width"] = m.pixel_width;
  j["pixel_height"] = m.pixel_height;
}
void from_json(const json& j, ImageMetadata& m) {
  for (const auto& [name, field] : kMetadataText) j.at(name).get_to(m.*field);
  if (!j.at("gps").is_null()) m.gps = j.at("gps").get<GeoLocation>();
  j.at("pixel_width").get_to(m.pixel_width), j.at("pixel_height").get_to(m.pixel_height);
}

void to_json(json& j, const ImageFindings& f) {
  j = json{{"sha256", f.sha256}, {"phash", f.phash}, {"byte_size", f.byte_size},
           {"format", f.format},
           {"width", f.width}, {"height", f.height}, {"decode_error", f.decode_error},
           {"faces", f.faces}, {"face_backend", f.face_backend}, {"metadata", f.metadata},
           {"metadata_error", f.metadata_error},
           {"thumbnail_jpeg_base64", absl::Base64Escape(f.thumbnail_jpeg)},
           {"thumbnail_blurred", f.thumbnail_blurred},
           {"age_model", f.age_model}};
}
void from_json(const json& j, ImageFindings& f) {
  j.at("sha256").get_to(f.sha256), j.at("phash").get_to(f.phash);
  j.at("byte_size").get_to(f.byte_size);
  j.at("format").get_to(f.format), j.at("width").get_to(f.width);
  j.at("height").get_to(f.height), j.at("decode_error").get_to(f.decode_error);
  j.at("faces").get_to(f.faces), j.at("face_backend").get_to(f.face_backend);
  j.at("metadata").get_to(f.metadata), j.at("metadata_error").get_to(f.metadata_error);
  // Absent from records written before thumbnails existed.
  if (j.contains("thumbnail_jpeg_base64") &&
      !absl::Base64Unescape(j.at("thumbnail_jpeg_base64").get<std::string>(), &f.thumbnail_jpeg)) {
    throw std::invalid_argument("thumbnail_jpeg_base64 is not base64");
  }
  f.thumbnail_blurred = j.value("thumbnail_blurred", true);
  f.age_model = j.value("age_model", "");
}

}  // namespace detectors

namespace store {

using nlohmann::json;

std::string FormatTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTimestamp(const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", text, absl::UTCTimeZone(), &time, &error)) {
    return absl::DataLossError(absl::StrCat("bad timestamp '", text, "': ", error));
  }
  return time;
}

namespace {

absl::Time TimeFrom(const json& j) {
  absl::StatusOr<absl::Time> time = ParseTimestamp(j.get<std::string>());
  if (!time.ok()) throw std::invalid_argument(std::string(time.status().message()));
  return *time;
}

}  // namespace

void to_json(json& j, const FetchEvidence& e) {
  j = json{{"url", e.url}, {"final_url", e.final_url}, {"redirect_to", e.redirect_to},
           {"http_status", e.http_status},
           {"headers", e.headers}, {"body_sha256", e.body_sha256},
           {"body_bytes", e.body_bytes}, {"error", e.error},
           {"fetched_at", FormatTimestamp(e.fetched_at)}};
}
void from_json(const json& j, FetchEvidence& e) {
  j.at("url").get_to(e.url), j.at("final_url").get_to(e.final_url);
  j.at("redirect_to").get_to(e.redirect_to);
  j.at("http_status").get_to(e.http_status), j.at("headers").get_to(e.headers);
  j.at("body_sha256").get_to(e.body_sha256), j.at("body_bytes").get_to(e.body_bytes);
  j.at("error").get_to(e.error);
  e.fetched_at = TimeFrom(j.at("fetched_at"));
}

void to_json(json& j, const ImageOccurrence& o) {
  j = json{{"image_url", o.image_url}, {"kind", o.kind},           {"alt", o.alt},
           {"title", o.title},         {"caption", o.caption},     {"link_url", o.link_url},
           {"link_text", o.link_text}, {"nearby_text", o.nearby_text}, {"names", o.names}};
}
void from_json(const json& j, ImageOccurrence& o) {
  j.at("image_url").get_to(o.image_url), j.at("kind").get_to(o.kind);
  j.at("alt").get_to(o.alt), j.at("title").get_to(o.title), j.at("caption").get_to(o.caption);
  j.at("link_url").get_to(o.link_url), j.at("link_text").get_to(o.link_text);
  j.at("nearby_text").get_to(o.nearby_text), j.at("names").get_to(o.names);
}

namespace {

// Serialises with a schema version. Invalid UTF-8 from the web (titles,
// robots.txt bodies) is replaced rather than allowed to fail the write.
std::string Versioned(json j) {
  j["schema_version"] = kRecordSchema;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Decodes a versioned record, turning every surprise into DataLossError.
template <typename T, typename Fill>
absl::StatusOr<T> Decode(const std::string& value, const char* what, Fill fill) {
  try {
    json j = json::parse(value);
    int version = j.at("schema_version").get<int>();
    if (version != kRecordSchema) {
      return absl::DataLossError(absl::StrCat(what, " record has schema_version ", version,
                                              "; this build reads ", kRecordSchema));
    }
    T record;
    fill(j, record);
    return record;
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " record: ", e.what()));
  }
}

}  // namespace

std::string EncodeRun(const RunRecord& r) {
  json j{{"site", r.site}, {"id", r.id}, {"seeds", r.seeds}, {"tool_version", r.tool_version},
         {"user_agent", r.user_agent}, {"robots_token", r.robots_token},
         {"profile_tokens", r.profile_tokens}, {"config_toml", r.config_toml},
         {"config_sha256", r.config_sha256},
         {"started_at", FormatTimestamp(r.started_at)},
         {"pages_discovered", r.pages_discovered}, {"pages_fetched", r.pages_fetched},
         {"pages_disallowed", r.pages_disallowed}, {"pages_errors", r.pages_errors}};
  j["finished_at"] = r.finished_at ? json(FormatTimestamp(*r.finished_at)) : json(nullptr);
  return Versioned(j);
}

absl::StatusOr<RunRecord> DecodeRun(const std::string& value) {
  return Decode<RunRecord>(value, "run", [](const json& j, RunRecord& r) {
    j.at("site").get_to(r.site), j.at("id").get_to(r.id), j.at("seeds").get_to(r.seeds);
    j.at("tool_version").get_to(r.tool_version), j.at("user_agent").get_to(r.user_agent);
    j.at("robots_token").get_to(r.robots_token), j.at("profile_tokens").get_to(r.profile_tokens);
    j.at("config_toml").get_to(r.config_toml), j.at("config_sha256").get_to(r.config_sha256);
    r.started_at = TimeFrom(j.at("started_at"));
    if (!j.at("finished_at").is_null()) r.finished_at = TimeFrom(j.at("finished_at"));
    j.at("pages_discovered").get_to(r.pages_discovered);
    j.at("pages_fetched").get_to(r.pages_fetched);
    j.at("pages_disallowed").get_to(r.pages_disallowed);
    j.at("pages_errors").get_to(r.pages_errors);
  });
}

std::string EncodePage(const PageRecord& p) {
  return Versioned(json{{"fetch", p.fetch},
                        {"skipped_reason", p.skipped_reason},
                        {"title", p.title},
                        {"meta_robots", p.meta_robots},
                        {"images", p.images},
                        {"people", p.people},
                        {"schema", p.schema},
                        {"tdm_reservation",
                         p.tdm_reservation ? json(*p.tdm_reservation) : json(nullptr)},
                        {"tdm_policy", p.tdm_policy},
                        {"charset", p.charset},
                        {"warnings", p.warnings}});
}

absl::StatusOr<PageRecord> DecodePage(const std::string& value) {
  return Decode<PageRecord>(value, "page", [](const json& j, PageRecord& p) {
    j.at("fetch").get_to(p.fetch), j.at("skipped_reason").get_to(p.skipped_reason);
    j.at("title").get_to(p.title), j.at("meta_robots").get_to(p.meta_robots);
    j.at("images").get_to(p.images), j.at("people").get_to(p.people);
    // Pages stored before schema hints were kept have none.
    if (j.contains("schema")) j.at("schema").get_to(p.schema);
    if (!j.at("tdm_reservation").is_null()) p.tdm_reservation = j.at("tdm_reservation").get<bool>();
    j.at("tdm_policy").get_to(p.tdm_policy), j.at("charset").get_to(p.charset);
    j.at("warnings").get_to(p.warnings);
  });
}

std::string EncodeImage(const ImageRecord& i) {
  return Versioned(json{{"fetch", i.fetch}, {"skipped_reason", i.skipped_reason}});
}

absl::StatusOr<ImageRecord> DecodeImage(const std::string& value) {
  return Decode<ImageRecord>(value, "image", [](const json& j, ImageRecord& i) {
    j.at("fetch").get_to(i.fetch), j.at("skipped_reason").get_to(i.skipped_reason);
  });
}

std::string EncodeFindings(const detectors::ImageFindings& findings) {
  return Versioned(json(findings));
}

absl::StatusOr<detectors::ImageFindings> DecodeFindings(const std::string& value) {
  return Decode<detectors::ImageFindings>(
      value, "findings", [](const json& j, detectors::ImageFindings& f) { j.get_to(f); });
}

std::string EncodeRobots(const RobotsRecord& r) {
  return Versioned(json{{"origin", r.origin}, {"fetch", r.fetch}, {"body", r.body},
                        {"policy", r.policy},
                        {"tdmrep_fetch", r.tdmrep_fetch ? json(*r.tdmrep_fetch) : json(nullptr)},
                        {"tdmrep_body", r.tdmrep_body}});
}

absl::StatusOr<RobotsRecord> DecodeRobots(const std::string& value) {
  return Decode<RobotsRecord>(value, "robots", [](const json& j, RobotsRecord& r) {
    j.at("origin").get_to(r.origin), j.at("fetch").get_to(r.fetch);
    j.at("body").get_to(r.body), j.at("policy").get_to(r.policy);
    if (!j.at("tdmrep_fetch").is_null()) r.tdmrep_fetch = j.at("tdmrep_fetch").get<FetchEvidence>();
    j.at("tdmrep_body").get_to(r.tdmrep_body);
  });
}

std::string EncodeResource(const ResourceRecord& s) {
  return Versioned(json{{"kind", s.kind},
                        {"fetch", s.fetch},
                        {"skipped_reason", s.skipped_reason},
                        {"pages_listed", s.pages_listed},
                        {"images_listed", s.images_listed},
                        {"sitemaps_listed", s.sitemaps_listed},
                        {"warnings", s.warnings}});
}

absl::StatusOr<ResourceRecord> DecodeResource(const std::string& value) {
  return Decode<ResourceRecord>(value, "resource", [](const json& j, ResourceRecord& s) {
    j.at("kind").get_to(s.kind), j.at("fetch").get_to(s.fetch), j.at("skipped_reason").get_to(s.skipped_reason);
    j.at("pages_listed").get_to(s.pages_listed), j.at("images_listed").get_to(s.images_listed);
    j.at("sitemaps_listed").get_to(s.sitemaps_listed), j.at("warnings").get_to(s.warnings);
  });
}

std::string EncodeBatch(const BatchRecord& b) {
  return Versioned(json{{"key", b.key},
                        {"started_at", FormatTimestamp(b.started_at)},
                        {"finished_at", b.finished_at ? json(FormatTimestamp(*b.finished_at))
                                                      : json(nullptr)}});
}

absl::StatusOr<BatchRecord> DecodeBatch(const std::string& value) {
  return Decode<BatchRecord>(value, "batch", [](const json& j, BatchRecord& b) {
    j.at("key").get_to(b.key);
    b.started_at = TimeFrom(j.at("started_at"));
    if (!j.at("finished_at").is_null()) b.finished_at = TimeFrom(j.at("finished_at"));
  });
}

}  // namespace store
}  // namespace scrapewatch
