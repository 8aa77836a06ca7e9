#include "crawler/opt_out.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scrapewatch::crawler {
namespace {

// "googlebot: noindex" scopes the directives after it to googlebot, until a
// new scope starts; a plain "noindex" applies to every crawler. A directive
// with a value of its own ("max-image-preview:large", "unavailable_after:
// ...") is not a scope.
bool IsScope(const std::string& name) {
  static const char* const kValued[] = {"max-image-preview", "max-snippet", "max-video-preview",
                                        "unavailable_after"};
  for (const char* valued : kValued) {
    if (name == valued) return false;
  }
  return !name.empty() && name.find(' ') == std::string::npos;
}

// '*' matches any run of characters; everything else literally. Greedy with
// backtracking to the last star: linear-ish, never exponential on hostile
// patterns.
bool Matches(std::string_view pattern, std::string_view path) {
  size_t p = 0, s = 0, star = std::string_view::npos, resume = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p, ++s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::vector<std::string> XRobotsTagDirectives(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::string> directives;
  for (const auto& [name, value] : headers) {
    if (name != "x-robots-tag") continue;
    std::string scope;
    for (absl::string_view part : absl::StrSplit(value, ',')) {
      std::string item = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
      size_t colon = item.find(':');
      if (colon != std::string::npos) {
        std::string head(absl::StripAsciiWhitespace(item.substr(0, colon)));
        if (IsScope(head)) {
          scope = head;
          item = std::string(absl::StripAsciiWhitespace(item.substr(colon + 1)));
        }
      }
      if (item.empty()) continue;
      directives.push_back(scope.empty() ? item : scope + ":" + item);
    }
  }
  return directives;
}

bool HasDirective(const std::vector<std::string>& directives, std::string_view directive,
                  std::string_view crawler) {
  std::string bot = absl::AsciiStrToLower(std::string(crawler));
  auto says = [&](std::string_view wanted) {
    for (const std::string& d : directives) {
      if (d == wanted) return true;
      if (!bot.empty() && d.size() == bot.size() + 1 + wanted.size() && d.starts_with(bot) &&
          d[bot.size()] == ':' && std::string_view(d).substr(bot.size() + 1) == wanted) {
        return true;
      }
    }
    return false;
  };
  if (says(directive)) return true;
  bool implied_by_none = directive == "noindex" || directive == "noimageindex";
  bool implied_by_noindex = directive == "noimageindex";
  return (implied_by_none && says("none")) || (implied_by_noindex && says("noindex"));
}

std::vector<TdmRule> ParseTdmRep(std::string_view json_text) {
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  std::vector<TdmRule> rules;
  if (!parsed.is_array()) return rules;
  for (const nlohmann::json& entry : parsed) {
    if (!entry.is_object() || !entry.contains("location") || !entry["location"].is_string()) {
      continue;
    }
    TdmRule rule{.location = entry["location"].get<std::string>()};
    if (auto r = entry.find("tdm-reservation"); r != entry.end() && r->is_number_integer()) {
      rule.reserved = r->get<int>() == 1;
    }
    if (auto p = entry.find("tdm-policy"); p != entry.end() && p->is_string()) {
      rule.policy = p->get<std::string>();
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::optional<TdmRule> TdmRuleFor(const std::vector<TdmRule>& rules, std::string_view path) {
  for (const TdmRule& rule : rules) {
    std::string_view location = rule.location;
    // Locations are paths; a leading slash is optional in practice.
    std::string anchored = location.starts_with('/') ? std::string(location)
                                                     : "/" + std::string(location);
    if (Matches(anchored, path)) return rule;
  }
  return std::nullopt;
}

}  // namespace scrapewatch::crawler
