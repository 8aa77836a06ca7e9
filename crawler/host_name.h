// Host names as the crawl compares them: the ASCII (punycode) and the
// Unicode spelling of an internationalised name are one host, so that
// "xn--bcher-kva.example" and "BÜCHER.example" share one origin (one
// robots.txt, one politeness clock, one seen-set entry per page) and one
// scope. Used by scope.h and by NormalizeUrl (url.h).
//
// Thread safety: pure functions.
#ifndef SCRAPEWATCH_CRAWLER_HOST_NAME_H_
#define SCRAPEWATCH_CRAWLER_HOST_NAME_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace scrapewatch::crawler {

// `host` with its punycode labels ("xn--...") decoded (RFC 3492; a label that
// is not valid punycode stays as written), then lower-cased with NFKC, as
// libpsl wants its input: "XN--BCHER-KVA.Example" -> "bücher.example".
// InvalidArgumentError for an empty host or one that is not UTF-8.
absl::StatusOr<std::string> ComparableHost(std::string_view host);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_HOST_NAME_H_
