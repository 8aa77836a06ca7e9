// What changed between two audit runs of one site: the answer a cron job
// needs ("did anything get worse?") and a site owner needs after a fix.
//
// Images are matched by URL. An exposure is an image with faces or a valid
// GPS position. The diff lists images that appeared or disappeared, and for
// images in both runs the changes that matter: faces found or lost, a
// location gained or lost, opt-out directives added or removed, and profiles
// that could newly (or no longer) take the image.
//
// Thread safety: pure functions.
#ifndef SCRAPEWATCH_REPORTS_DIFF_H_
#define SCRAPEWATCH_REPORTS_DIFF_H_

#include <string>
#include <vector>

#include "reports/exposure.h"

namespace scrapewatch::reports {

struct ImageChange {
  std::string url;
  std::vector<std::string> changes;  // e.g. "gained GPS", "faces 0 -> 2", "opt-out added: noai"
  bool worse = false;                // a new exposure: more revealed or more harvestable
};

struct RunDiff {
  std::string site;
  std::string from_run;
  std::string to_run;
  std::vector<std::string> new_exposures;      // images with faces or GPS not in `from`
  std::vector<std::string> removed_exposures;  // images with faces or GPS gone in `to`
  std::vector<ImageChange> changed;
  // True when `to` reveals something `from` did not: a new exposure, or an
  // image that gained faces, GPS or a scraper able to take it.
  bool has_new_exposure() const;
};

RunDiff DiffRuns(const SiteExposure& from, const SiteExposure& to);

// The diff as JSON (pretty-printed, with a trailing newline) and as a few
// lines for a terminal or a cron mail.
std::string RenderDiffJson(const RunDiff& diff);
std::string RenderDiffText(const RunDiff& diff);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_DIFF_H_
