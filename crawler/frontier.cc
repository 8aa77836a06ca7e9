#include "crawler/frontier.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scrapewatch::crawler {
namespace {

// Key spaces. Ids are big-endian so a queue scans in discovery order.
constexpr char kSeen = 'k';      // k<dedupe key>            → ""
constexpr char kQueued = 'q';    // q<origin>\0<id>          → entry
constexpr char kInFlight = 'f';  // f<id>                    → <origin>\0entry
constexpr char kCounter = 'c';   // c<name>                  → decimal
constexpr char kNote = 'n';      // n<name>                  → bytes
constexpr char kNextId[] = "m";  //                          → decimal

// Queued entries read per scan of an origin's queue: one iterator seek
// serves this many pops.
constexpr size_t kReadAhead = 64;

std::string BigEndian(uint64_t id) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8) bytes[i] = static_cast<char>(id & 0xFF);
  return bytes;
}

uint64_t FromBigEndian(std::string_view bytes) {
  uint64_t id = 0;
  for (unsigned char byte : bytes.substr(0, 8)) id = (id << 8) | byte;
  return id;
}

std::string QueuePrefix(std::string_view origin) {
  return absl::StrCat(std::string(1, kQueued), std::string(origin), std::string(1, '\0'));
}

std::string Encode(const FrontierEntry& entry) {
  return absl::StrCat(std::string(1, static_cast<char>('0' + static_cast<int>(entry.kind))), "\t",
                      entry.depth, "\t", entry.redirect_hops, "\t", entry.attempts, "\t",
                      entry.url);
}

absl::StatusOr<FrontierEntry> Decode(std::string_view value, uint64_t id) {
  std::vector<std::string> parts = absl::StrSplit(absl::string_view(value.data(), value.size()),
                                                  absl::MaxSplits('\t', 4));
  FrontierEntry entry{.id = id};
  if (parts.size() == 5 && parts[0].size() == 1 && parts[0][0] >= '0' && parts[0][0] <= '3' &&
      absl::SimpleAtoi(parts[1], &entry.depth) && absl::SimpleAtoi(parts[2], &entry.redirect_hops) &&
      absl::SimpleAtoi(parts[3], &entry.attempts)) {
    entry.kind = static_cast<ResourceKind>(parts[0][0] - '0');
    entry.url = std::move(parts[4]);
    return entry;
  }
  return absl::DataLossError(absl::StrCat("frontier entry ", id, " is corrupt"));
}

}  // namespace

absl::StatusOr<FrontierCounts> Frontier::Count(const FrontierStorage& storage) {
  FrontierCounts counts;
  for (auto [prefix, count] : {std::pair{kSeen, &counts.seen}, std::pair{kQueued, &counts.queued},
                               std::pair{kInFlight, &counts.in_flight}}) {
    int64_t* counter = count;  // clang 14 cannot capture a structured binding
    absl::Status scanned = storage.Scan(std::string(1, prefix), "",
                                        [counter](std::string_view, std::string_view) {
                                          ++*counter;
                                          return true;
                                        });
    if (!scanned.ok()) return scanned;
  }
  return counts;
}

absl::StatusOr<Frontier> Frontier::Open(FrontierStorage* storage) {
  Frontier frontier(storage);
  if (absl::Status loaded = frontier.Load(); !loaded.ok()) return loaded;
  return frontier;
}

absl::Status Frontier::Load() {
  absl::StatusOr<std::optional<std::string>> next = storage_->Get(kNextId);
  if (!next.ok()) return next.status();
  if (!next->has_value()) return absl::OkStatus();
  resumed_ = true;
  if (!absl::SimpleAtoi(**next, &next_id_)) return absl::DataLossError("frontier counter is corrupt");

  // What was in flight goes back to its queue under its old id, ahead of
  // everything queued after it.
  std::vector<FrontierStorage::Change> requeue;
  absl::Status scanned = storage_->Scan(
      std::string(1, kInFlight), "", [&](std::string_view key, std::string_view value) {
        size_t split = value.find('\0');
        std::string_view origin = value.substr(0, split);
        requeue.push_back({std::string(key), std::nullopt});
        requeue.push_back({QueuePrefix(origin) + std::string(key.substr(1)),
                           std::string(value.substr(split + 1))});
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!requeue.empty()) {
    if (absl::Status written = storage_->Write(requeue); !written.ok()) return written;
  }
  // One seek per origin: jump past each origin's queue once its first entry is seen.
  std::string from;
  while (true) {
    std::string origin;
    absl::Status found = storage_->Scan(std::string(1, kQueued), from,
                                        [&](std::string_view key, std::string_view) {
                                          origin = std::string(key.substr(1, key.find('\0') - 1));
                                          return false;
                                        });
    if (!found.ok()) return found;
    if (origin.empty()) break;
    queues_[origin].has_work = true;
    from = absl::StrCat(std::string(1, kQueued), origin, std::string(1, '\1'));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Frontier::MarkSeen(const std::string& dedupe_key) {
  std::string key = absl::StrCat(std::string(1, kSeen), dedupe_key);
  if (pending_values_.contains(key)) return false;
  absl::StatusOr<std::optional<std::string>> seen = storage_->Get(key);
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) return false;
  pending_values_[key] = "";
  pending_.push_back({key, ""});
  return true;
}

void Frontier::Enqueue(const std::string& origin, FrontierEntry entry) {
  entry.id = next_id_++;
  pending_.push_back({QueuePrefix(origin) + BigEndian(entry.id), Encode(entry)});
  pending_values_[kNextId] = absl::StrCat(next_id_);
  queues_[origin].has_work = true;
}

absl::Status Frontier::Retry(const std::string& origin, FrontierEntry entry) {
  pending_.push_back({absl::StrCat(std::string(1, kInFlight), BigEndian(entry.id)), std::nullopt});
  ++entry.attempts;
  Enqueue(origin, std::move(entry));
  return Commit();
}

absl::StatusOr<int64_t> Frontier::Increment(const std::string& counter, int64_t delta) {
  std::string key = absl::StrCat(std::string(1, kCounter), counter);
  int64_t value = 0;
  if (auto it = pending_values_.find(key); it != pending_values_.end()) {
    (void)absl::SimpleAtoi(it->second, &value);
  } else {
    absl::StatusOr<std::optional<std::string>> stored = storage_->Get(key);
    if (!stored.ok()) return stored.status();
    if (stored->has_value() && !absl::SimpleAtoi(**stored, &value)) {
      return absl::DataLossError(absl::StrCat("frontier counter '", counter, "' is corrupt"));
    }
  }
  value += delta;
  pending_values_[key] = absl::StrCat(value);
  pending_.push_back({key, pending_values_[key]});
  return value;
}

absl::Status Frontier::Commit() {
  if (pending_.empty()) return absl::OkStatus();
  if (auto it = pending_values_.find(kNextId); it != pending_values_.end()) {
    pending_.push_back({kNextId, it->second});
  }
  absl::Status written = storage_->Write(pending_);
  pending_.clear();
  pending_values_.clear();
  return written;
}

std::vector<std::string> Frontier::OriginsWithWork() const {
  std::vector<std::string> origins;
  for (const auto& [origin, queue] : queues_) {
    if (queue.has_work) origins.push_back(origin);
  }
  return origins;
}

bool Frontier::HasWork(const std::string& origin) const {
  auto it = queues_.find(origin);
  return it != queues_.end() && it->second.has_work;
}

absl::StatusOr<std::optional<FrontierEntry>> Frontier::Pop(const std::string& origin) {
  Queue& queue = queues_[origin];
  if (!queue.has_work) return std::nullopt;
  if (absl::Status committed = Commit(); !committed.ok()) return committed;
  std::string prefix = QueuePrefix(origin);
  if (queue.ahead.empty()) {
    absl::Status scanned = storage_->Scan(prefix, prefix + BigEndian(queue.next_id),
                                          [&](std::string_view k, std::string_view v) {
                                            queue.ahead.emplace_back(k, v);
                                            return queue.ahead.size() < kReadAhead;
                                          });
    if (!scanned.ok()) return scanned;
  }
  if (queue.ahead.empty()) {
    queue.has_work = false;
    return std::nullopt;
  }
  auto [key, value] = std::move(queue.ahead.front());
  queue.ahead.pop_front();
  uint64_t id = FromBigEndian(std::string_view(key).substr(prefix.size()));
  absl::StatusOr<FrontierEntry> entry = Decode(value, id);
  if (!entry.ok()) return entry.status();
  absl::Status written = storage_->Write(
      {{key, std::nullopt},
       {absl::StrCat(std::string(1, kInFlight), BigEndian(id)),
        absl::StrCat(origin, std::string(1, '\0'), value)}});
  if (!written.ok()) return written;
  queue.next_id = id + 1;
  return *std::move(entry);
}

absl::Status Frontier::Done(uint64_t id) {
  return storage_->Write({{absl::StrCat(std::string(1, kInFlight), BigEndian(id)), std::nullopt}});
}

absl::StatusOr<std::optional<std::string>> Frontier::GetNote(const std::string& name) const {
  return storage_->Get(absl::StrCat(std::string(1, kNote), name));
}

absl::Status Frontier::PutNote(const std::string& name, const std::string& value) {
  pending_.push_back({absl::StrCat(std::string(1, kNote), name), value});
  return Commit();
}

}  // namespace scrapewatch::crawler
