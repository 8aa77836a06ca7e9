// Text helpers shared by the HTML extraction code (html_extractor.cc and the
// files it is split into): HTML's whitespace and token rules, ASCII case
// folding, and the bounded, whitespace-collapsed text kept as context.
// Internal to the crawler; other code uses html_extractor.h.
//
// Debian's Abseil keeps its own string_view type, which std::string_view does
// not convert to, hence these few helpers instead of absl/strings.
//
// Thread safety: pure functions; a BoundedTextBuilder is used by one thread.
#ifndef SCRAPEWATCH_CRAWLER_MARKUP_TEXT_H_
#define SCRAPEWATCH_CRAWLER_MARKUP_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scrapewatch::crawler::markup {

// HTML's "ASCII whitespace"; absl's whitespace set would also accept \v.
inline constexpr std::string_view kHtmlSpace = " \t\n\f\r";

// The non-empty pieces of `text` between any of `delimiters`; views into it.
std::vector<std::string_view> SplitSkipEmpty(std::string_view text, std::string_view delimiters);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
std::string ToLower(std::string_view text);
std::string_view StripHtmlSpace(std::string_view text);

// True when the whitespace-separated `list` (a rel or class attribute)
// contains `token`, ASCII case-insensitively.
bool HasToken(std::string_view list, std::string_view token);

// Accumulates UTF-8 text with runs of whitespace collapsed to one space and
// no leading or trailing space, and stops at `max_chars` code points (never
// inside a UTF-8 sequence): context must stay small whatever the page holds.
class BoundedTextBuilder {
 public:
  explicit BoundedTextBuilder(size_t max_chars) : max_chars_(max_chars) {}

  void Append(std::string_view text);
  // Separates what follows from what came before, as a block boundary does.
  void Break() { pending_space_ = !text_.empty(); }
  bool full() const { return full_; }
  std::string Take() { return std::move(text_); }

 private:
  size_t max_chars_;
  size_t chars_ = 0;
  bool pending_space_ = false;
  bool full_ = false;
  std::string text_;
};

// `text` collapsed and bounded as BoundedTextBuilder does.
std::string BoundedText(std::string_view text, size_t max_chars);

}  // namespace scrapewatch::crawler::markup

#endif  // SCRAPEWATCH_CRAWLER_MARKUP_TEXT_H_
