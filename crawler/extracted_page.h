// What the crawler learns from one HTML page: the value type handed from
// extraction to the rest of the pipeline. Plain data, copyable, no pointers
// into the parser. Every text field is valid UTF-8, whitespace-collapsed and
// at most ExtractOptions::max_context_chars code points long.
#ifndef SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_
#define SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace scrapewatch::crawler {

// One reference to an image, as a scraper would collect it.
struct ImageRef {
  std::string url;   // absolute, canonical; for data: URIs the text "data:<mime>"
  std::string kind;  // where it came from: "img_src", "img_srcset", "meta_og_image", ...
                     // (the list is in html_extractor.h)
  bool is_data_uri = false;  // counted, never fetched
  // False when `url` is not an image but a page that leads to one (kind
  // "video_embed": a Vimeo player, whose still frame has no derivable URL):
  // recorded, never fetched as an image.
  bool fetchable = true;

  // Context a scraper keeps with the image, each bounded in length; empty
  // when the page gives none.
  std::string alt;    // alt attribute of the <img> (for <picture> sources, of its <img>)
  std::string title;  // title attribute of the element (for an <iframe>, the video title)
  std::string sizes;  // sizes attribute beside a srcset (imagesizes for a preload):
                      // the layout width the candidates serve, not a URL
  std::string caption;      // text of the <figcaption> of the enclosing <figure>
  std::string link_url;     // absolute http(s) href of the enclosing <a>, if any
  std::string link_text;    // text of the enclosing <a>
  std::string nearby_text;  // text of the closest block element around the image
                            // (p, div, li, figure, td, section, article, ...)
  // People's names the page's markup ties to the image: those of the person
  // item or h-card that contains it, then those marked up (microdata Person
  // name, h-card name, rel=author link) in its scope: the enclosing <figure>,
  // else <article>, else closest block. For JSON-LD images, the name of the
  // Person whose image it is. Document order, deduplicated, at most
  // ExtractOptions::max_names.
  std::vector<std::string> names;
};

// Opt-out signals a page carries in its own markup.
struct PageSignals {
  // Lower-cased directives of <meta name="robots"> and per-bot robots meta
  // tags, each as "directive" (generic) or "bot:directive": "noindex",
  // "noimageindex", "noai", "noimageai", "none", "googlebot:noimageindex", ...
  std::vector<std::string> meta_robots;
  // TDMRep (W3C Community Group report) in markup: <meta name="tdm-reservation"
  // content="1"> reserves text-and-data-mining rights (true), content="0"
  // waives the reservation (false); absent or another value: nullopt. The first
  // such tag counts.
  std::optional<bool> tdm_reservation;
  // <meta name="tdm-policy" content=URL>: absolute http(s) URL of the
  // machine-readable licensing policy; empty when absent or not resolvable.
  std::string tdm_policy;
};

// What the page's schema.org markup (JSON-LD and microdata) says about whom
// it is for: the statements that tell a school's or a nursery's photos from
// others. Values as written, each bounded like other text; numbers as their
// JSON text ("6", "6.5").
struct SchemaHints {
  // Every @type and itemtype on the page, document order, deduplicated, at
  // most kMaxSchemaTypes: "ElementarySchool", "https://schema.org/ChildCare".
  std::vector<std::string> types;
  std::string typical_age_range;  // the first typicalAgeRange: "5-11", "12-", "7"
  std::string suggested_min_age;  // the first suggestedMinAge (a PeopleAudience's)
  std::string suggested_max_age;  // the first suggestedMaxAge
  // audienceType values, document order, deduplicated: "children", "parents".
  std::vector<std::string> audience_types;
};

inline constexpr size_t kMaxSchemaTypes = 32;

struct ExtractedPage {
  std::string url;       // the page URL the HTML was fetched from
  std::string base_url;  // effective base for relative references
  std::string title;
  // What a crawler follows — <a>/<area> href, <iframe> src, <link rel=next|
  // alternate>, <meta http-equiv=refresh> — as absolute canonical http(s)
  // URLs, document order, deduped.
  std::vector<std::string> links;
  // <link rel=stylesheet href>, absolute, deduped: their url() images are
  // part of what the page shows.
  std::vector<std::string> stylesheets;
  std::vector<ImageRef> images;    // every occurrence, document order
  PageSignals signals;
  // People the page names in its markup: JSON-LD Person objects (also as
  // author or creator), microdata Person items' names, h-card names and
  // rel=author link text. Document order (JSON-LD blocks where they stand),
  // deduplicated, at most ExtractOptions::max_names.
  std::vector<std::string> people;
  SchemaHints schema;
  // The encoding the page was decoded from: "UTF-8", "windows-1252",
  // "Shift_JIS", ... (see charset.h).
  std::string charset;
  // What extraction could not take at face value, one line each, starting
  // with a stable code:
  //   "charset: ..."         a declared charset was unknown and ignored
  //   "truncated_size: ..."  the HTML exceeded max_html_bytes; only a prefix was parsed
  //   "truncated_depth: ..." markup nested beyond max_nesting_depth; parsed up to there
  // Empty for an ordinary page.
  std::vector<std::string> warnings;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_
