// X-Robots-Tag parsing and TDMRep rules: the HTTP-level opt-outs a scraper
// such as img2dataset honours or ignores.
#include "crawler/opt_out.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using Headers = std::vector<std::pair<std::string, std::string>>;

TEST(XRobotsTagTest, ReadsGenericAndScopedDirectivesFromEveryHeader) {
  Headers headers = {{"content-type", "image/jpeg"},
                     {"x-robots-tag", "noai, NoImageAI"},
                     {"x-robots-tag", "googlebot: noindex, nofollow"},
                     {"x-robots-tag", "max-image-preview:large"},
                     {"x-robots-tag", "bingbot: noarchive, otherbot: noimageindex"}};
  EXPECT_THAT(XRobotsTagDirectives(headers),
              ElementsAre("noai", "noimageai", "googlebot:noindex", "googlebot:nofollow",
                          "max-image-preview:large", "bingbot:noarchive",
                          "otherbot:noimageindex"));
}

TEST(XRobotsTagTest, NoHeaderNoDirectives) {
  EXPECT_TRUE(XRobotsTagDirectives({{"content-type", "text/html"}}).empty());
}

TEST(HasDirectiveTest, GenericAppliesToEveryCrawlerScopedOnlyToItsOwn) {
  std::vector<std::string> directives = {"noai", "googlebot:noindex"};
  EXPECT_TRUE(HasDirective(directives, "noai"));
  EXPECT_TRUE(HasDirective(directives, "noai", "CCBot"));
  EXPECT_FALSE(HasDirective(directives, "noindex"));
  EXPECT_FALSE(HasDirective(directives, "noindex", "bingbot"));
  EXPECT_TRUE(HasDirective(directives, "noindex", "Googlebot"));
  EXPECT_TRUE(HasDirective(directives, "noimageindex", "googlebot"));  // noindex implies it
}

TEST(HasDirectiveTest, NoneImpliesNoindexAndNoimageindex) {
  EXPECT_TRUE(HasDirective({"none"}, "noindex"));
  EXPECT_TRUE(HasDirective({"none"}, "noimageindex"));
  EXPECT_FALSE(HasDirective({"none"}, "noai"));
  EXPECT_FALSE(HasDirective({"noimageindex"}, "noindex"));
}

TEST(TdmRepTest, FirstMatchingLocationDecides) {
  std::vector<TdmRule> rules = ParseTdmRep(R"([
      {"location": "/images/public/*", "tdm-reservation": 0},
      {"location": "/images/*", "tdm-reservation": 1, "tdm-policy": "https://example.org/tdm.json"},
      {"location": "*", "tdm-reservation": 0}])");
  ASSERT_EQ(rules.size(), 3u);
  std::optional<TdmRule> rule = TdmRuleFor(rules, "/images/team/ann.jpg");
  ASSERT_TRUE(rule.has_value());
  EXPECT_TRUE(rule->reserved);
  EXPECT_EQ(rule->policy, "https://example.org/tdm.json");
  EXPECT_FALSE(TdmRuleFor(rules, "/images/public/logo.png")->reserved);
  EXPECT_FALSE(TdmRuleFor(rules, "/about.html")->reserved);
}

TEST(TdmRepTest, MalformedFilesReserveNothing) {
  for (const char* text : {"", "not json", "{}", "[1, 2]", R"([{"tdm-reservation": 1}])",
                           R"([{"location": 5, "tdm-reservation": 1}])"}) {
    EXPECT_FALSE(TdmRuleFor(ParseTdmRep(text), "/x").has_value()) << text;
  }
}

TEST(TdmRepTest, HostilePatternsStayFast) {
  std::string pattern = "/" + std::string(2000, '*') + "x";
  std::vector<TdmRule> rules = {{.location = pattern, .reserved = true}};
  EXPECT_FALSE(TdmRuleFor(rules, "/" + std::string(5000, 'a')).has_value());
  EXPECT_TRUE(TdmRuleFor(rules, "/" + std::string(5000, 'a') + "x").has_value());
}

}  // namespace
}  // namespace scrapewatch::crawler
