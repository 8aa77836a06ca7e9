// Tests store/store.h, store/records.h and store/record_codec.h against a real
// RocksDB in a temporary directory: runs, pages, images (with findings) and
// robots.txt survive closing and reopening the store field by field, except
// face landmarks, which are never stored; runs are listed per site, oldest
// first, without mixing sites that are prefixes of each other; unknown schema
// versions and corrupt records are DataLoss, never a crash; invalid UTF-8 from
// the web is stored; timestamps keep milliseconds.
#include "store/store.h"

#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "store/record_codec.h"
#include "store/records.h"

namespace scrapewatch::store {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Millisecond-aligned, as the store keeps milliseconds.
absl::Time At(int64_t unix_millis) { return absl::FromUnixMillis(unix_millis); }
constexpr int64_t kStart = 1764145800123;  // 2025-11-26T08:30:00.123Z

RunRecord SampleRun(const std::string& site, absl::Time started_at) {
  return RunRecord{.site = site,
                   .seeds = {site + "/", site + "/gallery"},
                   .tool_version = "0.1.0",
                   .user_agent = "scrapewatch/0.1.0 (+https://github.com/scrapewatch/scrapewatch)",
                   .robots_token = "scrapewatch",
                   .started_at = started_at};
}

FetchEvidence SampleFetch(const std::string& url, int64_t millis) {
  return FetchEvidence{.url = url,
                       .final_url = url + "?redirected=1",
                       .http_status = 200,
                       .headers = {{"content-type", "text/html"},
                                   {"x-robots-tag", "noimageindex"},
                                   {"x-robots-tag", "noai"}},
                       .body_sha256 = std::string(64, 'a'),
                       .body_bytes = 12345,
                       .fetched_at = At(millis)};
}

detectors::ImageFindings FindingsWithFacesAndGps() {
  detectors::ImageFindings findings{
      .sha256 = std::string(64, 'b'),
      .byte_size = 98765,
      .format = "jpeg",
      .width = 1024,
      .height = 768,
      .faces = {{.x = 10, .y = 20, .w = 100, .h = 120, .score = 1.25, .backend = "hog"},
                {.x = 400,
                 .y = 30,
                 .w = 90,
                 .h = 90,
                 .score = 0.125,
                 .landmarks = {{420, 60}, {460, 60}, {440, 80}, {425, 100}, {455, 100}}}},
      .face_backend = "dlib-hog(threshold=0)",
  };
  findings.metadata = {
      .gps = detectors::GeoLocation{.latitude = 48.858370,
                                    .longitude = -2.294481,
                                    .altitude_m = -12.5,
                                    .valid = true,
                                    .source = "exif+xmp",
                                    .gps_timestamp = "2025:06:01 12:34:56"},
      .make = "Canon",
      .model = "EOS 5D",
      .datetime_original = "2025:06:01 14:34:56",
      .body_serial_number = "123456",
      .artist = "Ann Example",
      .copyright = "(c) Ann",
      .owner_name = "Ann",
      .city = "Paris",
      .sublocation = "Champ de Mars",
      .state = "IDF",
      .country = "France",
      .pixel_width = 1024,
      .pixel_height = 768,
  };
  return findings;
}

void ExpectSameFetch(const FetchEvidence& want, const FetchEvidence& got) {
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.final_url, want.final_url);
  EXPECT_EQ(got.http_status, want.http_status);
  EXPECT_EQ(got.headers, want.headers);
  EXPECT_EQ(got.body_sha256, want.body_sha256);
  EXPECT_EQ(got.body_bytes, want.body_bytes);
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.fetched_at, want.fetched_at);
}

void ExpectSameRun(const RunRecord& want, const RunRecord& got) {
  EXPECT_EQ(got.site, want.site);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.seeds, want.seeds);
  EXPECT_EQ(got.tool_version, want.tool_version);
  EXPECT_EQ(got.user_agent, want.user_agent);
  EXPECT_EQ(got.robots_token, want.robots_token);
  EXPECT_EQ(got.started_at, want.started_at);
  EXPECT_EQ(got.finished_at, want.finished_at);
  EXPECT_EQ(got.pages_discovered, want.pages_discovered);
  EXPECT_EQ(got.pages_fetched, want.pages_fetched);
  EXPECT_EQ(got.pages_disallowed, want.pages_disallowed);
  EXPECT_EQ(got.pages_errors, want.pages_errors);
}

void ExpectSamePage(const PageRecord& want, const PageRecord& got) {
  ExpectSameFetch(want.fetch, got.fetch);
  EXPECT_EQ(got.skipped_reason, want.skipped_reason);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.meta_robots, want.meta_robots);
  ASSERT_EQ(got.images.size(), want.images.size());
  for (size_t i = 0; i < want.images.size(); ++i) {
    EXPECT_EQ(got.images[i].image_url, want.images[i].image_url);
    EXPECT_EQ(got.images[i].kind, want.images[i].kind);
    EXPECT_EQ(got.images[i].alt, want.images[i].alt);
    EXPECT_EQ(got.images[i].title, want.images[i].title);
  }
  EXPECT_EQ(got.people, want.people);
  EXPECT_EQ(got.schema.types, want.schema.types);
  EXPECT_EQ(got.schema.typical_age_range, want.schema.typical_age_range);
  EXPECT_EQ(got.schema.suggested_min_age, want.schema.suggested_min_age);
  EXPECT_EQ(got.schema.suggested_max_age, want.schema.suggested_max_age);
  EXPECT_EQ(got.schema.audience_types, want.schema.audience_types);
}

void ExpectSameGps(const detectors::GeoLocation& want, const detectors::GeoLocation& got) {
  EXPECT_EQ(got.latitude, want.latitude);
  EXPECT_EQ(got.longitude, want.longitude);
  EXPECT_EQ(got.altitude_m, want.altitude_m);
  EXPECT_EQ(got.valid, want.valid);
  EXPECT_EQ(got.invalid_reason, want.invalid_reason);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.gps_timestamp, want.gps_timestamp);
}

void ExpectSameFindings(const detectors::ImageFindings& want, const detectors::ImageFindings& got) {
  EXPECT_EQ(got.sha256, want.sha256);
  EXPECT_EQ(got.byte_size, want.byte_size);
  EXPECT_EQ(got.format, want.format);
  EXPECT_EQ(got.width, want.width);
  EXPECT_EQ(got.height, want.height);
  EXPECT_EQ(got.decode_error, want.decode_error);
  ASSERT_EQ(got.faces.size(), want.faces.size());
  for (size_t i = 0; i < want.faces.size(); ++i) {
    EXPECT_EQ(got.faces[i].x, want.faces[i].x);
    EXPECT_EQ(got.faces[i].y, want.faces[i].y);
    EXPECT_EQ(got.faces[i].w, want.faces[i].w);
    EXPECT_EQ(got.faces[i].h, want.faces[i].h);
    EXPECT_EQ(got.faces[i].score, want.faces[i].score);
    EXPECT_EQ(got.faces[i].backend, want.faces[i].backend);
    // Face geometry is not stored (data minimisation).
    EXPECT_THAT(got.faces[i].landmarks, ::testing::IsEmpty());
  }
  EXPECT_EQ(got.face_backend, want.face_backend);
  const detectors::ImageMetadata& m = want.metadata;
  const detectors::ImageMetadata& g = got.metadata;
  ASSERT_EQ(g.gps.has_value(), m.gps.has_value());
  if (m.gps) ExpectSameGps(*m.gps, *g.gps);
  EXPECT_EQ(g.make, m.make);
  EXPECT_EQ(g.model, m.model);
  EXPECT_EQ(g.datetime_original, m.datetime_original);
  EXPECT_EQ(g.body_serial_number, m.body_serial_number);
  EXPECT_EQ(g.artist, m.artist);
  EXPECT_EQ(g.copyright, m.copyright);
  EXPECT_EQ(g.owner_name, m.owner_name);
  EXPECT_EQ(g.city, m.city);
  EXPECT_EQ(g.sublocation, m.sublocation);
  EXPECT_EQ(g.state, m.state);
  EXPECT_EQ(g.country, m.country);
  EXPECT_EQ(g.pixel_width, m.pixel_width);
  EXPECT_EQ(g.pixel_height, m.pixel_height);
  EXPECT_EQ(got.metadata_error, want.metadata_error);
}

void ExpectSameImage(const ImageRecord& want, const ImageRecord& got) {
  ExpectSameFetch(want.fetch, got.fetch);
  EXPECT_EQ(got.skipped_reason, want.skipped_reason);
  ASSERT_EQ(got.findings.has_value(), want.findings.has_value());
  if (want.findings) ExpectSameFindings(*want.findings, *got.findings);
}

void ExpectSameRobots(const RobotsRecord& want, const RobotsRecord& got) {
  EXPECT_EQ(got.origin, want.origin);
  ExpectSameFetch(want.fetch, got.fetch);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.policy, want.policy);
}

// A store directory of its own for each test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store_test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    OpenStore();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  void Reopen() {
    store_.reset();
    OpenStore();
  }

  RunRecord Begin(const std::string& site, absl::Time started_at) {
    absl::StatusOr<RunRecord> run = store_->BeginRun(SampleRun(site, started_at));
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : RunRecord{};
  }

  // Writes `value` under `key` in column family `family`, bypassing the
  // Store, as a damaged store or one written by a newer release would hold it.
  void WriteRaw(const std::string& family, const std::string& key, const std::string& value) {
    store_.reset();
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* target = nullptr;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == family) target = handles[i];
    }
    EXPECT_NE(target, nullptr) << family;
    if (target) {
      EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), target, key, value).ok());
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    db.reset();
    OpenStore();
  }

  // The key layout documented in store.h: "<site>\0<run id>[\0<url>]".
  static std::string Key(const RunRecord& run, const std::string& url = "") {
    std::string key = run.site + std::string(1, '\0') + run.id;
    return url.empty() ? key : key + std::string(1, '\0') + url;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, BeginRunAssignsSortableIdFromStartTime) {
  RunRecord run = Begin("https://example.org", At(kStart));
  EXPECT_THAT(run.id, MatchesRegex("20251126T083000\\.123Z-[0-9a-f]{4}"));
  EXPECT_EQ(run.site, "https://example.org");
  EXPECT_EQ(run.started_at, At(kStart));
}

TEST_F(StoreTest, DeleteRunRemovesTheRunAndItsRecordsOnly) {
  RunRecord old_run = Begin("https://example.org", At(kStart));
  RunRecord new_run = Begin("https://example.org", At(kStart + 86'400'000));
  for (const RunRecord& run : {old_run, new_run}) {
    ASSERT_TRUE(store_->PutPage(run, {.fetch = SampleFetch("https://example.org/", kStart)}).ok());
    ASSERT_TRUE(store_->PutImage(run, {.fetch = SampleFetch("https://example.org/a.jpg", kStart)})
                    .ok());
  }
  ASSERT_TRUE(store_->DeleteRun(old_run).ok());
  Reopen();
  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("https://example.org");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, new_run.id);
  EXPECT_TRUE(absl::IsNotFound(store_->ReadRun(old_run.site, old_run.id).status()));
  absl::StatusOr<RunContents> kept = store_->ReadRun(new_run.site, new_run.id);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->pages.size(), 1u);
  EXPECT_EQ(kept->images.size(), 1u);
}

// Shards audit disjoint sites into their own stores; merging them gives one
// store with every run, and merging again changes nothing.
TEST_F(StoreTest, MergeFromCopiesEveryRunOfAnotherStoreOnce) {
  RunRecord mine = Begin("https://a.example", At(kStart));
  ASSERT_TRUE(store_->PutPage(mine, {.fetch = SampleFetch("https://a.example/", kStart)}).ok());
  std::filesystem::path other_dir = dir_.string() + "-other";
  std::filesystem::remove_all(other_dir);
  RunRecord theirs;
  {
    std::unique_ptr<Store> other = *Store::Open(other_dir.string());
    theirs = *other->BeginRun(SampleRun("https://b.example", At(kStart + 5)));
    ASSERT_TRUE(other->PutPage(theirs, {.fetch = SampleFetch("https://b.example/", kStart)}).ok());
    ASSERT_TRUE(other->PutImage(theirs, {.fetch = SampleFetch("https://b.example/x.jpg", kStart)})
                    .ok());
  }
  std::unique_ptr<Store> other = *Store::OpenReadOnly(other_dir.string());
  ASSERT_TRUE(store_->MergeFrom(*other).ok());
  ASSERT_TRUE(store_->MergeFrom(*other).ok());
  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  absl::StatusOr<RunContents> copied = store_->ReadRun(theirs.site, theirs.id);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->pages.size(), 1u);
  EXPECT_EQ(copied->images.size(), 1u);
  other.reset();
  std::filesystem::remove_all(other_dir);
}

TEST_F(StoreTest, ReadOnlyOpenWorksWhileAnotherHandleHoldsTheLock) {
  RunRecord run = Begin("https://a.example", At(kStart));
  absl::StatusOr<std::unique_ptr<Store>> reader = Store::OpenReadOnly(dir_.string());
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<std::vector<RunRecord>> runs = (*reader)->ListRuns("");
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 1u);
  EXPECT_FALSE((*reader)->PutPage(run, {.fetch = SampleFetch("https://a.example/", kStart)}).ok());
  EXPECT_TRUE(absl::IsNotFound(Store::OpenReadOnly(dir_.string() + "-absent").status()));
}

// A killed run and a --fresh one begun in the same second must still list
// oldest first, since commands default to the latest run.
TEST_F(StoreTest, RunsBegunWithinOneSecondListInTheOrderTheyBegan) {
  for (int i = 0; i < 20; ++i) {
    RunRecord first = Begin("https://example.org", At(kStart + 1000 * i + 1));
    RunRecord second = Begin("https://example.org", At(kStart + 1000 * i + 2));
    absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("https://example.org");
    ASSERT_TRUE(runs.ok());
    ASSERT_GE(runs->size(), 2u);
    EXPECT_EQ((*runs)[runs->size() - 2].id, first.id);
    EXPECT_EQ(runs->back().id, second.id);
  }
}

TEST_F(StoreTest, EverythingWrittenReadsBackEqualAfterReopening) {
  RunRecord run = Begin("https://example.org", At(kStart));
  run.finished_at = At(kStart + 61'001);
  run.pages_discovered = 12;
  run.pages_fetched = 9;
  run.pages_disallowed = 2;
  run.pages_errors = 1;
  ASSERT_TRUE(store_->UpdateRun(run).ok());

  PageRecord home{.fetch = SampleFetch("https://example.org/", kStart + 1),
                  .title = "Home – Café",
                  .meta_robots = {"noimageindex", "noai"},
                  .images = {{"https://example.org/a.jpg", "img", "Ann at the beach", "Ann"},
                             {"https://example.org/a@2x.jpg", "srcset", "", ""},
                             {"data:image/png", "img", "pixel", ""}},
                  .people = {"Ann Example"},
                  .schema = {.types = {"ElementarySchool", "https://schema.org/Event"},
                             .typical_age_range = "6-11",
                             .suggested_min_age = "6",
                             .suggested_max_age = "11.5",
                             .audience_types = {"children"}}};
  PageRecord skipped{.fetch = {.url = "https://example.org/private/", .fetched_at = At(kStart + 2)},
                     .skipped_reason = "robots.txt"};
  PageRecord broken = {.fetch = SampleFetch("https://example.org/broken", kStart + 3)};
  broken.fetch.http_status = 0;
  broken.fetch.error = "Timeout was reached";

  ImageRecord analysed{.fetch = SampleFetch("https://example.org/a.jpg", kStart + 4),
                       .findings = FindingsWithFacesAndGps()};
  ImageRecord invalid_gps{
      .fetch = SampleFetch("https://example.org/b.jpg", kStart + 5),
      .findings = detectors::ImageFindings{
          .sha256 = std::string(64, 'c'),
          .format = "png",
          .decode_error = "truncated",
          .metadata = {.gps = detectors::GeoLocation{.valid = false,
                                                     .invalid_reason = "(0,0) null island",
                                                     .source = "exif"}},
          .metadata_error = "bad IFD"}};
  ImageRecord not_fetched{
      .fetch = {.url = "https://example.org/c.jpg", .fetched_at = At(kStart + 6)},
      .skipped_reason = "robots.txt"};
  RobotsRecord robots{.origin = "https://example.org",
                      .fetch = SampleFetch("https://example.org/robots.txt", kStart + 7),
                      .body = "User-agent: *\nDisallow: /private/\n",
                      .policy = "parsed"};
  RobotsRecord cdn_robots{.origin = "https://cdn.example.org",
                          .fetch = SampleFetch("https://cdn.example.org/robots.txt", kStart + 8),
                          .policy = "allow_all"};
  cdn_robots.fetch.http_status = 404;

  // Written out of order: reads come back ordered by URL / origin.
  ASSERT_TRUE(store_->PutPage(run, skipped).ok());
  ASSERT_TRUE(store_->PutPage(run, home).ok());
  ASSERT_TRUE(store_->PutPage(run, broken).ok());
  ASSERT_TRUE(store_->PutImage(run, not_fetched).ok());
  ASSERT_TRUE(store_->PutImage(run, invalid_gps).ok());
  ASSERT_TRUE(store_->PutImage(run, analysed).ok());
  ASSERT_TRUE(store_->PutRobots(run, robots).ok());
  ASSERT_TRUE(store_->PutRobots(run, cdn_robots).ok());
  ResourceRecord sitemap{.kind = "sitemap",
                         .fetch = SampleFetch("https://example.org/sitemap.xml", kStart + 9),
                        .pages_listed = 12,
                        .images_listed = 3,
                        .sitemaps_listed = 1,
                        .warnings = {"2 invalid URLs skipped"}};
  ASSERT_TRUE(store_->PutResource(run, sitemap).ok());

  Reopen();
  absl::StatusOr<RunContents> contents = store_->ReadRun(run.site, run.id);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ExpectSameRun(run, contents->run);
  ASSERT_EQ(contents->pages.size(), 3u);
  ExpectSamePage(home, contents->pages[0]);
  ExpectSamePage(broken, contents->pages[1]);
  ExpectSamePage(skipped, contents->pages[2]);
  ASSERT_EQ(contents->images.size(), 3u);
  ExpectSameImage(analysed, contents->images[0]);
  ExpectSameImage(invalid_gps, contents->images[1]);
  ExpectSameImage(not_fetched, contents->images[2]);
  ASSERT_EQ(contents->robots.size(), 2u);
  ExpectSameRobots(cdn_robots, contents->robots[0]);
  ExpectSameRobots(robots, contents->robots[1]);
  ASSERT_EQ(contents->resources.size(), 1u);
  EXPECT_EQ(contents->resources[0].kind, "sitemap");
  EXPECT_EQ(contents->resources[0].fetch.url, sitemap.fetch.url);
  EXPECT_EQ(contents->resources[0].pages_listed, 12);
  EXPECT_EQ(contents->resources[0].images_listed, 3);
  EXPECT_EQ(contents->resources[0].sitemaps_listed, 1);
  EXPECT_EQ(contents->resources[0].warnings, sitemap.warnings);
}

TEST_F(StoreTest, RunsOfASiteAreListedOldestFirstAndAllKept) {
  RunRecord older = Begin("https://example.org", At(kStart));
  RunRecord newer = Begin("https://example.org", At(kStart + 86'400'000));
  ASSERT_TRUE(store_->PutPage(older, {.fetch = SampleFetch("https://example.org/", kStart)}).ok());
  ASSERT_TRUE(
      store_->PutPage(newer, {.fetch = SampleFetch("https://example.org/new", kStart)}).ok());
  Reopen();

  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("https://example.org");
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 2u);
  ExpectSameRun(older, (*runs)[0]);
  ExpectSameRun(newer, (*runs)[1]);

  // The earlier run's records are untouched by the later one.
  absl::StatusOr<RunContents> first = store_->ReadRun(older.site, older.id);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->pages.size(), 1u);
  EXPECT_EQ(first->pages[0].fetch.url, "https://example.org/");
  absl::StatusOr<RunContents> second = store_->ReadRun(newer.site, newer.id);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->pages.size(), 1u);
  EXPECT_EQ(second->pages[0].fetch.url, "https://example.org/new");
}

TEST_F(StoreTest, EmptySiteListsEverySite) {
  Begin("https://b.example", At(kStart));
  Begin("https://a.example", At(kStart + 1000));
  Begin("https://a.example", At(kStart + 2000));
  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("");
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].site, "https://a.example");
  EXPECT_EQ((*runs)[1].site, "https://a.example");
  EXPECT_EQ((*runs)[2].site, "https://b.example");
  absl::StatusOr<std::vector<RunRecord>> none = store_->ListRuns("https://c.example");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, SitesThatArePrefixesOfEachOtherDoNotMix) {
  RunRecord plain = Begin("http://a", At(kStart));
  RunRecord port = Begin("http://a:8080", At(kStart));
  ASSERT_TRUE(store_->PutPage(plain, {.fetch = SampleFetch("http://a/", kStart)}).ok());
  ASSERT_TRUE(store_->PutPage(port, {.fetch = SampleFetch("http://a:8080/", kStart)}).ok());
  ASSERT_TRUE(store_->PutImage(port, {.fetch = SampleFetch("http://a:8080/p.jpg", kStart)}).ok());

  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("http://a");
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].id, plain.id);

  absl::StatusOr<RunContents> contents = store_->ReadRun("http://a", plain.id);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(contents->pages.size(), 1u);
  EXPECT_EQ(contents->pages[0].fetch.url, "http://a/");
  EXPECT_TRUE(contents->images.empty());

  // A run id is only found under its own site.
  EXPECT_EQ(store_->ReadRun("http://a", port.id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, UnknownRunIsNotFound) {
  Begin("https://example.org", At(kStart));
  absl::StatusOr<RunContents> contents =
      store_->ReadRun("https://example.org", "20000101T000000Z-0000");
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(contents.status().message()), HasSubstr("20000101T000000Z-0000"));
  EXPECT_THAT(std::string(contents.status().message()), HasSubstr(dir_.string()));
}

TEST_F(StoreTest, ImageWithoutFindingsReadsBackWithoutFindings) {
  RunRecord run = Begin("https://example.org", At(kStart));
  ImageRecord with{.fetch = SampleFetch("https://example.org/a.jpg", kStart),
                   .findings = FindingsWithFacesAndGps()};
  ASSERT_TRUE(store_->PutImage(run, with).ok());
  // Re-putting the image without findings rewrites the record only.
  ImageRecord error{.fetch = SampleFetch("https://example.org/b.jpg", kStart)};
  error.fetch.http_status = 404;
  error.fetch.error = "HTTP 404";
  ASSERT_TRUE(store_->PutImage(run, error).ok());
  absl::StatusOr<RunContents> contents = store_->ReadRun(run.site, run.id);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(contents->images.size(), 2u);
  EXPECT_TRUE(contents->images[0].findings.has_value());
  EXPECT_FALSE(contents->images[1].findings.has_value());
  ExpectSameImage(error, contents->images[1]);
}

TEST_F(StoreTest, InvalidUtf8IsStoredWithoutFailing) {
  RunRecord run = Begin("https://example.org", At(kStart));
  PageRecord page{.fetch = SampleFetch("https://example.org/", kStart),
                  .title = "Caf\xE9 \xFF\xFE ok",
                  .images = {{"https://example.org/a.jpg", "img", "alt \xC3", ""}}};
  RobotsRecord robots{.origin = "https://example.org",
                      .fetch = SampleFetch("https://example.org/robots.txt", kStart),
                      .body = "User-agent: *\n# \x80\x81\nDisallow: /x\n",
                      .policy = "parsed"};
  ASSERT_TRUE(store_->PutPage(run, page).ok());
  ASSERT_TRUE(store_->PutRobots(run, robots).ok());
  Reopen();
  absl::StatusOr<RunContents> contents = store_->ReadRun(run.site, run.id);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(contents->pages.size(), 1u);
  // Each invalid byte becomes U+FFFD; the valid text around it is kept.
  EXPECT_EQ(contents->pages[0].title, "Caf\uFFFD \uFFFD\uFFFD ok");
  ASSERT_EQ(contents->pages[0].images.size(), 1u);
  EXPECT_EQ(contents->pages[0].images[0].alt, "alt \uFFFD");
  ASSERT_EQ(contents->robots.size(), 1u);
  EXPECT_EQ(contents->robots[0].body, "User-agent: *\n# \uFFFD\uFFFD\nDisallow: /x\n");
}

TEST_F(StoreTest, RunRecordOfAnotherSchemaVersionIsDataLoss) {
  RunRecord run = Begin("https://example.org", At(kStart));
  json newer = json::parse(EncodeRun(run));
  newer["schema_version"] = kRecordSchema + 1;
  WriteRaw("runs", Key(run), newer.dump());

  absl::StatusOr<RunContents> contents = store_->ReadRun(run.site, run.id);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(contents.status().message()), HasSubstr("schema_version " + std::to_string(kRecordSchema + 1)));

  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns(run.site);
  ASSERT_FALSE(runs.ok());
  EXPECT_EQ(runs.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(runs.status().message()), HasSubstr("schema_version " + std::to_string(kRecordSchema + 1)));
  EXPECT_THAT(std::string(runs.status().message()), HasSubstr(dir_.string()));
}

TEST_F(StoreTest, CorruptRecordsAreDataLossNotACrash) {
  RunRecord run = Begin("https://example.org", At(kStart));
  RunRecord other = Begin("https://other.example", At(kStart));
  ASSERT_TRUE(store_
                  ->PutImage(other, {.fetch = SampleFetch("https://other.example/a.jpg", kStart),
                                     .findings = FindingsWithFacesAndGps()})
                  .ok());
  WriteRaw("runs", Key(run), "{\"schema_version\": " + std::to_string(kRecordSchema) + ", \"site\": ");
  WriteRaw("findings", Key(other, "https://other.example/a.jpg"), "\xFF not json");

  absl::StatusOr<RunContents> contents = store_->ReadRun(run.site, run.id);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kDataLoss);
  absl::StatusOr<std::vector<RunRecord>> runs = store_->ListRuns("");
  ASSERT_FALSE(runs.ok());
  EXPECT_EQ(runs.status().code(), absl::StatusCode::kDataLoss);
  absl::StatusOr<RunContents> findings = store_->ReadRun(other.site, other.id);
  ASSERT_FALSE(findings.ok());
  EXPECT_EQ(findings.status().code(), absl::StatusCode::kDataLoss);
}

// store.h: "every method returns a Status naming the store path and the key".
TEST_F(StoreTest, ReadRunDecodeErrorsNameTheStore) {
  RunRecord run = Begin("https://example.org", At(kStart));
  RunRecord other = Begin("https://other.example", At(kStart));
  ASSERT_TRUE(store_
                  ->PutImage(other, {.fetch = SampleFetch("https://other.example/a.jpg", kStart),
                                     .findings = FindingsWithFacesAndGps()})
                  .ok());
  json newer = json::parse(EncodeRun(run));
  newer["schema_version"] = kRecordSchema + 1;
  WriteRaw("runs", Key(run), newer.dump());
  WriteRaw("findings", Key(other, "https://other.example/a.jpg"), "{}");

  for (const RunRecord* damaged : {&run, &other}) {
    absl::Status status = store_->ReadRun(damaged->site, damaged->id).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(status.message()), HasSubstr(dir_.string())) << damaged->site;
  }
}

// Each decoder refuses a record of another schema version, naming it.
TEST(RecordCodecTest, OtherSchemaVersionsAreDataLossNamingTheVersion) {
  const RunRecord run = SampleRun("https://example.org", At(kStart));
  const PageRecord page{.fetch = SampleFetch("https://example.org/", kStart)};
  const ImageRecord image{.fetch = SampleFetch("https://example.org/a.jpg", kStart)};
  const RobotsRecord robots{.origin = "https://example.org",
                            .fetch = SampleFetch("https://example.org/robots.txt", kStart)};
  struct Case {
    std::string encoded;
    std::function<absl::Status(const std::string&)> decode;
  };
  const Case cases[] = {
      {EncodeRun(run), [](const std::string& v) { return DecodeRun(v).status(); }},
      {EncodePage(page), [](const std::string& v) { return DecodePage(v).status(); }},
      {EncodeImage(image), [](const std::string& v) { return DecodeImage(v).status(); }},
      {EncodeFindings(FindingsWithFacesAndGps()),
       [](const std::string& v) { return DecodeFindings(v).status(); }},
      {EncodeRobots(robots), [](const std::string& v) { return DecodeRobots(v).status(); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.encoded);
    EXPECT_TRUE(c.decode(c.encoded).ok()) << c.decode(c.encoded);
    json edited = json::parse(c.encoded);
    EXPECT_EQ(edited.at("schema_version"), kRecordSchema);
    for (int version : {0, kRecordSchema - 1, kRecordSchema + 1, 17}) {
      edited["schema_version"] = version;
      absl::Status status = c.decode(edited.dump());
      EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(std::string(status.message()),
                  HasSubstr("schema_version " + std::to_string(version)));
    }
    edited.erase("schema_version");
    EXPECT_EQ(c.decode(edited.dump()).code(), absl::StatusCode::kDataLoss);
  }
}

// Stores written before pages kept their schema.org hints still read: the
// hints are then empty, which only means no schema signal for minors.
TEST(RecordCodecTest, PagesWithoutSchemaHintsDecodeWithEmptyHints) {
  PageRecord page{.fetch = SampleFetch("https://example.org/", kStart),
                  .schema = {.types = {"ChildCare"}, .typical_age_range = "0-6"}};
  json encoded = json::parse(EncodePage(page));
  ASSERT_TRUE(encoded.contains("schema"));
  encoded.erase("schema");
  absl::StatusOr<PageRecord> decoded = DecodePage(encoded.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->schema.types.empty());
  EXPECT_EQ(decoded->schema.typical_age_range, "");
  encoded["schema"] = {{"types", "ChildCare"}};
  EXPECT_EQ(DecodePage(encoded.dump()).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, CorruptOrIncompleteRecordsAreDataLoss) {
  const std::string good = EncodeRun(SampleRun("https://example.org", At(kStart)));
  ASSERT_TRUE(DecodeRun(good).ok());
  json missing_field = json::parse(good);
  missing_field.erase("seeds");
  json wrong_type = json::parse(good);
  wrong_type["pages_fetched"] = "many";
  json bad_time = json::parse(good);
  bad_time["started_at"] = "yesterday";
  json version_as_text = json::parse(good);
  version_as_text["schema_version"] = std::to_string(kRecordSchema);
  for (const std::string& value :
       {std::string(), std::string("not json"), good.substr(0, good.size() / 2),
        std::string("[1, 2, 3]"), std::string("null"), missing_field.dump(), wrong_type.dump(),
        bad_time.dump(), version_as_text.dump()}) {
    SCOPED_TRACE(value);
    absl::StatusOr<RunRecord> run = DecodeRun(value);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_EQ(DecodeFindings("{\"schema_version\": " + std::to_string(kRecordSchema) + "}").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodePage("\xFF\xFE").status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, TimestampsRoundTripWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(At(kStart)), "2025-11-26T08:30:00.123Z");
  EXPECT_EQ(FormatTimestamp(absl::UnixEpoch()), "1970-01-01T00:00:00.000Z");
  // Below a millisecond is cut, not rounded.
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMicros(kStart * 1000 + 999)), "2025-11-26T08:30:00.123Z");
  for (int64_t millis : {int64_t{0}, int64_t{1}, kStart, kStart + 877, int64_t{4102444799999}}) {
    absl::StatusOr<absl::Time> parsed = ParseTimestamp(FormatTimestamp(At(millis)));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, At(millis));
  }
  absl::StatusOr<absl::Time> whole_seconds = ParseTimestamp("2025-11-26T08:30:00Z");
  ASSERT_TRUE(whole_seconds.ok()) << whole_seconds.status();
  EXPECT_EQ(*whole_seconds, At(kStart - 123));
  for (const char* bad : {"", "2025-11-26 08:30:00Z", "2025-11-26T08:30:00.123", "yesterday"}) {
    EXPECT_EQ(ParseTimestamp(bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

// One process at a time: a second Open of the same store fails at once and
// names the holder's PID; closing the first lets the next one in.
TEST_F(StoreTest, SecondOpenIsRefusedNamingTheHolder) {
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir_.string());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("in use by another scrapewatch process (PID " + std::to_string(getpid()) +
                        ")"));
  store_.reset();
  absl::StatusOr<std::unique_ptr<Store>> third = Store::Open(dir_.string());
  EXPECT_TRUE(third.ok()) << third.status();
}

// `status` asks who holds the lock without taking it, so an audit starting
// while `status` looks never finds the store busy.
TEST_F(StoreTest, LockHolderOnlyAsks) {
  absl::StatusOr<std::optional<std::string>> holder = Store::LockHolder(dir_.string());
  ASSERT_TRUE(holder.ok()) << holder.status();
  ASSERT_TRUE(holder->has_value());
  EXPECT_THAT(**holder, HasSubstr("(PID " + std::to_string(getpid()) + ")"));
  store_.reset();
  holder = Store::LockHolder(dir_.string());
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_FALSE(holder->has_value()) << **holder;
  absl::StatusOr<std::unique_ptr<Store>> reopened = Store::Open(dir_.string());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Store::LockHolder(dir_.string()).ok());
    EXPECT_TRUE(absl::IsFailedPrecondition(Store::Open(dir_.string()).status()));
  }
  reopened->reset();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Store::LockHolder(dir_.string()).ok());
    absl::StatusOr<std::unique_ptr<Store>> next = Store::Open(dir_.string());
    ASSERT_TRUE(next.ok()) << next.status();
  }
  holder = Store::LockHolder(dir_.string() + "-absent");
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_FALSE(holder->has_value());
}

}  // namespace
}  // namespace scrapewatch::store
