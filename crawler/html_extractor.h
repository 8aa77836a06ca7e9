// Extraction of everything a face-scraping crawler would harvest from one
// HTML page: each image reference, the links it would follow, and the opt-out
// signals (robots meta tags) the page carries.
//
// The page is parsed with Gumbo, an HTML5-conformant parser that treats
// <noscript> content as markup (as a crawler that runs no JavaScript sees it),
// so fallback images inside <noscript> are found too. Image references are
// recorded once per occurrence, in document order, with ImageRef::kind one of:
//
//   img_src                <img src>
//   img_srcset             each candidate of <img srcset> (see srcset.h)
//   picture_source_srcset  each candidate of <source srcset> inside <picture>
//   data_src, data_srcset, data_lazy_src, data_original
//                          lazy-loading attributes on <img> and <picture><source>
//   meta_og_image          <meta property|name="og:image" | "og:image:url" |
//                          "og:image:secure_url" content>
//   meta_twitter_image     <meta property|name="twitter:image" | "twitter:image:src" content>
//   link_image_src         <link rel="image_src" href>
//   video_poster           <video poster>
//   style_url              each url(...) in any inline style="" attribute
//
// References resolve against the first <base href> (itself resolved against
// the page URL), else the page URL. References that are empty, or that do not
// resolve to an http(s) URL (javascript:, mailto:, unparsable), are dropped,
// except data: URIs: a scraper keeps those images without fetching them, so
// they are recorded with is_data_uri set and url "data:<mime type>".
//
// Thread safety: ExtractPage is a pure function, safe to call concurrently.
// Ownership: the result is plain data and holds nothing of the input.
// Errors: HTML is never rejected (parsing is error-tolerant, as browsers'
// is); only a page URL that is not an absolute http(s) URL yields
// InvalidArgumentError naming it. No exceptions are thrown.
#ifndef SCRAPEWATCH_CRAWLER_HTML_EXTRACTOR_H_
#define SCRAPEWATCH_CRAWLER_HTML_EXTRACTOR_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/extracted_page.h"

namespace scrapewatch::crawler {

struct ExtractOptions {
  // Bound, in code points, on each piece of free text kept from the page
  // (alt, title attribute, page title), after whitespace is collapsed.
  size_t max_context_chars = 300;
  // Lower-case crawler names whose own robots meta tag (<meta name="googlebot"
  // content="noimageindex">) is recorded, as "name:directive". Callers add
  // their own robots.txt product token.
  std::vector<std::string> robots_meta_bots = {
      "googlebot",   "googlebot-image", "googlebot-news", "googlebot-video", "bingbot",
      "msnbot",      "slurp",           "yandex",         "yandexbot",       "baiduspider",
      "duckduckbot", "applebot",        "gptbot",         "ccbot",           "facebookbot",
  };
};

// Parses `html` (the bytes as fetched, assumed UTF-8; invalid sequences become
// U+FFFD) fetched from the absolute http(s) URL `page_url`.
absl::StatusOr<ExtractedPage> ExtractPage(std::string_view html, std::string_view page_url,
                                          const ExtractOptions& options = {});

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_HTML_EXTRACTOR_H_
