// robots.txt parsing and matching as RFC 9309 specifies it, with no
// search-engine extensions: what a well-behaved crawler with a given product
// token may fetch from one origin, and the Sitemap and Crawl-delay lines that
// come with it.
//
// Parsing never fails. The first 500 KiB of the body are read (the RFC 9309
// parse limit; a line cut by the limit is dropped whole rather than read as a
// shorter, different rule), a leading UTF-8 byte order mark is skipped, lines
// end at CR, LF or CRLF, '#' starts a comment, and any line that is not
// "name: value" is skipped. Record names are case-insensitive. A group is one
// or more User-agent lines followed by Allow/Disallow rules; rules before the
// first User-agent line belong to no group and are ignored. Sitemap,
// Crawl-delay and unknown lines never end a group (RFC 9309 §2.2.4: other
// records must not interfere with the standard ones). Crawl-delay is kept
// with the group being read when it appears.
//
// Matching: groups naming the crawler's product token (compared whole and
// case-insensitively) are merged; if none names it, the '*' groups are
// merged; if there are none, everything is allowed. Among the rules that
// match the URL's path, params and query, the longest pattern wins and Allow
// wins a tie. '*' matches any run of octets and a final '$' anchors the end.
// Patterns and paths are compared after percent-encoding normalisation
// (non-ASCII octets encoded, %xx upper-cased, escapes of unreserved
// characters decoded). "/robots.txt" itself is always allowed.
//
// Thread safety: a RobotsPolicy is immutable after construction, so any
// number of threads may call its const methods concurrently. It owns all its
// data and keeps no reference to the body it was parsed from. The free
// functions are pure.
#ifndef SCRAPEWATCH_CRAWLER_ROBOTS_H_
#define SCRAPEWATCH_CRAWLER_ROBOTS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace scrapewatch::crawler {

// Bytes of a robots.txt body that are read; the rest is ignored.
inline constexpr size_t kRobotsParseLimitBytes = 500 * 1024;

// How a body's lines were classified, for reporting on the file itself.
struct RobotsParseStats {
  int valid_directives = 0;     // user-agent, allow, disallow, sitemap, crawl-delay
  int unknown_directives = 0;   // "name: value" lines with any other name
  int last_directive_line = 0;  // 1-based line number of the last of either kind
};

// A default-constructed policy allows everything, like AllowAll().
class RobotsPolicy {
 public:
  static RobotsPolicy Parse(std::string_view robots_txt_body);
  // What a 4xx ("unavailable") robots.txt means: no restrictions.
  static RobotsPolicy AllowAll();
  // What a 5xx or unreachable robots.txt means: assume complete disallow.
  static RobotsPolicy DisallowAll();

  // `url` may be absolute ("https://host/a?b") or a path ("/a?b"); only its
  // path, params and query take part.
  bool IsAllowed(std::string_view user_agent_token, std::string_view url) const;

  // Crawl-delay of the groups that apply to the token, as for IsAllowed: the
  // first valid value among them, or nullopt if they have none. Valid values
  // are non-negative decimals ("10", "0.5"); anything else is ignored.
  std::optional<double> CrawlDelaySeconds(std::string_view user_agent_token) const;

  // Sitemap URLs in file order, from inside and outside groups.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  const RobotsParseStats& stats() const { return stats_; }

 private:
  struct Rule {
    std::string pattern;  // normalised, never empty
    bool allow = false;
  };
  struct Group {
    std::vector<Rule> rules;
    std::optional<double> crawl_delay;
  };
  class Builder;

  // Indexes into groups_ of the groups that apply to the token.
  const std::vector<size_t>* GroupsFor(std::string_view user_agent_token) const;

  std::vector<Group> groups_;
  // Lower-cased user-agent value ("*" for the global groups) to the groups
  // that name it, in file order.
  absl::flat_hash_map<std::string, std::vector<size_t>> groups_by_agent_;
  std::vector<std::string> sitemaps_;
  RobotsParseStats stats_;
};

// True if `token` is a valid RFC 9309 product token: [A-Za-z_-]+.
bool IsValidUserAgentToken(std::string_view token);

// The part of `url` that rules are matched against: path, params and query,
// without the fragment, always starting with '/'; "/" if the URL has none.
// `url` may be absolute, scheme-relative ("//host/p") or a bare path.
std::string PathForMatching(std::string_view url);

// A rule pattern in canonical escaped form: non-ASCII octets percent-encoded
// and the hex digits of existing %xx escapes upper-cased. '*' and '$' are
// left alone.
std::string EscapePattern(std::string_view pattern);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_ROBOTS_H_
