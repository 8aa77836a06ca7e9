// Concurrent HTTP fetching on libcurl's multi interface.
//
// One Fetcher drives many transfers from a single thread: Submit() queues a
// request, Wait() runs the event loop and returns what completed. Politeness
// (which URL may go when) is the caller's job; the fetcher only enforces what
// is about safety: body size limits, timeouts, a redirect cap, http(s) only,
// and — unless allowed — refusing to connect to loopback, private or
// link-local addresses, so a hostile page cannot steer the crawl into the
// auditor's own network. DNS results and connections are cached and reused.
//
// Thread safety: a Fetcher is used by one thread.
// Errors: every failure is reported in FetchResult::error, never thrown.
#ifndef SCRAPEWATCH_CRAWLER_FETCHER_H_
#define SCRAPEWATCH_CRAWLER_FETCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "crawler/fetch_result.h"

namespace scrapewatch::crawler {

struct FetcherOptions {
  std::string user_agent;
  double timeout_seconds = 30;          // whole transfer
  double connect_timeout_seconds = 10;
  // A transfer slower than low_speed_bytes per second for low_speed_seconds
  // is abandoned: a server dripping bytes must not hold a host's only slot.
  int64_t low_speed_bytes = 100;
  double low_speed_seconds = 20;
  int64_t max_redirects = 10;  // for requests that follow redirects
  bool allow_private_addresses = false;
};

struct FetchRequest {
  std::string url;
  int64_t max_body_bytes = 5 << 20;
  uint64_t tag = 0;  // returned with the result, for the caller's bookkeeping
  // When false, a 3xx response is returned as it is, with its resolved
  // Location in FetchResult::redirect_url, so the caller can check the target
  // against robots.txt and politeness before fetching it.
  bool follow_redirects = true;
};

class Fetcher {
 public:
  explicit Fetcher(const FetcherOptions& options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  void Submit(const FetchRequest& request);
  // Runs transfers for at most `max_wait` and returns those that completed,
  // paired with their request tags. With none in flight, sleeps `max_wait`.
  std::vector<std::pair<uint64_t, FetchResult>> Wait(absl::Duration max_wait);
  size_t in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_FETCHER_H_
