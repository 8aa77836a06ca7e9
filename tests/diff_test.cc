// Diff between two crafted runs: new and removed exposures, and the changes
// that make an image more (or less) exposed.
#include "reports/diff.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::reports {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kPage[] = "https://site.example/";

store::ImageRecord Image(const std::string& name, int faces, bool gps,
                         store::Headers headers = {}) {
  std::string url = std::string(kPage) + name;
  detectors::ImageFindings findings{.sha256 = name};
  findings.faces.resize(faces, detectors::FaceBox{0, 0, 10, 10, 1});
  if (gps) findings.metadata.gps = detectors::GeoLocation{.latitude = 1, .longitude = 2, .valid = true};
  return {.fetch = {.url = url, .final_url = url, .http_status = 200, .headers = headers},
          .findings = findings};
}

store::RunContents MakeRun(const std::string& id, std::vector<store::ImageRecord> images) {
  store::RunContents run;
  run.run = {.site = "https://site.example", .id = id, .profile_tokens = {"*"}};
  run.robots = {{.origin = "https://site.example", .body = "", .policy = "allow_all"}};
  store::PageRecord page{.fetch = {.url = kPage, .http_status = 200}};
  for (const store::ImageRecord& image : images) {
    page.images.push_back({image.fetch.url, "img_src", "", ""});
  }
  run.pages = {page};
  run.images = std::move(images);
  return run;
}

TEST(DiffTest, NothingChangedIsNoNewExposure) {
  store::RunContents a = MakeRun("1", {Image("a.jpg", 1, false)});
  store::RunContents b = MakeRun("2", {Image("a.jpg", 1, false)});
  RunDiff diff = DiffRuns(BuildExposure(a, {}), BuildExposure(b, {}));
  EXPECT_FALSE(diff.has_new_exposure());
  EXPECT_TRUE(diff.changed.empty());
  EXPECT_THAT(RenderDiffText(diff), HasSubstr("no change in exposure"));
}

TEST(DiffTest, ReportsNewRemovedAndChangedExposures) {
  store::RunContents a = MakeRun("1", {Image("kept.jpg", 1, false), Image("gone.jpg", 2, false),
                                   Image("plain.jpg", 0, false),
                                   Image("optout.jpg", 1, false)});
  store::RunContents b = MakeRun("2", {Image("kept.jpg", 1, true), Image("new.jpg", 1, false),
                                   Image("plain.jpg", 0, false), Image("landscape.jpg", 0, false),
                                   Image("optout.jpg", 1, false, {{"x-robots-tag", "noai"}})});
  RunDiff diff = DiffRuns(BuildExposure(a, {}), BuildExposure(b, {}));
  EXPECT_EQ(diff.from_run, "1");
  EXPECT_EQ(diff.to_run, "2");
  // A new image without faces or GPS is no exposure.
  EXPECT_THAT(diff.new_exposures, ElementsAre("https://site.example/new.jpg"));
  EXPECT_THAT(diff.removed_exposures, ElementsAre("https://site.example/gone.jpg"));
  ASSERT_EQ(diff.changed.size(), 2u);
  std::map<std::string, ImageChange> changes;
  for (const ImageChange& c : diff.changed) changes[c.url] = c;
  const ImageChange& kept = changes["https://site.example/kept.jpg"];
  EXPECT_THAT(kept.changes, ElementsAre("gained GPS"));
  EXPECT_TRUE(kept.worse);
  const ImageChange& optout = changes["https://site.example/optout.jpg"];
  EXPECT_THAT(optout.changes, UnorderedElementsAre("opt-out added: X-Robots-Tag noai",
                                                   "no longer harvestable by img2dataset-default"));
  EXPECT_FALSE(optout.worse);
  EXPECT_TRUE(diff.has_new_exposure());
}

TEST(DiffTest, AnImprovementAloneIsNoNewExposure) {
  store::RunContents a = MakeRun("1", {Image("a.jpg", 2, true)});
  store::RunContents b = MakeRun("2", {Image("a.jpg", 2, false, {{"x-robots-tag", "noimageai"}})});
  RunDiff diff = DiffRuns(BuildExposure(a, {}), BuildExposure(b, {}));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_THAT(diff.changed[0].changes,
              UnorderedElementsAre("lost GPS", "opt-out added: X-Robots-Tag noimageai",
                                   "no longer harvestable by img2dataset-default"));
  EXPECT_FALSE(diff.has_new_exposure());
  EXPECT_THAT(RenderDiffJson(diff), HasSubstr("\"has_new_exposure\": false"));
}

TEST(DiffTest, MoreFacesOrARemovedOptOutIsANewExposure) {
  store::RunContents a = MakeRun("1", {Image("a.jpg", 1, false, {{"x-robots-tag", "noai"}})});
  store::RunContents b = MakeRun("2", {Image("a.jpg", 3, false)});
  b.images[0].findings->sha256 = "re-encoded";
  RunDiff diff = DiffRuns(BuildExposure(a, {}), BuildExposure(b, {}));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_THAT(diff.changed[0].changes,
              UnorderedElementsAre("faces 1 -> 3", "opt-out removed: X-Robots-Tag noai",
                                   "now harvestable by img2dataset-default",
                                   "image bytes changed"));
  EXPECT_TRUE(diff.has_new_exposure());
}

}  // namespace
}  // namespace scrapewatch::reports
