#include "crawler/css_url.h"

#include <string_view>
#include <vector>

#include "re2/re2.h"

namespace scrapewatch::crawler {

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

}  // namespace scrapewatch::crawler
