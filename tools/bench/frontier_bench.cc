// A million-URL frontier: peak resident memory and time of the crawler's
// RocksDB frontier (crawler::Frontier over store::Store) against the
// in-memory queue and seen-set a simple crawler keeps, on the same URLs.
//
// One mode per process, so each peak RSS (getrusage ru_maxrss) is its own:
//   scrapewatch_frontier_bench rocksdb --urls 1000000 --store DIR
//   scrapewatch_frontier_bench memory --urls 1000000
// Both discover the URLs in batches of 50 links per "page" over 20 hosts,
// re-offer every URL once more (a crawl sees most links many times), then
// pop and complete every entry. Prints one line of key=value figures.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crawler/frontier.h"
#include "store/store.h"

namespace {

constexpr int kHosts = 20;
constexpr int kLinksPerPage = 50;

std::string Origin(int64_t i) { return absl::StrCat("https://host", i % kHosts, ".example"); }

// URLs of realistic length (~80 bytes), unique per i.
std::string Url(int64_t i) {
  return absl::StrCat(Origin(i), "/articles/", i / 1000, "/", i,
                      "-a-title-long-enough-to-be-realistic.html?page=", i % 7);
}

int64_t PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int RunRocksDb(int64_t urls, const std::string& dir) {
  std::filesystem::remove_all(dir);
  auto store = scrapewatch::store::Store::Open(dir);
  if (!store.ok()) return std::cerr << store.status() << "\n", 1;
  auto run = (*store)->BeginRun({.site = "https://host0.example", .started_at = absl::Now()});
  std::unique_ptr<scrapewatch::crawler::FrontierStorage> storage = (*store)->Frontier(*run);
  auto frontier = scrapewatch::crawler::Frontier::Open(storage.get());
  if (!frontier.ok()) return std::cerr << frontier.status() << "\n", 1;
  auto start = std::chrono::steady_clock::now();
  int64_t queued = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t i = 0; i < urls; ++i) {
      std::string url = Url(i);
      if (*frontier->MarkSeen(url)) {
        frontier->Enqueue(Origin(i), {.url = url});
        ++queued;
      }
      if (i % kLinksPerPage == kLinksPerPage - 1 && !frontier->Commit().ok()) return 1;
    }
    if (!frontier->Commit().ok()) return 1;
  }
  double discover_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t popped = 0;
  for (int h = 0; h < kHosts; ++h) {
    while (true) {
      auto entry = frontier->Pop(Origin(h));
      if (!entry.ok()) return std::cerr << entry.status() << "\n", 1;
      if (!entry->has_value()) break;
      if (!frontier->Done((*entry)->id).ok()) return 1;
      ++popped;
    }
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "mode=rocksdb urls=" << urls << " queued=" << queued << " popped=" << popped
            << " discover_s=" << discover_s << " total_s=" << total_s
            << " peak_rss_mb=" << PeakRssKb() / 1024 << "\n";
  store->reset();
  std::filesystem::remove_all(dir);
  return queued == urls && popped == urls ? 0 : 1;
}

int RunMemory(int64_t urls) {
  auto start = std::chrono::steady_clock::now();
  absl::flat_hash_set<std::string> seen;
  std::deque<std::string> queues[kHosts];
  int64_t queued = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t i = 0; i < urls; ++i) {
      std::string url = Url(i);
      if (seen.insert(url).second) {
        queues[i % kHosts].push_back(std::move(url));
        ++queued;
      }
    }
  }
  double discover_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t popped = 0;
  for (auto& queue : queues) {
    while (!queue.empty()) {
      queue.pop_front();
      ++popped;
    }
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "mode=memory urls=" << urls << " queued=" << queued << " popped=" << popped
            << " discover_s=" << discover_s << " total_s=" << total_s
            << " peak_rss_mb=" << PeakRssKb() / 1024 << "\n";
  return queued == urls && popped == urls ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Million-URL frontier benchmark");
  std::string mode, dir = "/tmp/scrapewatch-frontier-bench";
  int64_t urls = 1'000'000;
  app.add_option("mode", mode, "rocksdb or memory")->required()->check(CLI::IsMember({"rocksdb", "memory"}));
  app.add_option("--urls", urls, "URLs discovered");
  app.add_option("--store", dir, "Store directory for rocksdb mode (deleted after)");
  CLI11_PARSE(app, argc, argv);
  return mode == "rocksdb" ? RunRocksDb(urls, dir) : RunMemory(urls);
}
