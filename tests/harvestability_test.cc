// Harvestability: which scraper profiles could take which images, from the
// robots.txt of page and image hosts, X-Robots-Tag on image responses, and
// TDMRep — computed from a run assembled by hand.
#include "reports/harvestability.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::reports {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kSite[] = "https://site.example";
constexpr char kCdn[] = "https://cdn.example";

store::FetchEvidence Fetched(const std::string& url, store::Headers headers = {}) {
  return {.url = url, .final_url = url, .http_status = 200, .headers = std::move(headers)};
}

store::ImageRecord Image(const std::string& url, int faces, store::Headers headers = {}) {
  detectors::ImageFindings findings{.sha256 = url};
  findings.faces.resize(faces, detectors::FaceBox{0, 0, 10, 10, 1});
  return {.fetch = Fetched(url, std::move(headers)), .findings = findings};
}

store::RunContents SampleRun() {
  store::RunContents run;
  run.run.site = kSite;
  run.run.profile_tokens = {"*", "GPTBot", "Googlebot-Image"};
  run.robots = {
      {.origin = kSite,
       .body = "User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /\n\n"
               "User-agent: Googlebot-Image\nDisallow: /team/\n",
       .policy = "parsed",
       .tdmrep_body = R"([{"location": "/*", "tdm-reservation": 0}])"},
      {.origin = kCdn,
       .body = "User-agent: *\nDisallow: /private/\n",
       .policy = "parsed",
       .tdmrep_body = R"([{"location": "/photos/*", "tdm-reservation": 1}])"}};
  run.pages = {
      {.fetch = Fetched(std::string(kSite) + "/"),
       .images = {{std::string(kSite) + "/a.jpg", "img_src", "", ""},
                  {std::string(kCdn) + "/photos/b.jpg", "img_src", "", ""}}},
      {.fetch = Fetched(std::string(kSite) + "/team/", {{"tdm-reservation", "1"}}),
       .meta_robots = {"noimageindex"},
       .images = {{std::string(kSite) + "/c.jpg", "img_src", "", ""},
                  {std::string(kCdn) + "/private/d.jpg", "img_src", "", ""}}}};
  run.images = {Image(std::string(kSite) + "/a.jpg", 1, {{"x-robots-tag", "noimageai"}}),
                Image(std::string(kCdn) + "/photos/b.jpg", 2),
                Image(std::string(kSite) + "/c.jpg", 0),
                Image(std::string(kCdn) + "/private/d.jpg", 1,
                      {{"x-robots-tag", "otherbot: noai"}}),
                {.fetch = {.url = std::string(kSite) + "/e.jpg"}, .skipped_reason = "robots.txt"}};
  return run;
}

const ImageExposure& Find(const SiteExposure& exposure, const std::string& url) {
  for (const ImageExposure& image : exposure.images) {
    if (image.record->fetch.url == url) return image;
  }
  ADD_FAILURE() << "no image " << url;
  return exposure.images.front();
}

TEST(HarvestabilityTest, EachProfileFollowsItsStatedRule) {
  store::RunContents run = SampleRun();
  SiteExposure exposure = BuildExposure(run, {});
  auto profiles = [&](const char* url) { return Find(exposure, url).harvestable_by; };
  // noimageai on the response stops img2dataset; robots.txt allows the rest.
  EXPECT_THAT(profiles("https://site.example/a.jpg"),
              ElementsAre("indiscriminate", "rfc9309:*", "rfc9309:Googlebot-Image"));
  EXPECT_THAT(profiles("https://cdn.example/photos/b.jpg"),
              ElementsAre("indiscriminate", "img2dataset-default", "rfc9309:*",
                          "rfc9309:Googlebot-Image"));
  // Only on /team/, which Googlebot-Image may not crawl.
  EXPECT_THAT(profiles("https://site.example/c.jpg"),
              ElementsAre("indiscriminate", "img2dataset-default", "rfc9309:*"));
  // The CDN forbids /private/ to everyone; a directive for another bot is no opt-out.
  EXPECT_THAT(profiles("https://cdn.example/private/d.jpg"),
              ElementsAre("indiscriminate", "img2dataset-default"));
  // Not fetched: content unknown, so no profile is credited with it.
  EXPECT_TRUE(profiles("https://site.example/e.jpg").empty());
}

TEST(HarvestabilityTest, CountsImagesAndFaceImagesPerProfile) {
  store::RunContents run = SampleRun();
  SiteExposure exposure = BuildExposure(run, {});
  std::map<std::string, std::pair<int64_t, int64_t>> counts;
  for (const ProfileCount& c : exposure.harvestability) {
    counts[c.profile] = {c.images, c.images_with_faces};
  }
  EXPECT_EQ(counts["indiscriminate"], std::make_pair(int64_t{4}, int64_t{3}));
  EXPECT_EQ(counts["img2dataset-default"], std::make_pair(int64_t{3}, int64_t{2}));
  EXPECT_EQ(counts["rfc9309:*"], std::make_pair(int64_t{3}, int64_t{2}));
  EXPECT_EQ(counts["rfc9309:GPTBot"], std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(counts["rfc9309:Googlebot-Image"], std::make_pair(int64_t{2}, int64_t{2}));
  EXPECT_EQ(exposure.harvestability.size(), 5u);
}

TEST(HarvestabilityTest, GathersTheOptOutSignalsOfEachImage) {
  store::RunContents run = SampleRun();
  SiteExposure exposure = BuildExposure(run, {});
  const OptOutSignals& a = Find(exposure, "https://site.example/a.jpg").signals;
  EXPECT_THAT(a.x_robots_tag, ElementsAre("noimageai"));
  EXPECT_FALSE(a.tdm_reserved);
  const OptOutSignals& b = Find(exposure, "https://cdn.example/photos/b.jpg").signals;
  EXPECT_TRUE(b.tdm_reserved);
  EXPECT_EQ(b.tdm_source, "https://cdn.example/.well-known/tdmrep.json");
  const OptOutSignals& c = Find(exposure, "https://site.example/c.jpg").signals;
  EXPECT_TRUE(c.tdm_reserved);
  EXPECT_THAT(c.tdm_source, ::testing::HasSubstr("tdm-reservation header"));
  EXPECT_THAT(c.page_meta_robots, UnorderedElementsAre("noimageindex"));
}

TEST(HarvestabilityTest, RobotsStancesMeasureEachTokenOnTheRunsUrls) {
  store::RunContents run = SampleRun();
  std::vector<RobotsStance> stances =
      RobotsStances(run, run.robots[0], {"*", "GPTBot", "Googlebot-Image"});
  ASSERT_EQ(stances.size(), 3u);
  // site.example: pages / and /team/, images a.jpg, c.jpg, e.jpg.
  EXPECT_TRUE(stances[0].root_allowed);
  EXPECT_EQ(stances[0].urls, 5);
  EXPECT_EQ(stances[0].urls_allowed, 5);
  EXPECT_FALSE(stances[1].root_allowed);
  EXPECT_EQ(stances[1].urls_allowed, 0);
  EXPECT_TRUE(stances[2].root_allowed);
  EXPECT_EQ(stances[2].urls_allowed, 4);  // all but /team/
  EXPECT_FALSE(stances[0].crawl_delay.has_value());
}

TEST(HarvestabilityTest, EveryProfileIsDescribed) {
  std::vector<ProfileDescription> profiles = DescribeProfiles({"CCBot"});
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[0].name, "indiscriminate");
  EXPECT_EQ(profiles[1].name, "img2dataset-default");
  EXPECT_EQ(profiles[2].name, "rfc9309:CCBot");
  for (const ProfileDescription& p : profiles) EXPECT_FALSE(p.rule.empty());
}

}  // namespace
}  // namespace scrapewatch::reports
