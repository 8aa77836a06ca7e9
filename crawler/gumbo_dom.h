// Read-only helpers over a Gumbo parse tree, shared by the HTML extraction
// code. Internal to the crawler; other code uses html_extractor.h.
//
// Thread safety: pure functions over a tree that nobody modifies.
// Ownership: a GumboTree owns the tree, which points into the HTML text it
// was parsed from; that text must outlive it. Views returned here point into
// the tree.
#ifndef SCRAPEWATCH_CRAWLER_GUMBO_DOM_H_
#define SCRAPEWATCH_CRAWLER_GUMBO_DOM_H_

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace scrapewatch::crawler::markup {

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};
using GumboTree = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

// Parses UTF-8 `html` (invalid sequences become U+FFFD). Never fails.
GumboTree ParseHtml(std::string_view html);

bool IsElement(const GumboNode* node);

// Decoded value of attribute `name`, or "" when absent: for everything
// extracted here an absent and an empty attribute mean the same.
std::string_view Attr(const GumboNode* node, const char* name);
bool HasAttr(const GumboNode* node, const char* name);

// True for an element Gumbo 0.10 does not know (it predates <picture>), whose
// tag name as written is `name`, ASCII case-insensitively.
bool IsUnknownElementNamed(const GumboNode* node, std::string_view name);

// The first child element of `node` with tag `tag`, or nullptr.
const GumboNode* FirstChildElement(const GumboNode* node, GumboTag tag);

// The concatenated text of `node`'s own text children, as raw text elements
// (<title>, <script>, <style>) hold it.
std::string ChildText(const GumboNode* node);

// The text content of the subtree under `node`, whitespace collapsed, block
// boundaries kept as spaces, bounded to `max_chars` code points. Script, style
// and template content is not text. Looks at a bounded number of nodes, so a
// huge subtree costs no more than a small one.
std::string SubtreeText(const GumboNode* node, size_t max_chars);

// Block-level elements (div, p, li, td, section, ...): the unit whose text is
// "nearby" to an image, and a text boundary.
bool IsBlockElement(const GumboNode* node);

}  // namespace scrapewatch::crawler::markup

#endif  // SCRAPEWATCH_CRAWLER_GUMBO_DOM_H_
