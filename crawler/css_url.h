// Finds the url(...) references in an inline CSS declaration block, the text
// of an HTML style="" attribute, where pages put background and hero images.
//
// Deliberately a scanner, not a CSS parser: quotes around the URL are removed
// but CSS escapes are left as written, which is what a scraper grepping the
// attribute gets.
//
// Thread safety: a pure function. Errors: none; text without url(...) yields
// nothing.
#ifndef SCRAPEWATCH_CRAWLER_CSS_URL_H_
#define SCRAPEWATCH_CRAWLER_CSS_URL_H_

#include <string_view>
#include <vector>

namespace scrapewatch::crawler {

// Every url(...) argument in `style`, in order, unresolved and possibly
// empty. The views point into `style`.
std::vector<std::string_view> CssUrls(std::string_view style);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_CSS_URL_H_
