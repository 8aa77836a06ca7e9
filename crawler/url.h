// URL handling for the crawler, built on libcurl's URL API (curl_url).
//
// Resolving a reference against a base, and reducing a URL to the canonical
// form used as the identity of a page or image in the frontier and the store:
// lower-case scheme and host, no default port, dot segments removed, no
// fragment. Only http and https URLs are crawlable.
//
// Thread safety: every function is pure and safe to call from any thread.
// Errors: a URL libcurl cannot parse yields InvalidArgumentError naming it.
#ifndef SCRAPEWATCH_CRAWLER_URL_H_
#define SCRAPEWATCH_CRAWLER_URL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace scrapewatch::crawler {

// Resolves `reference` (absolute, relative, scheme-relative or fragment-only)
// against the absolute URL `base` and returns the canonical absolute URL.
// Surrounding ASCII whitespace in `reference` is ignored, as browsers do.
absl::StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view reference);

// Canonical form of an absolute http(s) URL; see the header comment.
absl::StatusOr<std::string> CanonicalizeUrl(std::string_view url);

// "scheme://host[:port]" of an absolute URL, canonicalised: the unit of
// politeness and of robots.txt.
absl::StatusOr<std::string> OriginOf(std::string_view url);

// Lower-case host name of an absolute URL.
absl::StatusOr<std::string> HostOf(std::string_view url);

// True for absolute http:// and https:// URLs.
bool IsHttpUrl(std::string_view url);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_URL_H_
