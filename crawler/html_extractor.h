// Extraction of everything a face-scraping crawler would harvest from one
// HTML page: each image reference with the context that identifies who is in
// it, the links it would follow, the people the page names, and the opt-out
// signals (robots and TDMRep meta tags) the page carries.
//
// The bytes are decoded to UTF-8 first (charset.h: BOM, then
// ExtractOptions::http_charset, then <meta charset>, else UTF-8). Then the
// page is parsed with Gumbo, an HTML5-conformant parser that treats
// <noscript> content as markup (as a crawler that runs no JavaScript sees it),
// so fallback images inside <noscript> are found too. Image references are
// recorded once per occurrence, in document order, with ImageRef::kind one of
// the following. The first group is exactly what the shared html/ corpus
// oracle counts (corpus/README.md); the second goes beyond it.
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
//   link_icon              <link rel="icon" | "apple-touch-icon" href>
//   link_preload_image     <link rel="preload" as="image" href>, and each
//                          candidate of its imagesrcset
//   jsonld_image           images of <script type="application/ld+json">
//                          (see jsonld.h: image, thumbnailUrl, logo, ImageObject)
//   style_block_url        each url(...) in a <style> element that can be an
//                          image (not @import, @font-face or comments)
//   data_bg, data_background, data_background_image, data_bgset, data_src_bg,
//   data_lazy, data_hi_res_src, data_full_src, data_orig_file, data_medium_file,
//   data_large_file, data_zoom_image, data_thumb, data_img
//                          the attribute of that name (data_bgset parsed as a
//                          srcset; a url(...) value as CSS) on any element:
//                          lazy loaders' backgrounds, WordPress's full-size
//                          files, zoom and gallery images
//   video_thumbnail        the still frame of an <iframe> YouTube embed
//                          (src, data-src or data-lazy-src; see video_embed.h)
//   video_embed            an <iframe> Vimeo player: recorded with
//                          fetchable = false, as it has no derivable image URL
//
// Context (ImageRef fields) is taken from the element the reference is on;
// page-level references (meta, link, JSON-LD, <style>) have none but names.
//
// References resolve against the first <base href> (itself resolved against
// the page URL), else the page URL. References that are empty, or that do not
// resolve to an http(s) URL (javascript:, mailto:, unparsable), are dropped,
// except data: URIs: a scraper keeps those images without fetching them, so
// they are recorded with is_data_uri set and url "data:<mime type>".
//
// Hostile pages are bounded: input beyond max_html_bytes is cut, and markup
// nested beyond max_nesting_depth is parsed only up to the tag that goes too
// deep (nesting_guard.h), each noted in ExtractedPage::warnings; Gumbo's time
// grows with the square of the nesting depth, and worse.
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
  // (page title, each name, and each ImageRef text field), after whitespace
  // is collapsed.
  size_t max_context_chars = 300;
  // Bound on ExtractedPage::people and on each ImageRef::names.
  size_t max_names = 50;
  // The charset of the response's Content-Type header ("ISO-8859-1"; the
  // whole header value is accepted too), or empty. Overrides <meta charset>.
  std::string http_charset;
  // Longer input is cut to this many bytes before parsing.
  size_t max_html_bytes = size_t{10} << 20;
  // Estimated element nesting (nesting_guard.h) beyond which the rest of the
  // page is not parsed. Real pages stay under a few hundred.
  size_t max_nesting_depth = 2000;
  // Lower-case crawler names whose own robots meta tag (<meta name="googlebot"
  // content="noimageindex">) is recorded, as "name:directive". Callers add
  // their own robots.txt product token.
  std::vector<std::string> robots_meta_bots = {
      "googlebot",   "googlebot-image", "googlebot-news", "googlebot-video", "bingbot",
      "msnbot",      "slurp",           "yandex",         "yandexbot",       "baiduspider",
      "duckduckbot", "applebot",        "gptbot",         "ccbot",           "facebookbot",
  };
};

// Parses `html`, the bytes as fetched (decoded as the header comment says;
// sequences invalid in their encoding become U+FFFD), from the absolute
// http(s) URL `page_url`.
absl::StatusOr<ExtractedPage> ExtractPage(std::string_view html, std::string_view page_url,
                                          const ExtractOptions& options = {});

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_HTML_EXTRACTOR_H_
