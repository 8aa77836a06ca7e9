#include "crawler/robots.h"

#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scrapewatch::crawler {
namespace {

using nlohmann::json;

// Rows of each kind in cases.json (shared/corpus/README.md, "robots/").
// Checking the counts makes a missing or truncated file fail, not pass.
constexpr size_t kAllRows = 229;
constexpr size_t kStrictAllowRows = 137;  // 160 allow rows less 23 google_specific
constexpr size_t kUaValidRows = 11;
constexpr size_t kUrlPathRows = 19;
constexpr size_t kPatternEscapeRows = 4;
constexpr size_t kSitemapRows = 2;
constexpr size_t kStrictParseStatsRows = 8;  // 10 less 2 google_specific (partial BOMs)

constexpr char kCorpusPath[] = SCRAPEWATCH_SHARED_DIR "/corpus/robots/cases.json";

const json& Corpus() {
  static const json* const corpus = [] {
    std::ifstream in(kCorpusPath);
    return new json(json::parse(in, nullptr, /*allow_exceptions=*/false));
  }();
  return *corpus;
}

std::string Text(const json& row, const char* key) {
  const auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Flag(const json& row, const char* key) {
  const auto it = row.find(key);
  return it != row.end() && it->is_boolean() && it->get<bool>();
}

// Rows of one kind, leaving out google_specific ones: this parser is strict
// RFC 9309, and those rows pin down Google's extensions.
std::vector<json> StrictRows(std::string_view kind) {
  std::vector<json> rows;
  if (!Corpus().is_array()) return rows;
  for (const json& row : Corpus()) {
    if (Text(row, "kind") == kind && !Flag(row, "google_specific")) rows.push_back(row);
  }
  return rows;
}

// robots_txt is null when the file is not valid UTF-8; the bytes are then in base64.
std::string RobotsBody(const json& row) {
  if (row.contains("robots_txt") && row["robots_txt"].is_string()) return Text(row, "robots_txt");
  std::string body;
  if (!absl::Base64Unescape(Text(row, "robots_txt_base64"), &body)) {
    ADD_FAILURE() << Text(row, "id") << ": bad robots_txt_base64";
  }
  return body;
}

TEST(RobotsCorpusTest, FileHasEveryRow) {
  ASSERT_TRUE(Corpus().is_array()) << "cannot read " << kCorpusPath;
  EXPECT_EQ(Corpus().size(), kAllRows);
}

TEST(RobotsCorpusTest, AllowRowsMatchStrictRfc9309) {
  const std::vector<json> rows = StrictRows("allow");
  for (const json& row : rows) {
    const RobotsPolicy policy = RobotsPolicy::Parse(RobotsBody(row));
    EXPECT_EQ(policy.IsAllowed(Text(row, "user_agent"), Text(row, "url")), Flag(row, "allowed"))
        << Text(row, "id") << ": " << Text(row, "note");
  }
  EXPECT_EQ(rows.size(), kStrictAllowRows);
}

TEST(RobotsCorpusTest, UserAgentTokenValidity) {
  const std::vector<json> rows = StrictRows("ua_valid");
  for (const json& row : rows) {
    EXPECT_EQ(IsValidUserAgentToken(Text(row, "user_agent")), Flag(row, "valid"))
        << Text(row, "id");
  }
  EXPECT_EQ(rows.size(), kUaValidRows);
}

TEST(RobotsCorpusTest, PathForMatching) {
  const std::vector<json> rows = StrictRows("url_path");
  for (const json& row : rows) {
    EXPECT_EQ(PathForMatching(Text(row, "url")), Text(row, "path")) << Text(row, "id");
  }
  EXPECT_EQ(rows.size(), kUrlPathRows);
}

TEST(RobotsCorpusTest, EscapePattern) {
  const std::vector<json> rows = StrictRows("pattern_escape");
  for (const json& row : rows) {
    EXPECT_EQ(EscapePattern(Text(row, "pattern")), Text(row, "escaped")) << Text(row, "id");
  }
  EXPECT_EQ(rows.size(), kPatternEscapeRows);
}

TEST(RobotsCorpusTest, Sitemaps) {
  const std::vector<json> rows = StrictRows("sitemap");
  for (const json& row : rows) {
    const std::vector<std::string> expected = row.value("sitemaps", std::vector<std::string>());
    EXPECT_EQ(RobotsPolicy::Parse(RobotsBody(row)).sitemaps(), expected) << Text(row, "id");
  }
  EXPECT_EQ(rows.size(), kSitemapRows);
}

// Line endings and byte order marks, seen through the directive counts.
TEST(RobotsCorpusTest, ParseStats) {
  const std::vector<json> rows = StrictRows("parse_stats");
  for (const json& row : rows) {
    const RobotsParseStats stats = RobotsPolicy::Parse(RobotsBody(row)).stats();
    const std::string id = Text(row, "id");
    EXPECT_EQ(stats.valid_directives, row.value("valid_directives", -1)) << id;
    if (row.contains("unknown_directives")) {
      EXPECT_EQ(stats.unknown_directives, row["unknown_directives"].get<int>()) << id;
    }
    if (row.contains("last_directive_line")) {
      EXPECT_EQ(stats.last_directive_line, row["last_directive_line"].get<int>()) << id;
    }
  }
  EXPECT_EQ(rows.size(), kStrictParseStatsRows);
}

TEST(RobotsCrawlDelayTest, ComesFromTheGroupThatApplies) {
  const RobotsPolicy policy = RobotsPolicy::Parse(
      "User-agent: FooBot\nCrawl-delay: 2.5\nDisallow: /x\n\n"
      "User-agent: BarBot\nDisallow: /y\n\n"
      "User-agent: *\nCrawl-delay: 10\n");
  EXPECT_EQ(policy.CrawlDelaySeconds("foobot"), 2.5);
  EXPECT_EQ(policy.CrawlDelaySeconds("QuxBot"), 10);
  // BarBot's own group applies, and it sets no delay; '*' is not consulted.
  EXPECT_EQ(policy.CrawlDelaySeconds("BarBot"), std::nullopt);
  EXPECT_EQ(RobotsPolicy::Parse("User-agent: FooBot\nCrawl-delay: 1\n").CrawlDelaySeconds("BarBot"),
            std::nullopt);
}

TEST(RobotsCrawlDelayTest, MergedGroupsTakeTheFirstValidValue) {
  const RobotsPolicy policy = RobotsPolicy::Parse(
      "User-agent: FooBot\nCrawl-delay: soon\nDisallow: /a\n"
      "User-agent: FooBot\nCrawl-delay: 3\n"
      "User-agent: FooBot\nCrawl-delay: 7\n");
  EXPECT_EQ(policy.CrawlDelaySeconds("FooBot"), 3);
}

std::optional<double> DelayFromLine(const std::string& value) {
  return RobotsPolicy::Parse("User-agent: *\nCrawl-delay: " + value).CrawlDelaySeconds("FooBot");
}

TEST(RobotsCrawlDelayTest, RejectsAnythingButPlainDecimals) {
  const std::vector<std::string> invalid = {
      "", "-1", "+1", "1e3", "inf", "nan", "5s", "1.2.3", ".", "0x10", std::string(400, '9')};
  for (const std::string& value : invalid) {
    EXPECT_EQ(DelayFromLine(value), std::nullopt) << '"' << value << '"';
  }
  for (const auto& [value, seconds] :
       {std::pair{"0", 0.0}, {"10", 10.0}, {"0.5", 0.5}, {".5", 0.5}, {"7 # polite", 7.0}}) {
    EXPECT_EQ(DelayFromLine(value), seconds) << value;
  }
}

TEST(RobotsCrawlDelayTest, NeedsAGroupAndDoesNotEndOne) {
  EXPECT_EQ(RobotsPolicy::Parse("Crawl-delay: 5\nUser-agent: *\n").CrawlDelaySeconds("FooBot"),
            std::nullopt);
  // RFC 9309 §2.2.4: other records must not change how groups are read, so
  // FooBot and BarBot share one group here.
  const RobotsPolicy policy =
      RobotsPolicy::Parse("User-agent: FooBot\nCrawl-delay: 5\nUser-agent: BarBot\nDisallow: /\n");
  EXPECT_FALSE(policy.IsAllowed("FooBot", "/a"));
  EXPECT_EQ(policy.CrawlDelaySeconds("BarBot"), 5);
}

// `head`, then comment lines as filler, then `tail` starting `offset` bytes
// before the parse limit.
std::string BodyAroundLimit(std::string_view head, size_t offset, std::string_view tail) {
  const size_t tail_start = kRobotsParseLimitBytes - offset;
  std::string body(head);
  while (body.size() + 62 < tail_start) body += "#" + std::string(60, '-') + "\n";
  body += std::string(tail_start - body.size() - 1, '#') + "\n";
  return body.append(tail);
}

TEST(RobotsParseLimitTest, IgnoresBytesAfter500KiB) {
  const std::string body = BodyAroundLimit("User-agent: *\n", 0, "Disallow: /\n");
  ASSERT_EQ(body.find("Disallow"), kRobotsParseLimitBytes);
  EXPECT_TRUE(RobotsPolicy::Parse(body).IsAllowed("FooBot", "/a"));
}

TEST(RobotsParseLimitTest, ReadsALineThatEndsAtTheLimit) {
  // The line's end is the last byte read (offset 12) or the first one not
  // read (offset 11); either way the line is whole. "Allow: /" is past it.
  for (size_t offset : {12, 11}) {
    const std::string body = BodyAroundLimit("User-agent: *\n", offset, "Disallow: /\nAllow: /\n");
    ASSERT_EQ(body.find("\nAllow"), kRobotsParseLimitBytes + 11 - offset);
    EXPECT_FALSE(RobotsPolicy::Parse(body).IsAllowed("FooBot", "/a")) << offset;
  }
}

TEST(RobotsParseLimitTest, DropsTheLineTheLimitCuts) {
  // Cut at the limit, "Allow: /archive-private" would read as "Allow: /a".
  const RobotsPolicy policy = RobotsPolicy::Parse(
      BodyAroundLimit("User-agent: *\nDisallow: /\n", 10, "Allow: /archive-private\n"));
  EXPECT_FALSE(policy.IsAllowed("FooBot", "/archive"));
  EXPECT_EQ(policy.stats().valid_directives, 2);
}

TEST(RobotsPolicyTest, AllowAllAndDisallowAll) {
  const RobotsPolicy allow = RobotsPolicy::AllowAll();
  const RobotsPolicy deny = RobotsPolicy::DisallowAll();
  for (const char* agent : {"FooBot", "*", ""}) {
    for (const char* url : {"/", "/a/b?c", "https://example.com/photos/1.jpg"}) {
      EXPECT_TRUE(allow.IsAllowed(agent, url)) << agent << " " << url;
      EXPECT_FALSE(deny.IsAllowed(agent, url)) << agent << " " << url;
    }
  }
  EXPECT_TRUE(deny.IsAllowed("FooBot", "https://example.com/robots.txt"));
  EXPECT_EQ(allow.CrawlDelaySeconds("FooBot"), std::nullopt);
  EXPECT_TRUE(deny.sitemaps().empty());
}

TEST(RobotsPolicyTest, NormalisesPercentEncodingOnBothSides) {
  const RobotsPolicy policy = RobotsPolicy::Parse(
      "User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /%7Euser\nDisallow: /a%2Fb\n");
  EXPECT_FALSE(policy.IsAllowed("FooBot", "/caf\xC3\xA9/menu"));
  EXPECT_FALSE(policy.IsAllowed("FooBot", "/~user/photo.jpg"));
  // '/' is reserved: an escaped slash is not the same path as a real one.
  EXPECT_TRUE(policy.IsAllowed("FooBot", "/a/b"));
}

}  // namespace
}  // namespace scrapewatch::crawler
