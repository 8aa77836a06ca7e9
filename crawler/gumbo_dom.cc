#include "crawler/gumbo_dom.h"

#include <gumbo.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/markup_text.h"

namespace scrapewatch::crawler::markup {
namespace {

// SubtreeText gives up after this many nodes: real text is found within a
// few dozen, and a page of empty wrappers must not make every image's
// context lookup walk the whole page.
constexpr size_t kMaxTextNodesVisited = 1024;

const GumboNode* Child(const GumboNode* node, unsigned i) {
  return static_cast<const GumboNode*>(node->v.element.children.data[i]);
}

bool IsTextNode(const GumboNode* node) {
  return node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
         node->type == GUMBO_NODE_CDATA;
}

bool HoldsNoText(const GumboNode* node) {
  GumboTag tag = node->v.element.tag;
  return node->type == GUMBO_NODE_TEMPLATE || tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE;
}

}  // namespace

GumboTree ParseHtml(std::string_view html) {
  const char* buffer = html.empty() ? "" : html.data();
  return GumboTree(gumbo_parse_with_options(&kGumboDefaultOptions, buffer, html.size()));
}

bool IsElement(const GumboNode* node) {
  return node != nullptr && (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE);
}

std::string_view Attr(const GumboNode* node, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&node->v.element.attributes, name);
  return attribute == nullptr ? std::string_view() : std::string_view(attribute->value);
}

bool HasAttr(const GumboNode* node, const char* name) {
  return gumbo_get_attribute(&node->v.element.attributes, name) != nullptr;
}

bool IsUnknownElementNamed(const GumboNode* node, std::string_view name) {
  if (!IsElement(node) || node->v.element.tag != GUMBO_TAG_UNKNOWN) return false;
  GumboStringPiece original = node->v.element.original_tag;
  gumbo_tag_from_original_text(&original);
  return EqualsIgnoreCase(std::string_view(original.data, original.length), name);
}

const GumboNode* FirstChildElement(const GumboNode* node, GumboTag tag) {
  for (unsigned i = 0; i < node->v.element.children.length; ++i) {
    const GumboNode* child = Child(node, i);
    if (IsElement(child) && child->v.element.tag == tag) return child;
  }
  return nullptr;
}

std::string ChildText(const GumboNode* node) {
  std::string text;
  for (unsigned i = 0; i < node->v.element.children.length; ++i) {
    const GumboNode* child = Child(node, i);
    if (IsTextNode(child)) text += child->v.text.text;
  }
  return text;
}

std::string SubtreeText(const GumboNode* node, size_t max_chars) {
  BoundedTextBuilder text(max_chars);
  std::vector<const GumboNode*> stack = {node};
  for (size_t visited = 0; !stack.empty() && !text.full() && visited < kMaxTextNodesVisited;
       ++visited) {
    const GumboNode* current = stack.back();
    stack.pop_back();
    if (IsTextNode(current)) {
      text.Append(current->v.text.text);
    } else if (IsElement(current) && !HoldsNoText(current)) {
      if (IsBlockElement(current) || current->v.element.tag == GUMBO_TAG_BR) text.Break();
      for (unsigned i = current->v.element.children.length; i-- > 0;) {
        stack.push_back(Child(current, i));
      }
    }
  }
  return text.Take();
}

bool IsBlockElement(const GumboNode* node) {
  if (!IsElement(node)) return false;
  switch (node->v.element.tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return true;
    default:
      return false;
  }
}

}  // namespace scrapewatch::crawler::markup
