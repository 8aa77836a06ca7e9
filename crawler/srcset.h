// Parsing of srcset attribute values (<img srcset>, <source srcset>, and the
// data-srcset that lazy loaders use) into their candidate image URLs.
//
// Follows the WHATWG "parse a srcset attribute" algorithm, so a URL may
// contain commas ("a.jpg?crop=1,2 2x") and a candidate whose descriptors a
// browser would reject ("a.jpg 2q", "a.jpg 100w 2x") is dropped, exactly as a
// browser (and thus a scraper driving one) would drop it.
//
// Thread safety: a pure function. Errors: none; malformed input yields fewer
// candidates.
#ifndef SCRAPEWATCH_CRAWLER_SRCSET_H_
#define SCRAPEWATCH_CRAWLER_SRCSET_H_

#include <string_view>
#include <vector>

namespace scrapewatch::crawler {

// The URL of every valid candidate in `srcset`, in order, unresolved. The
// views point into `srcset`.
std::vector<std::string_view> ParseSrcset(std::string_view srcset);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_SRCSET_H_
