// Fuzzes RobotsPolicy::Parse and the matcher (crawler/robots.h): every audited
// site serves its own robots.txt, and a wrong answer means crawling what the
// site forbids. Checks that "/robots.txt" is always allowed and that a
// Crawl-delay, when one applies, is a non-negative finite number.
//
// Input: the crawler's user-agent token, a newline, the URL to match, a
// newline, then the robots.txt body (tools/fuzz writes the seeds this way
// from the shared robots/cases.json). Missing parts are empty.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crawler/robots.h"
#include "fuzz/fuzz_checks.h"

using scrapewatch::crawler::RobotsPolicy;
using scrapewatch::fuzz::Require;

namespace {

// The text before the first newline of `input`, which loses it and the newline.
std::string_view TakeLine(std::string_view& input) {
  const size_t end = input.find('\n');
  const std::string_view line = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view token = TakeLine(input);
  const std::string_view url = TakeLine(input);
  const RobotsPolicy policy = RobotsPolicy::Parse(input);
  policy.IsAllowed(token, url);  // any answer will do; robots_test checks the answers
  Require(policy.IsAllowed(token, "/robots.txt"), "/robots.txt is always allowed");
  if (const std::optional<double> delay = policy.CrawlDelaySeconds(token)) {
    Require(std::isfinite(*delay) && *delay >= 0, "a crawl delay is non-negative and finite");
  }
  return 0;
}
