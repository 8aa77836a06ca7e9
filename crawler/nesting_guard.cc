#include "crawler/nesting_guard.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "crawler/markup_text.h"

namespace scrapewatch::crawler {
namespace {

using markup::EqualsIgnoreCase;
using markup::kHtmlSpace;

enum class TagClass {
  kNested,      // an ordinary element: open until its end tag or an ancestor's
  kVoid,        // never has content
  kRawText,     // content is text up to its end tag
  kPlainText,   // everything after it is text
  kNotCounted,  // cannot nest (option, ruby parts) or is unique (html, body)
  kFormatting,  // re-opened by the parser after an unrelated end tag
  kSelfClosingFormatting,  // formatting, and a new one closes an open one
  kListItem,
  kDefinition,
  kCell,
  kRow,
  kRowGroup,
};

TagClass Classify(const std::string& name) {
  static const auto* const kClasses = new absl::flat_hash_map<std::string, TagClass>{
      {"area", TagClass::kVoid},       {"base", TagClass::kVoid},
      {"basefont", TagClass::kVoid},   {"bgsound", TagClass::kVoid},
      {"br", TagClass::kVoid},         {"col", TagClass::kVoid},
      {"embed", TagClass::kVoid},      {"frame", TagClass::kVoid},
      {"hr", TagClass::kVoid},         {"image", TagClass::kVoid},
      {"img", TagClass::kVoid},        {"input", TagClass::kVoid},
      {"keygen", TagClass::kVoid},     {"link", TagClass::kVoid},
      {"meta", TagClass::kVoid},       {"param", TagClass::kVoid},
      {"source", TagClass::kVoid},     {"track", TagClass::kVoid},
      {"wbr", TagClass::kVoid},        {"script", TagClass::kRawText},
      {"style", TagClass::kRawText},   {"xmp", TagClass::kRawText},
      {"iframe", TagClass::kRawText},  {"noembed", TagClass::kRawText},
      {"noframes", TagClass::kRawText}, {"textarea", TagClass::kRawText},
      {"title", TagClass::kRawText},   {"plaintext", TagClass::kPlainText},
      {"option", TagClass::kNotCounted},
      {"optgroup", TagClass::kNotCounted}, {"rb", TagClass::kNotCounted},
      {"rp", TagClass::kNotCounted},   {"rt", TagClass::kNotCounted},
      {"rtc", TagClass::kNotCounted},  {"html", TagClass::kNotCounted},
      {"head", TagClass::kNotCounted}, {"body", TagClass::kNotCounted},
      {"frameset", TagClass::kNotCounted}, {"b", TagClass::kFormatting},
      {"big", TagClass::kFormatting},  {"code", TagClass::kFormatting},
      {"em", TagClass::kFormatting},   {"font", TagClass::kFormatting},
      {"i", TagClass::kFormatting},    {"s", TagClass::kFormatting},
      {"small", TagClass::kFormatting}, {"strike", TagClass::kFormatting},
      {"strong", TagClass::kFormatting}, {"tt", TagClass::kFormatting},
      {"u", TagClass::kFormatting},    {"a", TagClass::kSelfClosingFormatting},
      {"nobr", TagClass::kSelfClosingFormatting}, {"li", TagClass::kListItem},
      {"dt", TagClass::kDefinition},   {"dd", TagClass::kDefinition},
      {"td", TagClass::kCell},         {"th", TagClass::kCell},
      {"tr", TagClass::kRow},          {"tbody", TagClass::kRowGroup},
      {"thead", TagClass::kRowGroup},  {"tfoot", TagClass::kRowGroup},
  };
  auto it = kClasses->find(name);
  return it == kClasses->end() ? TagClass::kNested : it->second;
}

// HTML's "special" elements that can be open, which stop the adoption agency
// (a formatting end tag does not close them).
bool IsSpecial(const std::string& name) {
  static const auto* const kSpecial = new absl::flat_hash_set<std::string>{
      "address", "applet", "article", "aside", "blockquote", "button", "caption", "center",
      "colgroup", "dd", "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
      "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "li", "listing",
      "main", "marquee", "menu", "nav", "object", "ol", "p", "pre", "section", "select", "summary",
      "table", "tbody", "td", "template", "tfoot", "th", "thead", "tr", "ul", "mi", "mo", "mn",
      "ms", "mtext", "annotation-xml", "foreignobject", "desc"};
  return kSpecial->contains(name);
}

// Elements that bound "has an element in scope": an end tag whose element is
// open only below one of these is ignored.
bool IsScopeBoundary(const std::string& name) {
  static const auto* const kBoundaries = new absl::flat_hash_set<std::string>{
      "applet", "caption", "table", "td", "th", "marquee", "object", "template", "mi", "mo",
      "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc"};
  return kBoundaries->contains(name);
}

// Start tags that close an open <p> first (when it is in button scope).
bool ClosesParagraph(const std::string& name) {
  static const auto* const kClosers = new absl::flat_hash_set<std::string>{
      "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
      "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
      "nav", "ol", "p", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
      "listing", "form", "table", "hr", "xmp", "li", "dd", "dt", "plaintext"};
  return kClosers->contains(name);
}

// Start tags that do not re-open pending formatting elements: blocks, table
// parts and what the parser treats as raw text or document structure.
bool SkipsReconstruction(const std::string& name) {
  static const auto* const kSkipping = new absl::flat_hash_set<std::string>{
      "table", "caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th",
      "template", "frameset", "html", "body", "head", "base", "link", "meta", "style", "script",
      "title", "textarea", "iframe", "noembed", "noframes", "noscript"};
  return ClosesParagraph(name) || kSkipping->contains(name);
}

// Elements after which formatting elements are re-opened only up to them
// (the parser's "markers").
bool IsMarker(const std::string& name) {
  return name == "td" || name == "th" || name == "caption" || name == "applet" ||
         name == "marquee" || name == "object" || name == "template";
}

bool IsFormatting(TagClass c) {
  return c == TagClass::kFormatting || c == TagClass::kSelfClosingFormatting;
}

bool IsTablePart(TagClass c) {
  return c == TagClass::kCell || c == TagClass::kRow || c == TagClass::kRowGroup;
}

// A start tag that closes an open sibling searches this far down the stack
// for it; deeper, the sibling is left open, which errs towards a deeper
// estimate.
constexpr size_t kSiblingSearchDepth = 64;
// Identical formatting elements the parser keeps to re-open, at most ("Noah's
// Ark"); a new <a> or <nobr> drops the one kept, so one of those at most.
constexpr int kMaxAlikePending = 3;
// A formatting element waiting to be re-opened counts as this many open
// elements: the parser re-creates it at every later text, so the tree, not
// just the depth, grows with the square of their number.
constexpr size_t kPendingWeight = 8;

struct OpenElement {
  std::string name;
  TagClass tag_class;
  std::string_view source;  // the start tag as written, the identity of a formatting element
  // Stack indices of the nearest special element and scope boundary at or
  // below this one, or -1: what lies above an element is known in O(1).
  int last_special = -1;
  int last_boundary = -1;
  // How many pending formatting elements lie before the innermost marker at
  // or below this one: those are not re-opened inside it.
  size_t pending_base = 0;
};

// The parser's stack of open elements and its list of formatting elements
// to re-open, approximately (see the header).
class NestingEstimator {
 public:
  size_t depth() const { return open_.size() + kPendingWeight * pending_.size(); }
  bool in_foreign_content() const { return foreign_open_ > 0; }

  // What a start tag does before its element is inserted.
  void Prepare(const std::string& name, TagClass tag_class) {
    if (ClosesParagraph(name) && IsOpenInScope("p")) Close("p");
    switch (tag_class) {
      case TagClass::kSelfClosingFormatting:
        Close(name);
        break;
      case TagClass::kListItem:
        CloseSibling(tag_class, {"ul", "ol", "menu", "dl", "table"});
        break;
      case TagClass::kDefinition:
        CloseSibling(tag_class, {"dl", "ul", "ol", "table"});
        break;
      case TagClass::kCell:
        CloseSibling(tag_class, {"tr", "table"});
        break;
      case TagClass::kRow:
      case TagClass::kRowGroup:
        CloseSibling(tag_class, {"table"});
        break;
      default:
        break;
    }
    // Phrasing and formatting start tags re-open the pending formatting
    // elements (text does too, which this scan does not see).
    if (!SkipsReconstruction(name)) Reconstruct();
  }

  void Open(std::string name, TagClass tag_class, std::string_view source) {
    Push({std::move(name), tag_class, source});
  }

  // An end tag for `name`. Ignored unless `name` is open and in scope (a
  // formatting element that is not open leaves the pending list). A
  // formatting element with a special element opened after it is handled by
  // the adoption agency, which keeps the depth. Otherwise pops `name` and
  // all opened after it: formatting elements among them become pending.
  void Close(const std::string& name) {
    if (!IsOpen(name)) {
      DropPending(name);
      return;
    }
    int target = positions_[name].back();
    const OpenElement& top = open_.back();
    if (IsTablePart(open_[target].tag_class)) {
      // Table parts close in "table scope", which only a table bounds.
      if (target < LatestIndex("table") || target < LatestIndex("template")) return;
    } else if (target < top.last_boundary) {
      return;
    }
    if (IsFormatting(open_[target].tag_class) && target < top.last_special) return;
    while (static_cast<int>(open_.size()) > target) {
      OpenElement popped = std::move(open_.back());
      open_.pop_back();
      positions_[popped.name].pop_back();
      if (popped.name == "svg" || popped.name == "math") --foreign_open_;
      if (IsMarker(popped.name)) pending_.resize(std::min(pending_.size(), popped.pending_base));
      if (IsFormatting(popped.tag_class) && static_cast<int>(open_.size()) > target) {
        AddPending(std::move(popped));
      }
    }
  }

 private:
  bool IsOpen(const std::string& name) const {
    auto it = positions_.find(name);
    return it != positions_.end() && !it->second.empty();
  }

  // The stack index of the latest open `name`, or -1.
  int LatestIndex(const std::string& name) const {
    auto it = positions_.find(name);
    return it == positions_.end() || it->second.empty() ? -1 : it->second.back();
  }

  bool IsOpenInScope(const std::string& name) const {
    return IsOpen(name) && positions_.at(name).back() >= open_.back().last_boundary;
  }

  void Push(OpenElement element) {
    int index = static_cast<int>(open_.size());
    const OpenElement* below = open_.empty() ? nullptr : &open_.back();
    element.last_special = IsSpecial(element.name) ? index : below ? below->last_special : -1;
    element.last_boundary = IsScopeBoundary(element.name) ? index : below ? below->last_boundary : -1;
    element.pending_base = IsMarker(element.name) ? pending_.size() : below ? below->pending_base : 0;
    if (element.name == "svg" || element.name == "math") ++foreign_open_;
    positions_[element.name].push_back(index);
    open_.push_back(std::move(element));
  }

  void CloseSibling(TagClass tag_class, std::initializer_list<std::string_view> boundaries) {
    size_t searched = 0;
    for (size_t i = open_.size(); i-- > 0 && searched++ < kSiblingSearchDepth;) {
      if (open_[i].tag_class == tag_class) {
        std::string name = open_[i].name;  // Close pops the element holding it
        Close(name);
        return;
      }
      if (std::find(boundaries.begin(), boundaries.end(), open_[i].name) != boundaries.end()) return;
    }
  }

  void AddPending(OpenElement element) {
    bool self_closing = element.tag_class == TagClass::kSelfClosingFormatting;
    int limit = self_closing ? 1 : kMaxAlikePending;
    int alike = 0;
    for (const OpenElement& pending : pending_) {
      alike += self_closing ? pending.name == element.name : pending.source == element.source;
    }
    if (alike < limit) pending_.push_back(std::move(element));
  }

  void DropPending(const std::string& name) {
    for (size_t i = pending_.size(); i-- > 0;) {
      if (pending_[i].name == name) {
        pending_.erase(pending_.begin() + i);
        return;
      }
    }
  }

  // Re-opens the pending formatting elements after the innermost marker.
  void Reconstruct() {
    size_t base = open_.empty() ? 0 : std::min(open_.back().pending_base, pending_.size());
    std::vector<OpenElement> reopened(std::make_move_iterator(pending_.begin() + base),
                                      std::make_move_iterator(pending_.end()));
    pending_.resize(base);
    for (OpenElement& element : reopened) Push(std::move(element));
  }

  std::vector<OpenElement> open_;
  absl::flat_hash_map<std::string, std::vector<int>> positions_;  // stack indices by name
  std::vector<OpenElement> pending_;
  int foreign_open_ = 0;
};

bool IsAsciiAlpha(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }

// The lower-case tag name starting at `pos`; moves `pos` past it.
std::string ReadTagName(std::string_view html, size_t& pos) {
  size_t end = std::min(html.find_first_of(" \t\n\f\r/>", pos), html.size());
  std::string name(html.substr(pos, end - pos));
  absl::AsciiStrToLower(&name);
  pos = end;
  return name;
}

// The position of the '>' ending the tag whose attributes start at `pos`
// (quoted attribute values may hold '>'), or npos.
size_t FindTagEnd(std::string_view html, size_t pos) {
  bool after_equals = false;
  for (; pos < html.size(); ++pos) {
    char c = html[pos];
    if (c == '>') return pos;
    if (c == '=') {
      after_equals = true;
    } else if (after_equals && (c == '"' || c == '\'')) {
      pos = html.find(c, pos + 1);
      if (pos == std::string_view::npos) return pos;
      after_equals = false;
    } else if (kHtmlSpace.find(c) == std::string_view::npos) {
      after_equals = false;
    }
  }
  return std::string_view::npos;
}

// The position just after the end tag of raw text element `name`, or npos.
size_t SkipRawText(std::string_view html, size_t pos, std::string_view name) {
  while ((pos = html.find("</", pos)) != std::string_view::npos) {
    size_t after = pos + 2 + name.size();
    if (after <= html.size() && EqualsIgnoreCase(html.substr(pos + 2, name.size()), name) &&
        (after == html.size() || std::string_view(" \t\n\f\r/>").find(html[after]) !=
                                     std::string_view::npos)) {
      size_t end = html.find('>', after);
      return end == std::string_view::npos ? end : end + 1;
    }
    pos += 2;
  }
  return pos;
}

}  // namespace

NestingScan ScanNesting(std::string_view html, size_t max_depth) {
  NestingEstimator estimator;
  NestingScan scan;
  auto whole_input = [&] {
    scan.safe_length = html.size();
    return scan;
  };
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    size_t tag_start = pos;
    std::string_view rest = html.substr(pos);
    if (rest.starts_with("<!--")) {
      pos = html.find("-->", pos + 2);
      if (pos == std::string_view::npos) return whole_input();
      pos += 3;
      continue;
    }
    bool end_tag = rest.starts_with("</");
    size_t name_start = pos + (end_tag ? 2 : 1);
    if (name_start >= html.size() || !IsAsciiAlpha(html[name_start])) {
      // <!doctype>, <?...>, </ > and the like are bogus comments up to '>';
      // a '<' before anything else is text.
      bool bogus = end_tag || rest.starts_with("<!") || rest.starts_with("<?");
      pos = bogus ? html.find('>', pos) : pos + 1;
      if (pos == std::string_view::npos) return whole_input();
      continue;
    }
    pos = name_start;
    std::string name = ReadTagName(html, pos);
    size_t tag_end = FindTagEnd(html, pos);
    if (tag_end == std::string_view::npos) return whole_input();  // dropped at EOF
    pos = tag_end + 1;
    if (end_tag) {
      estimator.Close(name);
      continue;
    }
    TagClass tag_class = Classify(name);
    estimator.Prepare(name, tag_class);
    if (tag_class == TagClass::kPlainText) return whole_input();
    if (tag_class == TagClass::kRawText) {
      pos = SkipRawText(html, pos, name);
      if (pos == std::string_view::npos) return whole_input();
      continue;
    }
    // Only in SVG and MathML does "/>" close an element.
    bool self_closing = estimator.in_foreign_content() && html[tag_end - 1] == '/';
    if (tag_class == TagClass::kVoid || tag_class == TagClass::kNotCounted || self_closing) continue;
    if (estimator.depth() + 1 > max_depth) {
      scan.safe_length = tag_start;
      return scan;
    }
    estimator.Open(std::move(name), tag_class, html.substr(tag_start, tag_end + 1 - tag_start));
    scan.max_depth = std::max(scan.max_depth, estimator.depth());
  }
  return whole_input();
}

}  // namespace scrapewatch::crawler
