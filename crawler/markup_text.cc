#include "crawler/markup_text.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"

namespace scrapewatch::crawler::markup {

std::vector<std::string_view> SplitSkipEmpty(std::string_view text, std::string_view delimiters) {
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  while ((pos = text.find_first_not_of(delimiters, pos)) != std::string_view::npos) {
    size_t end = std::min(text.find_first_of(delimiters, pos), text.size());
    pieces.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
           absl::ascii_tolower(static_cast<unsigned char>(y));
  });
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  absl::AsciiStrToLower(&lower);
  return lower;
}

std::string_view StripHtmlSpace(std::string_view text) {
  size_t begin = text.find_first_not_of(kHtmlSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kHtmlSpace) - begin + 1);
}

bool HasToken(std::string_view list, std::string_view token) {
  std::vector<std::string_view> items = SplitSkipEmpty(list, kHtmlSpace);
  return std::any_of(items.begin(), items.end(),
                     [&](std::string_view item) { return EqualsIgnoreCase(item, token); });
}

void BoundedTextBuilder::Append(std::string_view text) {
  for (char c : text) {
    if (full_) return;
    if (kHtmlSpace.find(c) != std::string_view::npos) {
      pending_space_ = !text_.empty();
      continue;
    }
    bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char) {
      // The space before a word only counts when the word's first character
      // fits too, so the text never ends in a space.
      size_t needed = pending_space_ ? 2 : 1;
      if (chars_ + needed > max_chars_) {
        full_ = true;
        return;
      }
      if (pending_space_) text_.push_back(' ');
      chars_ += needed;
      pending_space_ = false;
    }
    text_.push_back(c);
  }
}

std::string BoundedText(std::string_view text, size_t max_chars) {
  BoundedTextBuilder builder(max_chars);
  builder.Append(text);
  return builder.Take();
}

}  // namespace scrapewatch::crawler::markup
