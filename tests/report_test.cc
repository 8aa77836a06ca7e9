// Tests reports/exposure.h and reports/report.h on a hand-built run:
// BuildExposure's summary, found_on (one entry per page) and risk order, GPS
// rounding; the JSON report (validated against reports/report.schema.json with
// Python's jsonschema), HTML escaping and its Content-Security-Policy, CSV
// quoting and formula neutralising, Markdown pipes; SiteDirectoryName,
// WriteFileAtomically and ParseFormat.
#include "reports/report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reports/exposure.h"
#include "store/records.h"

namespace scrapewatch::reports {
namespace {

using nlohmann::json;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSchemaPath[] = SCRAPEWATCH_SOURCE_DIR "/reports/report.schema.json";
constexpr char kHostile[] = "<script>alert(1)</script>";

absl::Time At(int64_t unix_millis) { return absl::FromUnixMillis(unix_millis); }

store::FetchEvidence Fetched(const std::string& url, char hash) {
  return {.url = url,
          .final_url = url,
          .http_status = 200,
          .headers = {{"content-type", "image/jpeg"}, {"x-robots-tag", "noai"}},
          .body_sha256 = std::string(64, hash),
          .body_bytes = 2048,
          .fetched_at = At(1764145801000)};
}

detectors::ImageFindings Analysed(char hash, int faces) {
  detectors::ImageFindings findings{.sha256 = std::string(64, hash),
                                    .byte_size = 2048,
                                    .format = "jpeg",
                                    .width = 640,
                                    .height = 480,
                                    .face_backend = "dlib-hog(threshold=0)"};
  for (int i = 0; i < faces; ++i) {
    findings.faces.push_back({.x = 10 + 100 * i, .y = 20, .w = 80, .h = 90, .score = 0.5 + i});
  }
  return findings;
}

detectors::GeoLocation ValidGps(double lat, double lon, std::optional<double> alt) {
  return {.latitude = lat, .longitude = lon, .altitude_m = alt, .valid = true, .source = "exif"};
}

constexpr char kPlain[] = "https://example.org/img/a-plain.jpg";
constexpr char kGps[] = "https://example.org/img/b-gps.jpg";
constexpr char kFaces[] = "https://example.org/img/c-faces.jpg";
constexpr char kFaceGps[] = "https://example.org/img/d-face-gps.jpg";
constexpr char kNullIsland[] = "https://example.org/img/e-null-island.jpg";
constexpr char kSkipped[] = "https://example.org/img/f-skipped.jpg";
constexpr char kMissing[] = "https://example.org/img/g-404.jpg";

// A finished run of three pages (one skipped) and seven images, stored in URL
// order as Store::ReadRun returns them.
store::RunContents SampleContents() {
  store::RunContents contents;
  contents.run = {.site = "https://example.org",
                  .id = "20251126T083000Z-3f2a",
                  .seeds = {"https://example.org/"},
                  .tool_version = kToolVersion,
                  .user_agent = "scrapewatch/0.1.0 (+https://github.com/scrapewatch/scrapewatch)",
                  .robots_token = "scrapewatch",
                  .started_at = At(1764145800123),
                  .finished_at = At(1764145860456),
                  .pages_discovered = 3,
                  .pages_fetched = 2,
                  .pages_disallowed = 1};
  contents.pages = {
      {.fetch = Fetched("https://example.org/", '1'),
       .title = "Home",
       .meta_robots = {"max-image-preview:large"},
       .images = {{kFaceGps, "srcset", "", ""},  // srcset and its src fallback: one picture
                  {kFaceGps, "img", "Ann at the beach", ""},
                  {kFaces, "img", "The team", ""},
                  {"data:image/png", "img", "spacer", ""},
                  {kPlain, "img", "", ""}}},
      {.fetch = {.url = "https://example.org/private/", .fetched_at = At(1764145802000)},
       .skipped_reason = "robots.txt"},
      {.fetch = Fetched("https://example.org/team", '2'),
       .title = "Team",
       .images = {{kFaceGps, "img", "Ann", ""},
                  {kGps, "img", "Eiffel tower", ""},
                  {kNullIsland, "img", "", ""},
                  {kSkipped, "img", "", ""},
                  {kMissing, "img", "", ""},
                  {"data:image/gif", "img", "", ""},
                  {kFaces, "css", "", ""}}}};

  store::ImageRecord plain{.fetch = Fetched(kPlain, 'a'), .findings = Analysed('a', 0)};
  plain.findings->metadata.make = "Nikon";
  plain.findings->metadata.model = "D750";
  store::ImageRecord gps{.fetch = Fetched(kGps, 'b'), .findings = Analysed('b', 0)};
  gps.findings->metadata.gps = ValidGps(48.858370, 2.294481, 35.4);
  store::ImageRecord faces{.fetch = Fetched(kFaces, 'c'), .findings = Analysed('c', 2)};
  store::ImageRecord face_gps{.fetch = Fetched(kFaceGps, 'd'), .findings = Analysed('d', 1)};
  face_gps.findings->metadata.gps = ValidGps(-33.856784, 151.215297, std::nullopt);
  store::ImageRecord null_island{.fetch = Fetched(kNullIsland, 'e'), .findings = Analysed('e', 0)};
  null_island.findings->metadata.gps = detectors::GeoLocation{
      .valid = false, .invalid_reason = "(0,0) is a placeholder", .source = "exif"};
  store::ImageRecord skipped{.fetch = {.url = kSkipped, .fetched_at = At(1764145803000)},
                             .skipped_reason = "robots.txt"};
  store::ImageRecord missing{.fetch = Fetched(kMissing, 'f')};
  missing.fetch.http_status = 404;
  missing.fetch.error = "HTTP 404";
  contents.images = {plain, gps, faces, face_gps, null_island, skipped, missing};

  contents.robots = {{.origin = "https://example.org",
                      .fetch = Fetched("https://example.org/robots.txt", '9'),
                      .body = "User-agent: *\nDisallow: /private/\n",
                      .policy = "parsed"}};
  return contents;
}

std::vector<std::string> Urls(const SiteExposure& exposure) {
  std::vector<std::string> urls;
  for (const ImageExposure& image : exposure.images) urls.push_back(image.record->fetch.url);
  return urls;
}

const ImageExposure& Find(const SiteExposure& exposure, const std::string& url) {
  for (const ImageExposure& image : exposure.images) {
    if (image.record->fetch.url == url) return image;
  }
  ADD_FAILURE() << "no image " << url;
  return exposure.images.front();
}

// A directory of its own for each test, removed afterwards.
class ReportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("report_test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Validates `report` against report.schema.json (JSON Schema draft 2020-12)
  // with Debian's Python jsonschema; returns the validator's complaints, or
  // "" when the report is valid.
  std::string SchemaErrors(const std::string& report) {
    std::filesystem::path script = dir_ / "validate.py";
    std::filesystem::path document = dir_ / "report.json";
    std::filesystem::path output = dir_ / "validate.out";
    std::ofstream(script) << "import json, sys, jsonschema\n"
                             "schema = json.load(open(sys.argv[1]))\n"
                             "jsonschema.Draft202012Validator.check_schema(schema)\n"
                             "validator = jsonschema.Draft202012Validator(schema)\n"
                             "errors = list(validator.iter_errors(json.load(open(sys.argv[2]))))\n"
                             "for e in errors: print(list(e.absolute_path), e.message)\n"
                             "sys.exit(1 if errors else 0)\n";
    std::ofstream(document, std::ios::binary) << report;
    std::string command = "/usr/bin/python3 '" + script.string() + "' '" + kSchemaPath + "' '" +
                          document.string() + "' >'" + output.string() + "' 2>&1";
    int status = std::system(command.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    return "exit status " + std::to_string(status) + ": " + ReadFile(output);
  }

  std::filesystem::path dir_;
};

TEST(BuildExposureTest, SummaryCountsEveryKind) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {});
  EXPECT_EQ(exposure.contents, &contents);
  EXPECT_EQ(exposure.summary.images, 7);
  EXPECT_EQ(exposure.summary.images_analysed, 5);
  EXPECT_EQ(exposure.summary.images_with_faces, 2);
  EXPECT_EQ(exposure.summary.faces, 3);
  EXPECT_EQ(exposure.summary.images_with_gps, 2);  // (0,0) is no location
  EXPECT_EQ(exposure.summary.data_uri_images, 2);
}

TEST(BuildExposureTest, ImagesAreInRiskOrder) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {});
  // Faces with GPS, faces, GPS, then the rest in URL order.
  EXPECT_THAT(Urls(exposure),
              ElementsAre(kFaceGps, kFaces, kGps, kPlain, kNullIsland, kSkipped, kMissing));
  EXPECT_TRUE(exposure.images[0].has_faces());
  EXPECT_FALSE(exposure.images[2].has_faces());
  EXPECT_FALSE(exposure.images[5].has_faces());  // never fetched: no findings at all
}

TEST(BuildExposureTest, FoundOnListsEachPageOnce) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {});
  const std::vector<Appearance>& face_gps = Find(exposure, kFaceGps).found_on;
  ASSERT_EQ(face_gps.size(), 2u);
  EXPECT_EQ(face_gps[0].page_url, "https://example.org/");
  EXPECT_EQ(face_gps[0].page_title, "Home");
  EXPECT_EQ(face_gps[0].kind, "srcset");
  EXPECT_EQ(face_gps[0].alt, "Ann at the beach");  // taken from the src fallback
  EXPECT_EQ(face_gps[1].page_url, "https://example.org/team");
  EXPECT_EQ(face_gps[1].alt, "Ann");

  const std::vector<Appearance>& faces = Find(exposure, kFaces).found_on;
  ASSERT_EQ(faces.size(), 2u);
  EXPECT_EQ(faces[0].kind, "img");
  EXPECT_EQ(faces[1].kind, "css");
  EXPECT_EQ(Find(exposure, kPlain).found_on.size(), 1u);
  EXPECT_EQ(Find(exposure, kSkipped).found_on.size(), 1u);
}

// A face on a page whose schema.org markup says it is a preschool's is a
// possible minor, with the schema words as evidence; the same photo on an
// employer's page is not.
TEST(BuildExposureTest, SchemaHintsOfThePageAreMinorsEvidence) {
  store::RunContents contents = SampleContents();
  contents.pages[0].schema = {.types = {"https://schema.org/Preschool"}};
  contents.pages[2].schema = {.types = {"Corporation"}, .typical_age_range = "18-"};
  SiteExposure exposure = BuildExposure(contents, {});
  ASSERT_TRUE(exposure.summary.minors_lexicon_loaded);
  const MinorSignals& on_home = Find(exposure, kFaces).minors;
  EXPECT_TRUE(on_home.possible_minor);
  EXPECT_EQ(on_home.text_page, "https://example.org/");
  EXPECT_THAT(on_home.text_reason, HasSubstr("in schema"));
  std::vector<std::string> evidence;
  for (const detectors::TextEvidence& e : on_home.text) evidence.push_back(e.field + ": " + e.matched);
  EXPECT_THAT(evidence, ::testing::Contains("schema: Preschool"));
  EXPECT_FALSE(Find(exposure, kPlain).minors.possible_minor) << "no face, no flag";

  contents.pages[0].schema = {.types = {"Corporation"}};
  SiteExposure employer = BuildExposure(contents, {});
  EXPECT_FALSE(Find(employer, kFaces).minors.possible_minor) << Find(employer, kFaces).minors.text_reason;
}

TEST(BuildExposureTest, GpsIsRoundedToTwoDecimalsByDefault) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {});
  const ImageExposure& face_gps = Find(exposure, kFaceGps);
  ASSERT_TRUE(face_gps.gps.has_value());
  EXPECT_DOUBLE_EQ(face_gps.gps->lat, -33.86);
  EXPECT_DOUBLE_EQ(face_gps.gps->lon, 151.22);
  EXPECT_FALSE(face_gps.gps->alt_m.has_value());
  EXPECT_TRUE(face_gps.gps->rounded);
  const ImageExposure& gps = Find(exposure, kGps);
  ASSERT_TRUE(gps.gps.has_value());
  EXPECT_DOUBLE_EQ(gps.gps->lat, 48.86);
  EXPECT_DOUBLE_EQ(gps.gps->lon, 2.29);
  EXPECT_EQ(gps.gps->alt_m, 35.0);
  EXPECT_FALSE(Find(exposure, kPlain).gps.has_value());
}

TEST(BuildExposureTest, PreciseLocationsAreExact) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {.precise_locations = true});
  const ImageExposure& face_gps = Find(exposure, kFaceGps);
  ASSERT_TRUE(face_gps.gps.has_value());
  EXPECT_EQ(face_gps.gps->lat, -33.856784);
  EXPECT_EQ(face_gps.gps->lon, 151.215297);
  EXPECT_FALSE(face_gps.gps->rounded);
  EXPECT_EQ(Find(exposure, kGps).gps->alt_m, 35.4);
}

TEST(BuildExposureTest, InvalidGpsIsNoLocationButKeepsItsReason) {
  const store::RunContents contents = SampleContents();
  SiteExposure exposure = BuildExposure(contents, {});
  const ImageExposure& null_island = Find(exposure, kNullIsland);
  EXPECT_FALSE(null_island.gps.has_value());
  EXPECT_EQ(null_island.gps_invalid_reason, "(0,0) is a placeholder");
  EXPECT_EQ(Find(exposure, kGps).gps_invalid_reason, "");
}

TEST(BuildExposureTest, EmptyRunHasEmptySummary) {
  const store::RunContents contents;
  SiteExposure exposure = BuildExposure(contents, {});
  EXPECT_TRUE(exposure.images.empty());
  EXPECT_EQ(exposure.summary.images, 0);
  EXPECT_EQ(exposure.summary.data_uri_images, 0);
}

TEST(RenderTest, SameRunRendersSameBytes) {
  const store::RunContents contents = SampleContents();
  for (Format format : {Format::kJson, Format::kHtml, Format::kCsv, Format::kMarkdown}) {
    EXPECT_EQ(Render(contents, format, {}), Render(SampleContents(), format, {}));
  }
}

// Limits are counted by their config key; robots.txt refusals are the
// site's choice, not a limit of the audit.
TEST(LimitHitTest, NamesTheLimitFromTheSkipOrTheFetchError) {
  store::FetchEvidence ok;
  EXPECT_EQ(LimitHit("page", ok, "max_depth: more than 20 links from a seed"), "max_depth");
  EXPECT_EQ(LimitHit("page", ok, "max_urls_per_pattern: more than 100 pages"),
            "max_urls_per_pattern");
  EXPECT_EQ(LimitHit("page", ok, "robots: disallowed by robots.txt for scrapewatch"), "");
  EXPECT_EQ(LimitHit("image", {.error = "body exceeds the limit of 1024 bytes"}, ""),
            "max_image_bytes");
  EXPECT_EQ(LimitHit("page", {.error = "Timeout was reached"}, ""), "timeout");
  EXPECT_EQ(LimitHit("page", {.error = "Couldn't connect to server"}, ""), "");
  EXPECT_EQ(LimitHit("page", ok, ""), "");
}

TEST(RenderJsonTest, HasTheDocumentedShape) {
  const json report = json::parse(Render(SampleContents(), Format::kJson, {}));
  EXPECT_EQ(report.at("schema_version"), kReportSchemaVersion);
  EXPECT_EQ(report.at("tool"), (json{{"name", "scrapewatch"}, {"version", kToolVersion}}));
  EXPECT_EQ(report.at("site"), "https://example.org");
  const json& run = report.at("run");
  EXPECT_EQ(run.at("id"), "20251126T083000Z-3f2a");
  EXPECT_EQ(run.at("started_at"), "2025-11-26T08:30:00.123Z");
  EXPECT_EQ(run.at("finished_at"), "2025-11-26T08:31:00.456Z");
  EXPECT_EQ(run.at("seeds"), json::array({"https://example.org/"}));

  const json& pages = report.at("pages");
  EXPECT_EQ(pages.at("fetched"), 2);
  EXPECT_EQ(pages.at("disallowed_by_robots"), 1);
  ASSERT_EQ(pages.at("list").size(), 3u);
  EXPECT_EQ(pages.at("list")[0].at("images"), 5);
  EXPECT_TRUE(pages.at("list")[0].at("skipped_reason").is_null());
  EXPECT_EQ(pages.at("list")[0].at("fetch").at("sha256"), std::string(64, '1'));
  EXPECT_TRUE(pages.at("list")[1].at("fetch").is_null());
  EXPECT_EQ(pages.at("list")[1].at("skipped_reason"), "robots.txt");

  const json& images = report.at("images");
  ASSERT_EQ(images.size(), 7u);
  const json& first = images[0];
  EXPECT_EQ(first.at("url"), kFaceGps);
  EXPECT_EQ(first.at("faces").size(), 1u);
  EXPECT_EQ(first.at("gps"),
            (json{{"lat", -33.86}, {"lon", 151.22}, {"alt", nullptr}, {"rounded", true},
                  {"source", "exif"}, {"timestamp", ""}}));
  ASSERT_EQ(first.at("found_on").size(), 2u);
  EXPECT_EQ(
      first.at("found_on")[0],
      (json{{"page", "https://example.org/"},
            {"page_title", "Home"},
            {"alt", "Ann at the beach"},
            {"kind", "srcset"},
            {"caption", ""},
            {"nearby_text", ""},
            {"link", ""},
            {"names", json::array()}}));
  EXPECT_EQ(first.at("fetch").at("headers"),
            json::parse(R"([["content-type", "image/jpeg"], ["x-robots-tag", "noai"]])"));
  const json& null_island = images[4];
  EXPECT_EQ(null_island.at("url"), kNullIsland);
  EXPECT_TRUE(null_island.at("gps").is_null());
  EXPECT_EQ(null_island.at("gps_invalid_reason"), "(0,0) is a placeholder");
  const json& skipped = images[5];
  EXPECT_EQ(skipped.at("url"), kSkipped);
  EXPECT_TRUE(skipped.at("fetch").is_null());
  EXPECT_TRUE(skipped.at("sha256").is_null());
  EXPECT_EQ(skipped.at("error"), "not fetched: robots.txt");
  EXPECT_EQ(images[6].at("error"), "HTTP 404");

  EXPECT_EQ(report.at("robots").size(), 1u);
  EXPECT_EQ(report.at("summary"), (json{{"images", 7},
                                        {"images_analysed", 5},
                                        {"images_with_faces", 2},
                                        {"faces", 3},
                                        {"images_with_gps", 2},
                                        {"data_uri_images", 2},
                                        {"distinct_photos", 7},
                                        {"limits_hit", json::object()},
                                        {"images_possible_minor", 0},
                                        {"face_sizes", {{"48-95", 3}}},
                                        {"minors_lexicon_loaded", true},
                                        // Every sample image answers X-Robots-Tag: noai.
                                        {"harvestability", json::parse(R"([
      {"profile": "indiscriminate", "images": 5, "images_with_faces": 2},
      {"profile": "img2dataset-default", "images": 0, "images_with_faces": 0}])")}}));
}

// The same photo served under two URLs (a resized copy: pHash 2 bits apart)
// is one profile entry: each copy names the other and counts both pages.
TEST(BuildExposureTest, LinksNearDuplicatesAcrossUrlsAndPages) {
  store::RunContents contents = SampleContents();
  contents.images[2].findings->phash = "f0f0f0f0f0f0f0f0";  // kFaces, on both pages
  contents.images[0].findings->phash = "f0f0f0f0f0f0f0f3";  // kPlain, on the home page
  contents.images[1].findings->phash = "0f0f0f0f0f0f0f0f";  // kGps: a different photo
  contents.pages[0].images.pop_back();                       // kPlain now only on /team
  contents.pages[2].images.push_back({kPlain, "img", "", ""});
  SiteExposure exposure = BuildExposure(contents, {});
  auto find = [&](const std::string& url) -> const ImageExposure& {
    return *std::find_if(exposure.images.begin(), exposure.images.end(),
                         [&](const ImageExposure& i) { return i.record->fetch.url == url; });
  };
  EXPECT_THAT(find(kFaces).near_duplicates, ElementsAre(kPlain));
  EXPECT_THAT(find(kPlain).near_duplicates, ElementsAre(kFaces));
  EXPECT_EQ(find(kFaces).pages_with_photo, 2);
  EXPECT_EQ(find(kPlain).pages_with_photo, 2);
  EXPECT_TRUE(find(kGps).near_duplicates.empty());
  EXPECT_EQ(find(kGps).pages_with_photo, 1);
  EXPECT_EQ(exposure.summary.distinct_photos, 6);
}

TEST(RenderJsonTest, PreciseLocationsAreNotRounded) {
  const json report =
      json::parse(Render(SampleContents(), Format::kJson, {.precise_locations = true}));
  EXPECT_EQ(report.at("images")[0].at("gps"),
            (json{{"lat", -33.856784}, {"lon", 151.215297}, {"alt", nullptr}, {"rounded", false},
                  {"source", "exif"}, {"timestamp", ""}}));
}

TEST(RenderJsonTest, InvalidUtf8FromThePageStillParses) {
  store::RunContents contents = SampleContents();
  contents.pages[0].title = "Caf\xE9";
  contents.robots[0].body = "# \xFF\xFE\n";
  const json report = json::parse(Render(contents, Format::kJson, {}), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report.at("pages").at("list")[0].at("title"), "Caf\uFFFD");
}

TEST_F(ReportFileTest, JsonReportsMatchTheSchema) {
  EXPECT_EQ(SchemaErrors(Render(SampleContents(), Format::kJson, {})), "");
  EXPECT_EQ(SchemaErrors(Render(SampleContents(), Format::kJson, {.precise_locations = true})), "");
  // An interrupted run with nothing in it.
  store::RunContents empty;
  empty.run = {.site = "http://localhost:8080",
               .id = "20251126T083000Z-0000",
               .started_at = At(1764145800000)};
  EXPECT_EQ(SchemaErrors(Render(empty, Format::kJson, {})), "");
}

// The ensemble's faces say which backend's box and score they are; landmarks,
// face geometry the report does not need, never reach it.
TEST_F(ReportFileTest, EnsembleFacesNameTheirBackendAndNoLandmarks) {
  store::RunContents contents = SampleContents();
  for (store::ImageRecord& image : contents.images) {
    if (!image.findings) continue;
    image.findings->face_backend =
        "ensemble(yunet-2022mar(score=0.97,nms=0.3)+dlib-hog(threshold=0),fuse-iou=0.3)";
    for (size_t i = 0; i < image.findings->faces.size(); ++i) {
      image.findings->faces[i].backend = i == 0 ? "yunet" : "hog";
      image.findings->faces[i].landmarks = {{30, 40}, {60, 40}, {45, 60}, {35, 80}, {55, 80}};
    }
  }
  const std::string text = Render(contents, Format::kJson, {});
  EXPECT_EQ(SchemaErrors(text), "");
  const json report = json::parse(text);
  int faces = 0;
  for (const json& image : report.at("images")) {
    if (!image.contains("faces")) continue;
    for (size_t i = 0; i < image.at("faces").size(); ++i, ++faces) {
      EXPECT_EQ(image.at("faces")[i].at("backend"), i == 0 ? "yunet" : "hog");
      EXPECT_FALSE(image.at("faces")[i].contains("landmarks"));
    }
  }
  EXPECT_EQ(faces, 3);
}

TEST_F(ReportFileTest, SchemaValidationRejectsABrokenReport) {
  json report = json::parse(Render(SampleContents(), Format::kJson, {}));
  report["images"][0]["sha256"] = "not a hash";
  EXPECT_THAT(SchemaErrors(report.dump()), HasSubstr("sha256"));
}

// Text from a hostile page in every place HTML shows page-supplied text.
store::RunContents HostileContents() {
  store::RunContents contents = SampleContents();
  const std::string hostile = kHostile;
  contents.run.user_agent = hostile;
  contents.pages[0].title = hostile;
  contents.pages[0].images[1].alt = "x' onerror='alert(1)' " + hostile;
  store::ImageRecord& face_gps = contents.images[3];
  face_gps.findings->metadata.make = hostile;
  face_gps.findings->metadata.model = "\"><img src=x onerror=alert(1)>";
  contents.images[0].fetch.url = "https://example.org/" + hostile + ".jpg";
  contents.images[5].skipped_reason = hostile;
  contents.pages[2].fetch.url = "https://example.org/team?q=" + hostile;
  contents.images[1].findings->decode_error = hostile;
  return contents;
}

TEST(RenderHtmlTest, EscapesHostileText) {
  const std::string html = Render(HostileContents(), Format::kHtml, {});
  EXPECT_THAT(html, Not(HasSubstr(kHostile)));
  EXPECT_THAT(html, Not(HasSubstr("onerror='")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("https://example.org/&lt;script&gt;alert(1)&lt;/script&gt;.jpg"));
  EXPECT_THAT(html, HasSubstr("x&#39; onerror=&#39;alert(1)&#39; &lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("team?q=&lt;script&gt;"));
}

TEST(RenderHtmlTest, IsSelfContainedWithAStrictContentSecurityPolicy) {
  const std::string html = Render(SampleContents(), Format::kHtml, {});
  EXPECT_THAT(html, HasSubstr("<meta http-equiv='Content-Security-Policy' content=\"default-src "
                              "'none';"));
  // The policy comes first, before anything it governs.
  EXPECT_LT(html.find("Content-Security-Policy"), html.find("<style>"));
  for (const char* fetching : {"<script", "<link", "<img", "<iframe", "<object", "@import"}) {
    EXPECT_THAT(html, Not(HasSubstr(fetching)));
  }
  EXPECT_THAT(html, HasSubstr(kFaceGps));
  EXPECT_THAT(html, HasSubstr("GPS -33.86, 151.22"));
  EXPECT_THAT(html, Not(HasSubstr("-33.856784")));
}

// Splits RFC 4180 CSV into records of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') {
        records.back().back() += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        records.back().back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      records.emplace_back(1);
      ++i;
    } else {
      records.back().back() += c;
    }
  }
  if (records.back() == std::vector<std::string>(1)) records.pop_back();
  return records;
}

TEST(RenderCsvTest, OneQuotedRowPerImageInRiskOrder) {
  const std::string csv = Render(SampleContents(), Format::kCsv, {});
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "url,sha256,pages,faces,lat,lon,minor_signals,opt_out,harvestable_by,error");
  const std::vector<std::vector<std::string>> rows = ParseCsv(csv);
  ASSERT_EQ(rows.size(), 8u);
  for (const std::vector<std::string>& row : rows) EXPECT_EQ(row.size(), 10u);
  EXPECT_THAT(rows[1], ElementsAre(kFaceGps, std::string(64, 'd'),
                                   "https://example.org/ https://example.org/team", "1",
                                   "-33.86", "151.22", "", _, _, ""));
  EXPECT_THAT(rows[3], ElementsAre(kGps, std::string(64, 'b'), "https://example.org/team", "0",
                                   "48.86", "2.29", "", _, _, ""));
  EXPECT_EQ(rows[6][9], "robots.txt");
  EXPECT_EQ(rows[7][9], "HTTP 404");
  EXPECT_THAT(csv, HasSubstr("\"" + std::string(kFaceGps) + "\","));
}

TEST(RenderCsvTest, NeutralisesFormulasAndQuotesQuotes) {
  store::RunContents contents = SampleContents();
  contents.images[0].fetch.url = "=HYPERLINK(\"http://evil.example/\",\"click\")";
  contents.images[5].skipped_reason = "@SUM(A1:A9)";
  contents.images[6].fetch.error = "+cmd|' /C calc'!A0";
  contents.images[1].findings->decode_error = "-2+3";
  contents.images[4].findings->decode_error = "line one\r\nline \"two\", three";
  const std::string csv = Render(contents, Format::kCsv, {});
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\""));
  const std::vector<std::vector<std::string>> rows = ParseCsv(csv);
  ASSERT_EQ(rows.size(), 8u);
  std::vector<std::string> errors;
  for (const std::vector<std::string>& row : rows) {
    ASSERT_EQ(row.size(), 10u);
    // Text columns only: faces, lat and lon are numbers the tool writes, and a
    // negative coordinate must stay a number.
    for (size_t column : {0, 1, 2, 6, 7, 8, 9}) {
      const std::string& field = row[column];
      EXPECT_TRUE(field.empty() || std::string("=+-@").find(field[0]) == std::string::npos)
          << field;
    }
    errors.push_back(row[9]);
  }
  EXPECT_THAT(errors, ::testing::Contains("'@SUM(A1:A9)"));
  EXPECT_THAT(errors, ::testing::Contains("'+cmd|' /C calc'!A0"));
  EXPECT_THAT(errors, ::testing::Contains("'-2+3"));
  EXPECT_THAT(errors, ::testing::Contains("line one\r\nline \"two\", three"));
}

TEST(RenderCsvTest, PreciseLocationsKeepEveryDigit) {
  const std::vector<std::vector<std::string>> rows =
      ParseCsv(Render(SampleContents(), Format::kCsv, {.precise_locations = true}));
  ASSERT_GE(rows.size(), 2u);
  ASSERT_EQ(rows[1].size(), 10u);
  EXPECT_EQ(rows[1][4], "-33.856784");
  EXPECT_EQ(rows[1][5], "151.215297");
}

TEST(RenderMarkdownTest, EscapesPipesAndNewlinesInCells) {
  store::RunContents contents = SampleContents();
  const std::string piped = "https://example.org/a|b.jpg";
  contents.images[0].fetch.url = piped;
  contents.pages[0].images[4].image_url = piped;
  contents.pages[0].fetch.url = "https://example.org/?x=1|2";
  contents.images[1].fetch.url = "https://example.org/line\nbreak.jpg";
  const std::string markdown = Render(contents, Format::kMarkdown, {});
  EXPECT_THAT(markdown, HasSubstr("# scrapewatch report: https://example.org\n"));
  EXPECT_THAT(markdown, HasSubstr("| 2 | 7 | 2 | 3 | 2 | 0 |\n"));
  EXPECT_THAT(markdown, HasSubstr("| https://example.org/a\\|b.jpg | 0 |  | "
                                  "https://example.org/?x=1\\|2 |  |\n"));
  EXPECT_THAT(markdown, HasSubstr("| https://example.org/line break.jpg | 0 | 48.86,2.29 |"));
  // Every image row keeps its five cells once escaped pipes are discounted.
  std::istringstream lines(markdown);
  int image_rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| https://", 0) != 0) continue;
    ++image_rows;
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    }
    EXPECT_EQ(pipes, 6) << line;
  }
  EXPECT_EQ(image_rows, 7);
}

TEST(SiteDirectoryNameTest, IsFileSystemSafe) {
  EXPECT_EQ(SiteDirectoryName("https://example.org"), "example.org");
  EXPECT_EQ(SiteDirectoryName("http://example.org:8080"), "example.org_8080");
  EXPECT_EQ(SiteDirectoryName("https://Example.org:8443"), "Example.org_8443");
  EXPECT_EQ(SiteDirectoryName("http://[::1]:8080"), "___1__8080");
  EXPECT_EQ(SiteDirectoryName(""), "site");
  EXPECT_EQ(SiteDirectoryName("https://"), "site");
  for (const char* site :
       {"https://example.org", "http://[::1]:8080", "https://a/../../etc",
        "https://user:pw@host/x?y#z", "https://bücher.example", "/", "https://host\\..\\x"}) {
    std::string name = SiteDirectoryName(site);
    EXPECT_FALSE(name.empty()) << site;
    for (char c : name) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')
          << site << " -> " << name;
    }
  }
}

// libcurl accepts "https://.." and "https://." as URLs, so OriginOf can make
// them a site; as directory names they would put reports outside <out>/<site>.
TEST(SiteDirectoryNameTest, IsNeverADotDirectory) {
  for (const char* site : {"https://..", "https://.", "..", "."}) {
    std::string name = SiteDirectoryName(site);
    EXPECT_NE(name, ".") << site;
    EXPECT_NE(name, "..") << site;
  }
}

TEST_F(ReportFileTest, WriteFileAtomicallyCreatesParentsAndLeavesNoTemporary) {
  std::filesystem::path path = dir_ / "out" / "example.org" / "report.json";
  ASSERT_TRUE(WriteFileAtomically(path.string(), "first").ok());
  EXPECT_EQ(ReadFile(path), "first");
  ASSERT_TRUE(WriteFileAtomically(path.string(), "second, longer").ok());
  EXPECT_EQ(ReadFile(path), "second, longer");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(names, ElementsAre("report.json"));
}

TEST_F(ReportFileTest, WriteFileAtomicallyFailureNamesThePath) {
  std::ofstream(dir_ / "file") << "a file, not a directory";
  std::string path = (dir_ / "file" / "report.json").string();
  absl::Status status = WriteFileAtomically(path, "text");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(path));
}

TEST(ParseFormatTest, KnowsTheFourFormats) {
  EXPECT_EQ(ParseFormat("json").value(), Format::kJson);
  EXPECT_EQ(ParseFormat("html").value(), Format::kHtml);
  EXPECT_EQ(ParseFormat("csv").value(), Format::kCsv);
  EXPECT_EQ(ParseFormat("md").value(), Format::kMarkdown);
  for (const char* name : {"", "JSON", "markdown", "pdf", "json "}) {
    absl::StatusOr<Format> format = ParseFormat(name);
    ASSERT_FALSE(format.ok()) << name;
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(format.status().message()), HasSubstr("'" + std::string(name) + "'"));
  }
}

}  // namespace
}  // namespace scrapewatch::reports
