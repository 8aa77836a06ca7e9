// What a site owner can change, derived from one run's findings: each piece
// of advice names the finding it fixes, how many images it concerns, a few
// example URLs, and the exact lines to add (robots.txt groups, response
// headers, meta tags, a TDMRep file, metadata-stripping commands).
//
// The advice is honest about reach: robots.txt and noai headers bind only
// crawlers that choose to obey them; against an indiscriminate scraper (what
// the CNIL found Clearview AI to be) only taking photos out of public reach
// works, and the plan says so whenever such a scraper could take faces.
//
// Thread safety: pure function over plain data.
#ifndef SCRAPEWATCH_REPORTS_REMEDIATION_H_
#define SCRAPEWATCH_REPORTS_REMEDIATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reports/exposure.h"

namespace scrapewatch::reports {

struct Remediation {
  // Stable name of the finding it answers: "faces_public", "faces_robots",
  // "faces_no_ai_header", "no_tdm_reservation", "gps", "identifying_metadata".
  std::string finding;
  std::string title;
  int64_t images = 0;                 // images the finding concerns
  std::vector<std::string> examples;  // up to five of their URLs
  std::string advice;
  std::vector<std::string> snippets;  // lines to paste, each a block of text
};

// In the order a site owner should act: what stops every scraper first.
std::vector<Remediation> PlanRemediation(const SiteExposure& exposure);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_REMEDIATION_H_
