#include "reports/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace scrapewatch::reports {
namespace {

bool IsExposure(const ImageExposure& image) { return image.has_faces() || image.gps.has_value(); }

size_t Faces(const ImageExposure& image) {
  return image.record->findings ? image.record->findings->faces.size() : 0;
}

std::map<std::string, const ImageExposure*> ByUrl(const SiteExposure& exposure) {
  std::map<std::string, const ImageExposure*> images;
  for (const ImageExposure& image : exposure.images) images[image.record->fetch.url] = &image;
  return images;
}

// Items of `b` not in `a`.
std::vector<std::string> Added(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string> before(a.begin(), a.end());
  std::vector<std::string> added;
  for (const std::string& item : b) {
    if (!before.contains(item)) added.push_back(item);
  }
  return added;
}

ImageChange Compare(const ImageExposure& from, const ImageExposure& to) {
  ImageChange change{.url = to.record->fetch.url};
  auto note = [&](std::string what, bool worse) {
    change.changes.push_back(std::move(what));
    change.worse = change.worse || worse;
  };
  if (Faces(from) != Faces(to)) {
    note(absl::StrCat("faces ", Faces(from), " -> ", Faces(to)), Faces(to) > Faces(from));
  }
  if (!from.gps && to.gps) note("gained GPS", true);
  if (from.gps && !to.gps) note("lost GPS", false);
  for (const std::string& d : Added(from.signals.x_robots_tag, to.signals.x_robots_tag)) {
    note("opt-out added: X-Robots-Tag " + d, false);
  }
  for (const std::string& d : Added(to.signals.x_robots_tag, from.signals.x_robots_tag)) {
    note("opt-out removed: X-Robots-Tag " + d, true);
  }
  if (from.signals.tdm_reserved != to.signals.tdm_reserved) {
    note(to.signals.tdm_reserved ? "TDM reservation added" : "TDM reservation removed",
         !to.signals.tdm_reserved);
  }
  for (const std::string& p : Added(from.harvestable_by, to.harvestable_by)) {
    note("now harvestable by " + p, true);
  }
  for (const std::string& p : Added(to.harvestable_by, from.harvestable_by)) {
    note("no longer harvestable by " + p, false);
  }
  if (from.record->findings && to.record->findings &&
      from.record->findings->sha256 != to.record->findings->sha256) {
    note("image bytes changed", false);
  }
  return change;
}

}  // namespace

bool RunDiff::has_new_exposure() const {
  return !new_exposures.empty() ||
         std::any_of(changed.begin(), changed.end(), [](const ImageChange& c) { return c.worse; });
}

RunDiff DiffRuns(const SiteExposure& from, const SiteExposure& to) {
  RunDiff diff{.site = to.contents->run.site,
               .from_run = from.contents->run.id,
               .to_run = to.contents->run.id};
  std::map<std::string, const ImageExposure*> before = ByUrl(from), after = ByUrl(to);
  for (const auto& [url, image] : after) {
    auto it = before.find(url);
    if (it == before.end()) {
      if (IsExposure(*image)) diff.new_exposures.push_back(url);
      continue;
    }
    ImageChange change = Compare(*it->second, *image);
    if (!change.changes.empty()) diff.changed.push_back(std::move(change));
  }
  for (const auto& [url, image] : before) {
    if (!after.contains(url) && IsExposure(*image)) diff.removed_exposures.push_back(url);
  }
  return diff;
}

std::string RenderDiffJson(const RunDiff& diff) {
  nlohmann::json changed = nlohmann::json::array();
  for (const ImageChange& c : diff.changed) {
    changed.push_back({{"url", c.url}, {"changes", c.changes}, {"new_exposure", c.worse}});
  }
  nlohmann::json out{{"site", diff.site},
                     {"from_run", diff.from_run},
                     {"to_run", diff.to_run},
                     {"has_new_exposure", diff.has_new_exposure()},
                     {"new_exposures", diff.new_exposures},
                     {"removed_exposures", diff.removed_exposures},
                     {"changed", changed}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string RenderDiffText(const RunDiff& diff) {
  std::string out = absl::StrCat(diff.site, ": run ", diff.from_run, " -> ", diff.to_run, "\n");
  if (diff.new_exposures.empty() && diff.removed_exposures.empty() && diff.changed.empty()) {
    return out + "  no change in exposure\n";
  }
  for (const std::string& url : diff.new_exposures) absl::StrAppend(&out, "  + new exposure ", url, "\n");
  for (const std::string& url : diff.removed_exposures) absl::StrAppend(&out, "  - gone ", url, "\n");
  for (const ImageChange& c : diff.changed) {
    absl::StrAppend(&out, c.worse ? "  ! " : "  ~ ", c.url, ": ", absl::StrJoin(c.changes, "; "), "\n");
  }
  return out;
}

}  // namespace scrapewatch::reports
