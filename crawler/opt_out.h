// Opt-out signals a site sends in HTTP, beside robots.txt: X-Robots-Tag
// directives and the TDM Reservation Protocol (TDMRep, W3C CG report 2024).
//
// X-Robots-Tag values are comma-separated directives, optionally scoped to one
// crawler with a "name:" prefix ("googlebot: noindex, nofollow"). Directives
// are kept as "directive" (every crawler) or "name:directive", lower-cased,
// the same shape as PageSignals::meta_robots, so one check reads both.
//
// Thread safety: pure functions.
#ifndef SCRAPEWATCH_CRAWLER_OPT_OUT_H_
#define SCRAPEWATCH_CRAWLER_OPT_OUT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scrapewatch::crawler {

// Directives of every X-Robots-Tag header among `headers` (names lower-case).
std::vector<std::string> XRobotsTagDirectives(
    const std::vector<std::pair<std::string, std::string>>& headers);

// True when `directives` contain `directive` for every crawler, or scoped to
// `crawler` (case-insensitive). "none" implies "noindex" (and so
// "noimageindex").
bool HasDirective(const std::vector<std::string>& directives, std::string_view directive,
                  std::string_view crawler = "");

// TDMRep rules of one origin, from /.well-known/tdmrep.json: for a path, is
// text-and-data-mining reserved, and under which policy?
struct TdmRule {
  std::string location;  // path pattern; '*' matches any run of characters
  bool reserved = false;
  std::string policy;    // URL of the licensing policy, if any
};

// Parses tdmrep.json; malformed input yields no rules (and no reservation),
// which is what the protocol says a crawler may assume.
std::vector<TdmRule> ParseTdmRep(std::string_view json_text);

// The rule that applies to `path` (the first matching one), if any.
std::optional<TdmRule> TdmRuleFor(const std::vector<TdmRule>& rules, std::string_view path);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_OPT_OUT_H_
