// What the crawler learns from one HTML page: the value type handed from
// extraction to the rest of the pipeline. Plain data, copyable, no pointers
// into the parser.
#ifndef SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_
#define SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_

#include <string>
#include <vector>

namespace scrapewatch::crawler {

// One reference to an image, as a scraper would collect it.
struct ImageRef {
  std::string url;   // absolute, canonical; for data: URIs the text "data:<mime>"
  std::string kind;  // where it came from: "img_src", "img_srcset", "meta_og_image", ...
  bool is_data_uri = false;  // counted, never fetched
  // Context a scraper keeps with the image, each bounded in length.
  std::string alt;
  std::string title;
};

// Opt-out signals a page carries in its own markup.
struct PageSignals {
  // Lower-cased directives of <meta name="robots"> and per-bot robots meta
  // tags, each as "directive" (generic) or "bot:directive".
  std::vector<std::string> meta_robots;
};

struct ExtractedPage {
  std::string url;       // the page URL the HTML was fetched from
  std::string base_url;  // effective base for relative references
  std::string title;
  std::vector<std::string> links;  // absolute canonical http(s) URLs, document order, deduped
  std::vector<ImageRef> images;    // every occurrence, document order
  PageSignals signals;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_EXTRACTED_PAGE_H_
