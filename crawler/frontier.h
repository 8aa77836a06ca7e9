// The crawl's work list, kept in FrontierStorage rather than in memory.
//
// Every URL ever discovered is remembered by its dedupe key (see
// crawler/url.h) so it is queued once. Queued URLs wait in one FIFO per
// origin, which makes the crawl of each host breadth-first; a popped URL is
// "in flight" until Done(). Opening a frontier that already holds a crawl
// puts what was in flight back at the head of its queue: that is how a crawl
// killed at any moment resumes without losing or repeating finished work.
// Small named counters (pages admitted, URLs per pattern) and per-origin
// notes (robots.txt as fetched) live beside the queues, so limits hold
// across a resume too.
//
// Memory: the origins with queued work, their queue positions and a few
// entries read ahead per origin; nothing per URL discovered. Thread safety: one thread. Errors: storage errors are returned
// as they come, naming the operation.
#ifndef SCRAPEWATCH_CRAWLER_FRONTIER_H_
#define SCRAPEWATCH_CRAWLER_FRONTIER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/crawler.h"
#include "crawler/frontier_storage.h"

namespace scrapewatch::crawler {

struct FrontierEntry {
  std::string url;
  ResourceKind kind = ResourceKind::kPage;
  int64_t depth = 0;          // link hops from a seed
  int64_t redirect_hops = 0;  // redirects followed to reach this URL
  int64_t attempts = 0;       // earlier fetches answered "try later" (429, 503)
  uint64_t id = 0;            // set by the frontier: the entry's place in its queue
};

// How much of a crawl a frontier holds, for `scrapewatch status`.
struct FrontierCounts {
  int64_t seen = 0;       // URLs ever discovered
  int64_t queued = 0;     // waiting
  int64_t in_flight = 0;  // popped, not done (made again on resume)
};

class Frontier {
 public:
  // Counts by scanning the storage; does not change it.
  static absl::StatusOr<FrontierCounts> Count(const FrontierStorage& storage);

  // Loads the frontier's state from `storage` (not owned), requeueing what
  // was in flight when the previous process stopped.
  static absl::StatusOr<Frontier> Open(FrontierStorage* storage);

  // True when the storage held a crawl already (this is a resume).
  bool resumed() const { return resumed_; }

  // Marks `dedupe_key` seen; false when it was seen before. Written in Commit().
  absl::StatusOr<bool> MarkSeen(const std::string& dedupe_key);
  // Queues `entry` at the tail of `origin`'s queue. Written in Commit().
  void Enqueue(const std::string& origin, FrontierEntry entry);
  // Adds `delta` to a named counter and returns the new value. Written in Commit().
  absl::StatusOr<int64_t> Increment(const std::string& counter, int64_t delta);
  // Writes what MarkSeen, Enqueue and Increment buffered, atomically.
  absl::Status Commit();

  // Origins that have queued entries.
  std::vector<std::string> OriginsWithWork() const;
  bool HasWork(const std::string& origin) const;
  // Takes the oldest queued entry of `origin` and marks it in flight;
  // nullopt when its queue is empty.
  absl::StatusOr<std::optional<FrontierEntry>> Pop(const std::string& origin);
  // The entry popped with this id is finished; a resume will not redo it.
  absl::Status Done(uint64_t id);
  // Puts a popped entry back at the tail of its queue with one more attempt.
  absl::Status Retry(const std::string& origin, FrontierEntry entry);

  // Durable per-origin notes, e.g. robots.txt as fetched.
  absl::StatusOr<std::optional<std::string>> GetNote(const std::string& name) const;
  absl::Status PutNote(const std::string& name, const std::string& value);

 private:
  explicit Frontier(FrontierStorage* storage) : storage_(storage) {}
  absl::Status Load();

  struct Queue {
    uint64_t next_id = 0;  // no queued entry of the origin has a smaller id
    bool has_work = false;
    // The next few queued (key, value) pairs, read ahead in one scan; still
    // queued in storage until popped.
    std::deque<std::pair<std::string, std::string>> ahead;
  };

  FrontierStorage* storage_;
  bool resumed_ = false;
  uint64_t next_id_ = 1;
  std::map<std::string, Queue> queues_;
  std::vector<FrontierStorage::Change> pending_;
  std::map<std::string, std::string> pending_values_;  // buffered puts, readable before Commit
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_FRONTIER_H_
