// Durable key-value space that holds one crawl's frontier.
//
// The crawler decides what the frontier means (crawler/frontier.h); whoever
// owns the database provides the bytes — the store implements this over its
// "frontier" column family, one key range per run, so a crawl survives the
// process and a million URLs need not fit in memory. Keys and values are
// arbitrary bytes; keys sort bytewise.
//
// Contract: Write applies all its changes atomically and, once it returns
// OK, they survive the process being killed (the operating system may still
// lose them in a machine crash). Errors name the storage and the operation.
// Thread safety: used by one thread at a time.
#ifndef SCRAPEWATCH_CRAWLER_FRONTIER_STORAGE_H_
#define SCRAPEWATCH_CRAWLER_FRONTIER_STORAGE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace scrapewatch::crawler {

class FrontierStorage {
 public:
  // A put (value set) or a delete (value unset).
  using Change = std::pair<std::string, std::optional<std::string>>;
  // Receives a key and its value; returns false to stop the scan.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;

  virtual ~FrontierStorage() = default;

  // The value of `key`, or nullopt when it is absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const = 0;
  virtual absl::Status Write(const std::vector<Change>& changes) = 0;
  // Visits, in key order, the keys that start with `prefix` and are >= `from`.
  virtual absl::Status Scan(std::string_view prefix, std::string_view from,
                            const Visitor& visit) const = 0;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_FRONTIER_STORAGE_H_
