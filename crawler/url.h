// URL handling for the crawler, built on libcurl's URL API (curl_url).
//
// Resolving a reference against a base, and reducing a URL to the canonical
// form used as the identity of a page or image in the frontier and the store:
// lower-case scheme and host (an IDN host in its Unicode spelling, below),
// no default port, dot segments removed, no fragment. Only http and https URLs are crawlable.
//
// NormalizeUrl goes further, for what the crawler fetches: percent-encoding
// is normalised as RFC 3986 §6.2.2 allows (hex digits upper-cased, escapes of
// the unreserved characters A-Za-z0-9-._~ decoded, dot segments such as
// "%2E%2E" that decoding reveals removed; every other escape, "%2F" and "%3F"
// among them, is kept because decoding it would change the URL's meaning),
// and tracking parameters are removed. DedupeKey also sorts the query's
// parameters, since their order almost never matters to a server but would
// make one page many.
//
// Every function here writes an internationalised host name in one spelling,
// its Unicode one lower-cased (host_name.h): "XN--BCHER-KVA.example" and
// "BÜCHER.example" are both "bücher.example", one origin and one URL, as a
// server sees them. libcurl converts the name to punycode when it connects.
//
// A query is read as parameters separated by '&' only. Empty parameters
// ("a&&b", a trailing '&') are dropped; "a" and "a=" are kept apart; '+' is
// left as it is, neither a space nor "%2B".
//
// Thread safety: every function is pure and safe to call from any thread.
// Errors: a URL libcurl cannot parse yields InvalidArgumentError naming it.
#ifndef SCRAPEWATCH_CRAWLER_URL_H_
#define SCRAPEWATCH_CRAWLER_URL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace scrapewatch::crawler {

struct UrlNormalizeOptions {
  // Query parameters removed before a URL is fetched or compared: names
  // matched exactly (case-sensitively, after percent-encoding normalisation),
  // or by prefix when the entry ends in '*'. They identify the visitor or the
  // campaign, never the page.
  std::vector<std::string> strip_query_params = {"utm_*",  "fbclid", "gclid", "dclid", "msclkid",
                                                 "mc_cid", "mc_eid", "_ga",   "yclid", "igshid"};
};

// Resolves `reference` (absolute, relative, scheme-relative or fragment-only)
// against the absolute URL `base` and returns the canonical absolute URL.
// Surrounding ASCII whitespace in `reference` is ignored, as browsers do.
absl::StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view reference);

// Canonical form of an absolute http(s) URL; see the header comment.
absl::StatusOr<std::string> CanonicalizeUrl(std::string_view url);

// The URL the crawler fetches: CanonicalizeUrl plus percent-encoding
// normalisation and without the stripped parameters (a query left empty
// leaves no '?'). Idempotent.
absl::StatusOr<std::string> NormalizeUrl(std::string_view url, const UrlNormalizeOptions& options);

// The identity that decides "seen before": NormalizeUrl with the query's
// parameters sorted by name, then value, so ?b=1&a=2 and ?a=2&b=1 are one URL.
// A key, not a URL to fetch.
absl::StatusOr<std::string> DedupeKey(std::string_view url, const UrlNormalizeOptions& options);

// The parts of an absolute http(s) URL that say where it is served from and
// which path it names, as NormalizeUrl writes them.
struct HttpUrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;    // as HostOf returns it; IPv6 literals keep their brackets
  int port = 0;        // the explicit port, else the scheme's default
  std::string path;    // never empty: at least "/"
};
absl::StatusOr<HttpUrlParts> SplitHttpUrl(std::string_view url);

// "scheme://host[:port]" of an absolute URL, canonicalised: the unit of
// politeness and of robots.txt.
absl::StatusOr<std::string> OriginOf(std::string_view url);

// Lower-case host name of an absolute URL.
absl::StatusOr<std::string> HostOf(std::string_view url);

// True for absolute http:// and https:// URLs.
bool IsHttpUrl(std::string_view url);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_URL_H_
