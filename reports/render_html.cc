// A self-contained HTML report: inline CSS and SVG only, and a
// Content-Security-Policy that forbids every external request, so opening the
// report never tells a tracked site (or anyone) that it is being read.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "config/version.h"
#include "reports/harvestability.h"
#include "reports/remediation.h"
#include "reports/renderers.h"
#include "reports/report.h"
#include "store/record_codec.h"

namespace scrapewatch::reports {
namespace {

constexpr char kStyle[] = R"css(
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:68em;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em} .meta{color:#666;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1.2em 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:8em}
.card b{display:block;font-size:1.6em} .risk{border-color:#c0392b;color:#c0392b}
table{border-collapse:collapse;width:100%;font-size:.9em} td,th{border-bottom:1px solid #eee;padding:.35em;text-align:left;vertical-align:top}
td.url{word-break:break-all} .tag{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.8em;color:#fff}
.face{background:#c0392b} .gps{background:#8e44ad} .err{background:#7f8c8d} .opt{background:#27ae60}
.thumb{max-width:160px;max-height:160px;border-radius:4px;display:block}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em} .fix h3{font-size:1.05em;margin-bottom:.2em}
@media print{body{margin:0;max-width:none}.card{break-inside:avoid}}
)css";

struct Figure {
  std::string label;
  int64_t value;
  bool risk;
  std::string json_path;  // where report.json has the same number, e.g. "summary/faces"
};

std::vector<Figure> Figures(const SiteExposure& exposure) {
  const store::RunRecord& run = exposure.contents->run;
  const Summary& s = exposure.summary;
  return {{"pages fetched", run.pages_fetched, false, "pages/fetched"},
          {"pages disallowed", run.pages_disallowed, false, "pages/disallowed_by_robots"},
          {"images", s.images, false, "summary/images"},
          {"images with faces", s.images_with_faces, true, "summary/images_with_faces"},
          {"faces", s.faces, true, "summary/faces"},
          {"images with GPS", s.images_with_gps, true, "summary/images_with_gps"},
          {"images with signs of minors", s.images_possible_minor, true,
           "summary/images_possible_minor"}};
}

std::string Cards(const std::vector<Figure>& figures) {
  std::string out = "<div class=cards>";
  for (const Figure& f : figures) {
    // data-figure names the report.json value the number must equal (the
    // browser test compares them).
    absl::StrAppend(&out, "<div class='card", f.risk && f.value > 0 ? " risk" : "",
                    "'><b data-figure='", f.json_path, "'>", f.value, "</b>", EscapeHtml(f.label),
                    "</div>");
  }
  return out + "</div>";
}

// Horizontal bar chart of the headline figures.
std::string Chart(const std::vector<Figure>& figures) {
  int64_t max = 1;
  for (const Figure& f : figures) max = std::max(max, f.value);
  constexpr int kRow = 22, kLabel = 150, kBar = 400;
  std::string out = absl::StrCat("<svg role=img aria-label='headline figures' width='",
                                 kLabel + kBar + 60, "' height='", kRow * figures.size() + 4,
                                 "' xmlns='http://www.w3.org/2000/svg' font-size='12'>");
  for (size_t i = 0; i < figures.size(); ++i) {
    const Figure& f = figures[i];
    int y = static_cast<int>(i) * kRow;
    int width = static_cast<int>(kBar * f.value / max);
    absl::StrAppend(&out, "<text x='0' y='", y + 15, "'>", EscapeHtml(f.label), "</text>",
                    "<rect x='", kLabel, "' y='", y + 3, "' width='", width,
                    "' height='16' fill='", f.risk ? "#c0392b" : "#95a5a6", "'/>", "<text x='",
                    kLabel + width + 6, "' y='", y + 15, "'>", f.value, "</text>");
  }
  return out + "</svg>";
}

// Which scrapers could take the face photos, each with its rule.
std::string Harvestability(const SiteExposure& exposure) {
  std::map<std::string, std::string> rules;
  for (const ProfileDescription& p : DescribeProfiles(exposure.contents->run.profile_tokens)) {
    rules[p.name] = p.rule;
  }
  std::string out =
      "<h2>Who could take these photos</h2><table><thead><tr><th>scraper profile</th>"
      "<th>images with faces it could take</th><th>images</th><th>rule</th></tr></thead><tbody>";
  for (const ProfileCount& c : exposure.harvestability) {
    absl::StrAppend(&out, "<tr><td><code>", EscapeHtml(c.profile), "</code></td><td>",
                    c.images_with_faces, "</td><td>", c.images, "</td><td>",
                    EscapeHtml(rules[c.profile]), "</td></tr>");
  }
  return out + "</tbody></table>";
}

// What to change, each piece of advice with the lines to paste.
std::string Remediations(const SiteExposure& exposure) {
  std::vector<Remediation> plan = PlanRemediation(exposure);
  if (plan.empty()) return "";
  std::string out = "<h2>What to change</h2>";
  for (const Remediation& r : plan) {
    absl::StrAppend(&out, "<section class=fix data-finding='", r.finding, "'><h3>", EscapeHtml(r.title),
                    " <span class=meta>(", r.images, " image", r.images == 1 ? "" : "s",
                    ")</span></h3><p>", EscapeHtml(r.advice), "</p>");
    for (const std::string& snippet : r.snippets) {
      absl::StrAppend(&out, "<pre>", EscapeHtml(snippet), "</pre>");
    }
    absl::StrAppend(&out, "<p class=meta>e.g. ", EscapeHtml(absl::StrJoin(r.examples, ", ")),
                    "</p></section>");
  }
  return out;
}

std::string ImageRow(const ImageExposure& image) {
  const store::ImageRecord& r = *image.record;
  std::string tags;
  if (image.has_faces()) {
    absl::StrAppend(&tags, "<span class='tag face'>", r.findings->faces.size(), " face",
                    r.findings->faces.size() > 1 ? "s" : "", "</span> ");
  }
  if (image.minors.possible_minor) {
    std::vector<std::string> why = image.minors.age;
    if (!image.minors.text_reason.empty()) {
      why.push_back(absl::StrCat(image.minors.text_reason, " on ", image.minors.text_page));
    }
    absl::StrAppend(&tags, "<span class='tag face'>possible minor</span> <small>",
                    EscapeHtml(absl::StrJoin(why, "; ")), "</small> ");
  }
  if (image.gps) {
    absl::StrAppend(&tags, "<span class='tag gps'>GPS ",
                    FormatCoordinate(image.gps->lat, image.gps->rounded), ", ",
                    FormatCoordinate(image.gps->lon, image.gps->rounded),
                    image.gps->rounded ? " (≈1 km)" : "", "</span> ");
  }
  std::string error = !r.skipped_reason.empty() ? r.skipped_reason : r.fetch.error;
  if (error.empty() && r.findings) error = r.findings->decode_error;
  if (!error.empty()) absl::StrAppend(&tags, "<span class='tag err'>", EscapeHtml(error), "</span>");
  for (const std::string& directive : image.signals.x_robots_tag) {
    absl::StrAppend(&tags, " <span class='tag opt'>X-Robots-Tag ", EscapeHtml(directive), "</span>");
  }
  if (image.signals.tdm_reserved) absl::StrAppend(&tags, " <span class='tag opt'>TDM reserved</span>");
  std::string pages;
  for (const Appearance& a : image.found_on) {
    absl::StrAppend(&pages, EscapeHtml(a.page_url), a.alt.empty() ? "" : " — alt “",
                    EscapeHtml(a.alt), a.alt.empty() ? "" : "”");
    if (!a.caption.empty()) absl::StrAppend(&pages, " — caption “", EscapeHtml(a.caption), "”");
    if (!a.names.empty()) {
      absl::StrAppend(&pages, " — <b>names: ", EscapeHtml(absl::StrJoin(a.names, ", ")), "</b>");
    }
    absl::StrAppend(&pages, "<br>");
  }
  if (!image.near_duplicates.empty()) {
    absl::StrAppend(&pages, "<em>the same photo is also served as:</em><br>");
    for (const std::string& url : image.near_duplicates) absl::StrAppend(&pages, EscapeHtml(url), "<br>");
  }
  absl::StrAppend(&pages, "<em>", image.pages_with_photo, " page",
                  image.pages_with_photo == 1 ? "" : "s", " show this photo</em>");
  std::string camera;
  if (r.findings && !r.findings->metadata.make.empty()) {
    camera = EscapeHtml(absl::StrCat(r.findings->metadata.make, " ", r.findings->metadata.model));
  }
  std::string thumbnail;
  if (r.findings && !r.findings->thumbnail_jpeg.empty()) {
    thumbnail = absl::StrCat("<img class=thumb src='", ThumbnailDataUri(*r.findings), "' alt='",
                             r.findings->thumbnail_blurred ? "blurred thumbnail" : "thumbnail",
                             "'><br>");
  }
  return absl::StrCat("<tr><td class=url>", thumbnail, EscapeHtml(r.fetch.url), "</td><td>", tags,
                      "</td><td>",
                      camera, "</td><td class=url>", pages, "</td></tr>");
}

}  // namespace

std::string EscapeHtml(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"},
                                    {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string RenderHtml(const SiteExposure& exposure) {
  const store::RunRecord& run = exposure.contents->run;
  std::vector<Figure> figures = Figures(exposure);
  std::string out = absl::StrCat(
      "<!doctype html><html lang=en><head><meta charset=utf-8>",
      "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; ",
      "style-src 'unsafe-inline'; img-src data:\">",
      "<meta name=viewport content='width=device-width,initial-scale=1'>",
      "<title>scrapewatch: ", EscapeHtml(run.site), "</title><style>", kStyle, "</style></head><body>",
      "<h1>What a face scraper could take from ", EscapeHtml(run.site), "</h1>",
      "<p class=meta>Run ", EscapeHtml(run.id), " · started ", store::FormatTimestamp(run.started_at),
      run.finished_at ? absl::StrCat(" · finished ", store::FormatTimestamp(*run.finished_at)) : "",
      " · user agent <code>", EscapeHtml(run.user_agent), "</code> · ", kToolName, " ", kToolVersion,
      "</p>", Cards(figures), Chart(figures), Harvestability(exposure), Remediations(exposure),
      "<h2>Images, highest risk first</h2><p>Each row is one image a logged-out crawler ",
      "reached, with every page it appears on: the profile an indexer compiles.</p>",
      "<table><thead><tr><th>image</th><th>findings</th><th>camera</th><th>found on</th></tr>",
      "</thead><tbody>");
  for (const ImageExposure& image : exposure.images) out += ImageRow(image);
  return out + "</tbody></table></body></html>\n";
}

}  // namespace scrapewatch::reports
