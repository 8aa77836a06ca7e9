#include "crawler/css_url.h"

#include <string_view>
#include <vector>

#include "crawler/markup_text.h"
#include "re2/re2.h"

namespace scrapewatch::crawler {
namespace {

// The position after the string starting with the quote at `pos` (a
// backslash escapes the next character; an unclosed string runs to the end).
size_t SkipString(std::string_view css, size_t pos) {
  char quote = css[pos];
  for (++pos; pos < css.size(); ++pos) {
    if (css[pos] == '\\') {
      ++pos;
    } else if (css[pos] == quote) {
      return pos + 1;
    }
  }
  return css.size();
}

// The position after the block whose '{' is the first at or after `pos`.
size_t SkipBlock(std::string_view css, size_t pos) {
  int depth = 0;
  for (; pos < css.size(); ++pos) {
    char c = css[pos];
    if (c == '"' || c == '\'') {
      pos = SkipString(css, pos) - 1;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth <= 0) {
      return pos + 1;
    }
  }
  return css.size();
}

size_t After(std::string_view css, size_t found, size_t length) {
  return found == std::string_view::npos ? css.size() : found + length;
}

}  // namespace

std::vector<std::string_view> CssUrls(std::string_view style) {
  // One group per quoting style; exactly one of them takes part in a match.
  static const RE2 kUrl(R"re((?i)url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\))re");
  std::vector<std::string_view> urls;
  re2::StringPiece input(style.data(), style.size());
  re2::StringPiece double_quoted, single_quoted, bare;
  while (RE2::FindAndConsume(&input, kUrl, &double_quoted, &single_quoted, &bare)) {
    re2::StringPiece url = double_quoted.data() != nullptr   ? double_quoted
                           : single_quoted.data() != nullptr ? single_quoted
                                                             : bare;
    urls.emplace_back(url.data(), url.size());
  }
  return urls;
}

std::vector<std::string_view> CssStylesheetUrls(std::string_view css) {
  std::vector<std::string_view> urls;
  size_t kept_from = 0;
  // Scans the text kept since the last skipped part.
  auto keep_until = [&](size_t end) {
    for (std::string_view url : CssUrls(css.substr(kept_from, end - kept_from))) urls.push_back(url);
  };
  size_t pos = 0;
  while (pos < css.size()) {
    std::string_view rest = css.substr(pos);
    size_t skip_to = pos;
    if (rest.starts_with("/*")) {
      skip_to = After(css, css.find("*/", pos + 2), 2);
    } else if (markup::StartsWithIgnoreCase(rest, "@import")) {
      skip_to = After(css, css.find(';', pos), 1);
    } else if (markup::StartsWithIgnoreCase(rest, "@font-face")) {
      skip_to = SkipBlock(css, pos);
    } else if (rest[0] == '"' || rest[0] == '\'') {
      pos = SkipString(css, pos);
      continue;
    } else {
      ++pos;
      continue;
    }
    keep_until(pos);
    pos = kept_from = skip_to;
  }
  keep_until(css.size());
  return urls;
}

}  // namespace scrapewatch::crawler
