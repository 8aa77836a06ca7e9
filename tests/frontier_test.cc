// Tests of crawler::Frontier over the store's RocksDB frontier, on disk:
// per-origin FIFO order, dedupe that survives a reopen, what a killed crawl
// had in flight coming back first, counters and notes, isolation between
// runs, and ClearFrontier.
#include "crawler/frontier.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class FrontierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("frontier_test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Reopen();
    run_ = *store_->BeginRun({.site = "https://example.org", .started_at = absl::Now()});
    storage_ = store_->Frontier(run_);
  }
  void TearDown() override {
    storage_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Closes and reopens the store, as a new process would after a kill.
  void Reopen() {
    storage_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<store::Store>> opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    if (!run_.id.empty()) storage_ = store_->Frontier(run_);
  }

  Frontier Open() {
    absl::StatusOr<Frontier> frontier = Frontier::Open(storage_.get());
    EXPECT_TRUE(frontier.ok()) << frontier.status();
    return *std::move(frontier);
  }

  // Queues `url` under its origin when its key is new; returns whether it was.
  static bool Add(Frontier& frontier, const std::string& origin, const std::string& url,
                  ResourceKind kind = ResourceKind::kPage) {
    absl::StatusOr<bool> fresh = frontier.MarkSeen(url);
    EXPECT_TRUE(fresh.ok()) << fresh.status();
    if (!fresh.ok() || !*fresh) return false;
    frontier.Enqueue(origin, {.url = url, .kind = kind, .depth = 2, .redirect_hops = 1});
    return true;
  }

  static std::string PopUrl(Frontier& frontier, const std::string& origin) {
    absl::StatusOr<std::optional<FrontierEntry>> entry = frontier.Pop(origin);
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.ok() && entry->has_value() ? (*entry)->url : "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::RunRecord run_;
  std::unique_ptr<FrontierStorage> storage_;
};

constexpr char kSite[] = "https://example.org";
constexpr char kCdn[] = "https://cdn.example.org";

TEST_F(FrontierTest, EachOriginIsFirstInFirstOutAndKeepsWhatTheEntrySaid) {
  Frontier frontier = Open();
  EXPECT_FALSE(frontier.resumed());
  ASSERT_TRUE(Add(frontier, kSite, "https://example.org/a"));
  ASSERT_TRUE(Add(frontier, kCdn, "https://cdn.example.org/x.jpg", ResourceKind::kImage));
  ASSERT_TRUE(Add(frontier, kSite, "https://example.org/b"));
  ASSERT_TRUE(frontier.Commit().ok());

  EXPECT_THAT(frontier.OriginsWithWork(), ElementsAre(kCdn, kSite));
  absl::StatusOr<std::optional<FrontierEntry>> image = frontier.Pop(kCdn);
  ASSERT_TRUE(image.ok() && image->has_value());
  EXPECT_EQ((*image)->kind, ResourceKind::kImage);
  EXPECT_EQ((*image)->depth, 2);
  EXPECT_EQ((*image)->redirect_hops, 1);
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/a");
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/b");
  EXPECT_EQ(PopUrl(frontier, kSite), "");
  EXPECT_FALSE(frontier.HasWork(kSite));
}

TEST_F(FrontierTest, AKeySeenOnceIsNeverQueuedAgainEvenAfterAReopen) {
  {
    Frontier frontier = Open();
    ASSERT_TRUE(Add(frontier, kSite, "https://example.org/a"));
    EXPECT_FALSE(Add(frontier, kSite, "https://example.org/a")) << "seen in the same batch";
    ASSERT_TRUE(frontier.Commit().ok());
  }
  Reopen();
  Frontier frontier = Open();
  EXPECT_TRUE(frontier.resumed());
  EXPECT_FALSE(Add(frontier, kSite, "https://example.org/a"));
  EXPECT_TRUE(Add(frontier, kSite, "https://example.org/b"));
}

TEST_F(FrontierTest, WhatWasInFlightAtAKillComesBackFirstAndWhatWasDoneDoesNot) {
  {
    Frontier frontier = Open();
    for (const char* path : {"/1", "/2", "/3", "/4"}) {
      ASSERT_TRUE(Add(frontier, kSite, std::string(kSite) + path));
    }
    ASSERT_TRUE(frontier.Commit().ok());
    absl::StatusOr<std::optional<FrontierEntry>> first = frontier.Pop(kSite);
    ASSERT_TRUE(first.ok() && first->has_value());
    ASSERT_TRUE(frontier.Done((*first)->id).ok());
    EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/2");  // in flight at the "kill"
  }
  Reopen();
  Frontier frontier = Open();
  EXPECT_THAT(frontier.OriginsWithWork(), ElementsAre(kSite));
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/2");
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/3");
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/4");
  EXPECT_EQ(PopUrl(frontier, kSite), "");
}

TEST_F(FrontierTest, UncommittedDiscoveriesAreLostWithTheProcess) {
  {
    Frontier frontier = Open();
    ASSERT_TRUE(Add(frontier, kSite, "https://example.org/kept"));
    ASSERT_TRUE(frontier.Commit().ok());
    ASSERT_TRUE(Add(frontier, kSite, "https://example.org/lost"));
  }
  Reopen();
  Frontier frontier = Open();
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/kept");
  EXPECT_EQ(PopUrl(frontier, kSite), "");
  EXPECT_TRUE(Add(frontier, kSite, "https://example.org/lost")) << "never recorded as seen";
}

TEST_F(FrontierTest, RetryGoesToTheBackWithOneMoreAttempt) {
  Frontier frontier = Open();
  ASSERT_TRUE(Add(frontier, kSite, "https://example.org/busy"));
  ASSERT_TRUE(Add(frontier, kSite, "https://example.org/next"));
  ASSERT_TRUE(frontier.Commit().ok());
  absl::StatusOr<std::optional<FrontierEntry>> busy = frontier.Pop(kSite);
  ASSERT_TRUE(busy.ok() && busy->has_value());
  ASSERT_TRUE(frontier.Retry(kSite, **busy).ok());
  EXPECT_EQ(PopUrl(frontier, kSite), "https://example.org/next");
  absl::StatusOr<std::optional<FrontierEntry>> again = frontier.Pop(kSite);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->url, "https://example.org/busy");
  EXPECT_EQ((*again)->attempts, 1);
}

TEST_F(FrontierTest, CountersAndNotesSurviveAReopen) {
  {
    Frontier frontier = Open();
    ASSERT_EQ(*frontier.Increment("pages", 1), 1);
    ASSERT_EQ(*frontier.Increment("pages", 2), 3) << "buffered values are read back";
    ASSERT_TRUE(frontier.Commit().ok());
    ASSERT_TRUE(frontier.PutNote("robots:https://example.org", "parsed\nUser-agent: *\n").ok());
  }
  Reopen();
  Frontier frontier = Open();
  EXPECT_EQ(*frontier.Increment("pages", 1), 4);
  absl::StatusOr<std::optional<std::string>> note = frontier.GetNote("robots:https://example.org");
  ASSERT_TRUE(note.ok() && note->has_value());
  EXPECT_EQ(**note, "parsed\nUser-agent: *\n");
  EXPECT_FALSE(frontier.GetNote("robots:https://other.example")->has_value());
}

TEST_F(FrontierTest, RunsHaveSeparateFrontiersAndAFinishedRunsIsCleared) {
  store::RunRecord other =
      *store_->BeginRun({.site = "https://example.org", .started_at = absl::Now() + absl::Seconds(1)});
  std::unique_ptr<FrontierStorage> other_storage = store_->Frontier(other);
  {
    Frontier frontier = Open();
    ASSERT_TRUE(Add(frontier, kSite, "https://example.org/a"));
    ASSERT_TRUE(frontier.Commit().ok());
    absl::StatusOr<Frontier> other_frontier = Frontier::Open(other_storage.get());
    ASSERT_TRUE(other_frontier.ok());
    EXPECT_FALSE(other_frontier->resumed());
    EXPECT_THAT(other_frontier->OriginsWithWork(), IsEmpty());
  }
  ASSERT_TRUE(store_->ClearFrontier(run_).ok());
  Frontier cleared = Open();
  EXPECT_FALSE(cleared.resumed());
  EXPECT_THAT(cleared.OriginsWithWork(), IsEmpty());
}

}  // namespace
}  // namespace scrapewatch::crawler
