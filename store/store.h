// Persistent storage of audits in RocksDB.
//
// Column families: "runs" (one record per audit), "frontier" (the crawl's
// queues and seen set while a run is unfinished, see crawler/frontier.h), "pages", "images", "findings" (what the
// detectors found in each image), "robots" (robots.txt as fetched) and
// "resources" (sitemaps and style sheets). Keys
// are "<site>\0<run id>\0<url>", so one run of one site is one range scan and
// runs of a site sort by start time. Values are JSON objects carrying
// "schema_version"; a record with an unknown version is an error, never
// guessed at. Re-auditing a site adds a run; earlier runs are kept.
//
// Minimisation: the store keeps hashes, headers, boxes and metadata — never
// image bytes or face templates.
//
// Thread safety: a Store may be shared by threads (RocksDB is thread-safe);
// a run's writes are expected from one writer. One process at a time: Open
// takes an exclusive lock (on <dir>/scrapewatch.lock, which holds the
// owner's PID), so a second run on the same store fails at once with a
// message naming the process that holds it, instead of interleaving.
// Errors: every method returns a Status naming the store path and the key.
// After a write fails (a full disk), every later write fails with the same
// error, so nothing half-recorded follows a lost write; the unfinished run
// resumes once there is room.
#ifndef SCRAPEWATCH_STORE_STORE_H_
#define SCRAPEWATCH_STORE_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/frontier_storage.h"
#include "store/records.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace scrapewatch::store {

class WriteGate;

class Store {
 public:
  // Opens (creating if needed) the store in directory `path`.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path);
  // Opens an existing store for reading only, without its lock, so `status`
  // can look at a store an audit is writing: it sees what was written up to
  // the moment it opened. Writes fail.
  static absl::StatusOr<std::unique_ptr<Store>> OpenReadOnly(const std::string& path);
  // Who holds the store's lock: nullopt when no process does, else a
  // message naming the holder's PID. Only asks; never takes the lock.
  static absl::StatusOr<std::optional<std::string>> LockHolder(const std::string& path);
  // Copies every run of `other` (and everything stored for them) into this
  // store: run ids are unique, so stores of shards merge without conflict;
  // merging the same store twice changes nothing.
  absl::Status MergeFrom(const Store& other);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Starts a run: assigns its id from `run.started_at` and writes it.
  absl::StatusOr<RunRecord> BeginRun(RunRecord run);
  // Rewrites the run record, e.g. with finished_at and totals.
  absl::Status UpdateRun(const RunRecord& run);

  absl::Status PutRobots(const RunRecord& run, const RobotsRecord& robots);
  absl::Status PutPage(const RunRecord& run, const PageRecord& page);
  // Writes the image record and, when present, its findings.
  absl::Status PutImage(const RunRecord& run, const ImageRecord& image);
  absl::Status PutResource(const RunRecord& run, const ResourceRecord& resource);
  // The durable frontier of `run`'s crawl, in the "frontier" column family.
  // Valid while this Store lives.
  std::unique_ptr<crawler::FrontierStorage> Frontier(const RunRecord& run);
  // The batch with this key, or nullopt when there is none.
  absl::StatusOr<std::optional<BatchRecord>> GetBatch(const std::string& key) const;
  absl::Status PutBatch(const BatchRecord& batch);
  // Deletes a run and everything stored for it (retention).
  absl::Status DeleteRun(const RunRecord& run);
  // Drops the frontier of a finished run: only a resume reads it.
  absl::Status ClearFrontier(const RunRecord& run);

  // Runs of `site`, oldest first; every site's when `site` is empty.
  absl::StatusOr<std::vector<RunRecord>> ListRuns(const std::string& site) const;
  // Calls `visit` for each page / image record of a run, in URL order,
  // without holding the run in memory.
  absl::Status VisitPages(const RunRecord& run,
                          const std::function<void(const PageRecord&)>& visit) const;
  absl::Status VisitImages(const RunRecord& run,
                           const std::function<void(const ImageRecord&)>& visit) const;
  // Everything stored for a run; NotFound when the site has no such run.
  absl::StatusOr<RunContents> ReadRun(const std::string& site, const std::string& run_id) const;

 private:
  Store(std::string path, int lock_fd, std::unique_ptr<rocksdb::DB> db,
        std::vector<rocksdb::ColumnFamilyHandle*> handles);
  absl::Status Put(int family, const std::string& key, const std::string& value,
                   bool sync = false);

  std::string path_;
  int lock_fd_;  // held for the Store's lifetime; -1 when opened read-only
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<WriteGate> gate_;  // shared with the frontiers handed out
};

}  // namespace scrapewatch::store

#endif  // SCRAPEWATCH_STORE_STORE_H_
