#include "config/config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/version.h"

namespace scrapewatch {
namespace {

// Everything a key handler needs to read one value and to blame it precisely.
struct KeyContext {
  std::string source_name;
  std::string key;
  const toml::node& node;

  absl::Status Error(const std::string& problem) const {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ":", node.source().begin.line,
                                                   ": ", key, ": ", problem));
  }
};

using KeyHandler = std::function<absl::Status(const KeyContext&, AuditConfig&)>;

// Handlers are built from a member pointer path and a minimum value, so the
// table below reads like the documented config file.
template <typename Section>
KeyHandler IntKey(Section AuditConfig::*section, int64_t Section::*field, int64_t minimum) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    std::optional<int64_t> value = ctx.node.value_exact<int64_t>();
    if (!value) return ctx.Error("must be an integer");
    if (*value < minimum) return ctx.Error(absl::StrCat("must be >= ", minimum));
    (config.*section).*field = *value;
    return absl::OkStatus();
  };
}

template <typename Section>
KeyHandler DoubleKey(Section AuditConfig::*section, double Section::*field, double minimum) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    std::optional<double> value = ctx.node.value<double>();  // integers widen
    if (!value || ctx.node.is_boolean()) return ctx.Error("must be a number");
    // nan and inf are valid TOML, and would stall or break the crawl.
    if (!std::isfinite(*value)) return ctx.Error("must be a finite number");
    if (*value < minimum) return ctx.Error(absl::StrCat("must be >= ", minimum));
    (config.*section).*field = *value;
    return absl::OkStatus();
  };
}

template <typename Section>
KeyHandler StringKey(Section AuditConfig::*section, std::string Section::*field) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    std::optional<std::string> value = ctx.node.value_exact<std::string>();
    if (!value) return ctx.Error("must be a string");
    (config.*section).*field = *value;
    return absl::OkStatus();
  };
}

template <typename Section>
KeyHandler BoolKey(Section AuditConfig::*section, bool Section::*field) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    std::optional<bool> value = ctx.node.value_exact<bool>();
    if (!value) return ctx.Error("must be true or false");
    (config.*section).*field = *value;
    return absl::OkStatus();
  };
}

// A product token ([A-Za-z_-] per RFC 9309, plus digits, which real crawlers
// such as img2dataset use), or "*" for the default group.
bool IsProductToken(const std::string& token) {
  if (token == "*") return true;
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

KeyHandler TokenListKey(std::vector<std::string> ProfileConfig::*field) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    const toml::array* array = ctx.node.as_array();
    if (!array) return ctx.Error("must be a list of strings");
    std::vector<std::string> tokens;
    for (const toml::node& item : *array) {
      std::optional<std::string> token = item.value_exact<std::string>();
      if (!token) return ctx.Error("must be a list of strings");
      if (!IsProductToken(*token)) {
        return ctx.Error(absl::StrCat("'", *token, "' is not a robots.txt product token"));
      }
      tokens.push_back(*token);
    }
    config.profiles.*field = std::move(tokens);
    return absl::OkStatus();
  };
}

template <typename Section>
KeyHandler ChoiceKey(Section AuditConfig::*section, std::string Section::*field,
                     std::vector<std::string> choices) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    std::optional<std::string> value = ctx.node.value_exact<std::string>();
    if (!value || std::find(choices.begin(), choices.end(), *value) == choices.end()) {
      return ctx.Error(absl::StrCat("must be one of \"", absl::StrJoin(choices, "\", \""), "\""));
    }
    (config.*section).*field = *value;
    return absl::OkStatus();
  };
}

KeyHandler StringListKey(std::vector<std::string> CrawlConfig::*field) {
  return [=](const KeyContext& ctx, AuditConfig& config) -> absl::Status {
    const toml::array* array = ctx.node.as_array();
    if (!array) return ctx.Error("must be a list of strings");
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      std::optional<std::string> value = item.value_exact<std::string>();
      if (!value || value->empty()) return ctx.Error("must be a list of non-empty strings");
      values.push_back(*value);
    }
    config.crawl.*field = std::move(values);
    return absl::OkStatus();
  };
}

const std::map<std::string, KeyHandler>& KnownKeys() {
  static const auto* keys = new std::map<std::string, KeyHandler>{
      {"crawl.max_pages", IntKey(&AuditConfig::crawl, &CrawlConfig::max_pages, 1)},
      {"crawl.delay", DoubleKey(&AuditConfig::crawl, &CrawlConfig::delay_seconds, 0)},
      {"crawl.user_agent", StringKey(&AuditConfig::crawl, &CrawlConfig::user_agent)},
      {"crawl.robots_token", StringKey(&AuditConfig::crawl, &CrawlConfig::robots_token)},
      {"crawl.contact_url", StringKey(&AuditConfig::crawl, &CrawlConfig::contact_url)},
      {"crawl.allow_private_addresses",
       BoolKey(&AuditConfig::crawl, &CrawlConfig::allow_private_addresses)},
      {"crawl.timeout", DoubleKey(&AuditConfig::crawl, &CrawlConfig::timeout_seconds, 0.1)},
      {"crawl.max_page_bytes", IntKey(&AuditConfig::crawl, &CrawlConfig::max_page_bytes, 1024)},
      {"crawl.max_image_bytes", IntKey(&AuditConfig::crawl, &CrawlConfig::max_image_bytes, 1024)},
      {"crawl.max_redirects", IntKey(&AuditConfig::crawl, &CrawlConfig::max_redirects, 0)},
      {"crawl.scope", ChoiceKey(&AuditConfig::crawl, &CrawlConfig::scope, {"host", "site", "prefix"})},
      {"crawl.max_depth", IntKey(&AuditConfig::crawl, &CrawlConfig::max_depth, 0)},
      {"crawl.max_urls_per_pattern",
       IntKey(&AuditConfig::crawl, &CrawlConfig::max_urls_per_pattern, 1)},
      {"crawl.max_url_length", IntKey(&AuditConfig::crawl, &CrawlConfig::max_url_length, 64)},
      {"crawl.connect_timeout",
       DoubleKey(&AuditConfig::crawl, &CrawlConfig::connect_timeout_seconds, 0.1)},
      {"crawl.low_speed_bytes", IntKey(&AuditConfig::crawl, &CrawlConfig::low_speed_bytes, 0)},
      {"crawl.low_speed_time",
       DoubleKey(&AuditConfig::crawl, &CrawlConfig::low_speed_seconds, 1)},
      {"crawl.max_crawl_delay",
       DoubleKey(&AuditConfig::crawl, &CrawlConfig::max_crawl_delay_seconds, 0)},
      {"crawl.max_hosts_in_flight",
       IntKey(&AuditConfig::crawl, &CrawlConfig::max_hosts_in_flight, 1)},
      {"crawl.sitemaps", BoolKey(&AuditConfig::crawl, &CrawlConfig::sitemaps)},
      {"crawl.max_sitemap_bytes",
       IntKey(&AuditConfig::crawl, &CrawlConfig::max_sitemap_bytes, 1024)},
      {"crawl.strip_query_params", StringListKey(&CrawlConfig::strip_query_params)},
      {"detect.thumbnails",
       ChoiceKey(&AuditConfig::detect, &DetectConfig::thumbnails, {"blurred", "clear", "none"})},
      {"detect.analysis", ChoiceKey(&AuditConfig::detect, &DetectConfig::analysis, {"full", "none"})},
      {"detect.max_image_pixels",
       IntKey(&AuditConfig::detect, &DetectConfig::max_image_pixels, 1)},
      {"detect.max_image_dimension",
       IntKey(&AuditConfig::detect, &DetectConfig::max_image_dimension, 1)},
      {"detect.face_score_threshold",
       DoubleKey(&AuditConfig::detect, &DetectConfig::face_score_threshold, -10)},
      {"detect.face_backend",
       ChoiceKey(&AuditConfig::detect, &DetectConfig::face_backend,
                 {"auto", "hog", "yunet", "ensemble"})},
      {"detect.age_model", StringKey(&AuditConfig::detect, &DetectConfig::age_model)},
      {"detect.face_model", StringKey(&AuditConfig::detect, &DetectConfig::face_model)},
      {"detect.yunet_score_threshold",
       DoubleKey(&AuditConfig::detect, &DetectConfig::yunet_score_threshold, 0)},
      {"output.store", StringKey(&AuditConfig::output, &OutputConfig::store_dir)},
      {"output.out", StringKey(&AuditConfig::output, &OutputConfig::out_dir)},
      {"output.retention_days", IntKey(&AuditConfig::output, &OutputConfig::retention_days, 0)},
      {"profiles.robots_tokens", TokenListKey(&ProfileConfig::robots_tokens)},
  };
  return *keys;
}

absl::Status ApplyTable(const toml::table& table, const std::string& prefix,
                        const std::string& source_name, AuditConfig& config) {
  for (const auto& [name, node] : table) {
    std::string key = prefix.empty() ? std::string(name.str())
                                     : absl::StrCat(prefix, ".", std::string(name.str()));
    if (const toml::table* subtable = node.as_table(); subtable && prefix.empty()) {
      if (key != "crawl" && key != "detect" && key != "output" && key != "profiles") {
        return absl::InvalidArgumentError(absl::StrCat(
            source_name, ":", name.source().begin.line, ": ", key, ": unknown section"));
      }
      if (absl::Status s = ApplyTable(*subtable, key, source_name, config); !s.ok()) return s;
      continue;
    }
    KeyContext ctx{source_name, key, node};
    auto handler = KnownKeys().find(key);
    if (handler == KnownKeys().end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source_name, ":", name.source().begin.line, ": ", key, ": unknown key"));
    }
    if (absl::Status s = handler->second(ctx, config); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::string EffectiveUserAgent(const CrawlConfig& crawl) {
  if (!crawl.user_agent.empty()) return crawl.user_agent;
  return absl::StrCat(kToolName, "/", kToolVersion, " (+", crawl.contact_url, ")");
}

absl::StatusOr<AuditConfig> ParseConfig(std::string_view toml_text, std::string_view source_name,
                                        const AuditConfig& base) {
  std::string source(source_name);
  toml::table table;
  try {  // Debian's toml++ library is built with exceptions; none leaves this function.
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", error.source().begin.line, ": ",
                                                   std::string(error.description())));
  }
  AuditConfig config = base;
  if (absl::Status s = ApplyTable(table, "", source, config); !s.ok()) return s;
  return config;
}

std::string ToToml(const AuditConfig& c) {
  toml::array tokens;
  for (const std::string& token : c.profiles.robots_tokens) tokens.push_back(token);
  toml::array strip;
  for (const std::string& param : c.crawl.strip_query_params) strip.push_back(param);
  toml::table table{
      {"crawl", toml::table{{"max_pages", c.crawl.max_pages},
                            {"delay", c.crawl.delay_seconds},
                            {"user_agent", c.crawl.user_agent},
                            {"robots_token", c.crawl.robots_token},
                            {"contact_url", c.crawl.contact_url},
                            {"allow_private_addresses", c.crawl.allow_private_addresses},
                            {"timeout", c.crawl.timeout_seconds},
                            {"max_page_bytes", c.crawl.max_page_bytes},
                            {"max_image_bytes", c.crawl.max_image_bytes},
                            {"max_redirects", c.crawl.max_redirects},
                            {"scope", c.crawl.scope},
                            {"max_depth", c.crawl.max_depth},
                            {"max_urls_per_pattern", c.crawl.max_urls_per_pattern},
                            {"max_url_length", c.crawl.max_url_length},
                            {"connect_timeout", c.crawl.connect_timeout_seconds},
                            {"low_speed_bytes", c.crawl.low_speed_bytes},
                            {"low_speed_time", c.crawl.low_speed_seconds},
                            {"max_crawl_delay", c.crawl.max_crawl_delay_seconds},
                            {"max_hosts_in_flight", c.crawl.max_hosts_in_flight},
                            {"sitemaps", c.crawl.sitemaps},
                            {"max_sitemap_bytes", c.crawl.max_sitemap_bytes},
                            {"strip_query_params", strip}}},
      {"detect", toml::table{{"analysis", c.detect.analysis},
                             {"max_image_pixels", c.detect.max_image_pixels},
                             {"max_image_dimension", c.detect.max_image_dimension},
                             {"face_score_threshold", c.detect.face_score_threshold},
                             {"face_backend", c.detect.face_backend},
                             {"face_model", c.detect.face_model},
                             {"yunet_score_threshold", c.detect.yunet_score_threshold},
                             {"thumbnails", c.detect.thumbnails},
                             {"age_model", c.detect.age_model}}},
      {"output", toml::table{{"store", c.output.store_dir},
                             {"out", c.output.out_dir},
                             {"retention_days", c.output.retention_days}}},
      {"profiles", toml::table{{"robots_tokens", tokens}}}};
  std::ostringstream text;
  text << table << "\n";
  return text.str();
}

absl::StatusOr<AuditConfig> LoadConfigFile(const std::string& path, const AuditConfig& base) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read config file '", path, "'"));
  std::ostringstream text;
  text << file.rdbuf();
  return ParseConfig(text.str(), path, base);
}

}  // namespace scrapewatch
