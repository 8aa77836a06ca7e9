// Which scrapers could take which images: the report's answer to "would an
// opt-out have stopped them?".
//
// Each profile is a kind of scraper with a stated rule:
//   indiscriminate       takes every image reachable without logging in (what
//                        the CNIL found Clearview AI did);
//   img2dataset-default  skips images whose response carries an X-Robots-Tag
//                        noai, noimageai, noindex or noimageindex (generic or
//                        for img2dataset), as that tool does by default;
//   rfc9309:<token>      obeys robots.txt under <token>: it needs a page that
//                        shows the image allowed on the page's host, and the
//                        image URL allowed on the image's host.
// Images the audit could not fetch are assessed by no profile: their content
// is unknown.
//
// Thread safety: pure functions.
#ifndef SCRAPEWATCH_REPORTS_HARVESTABILITY_H_
#define SCRAPEWATCH_REPORTS_HARVESTABILITY_H_

#include <optional>
#include <string>
#include <vector>

#include "reports/exposure.h"

namespace scrapewatch::reports {

struct ProfileDescription {
  std::string name;
  std::string rule;
};

// The profiles assessed for `robots_tokens`, in report order.
std::vector<ProfileDescription> DescribeProfiles(const std::vector<std::string>& robots_tokens);

// What one origin's robots.txt says to one crawler, measured on the URLs this
// run saw on that origin.
struct RobotsStance {
  std::string token;
  bool root_allowed = false;  // "/" — a crawler's first request
  int64_t urls = 0;           // pages and images of the run on this origin
  int64_t urls_allowed = 0;
  std::optional<double> crawl_delay;
};

// The stance of `origin`'s robots.txt towards each of `robots_tokens`.
std::vector<RobotsStance> RobotsStances(const store::RunContents& contents,
                                        const store::RobotsRecord& robots,
                                        const std::vector<std::string>& robots_tokens);

// Fills each image's signals and harvestable_by, and the summary's
// per-profile counts.
void AssessHarvestability(SiteExposure& exposure, const std::vector<std::string>& robots_tokens);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_HARVESTABILITY_H_
