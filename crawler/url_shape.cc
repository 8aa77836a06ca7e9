#include "crawler/url_shape.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scrapewatch::crawler {
namespace {

// "2024", "06", "15.html", "7.jpg": digits, then at most an extension.
bool IsNumericSegment(absl::string_view segment) {
  size_t digits = 0;
  while (digits < segment.size() && absl::ascii_isdigit(static_cast<unsigned char>(segment[digits]))) {
    ++digits;
  }
  if (digits == 0) return false;
  absl::string_view rest = segment.substr(digits);
  return rest.empty() || (rest[0] == '.' && rest.size() <= 6 &&
                          std::all_of(rest.begin() + 1, rest.end(), [](char c) {
                            return absl::ascii_isalnum(static_cast<unsigned char>(c));
                          }));
}

}  // namespace

std::string UrlShape(std::string_view url_view) {
  absl::string_view url(url_view.data(), url_view.size());
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return "";
  size_t path_start = url.find('/', scheme_end + 3);
  absl::string_view authority = url.substr(scheme_end + 3, path_start - (scheme_end + 3));
  if (path_start == absl::string_view::npos) return std::string(authority) + "/";
  absl::string_view rest = url.substr(path_start);
  absl::string_view path = rest.substr(0, rest.find('?'));
  absl::string_view query =
      rest.find('?') == absl::string_view::npos ? "" : rest.substr(rest.find('?') + 1);

  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    segments.push_back(IsNumericSegment(segment) ? "#" : std::string(segment));
  }
  while (segments.size() >= 2 && segments.back() == "#" && segments[segments.size() - 2] == "#") {
    segments.pop_back();
  }
  if (!segments.empty() && segments.back() == "#") segments.back() = "#…";
  std::string shape = absl::StrCat(authority, absl::StrJoin(segments, "/"));
  if (!query.empty()) {
    std::vector<std::string> names;
    for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      names.emplace_back(param.substr(0, param.find('=')));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    absl::StrAppend(&shape, "?", absl::StrJoin(names, "&"));
  }
  return shape;
}

}  // namespace scrapewatch::crawler
