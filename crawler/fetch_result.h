// The outcome of one HTTP fetch: the value type the fetcher hands on. Plain
// data, copyable. Everything a regulator may ask about the request later
// (when, what URL, what came back, which headers) is here.
#ifndef SCRAPEWATCH_CRAWLER_FETCH_RESULT_H_
#define SCRAPEWATCH_CRAWLER_FETCH_RESULT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace scrapewatch::crawler {

struct FetchResult {
  std::string url;        // as requested
  std::string final_url;  // after redirects
  std::string redirect_url;  // resolved Location of a 3xx that was not followed
  int http_status = 0;    // 0 when no HTTP response arrived
  // Response headers of the final response, names lower-cased, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;       // at most the configured limit
  bool truncated = false; // the body hit the limit and was cut
  std::string error;      // transport or policy error; empty on success
  std::string remote_ip;
  absl::Time started_at;
  absl::Duration elapsed;

  bool ok() const { return error.empty() && http_status >= 200 && http_status < 300; }
  // First value of a header (name lower-case), or "" when absent.
  std::string_view Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_FETCH_RESULT_H_
