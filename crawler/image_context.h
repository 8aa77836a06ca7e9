// The context text of each image reference (caption, enclosing link, nearby
// text, names), from the structure CollectMarkup recorded around it. Internal
// to the crawler; other code uses html_extractor.h.
//
// A text that many images share (a gallery's block, an article's names) is
// computed once.
//
// Thread safety: not thread-safe (it caches); one per extraction.
// Ownership: holds references to `markup` and `options`, which must outlive it.
#ifndef SCRAPEWATCH_CRAWLER_IMAGE_CONTEXT_H_
#define SCRAPEWATCH_CRAWLER_IMAGE_CONTEXT_H_

#include <gumbo.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "crawler/extracted_page.h"
#include "crawler/html_extractor.h"
#include "crawler/markup_collector.h"

namespace scrapewatch::crawler::markup {

class ImageContext {
 public:
  ImageContext(const Markup& markup, const ExtractOptions& options)
      : markup_(markup), options_(options) {}

  // Sets `ref`'s caption, link_url (resolved against `base`), link_text,
  // nearby_text and names from `raw`.
  void Fill(const RawImage& raw, std::string_view base, ImageRef& ref);

  // Every name the page marks up: ExtractedPage::people.
  std::vector<std::string> People() const;

 private:
  struct Link {
    std::string url;
    std::string text;
  };

  const std::string& NodeText(const GumboNode* node);
  const std::string& Caption(const GumboNode* figure);
  const Link& LinkOf(const GumboNode* anchor, std::string_view base);
  const std::vector<std::string>& ScopeNames(int scope);

  const Markup& markup_;
  const ExtractOptions& options_;
  absl::flat_hash_map<const GumboNode*, std::string> texts_;
  absl::flat_hash_map<const GumboNode*, std::string> captions_;
  absl::flat_hash_map<const GumboNode*, Link> links_;
  absl::flat_hash_map<int, std::vector<std::string>> scope_names_;
};

}  // namespace scrapewatch::crawler::markup

#endif  // SCRAPEWATCH_CRAWLER_IMAGE_CONTEXT_H_
