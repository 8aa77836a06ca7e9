#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store/record_codec.h"

namespace scrapewatch::store {
namespace {

// Column family indices into handles_; the order of kFamilies.
enum Family { kDefault, kRuns, kFrontier, kPages, kImages, kFindings, kRobots, kResources };
constexpr const char* kFamilies[] = {"default", "runs",     "frontier", "pages",
                                     "images",  "findings", "robots",   "resources"};

std::string RunKey(const std::string& site, const std::string& run_id) {
  return absl::StrCat(site, std::string(1, '\0'), run_id);
}

std::string ItemKey(const RunRecord& run, const std::string& item) {
  return absl::StrCat(RunKey(run.site, run.id), std::string(1, '\0'), item);
}

std::string NewRunId(absl::Time started_at) {
  static thread_local std::mt19937 random{std::random_device{}()};
  // Milliseconds, so runs begun within one second (a killed run, then
  // --fresh) still list in the order they began.
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%E3SZ", started_at, absl::UTCTimeZone()), "-",
                      absl::StrFormat("%04x", random() & 0xFFFF));
}

// The store's process lock is an open-file-description lock (F_OFD_SETLK)
// on <dir>/scrapewatch.lock: like flock it belongs to the open file and ends
// with it (also on kill -9), and unlike flock it can be queried without
// being taken (F_OFD_GETLK), so `status` never competes with an audit for it.
struct flock WholeFileLock(short type) {
  struct flock lock = {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  return lock;  // l_start = l_len = 0: the whole file
}

// The PID the holder wrote into the lock file, or "unknown".
std::string LockHolderPid(int fd) {
  char holder[32] = {};
  ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
  std::string pid = n > 0 ? std::string(holder, n) : "unknown";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

std::string InUseMessage(const std::string& path, const std::string& pid) {
  return absl::StrCat("store '", path, "' is in use by another scrapewatch process (PID ", pid,
                      ")");
}

// Takes the store's process lock and writes our PID into it; on contention
// the error names the PID the holder wrote.
absl::StatusOr<int> LockStore(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create store '", path, "': ", error.message()));
  }
  std::string lock_path = path + "/scrapewatch.lock";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open '", lock_path, "': ", std::strerror(errno)));
  }
  struct flock lock = WholeFileLock(F_WRLCK);
  if (fcntl(fd, F_OFD_SETLK, &lock) != 0) {
    int lock_errno = errno;
    std::string pid = LockHolderPid(fd);
    close(fd);
    if (lock_errno == EAGAIN || lock_errno == EACCES) {
      return absl::FailedPreconditionError(InUseMessage(path, pid));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot lock '", lock_path, "': ", std::strerror(lock_errno)));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot write '", lock_path, "'"));
  }
  return fd;
}

}  // namespace

// Every write goes through here. After one failed write (a full disk, an
// I/O error) the store refuses every later one with the same error:
// RocksDB as Debian builds it asserts when written to again after such an
// error, and nothing written after a lost write could be trusted anyway. The
// run stays unfinished and resumes once the disk has room.
class WriteGate {
 public:
  rocksdb::Status Write(rocksdb::DB* db, rocksdb::WriteBatch* batch, bool sync) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failed_.ok()) return failed_;
    rocksdb::WriteOptions options;
    options.sync = sync;
    rocksdb::Status status = db->Write(options, batch);
    if (!status.ok()) failed_ = status;
    return status;
  }

 private:
  std::mutex mutex_;
  rocksdb::Status failed_;
};

namespace {

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors() {
  // Bounded memory whatever the crawl's size: small write buffers and one
  // shared block cache; Bloom filters keep the frontier's seen-checks to
  // about one disk read for URLs never seen.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(8 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family_options;
  family_options.write_buffer_size = 8 << 20;
  family_options.max_write_buffer_number = 2;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilies) families.emplace_back(name, family_options);
  return families;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  absl::StatusOr<int> lock_fd = LockStore(path);
  if (!lock_fd.ok()) return lock_fd.status();
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.db_write_buffer_size = 16 << 20;  // all column families' memtables together
  // RocksDB's own LOG: warnings only, two files kept.
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, FamilyDescriptors(), &handles, &raw);
  if (!status.ok()) {
    close(*lock_fd);
    return absl::UnavailableError(
        absl::StrCat("cannot open store '", path, "': ", status.ToString()));
  }
  return std::unique_ptr<Store>(
      new Store(path, *lock_fd, std::unique_ptr<rocksdb::DB>(raw), handles));
}

absl::StatusOr<std::optional<std::string>> Store::LockHolder(const std::string& path) {
  std::string lock_path = path + "/scrapewatch.lock";
  int fd = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return absl::UnavailableError(
        absl::StrCat("cannot open '", lock_path, "': ", std::strerror(errno)));
  }
  struct flock lock = WholeFileLock(F_WRLCK);
  int result = fcntl(fd, F_OFD_GETLK, &lock);
  int lock_errno = errno;
  std::optional<std::string> holder;
  if (result == 0 && lock.l_type != F_UNLCK) holder = InUseMessage(path, LockHolderPid(fd));
  close(fd);
  if (result != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot query the lock on '", lock_path, "': ", std::strerror(lock_errno)));
  }
  return holder;
}

absl::StatusOr<std::unique_ptr<Store>> Store::OpenReadOnly(const std::string& path) {
  if (!std::filesystem::exists(path + "/CURRENT")) {
    return absl::NotFoundError(absl::StrCat("'", path, "' is not a scrapewatch store"));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, FamilyDescriptors(), &handles, &raw);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read store '", path, "': ", status.ToString()));
  }
  return std::unique_ptr<Store>(new Store(path, -1, std::unique_ptr<rocksdb::DB>(raw), handles));
}

absl::Status Store::MergeFrom(const Store& other) {
  for (int family = kRuns; family < static_cast<int>(handles_.size()); ++family) {
    std::unique_ptr<rocksdb::Iterator> it(
        other.db_->NewIterator(rocksdb::ReadOptions(), other.handles_[family]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      batch.Put(handles_[family], it->key(), it->value());
      if (batch.GetDataSize() > (4 << 20)) {
        if (rocksdb::Status s = gate_->Write(db_.get(), &batch, false); !s.ok()) {
          return absl::InternalError(absl::StrCat("store '", path_, "': ", s.ToString()));
        }
        batch.Clear();
      }
    }
    if (!it->status().ok()) {
      return absl::DataLossError(
          absl::StrCat("store '", other.path_, "': ", it->status().ToString()));
    }
    if (rocksdb::Status s = gate_->Write(db_.get(), &batch, false); !s.ok()) {
      return absl::InternalError(absl::StrCat("store '", path_, "': ", s.ToString()));
    }
  }
  return absl::OkStatus();
}

Store::Store(std::string path, int lock_fd, std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : path_(std::move(path)),
      lock_fd_(lock_fd),
      db_(std::move(db)),
      handles_(std::move(handles)),
      gate_(std::make_shared<WriteGate>()) {}

Store::~Store() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the lock; the file stays, with a stale PID
}

absl::Status Store::Put(int family, const std::string& key, const std::string& value, bool sync) {
  rocksdb::WriteBatch batch;
  batch.Put(handles_[family], key, value);
  rocksdb::Status status = gate_->Write(db_.get(), &batch, sync);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("store '", path_, "': cannot write to ",
                                            kFamilies[family], ": ", status.ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunRecord> Store::BeginRun(RunRecord run) {
  run.id = NewRunId(run.started_at);
  if (absl::Status s = Put(kRuns, RunKey(run.site, run.id), EncodeRun(run), true); !s.ok()) {
    return s;
  }
  return run;
}

absl::Status Store::UpdateRun(const RunRecord& run) {
  return Put(kRuns, RunKey(run.site, run.id), EncodeRun(run), true);
}

absl::Status Store::PutRobots(const RunRecord& run, const RobotsRecord& robots) {
  return Put(kRobots, ItemKey(run, robots.origin), EncodeRobots(robots));
}

absl::Status Store::PutPage(const RunRecord& run, const PageRecord& page) {
  return Put(kPages, ItemKey(run, page.fetch.url), EncodePage(page));
}

absl::Status Store::PutResource(const RunRecord& run, const ResourceRecord& resource) {
  return Put(kResources, ItemKey(run, resource.fetch.url), EncodeResource(resource));
}

absl::Status Store::PutImage(const RunRecord& run, const ImageRecord& image) {
  // Record and findings land together or not at all.
  rocksdb::WriteBatch batch;
  std::string key = ItemKey(run, image.fetch.url);
  batch.Put(handles_[kImages], key, EncodeImage(image));
  if (image.findings) batch.Put(handles_[kFindings], key, EncodeFindings(*image.findings));
  rocksdb::Status status = gate_->Write(db_.get(), &batch, false);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("store '", path_, "': cannot write image ",
                                            image.fetch.url, ": ", status.ToString()));
  }
  return absl::OkStatus();
}

namespace {

// One run's key range of the frontier column family.
class RunFrontierStorage : public crawler::FrontierStorage {
 public:
  RunFrontierStorage(rocksdb::DB* db, std::shared_ptr<WriteGate> gate,
                     rocksdb::ColumnFamilyHandle* family, std::string prefix, std::string store_path)
      : db_(db),
        gate_(std::move(gate)),
        family_(family),
        prefix_(std::move(prefix)),
        store_path_(std::move(store_path)) {}

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const override {
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family_, Key(key), &value);
    if (status.IsNotFound()) return std::nullopt;
    if (!status.ok()) return Error("read", status);
    return value;
  }

  absl::Status Write(const std::vector<Change>& changes) override {
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : changes) {
      if (value) {
        batch.Put(family_, Key(key), *value);
      } else {
        batch.Delete(family_, Key(key));
      }
    }
    rocksdb::Status status = gate_->Write(db_, &batch, false);
    return status.ok() ? absl::OkStatus() : Error("write", status);
  }

  absl::Status Scan(std::string_view prefix, std::string_view from,
                    const Visitor& visit) const override {
    std::string full_prefix = Key(prefix);
    std::string upper = full_prefix;
    // Bounding the iterator keeps it from wading through other runs' keys and
    // through the tombstones a queue leaves behind.
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
    if (!upper.empty()) upper.back() = static_cast<char>(upper.back() + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
    std::string start = std::max(full_prefix, Key(from));
    for (it->Seek(start); it->Valid() && it->key().starts_with(full_prefix); it->Next()) {
      std::string_view key(it->key().data() + prefix_.size(), it->key().size() - prefix_.size());
      if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
    }
    return it->status().ok() ? absl::OkStatus() : Error("scan", it->status());
  }

 private:
  std::string Key(std::string_view key) const { return prefix_ + std::string(key); }
  absl::Status Error(std::string_view what, const rocksdb::Status& status) const {
    return absl::InternalError(absl::StrCat("store '", store_path_, "': cannot ", std::string(what),
                                            " the frontier: ", status.ToString()));
  }

  rocksdb::DB* db_;
  std::shared_ptr<WriteGate> gate_;
  rocksdb::ColumnFamilyHandle* family_;
  std::string prefix_;
  std::string store_path_;
};

}  // namespace

std::unique_ptr<crawler::FrontierStorage> Store::Frontier(const RunRecord& run) {
  return std::make_unique<RunFrontierStorage>(db_.get(), gate_, handles_[kFrontier],
                                              ItemKey(run, ""), path_);
}

// Batches live in the default column family, which holds nothing else.
absl::StatusOr<std::optional<BatchRecord>> Store::GetBatch(const std::string& key) const {
  std::string value;
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), handles_[kDefault], "batch" + std::string(1, '\0') + key, &value);
  if (got.IsNotFound()) return std::nullopt;
  if (!got.ok()) return absl::UnavailableError(absl::StrCat("store '", path_, "': ", got.ToString()));
  absl::StatusOr<BatchRecord> batch = DecodeBatch(value);
  if (!batch.ok()) return absl::DataLossError(absl::StrCat("store '", path_, "': ", batch.status().message()));
  return *batch;
}

absl::Status Store::PutBatch(const BatchRecord& batch) {
  return Put(kDefault, "batch" + std::string(1, '\0') + batch.key, EncodeBatch(batch), true);
}

absl::Status Store::DeleteRun(const RunRecord& run) {
  std::string begin = ItemKey(run, "");
  std::string end = begin;
  end.back() = '\1';
  rocksdb::WriteBatch batch;
  for (int family = kFrontier; family < static_cast<int>(handles_.size()); ++family) {
    batch.DeleteRange(handles_[family], begin, end);
  }
  batch.Delete(handles_[kRuns], RunKey(run.site, run.id));
  rocksdb::Status status = gate_->Write(db_.get(), &batch, false);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("store '", path_, "': cannot delete run ", run.id,
                                            ": ", status.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Store::ClearFrontier(const RunRecord& run) {
  std::string begin = ItemKey(run, "");
  std::string end = begin;
  end.back() = '\1';  // just past every key of the run's range
  rocksdb::WriteBatch batch;
  batch.DeleteRange(handles_[kFrontier], begin, end);
  rocksdb::Status status = gate_->Write(db_.get(), &batch, false);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("store '", path_, "': cannot clear a frontier: ", status.ToString()));
  }
  return absl::OkStatus();
}

namespace {

// Calls visit(key_suffix, value) for every key in `family` starting with `prefix`.
template <typename Visit>
absl::Status ScanPrefix(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                        const std::string& prefix, Visit visit) {
  rocksdb::ReadOptions options;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options, family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string suffix = it->key().ToString().substr(prefix.size());
    if (absl::Status s = visit(suffix, it->value().ToString()); !s.ok()) return s;
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<RunRecord>> Store::ListRuns(const std::string& site) const {
  std::vector<RunRecord> runs;
  std::string prefix = site.empty() ? "" : absl::StrCat(site, std::string(1, '\0'));
  absl::Status status = ScanPrefix(db_.get(), handles_[kRuns], prefix,
                                   [&](const std::string&, const std::string& value) {
                                     absl::StatusOr<RunRecord> run = DecodeRun(value);
                                     if (!run.ok()) return run.status();
                                     runs.push_back(*std::move(run));
                                     return absl::OkStatus();
                                   });
  if (!status.ok()) return absl::DataLossError(absl::StrCat("store '", path_, "': ", status.message()));
  return runs;
}

absl::Status Store::VisitPages(const RunRecord& run,
                              const std::function<void(const PageRecord&)>& visit) const {
  absl::Status status = ScanPrefix(db_.get(), handles_[kPages], ItemKey(run, ""),
                                   [&](const std::string&, const std::string& value) {
                                     absl::StatusOr<PageRecord> page = DecodePage(value);
                                     if (!page.ok()) return page.status();
                                     visit(*page);
                                     return absl::OkStatus();
                                   });
  if (!status.ok()) return absl::DataLossError(absl::StrCat("store '", path_, "': ", status.message()));
  return absl::OkStatus();
}

absl::Status Store::VisitImages(const RunRecord& run,
                               const std::function<void(const ImageRecord&)>& visit) const {
  absl::Status status = ScanPrefix(db_.get(), handles_[kImages], ItemKey(run, ""),
                                   [&](const std::string&, const std::string& value) {
                                     absl::StatusOr<ImageRecord> image = DecodeImage(value);
                                     if (!image.ok()) return image.status();
                                     visit(*image);
                                     return absl::OkStatus();
                                   });
  if (!status.ok()) return absl::DataLossError(absl::StrCat("store '", path_, "': ", status.message()));
  return absl::OkStatus();
}

absl::StatusOr<RunContents> Store::ReadRun(const std::string& site,
                                           const std::string& run_id) const {
  RunContents contents;
  std::string value;
  rocksdb::Status found =
      db_->Get(rocksdb::ReadOptions(), handles_[kRuns], RunKey(site, run_id), &value);
  if (found.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("store '", path_, "' has no run '", run_id, "' for site '", site, "'"));
  }
  auto in_store = [&](const absl::Status& status) {
    return absl::DataLossError(
        absl::StrCat("store '", path_, "' run '", run_id, "': ", status.message()));
  };
  absl::StatusOr<RunRecord> run = DecodeRun(value);
  if (!run.ok()) return in_store(run.status());
  contents.run = *run;
  std::string prefix = absl::StrCat(RunKey(site, run_id), std::string(1, '\0'));

  auto collect = [&](int family, auto decode, auto& out) {
    return ScanPrefix(db_.get(), handles_[family], prefix,
                      [&](const std::string&, const std::string& v) -> absl::Status {
                        auto record = decode(v);
                        if (!record.ok()) return record.status();
                        out.push_back(*std::move(record));
                        return absl::OkStatus();
                      });
  };
  absl::Status status = collect(kPages, DecodePage, contents.pages);
  if (status.ok()) status = collect(kImages, DecodeImage, contents.images);
  if (status.ok()) status = collect(kRobots, DecodeRobots, contents.robots);
  if (status.ok()) status = collect(kResources, DecodeResource, contents.resources);
  if (!status.ok()) return absl::DataLossError(absl::StrCat("store '", path_, "': ", status.message()));

  for (ImageRecord& image : contents.images) {
    std::string findings;
    rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), handles_[kFindings],
                                   absl::StrCat(prefix, image.fetch.url), &findings);
    if (got.IsNotFound()) continue;
    absl::StatusOr<detectors::ImageFindings> decoded = DecodeFindings(findings);
    if (!decoded.ok()) return in_store(decoded.status());
    image.findings = *std::move(decoded);
  }
  return contents;
}

}  // namespace scrapewatch::store
