// CSV (one row per image, for spreadsheets) and Markdown (for issue trackers
// and e-mail) renderings of a run.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "reports/remediation.h"
#include "reports/renderers.h"
#include "store/record_codec.h"

namespace scrapewatch::reports {
namespace {

// RFC 4180 quoting; a leading =,+,-,@ is prefixed with ' so a spreadsheet
// does not execute text taken from a hostile page as a formula.
std::string CsvField(const std::string& text) {
  bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' ||
                                   text[0] == '@');
  return absl::StrCat("\"", formula ? "'" : "", absl::StrReplaceAll(text, {{"\"", "\"\""}}),
                      "\"");
}

std::string GpsText(const ImageExposure& image) {
  if (!image.gps) return "";
  return absl::StrCat(FormatCoordinate(image.gps->lat, image.gps->rounded), ",",
                      FormatCoordinate(image.gps->lon, image.gps->rounded));
}

std::string Coordinate(const ImageExposure& image, double ReportedLocation::*axis) {
  return image.gps ? FormatCoordinate((*image.gps).*axis, image.gps->rounded) : "";
}

// Markdown table cells: no pipes, newlines or inline HTML from page text.
std::string MdCell(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"|", "\\|"}, {"\n", " "}, {"\r", " "}, {"<", "&lt;"}, {">", "&gt;"}});
}

// The pages showing an image, each passed through `escape`.
std::string PagesText(const ImageExposure& image, const char* separator,
                      std::string (*escape)(const std::string&)) {
  std::vector<std::string> pages;
  for (const Appearance& a : image.found_on) pages.push_back(escape(a.page_url));
  return absl::StrJoin(pages, separator);
}

std::string AsIs(const std::string& text) { return text; }

size_t FaceCount(const ImageExposure& image) {
  return image.record->findings ? image.record->findings->faces.size() : 0;
}

// "age: face 1: 12.0 years (child likely); text: strong cue ..."; "" without a flag.
std::string MinorText(const MinorSignals& minors) {
  if (!minors.possible_minor) return "";
  std::vector<std::string> parts;
  for (const std::string& age : minors.age) parts.push_back("age: " + age);
  if (!minors.text_reason.empty()) parts.push_back("text: " + minors.text_reason);
  return absl::StrJoin(parts, "; ");
}

// The opt-out signals on one image, space-separated: "x-robots-tag:noai",
// "meta:noimageindex", "tdm-reserved".
std::string OptOutText(const OptOutSignals& signals) {
  std::vector<std::string> parts;
  for (const std::string& d : signals.x_robots_tag) parts.push_back("x-robots-tag:" + d);
  for (const std::string& d : signals.page_meta_robots) parts.push_back("meta:" + d);
  if (signals.tdm_reserved) parts.push_back("tdm-reserved");
  return absl::StrJoin(parts, " ");
}

}  // namespace

std::string RenderCsv(const SiteExposure& exposure) {
  std::string out =
      "url,sha256,pages,faces,lat,lon,minor_signals,opt_out,harvestable_by,error\r\n";
  for (const ImageExposure& image : exposure.images) {
    const store::ImageRecord& r = *image.record;
    std::string error = !r.skipped_reason.empty() ? r.skipped_reason : r.fetch.error;
    if (error.empty() && r.findings) error = r.findings->decode_error;
    absl::StrAppend(&out, CsvField(r.fetch.url), ",",
                    CsvField(r.findings ? r.findings->sha256 : ""), ",",
                    CsvField(PagesText(image, " ", AsIs)), ",", FaceCount(image), ",",
                    Coordinate(image, &ReportedLocation::lat), ",",
                    Coordinate(image, &ReportedLocation::lon), ",",
                    CsvField(MinorText(image.minors)), ",", CsvField(OptOutText(image.signals)), ",",
                    CsvField(absl::StrJoin(image.harvestable_by, " ")), ",", CsvField(error),
                    "\r\n");
  }
  return out;
}

std::string RenderMarkdown(const SiteExposure& exposure) {
  const store::RunRecord& run = exposure.contents->run;
  const Summary& s = exposure.summary;
  std::string out = absl::StrCat("# scrapewatch report: ", run.site, "\n\n",
                                 "Run `", run.id, "`, started ", store::FormatTimestamp(run.started_at),
                                 ", user agent `", MdCell(run.user_agent), "`.\n\n");
  absl::StrAppend(&out, "| pages fetched | images | with faces | faces | with GPS | signs of minors |\n",
                  "|---|---|---|---|---|---|\n", "| ", run.pages_fetched, " | ", s.images, " | ",
                  s.images_with_faces, " | ", s.faces, " | ", s.images_with_gps, " | ",
                  s.images_possible_minor, " |\n\n");
  absl::StrAppend(&out, "## Images by risk\n\n| image | faces | GPS | found on | possible minor |\n",
                  "|---|---|---|---|---|\n");
  for (const ImageExposure& image : exposure.images) {
    absl::StrAppend(&out, "| ", MdCell(image.record->fetch.url), " | ", FaceCount(image), " | ",
                    GpsText(image), " | ", PagesText(image, "<br>", MdCell), " | ",
                    MdCell(MinorText(image.minors)), " |\n");
  }
  std::vector<Remediation> plan = PlanRemediation(exposure);
  if (!plan.empty()) absl::StrAppend(&out, "\n## What to change\n");
  for (const Remediation& r : plan) {
    absl::StrAppend(&out, "\n### ", MdCell(r.title), " (", r.images, " image",
                    r.images == 1 ? "" : "s", ")\n\n", MdCell(r.advice), "\n");
    for (const std::string& snippet : r.snippets) absl::StrAppend(&out, "\n```\n", snippet, "\n```\n");
  }
  return out;
}

}  // namespace scrapewatch::reports
