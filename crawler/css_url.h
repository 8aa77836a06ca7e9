// Finds the url(...) references in CSS: in an inline declaration block (the
// text of an HTML style="" attribute) and in a style sheet (the text of a
// <style> element), where pages put background and hero images.
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

// Every url(...) argument in the style sheet `css` that can name an image, in
// order, unresolved and possibly empty: those in comments, in @import rules
// (style sheets) and in @font-face blocks (fonts) are left out. Quoted
// strings are skipped whole, so "/*" or "@import" inside one is text. The
// views point into `css`.
std::vector<std::string_view> CssStylesheetUrls(std::string_view css);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_CSS_URL_H_
