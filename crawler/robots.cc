#include "crawler/robots.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace scrapewatch::crawler {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kLineEnds = "\r\n";
constexpr std::string_view kPathStarts = "/?;";
// CR and LF never occur inside a line.
constexpr std::string_view kWhitespace = " \t\v\f";

enum class Record { kUserAgent, kAllow, kDisallow, kSitemap, kCrawlDelay, kUnknown };

struct Directive {
  Record record;
  std::string_view value;
};

bool IsUnreservedUriChar(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexDigitValue(char c) {
  return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
}

void AppendPercentEscape(unsigned char octet, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[octet >> 4];
  out += kHex[octet & 0xF];
}

// Rules and paths must be compared in one canonical form, or "/caf%c3%a9",
// "/caf%C3%A9" and a raw UTF-8 "/café" would be three different paths.
// Decoding escapes of unreserved characters is what RFC 9309 §2.2.2 adds to
// EscapePattern; reserved ones ("%2F") stay escaped because decoding them
// would change the path's structure.
std::string PercentNormalise(std::string_view text, bool decode_unreserved) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) &&
        absl::ascii_isxdigit(text[i + 2])) {
      const unsigned char octet = HexDigitValue(text[i + 1]) * 16 + HexDigitValue(text[i + 2]);
      if (decode_unreserved && IsUnreservedUriChar(octet)) {
        out += static_cast<char>(octet);
      } else {
        AppendPercentEscape(octet, out);
      }
      i += 2;
    } else if (c >= 0x80) {
      AppendPercentEscape(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string NormaliseForMatching(std::string_view path_or_pattern) {
  return PercentNormalise(path_or_pattern, /*decode_unreserved=*/true);
}

// True if `pattern` matches `path` from its first octet. A pattern without a
// final '$' only has to match a prefix, as if it ended in '*'. On a mismatch
// the last '*' seen is made to swallow one more octet; earlier stars never
// need revisiting, so this costs O(path * pattern) at worst.
bool PatternMatches(std::string_view path, std::string_view pattern) {
  const bool anchored = pattern.ends_with('$');
  if (anchored) pattern.remove_suffix(1);
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t star_t = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || t == path.size()) return true;
    } else if (pattern[p] == '*') {
      star = p++;
      star_t = t;
      continue;
    } else if (t < path.size() && pattern[p] == path[t]) {
      ++p;
      ++t;
      continue;
    }
    if (star == std::string_view::npos || star_t == path.size()) return false;
    p = star + 1;
    t = ++star_t;
  }
}

// A truncated last line could read as a different, shorter rule ("Allow:
// /a" from "Allow: /archive-private"), so a line the limit cuts is dropped.
std::string_view WithinParseLimit(std::string_view body) {
  if (body.size() <= kRobotsParseLimitBytes) return body;
  const std::string_view kept = body.substr(0, kRobotsParseLimitBytes);
  if (kLineEnds.find(body[kRobotsParseLimitBytes]) != std::string_view::npos) return kept;
  const size_t last_end = kept.find_last_of(kLineEnds);
  return last_end == std::string_view::npos ? std::string_view() : kept.substr(0, last_end + 1);
}

// CR, LF and CRLF each end one line.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    const size_t end = text.find_first_of(kLineEnds, start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      return lines;
    }
    lines.push_back(text.substr(start, end - start));
    const bool crlf = text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n';
    start = end + (crlf ? 2 : 1);
  }
}

// Debian's Abseil has its own string_view type, so the absl::string_view
// helpers (StripAsciiWhitespace, AsciiStrToLower, ...) do not take ours.
std::string_view TrimWhitespace(std::string_view text) {
  const size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = absl::ascii_tolower(c);
  return lower;
}

Record RecordNamed(std::string_view name) {
  static constexpr std::pair<std::string_view, Record> kRecords[] = {
      {"user-agent", Record::kUserAgent},   {"allow", Record::kAllow},
      {"disallow", Record::kDisallow},      {"sitemap", Record::kSitemap},
      {"crawl-delay", Record::kCrawlDelay},
  };
  const std::string lower = ToLower(name);
  for (const auto& [known, record] : kRecords) {
    if (lower == known) return record;
  }
  return Record::kUnknown;
}

// "name: value # comment" with optional whitespace around each part;
// nullopt for blank and comment lines and lines with no name or no colon.
std::optional<Directive> ParseDirective(std::string_view line) {
  line = line.substr(0, line.find('#'));
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = TrimWhitespace(line.substr(0, colon));
  if (name.empty()) return std::nullopt;
  return Directive{RecordNamed(name), TrimWhitespace(line.substr(colon + 1))};
}

// Only plain decimals ("10", "0.5"): SimpleAtod alone would also take signs,
// exponents, "inf" and "nan".
std::optional<double> ParseCrawlDelay(std::string_view value) {
  if (value.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  double seconds = 0;
  if (!absl::SimpleAtod(absl::string_view(value.data(), value.size()), &seconds) ||
      !std::isfinite(seconds)) {
    return std::nullopt;
  }
  return seconds;
}

}  // namespace

// Reads lines into a policy. The group being read is always the last one in
// groups_, so the only state is whether its user-agent lines have ended.
class RobotsPolicy::Builder {
 public:
  void AddLine(std::string_view line, int line_number) {
    const std::optional<Directive> directive = ParseDirective(line);
    if (!directive) return;
    Count(directive->record, line_number);
    switch (directive->record) {
      case Record::kUserAgent:
        AddUserAgent(directive->value);
        break;
      case Record::kAllow:
      case Record::kDisallow:
        AddRule(directive->value, directive->record == Record::kAllow);
        break;
      case Record::kSitemap:
        AddSitemap(directive->value);
        break;
      case Record::kCrawlDelay:
        AddCrawlDelay(directive->value);
        break;
      case Record::kUnknown:
        break;
    }
  }

  RobotsPolicy Build() && { return std::move(policy_); }

 private:
  void Count(Record record, int line_number) {
    RobotsParseStats& stats = policy_.stats_;
    ++(record == Record::kUnknown ? stats.unknown_directives : stats.valid_directives);
    stats.last_directive_line = line_number;
  }

  void AddUserAgent(std::string_view value) {
    std::vector<Group>& groups = policy_.groups_;
    if (groups.empty() || reading_rules_) {
      groups.emplace_back();
      reading_rules_ = false;
    }
    // An empty value still opens a group, but no crawler can match it.
    if (value.empty()) return;
    std::vector<size_t>& indexes = policy_.groups_by_agent_[ToLower(value)];
    const size_t index = groups.size() - 1;
    if (indexes.empty() || indexes.back() != index) indexes.push_back(index);
  }

  void AddRule(std::string_view pattern, bool allow) {
    if (policy_.groups_.empty()) return;
    reading_rules_ = true;
    if (pattern.empty()) return;  // matches nothing
    policy_.groups_.back().rules.push_back({NormaliseForMatching(pattern), allow});
  }

  void AddSitemap(std::string_view url) {
    if (!url.empty()) policy_.sitemaps_.emplace_back(url);
  }

  void AddCrawlDelay(std::string_view value) {
    if (policy_.groups_.empty()) return;
    std::optional<double>& delay = policy_.groups_.back().crawl_delay;
    if (!delay) delay = ParseCrawlDelay(value);
  }

  RobotsPolicy policy_;
  bool reading_rules_ = false;
};

RobotsPolicy RobotsPolicy::Parse(std::string_view robots_txt_body) {
  std::string_view body = WithinParseLimit(robots_txt_body);
  if (body.starts_with(kUtf8Bom)) body.remove_prefix(kUtf8Bom.size());
  Builder builder;
  int line_number = 0;
  for (std::string_view line : SplitLines(body)) builder.AddLine(line, ++line_number);
  return std::move(builder).Build();
}

RobotsPolicy RobotsPolicy::AllowAll() { return RobotsPolicy(); }

RobotsPolicy RobotsPolicy::DisallowAll() { return Parse("User-agent: *\nDisallow: /\n"); }

const std::vector<size_t>* RobotsPolicy::GroupsFor(std::string_view user_agent_token) const {
  auto it = groups_by_agent_.end();
  if (!user_agent_token.empty()) it = groups_by_agent_.find(ToLower(user_agent_token));
  if (it == groups_by_agent_.end()) it = groups_by_agent_.find("*");
  return it == groups_by_agent_.end() ? nullptr : &it->second;
}

bool RobotsPolicy::IsAllowed(std::string_view user_agent_token, std::string_view url) const {
  const std::string path = NormaliseForMatching(PathForMatching(url));
  if (path == "/robots.txt") return true;
  const std::vector<size_t>* indexes = GroupsFor(user_agent_token);
  if (indexes == nullptr) return true;
  // Patterns are never empty, so 0 means "no rule of this kind matched".
  size_t longest_allow = 0;
  size_t longest_disallow = 0;
  for (size_t index : *indexes) {
    for (const Rule& rule : groups_[index].rules) {
      size_t& longest = rule.allow ? longest_allow : longest_disallow;
      if (rule.pattern.size() > longest && PatternMatches(path, rule.pattern)) {
        longest = rule.pattern.size();
      }
    }
  }
  return longest_disallow <= longest_allow;
}

std::optional<double> RobotsPolicy::CrawlDelaySeconds(std::string_view user_agent_token) const {
  const std::vector<size_t>* indexes = GroupsFor(user_agent_token);
  if (indexes == nullptr) return std::nullopt;
  for (size_t index : *indexes) {
    if (groups_[index].crawl_delay) return groups_[index].crawl_delay;
  }
  return std::nullopt;
}

bool IsValidUserAgentToken(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return absl::ascii_isalpha(c) || c == '-' || c == '_';
  });
}

std::string PathForMatching(std::string_view url) {
  // The two slashes of a scheme-relative URL ("//host/p") do not start a path.
  const size_t from = url.starts_with("//") ? 2 : 0;
  size_t authority = from;
  const size_t scheme_end = url.find("://", from);
  // "://" after the path has begun ("/a?b=http://c") ends no scheme.
  if (scheme_end != std::string_view::npos && scheme_end < url.find_first_of(kPathStarts, from)) {
    authority = scheme_end + 3;
  }
  const size_t path_start = url.find_first_of(kPathStarts, authority);
  const size_t fragment = url.find('#', from);
  if (path_start == std::string_view::npos || fragment < path_start) return "/";
  const std::string_view path = url.substr(path_start, fragment - path_start);
  return path.front() == '/' ? std::string(path) : "/" + std::string(path);
}

std::string EscapePattern(std::string_view pattern) {
  return PercentNormalise(pattern, /*decode_unreserved=*/false);
}

}  // namespace scrapewatch::crawler
