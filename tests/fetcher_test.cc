// Integration tests of crawler::Fetcher against a real HTTP server on
// 127.0.0.1: what a fetch returns (status, lower-cased headers, body, final
// URL after redirects), the body size limit, the refusal of private
// addresses, the User-Agent sent, and concurrent transfers.
#include "crawler/fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/loopback_http_server.h"

namespace scrapewatch::crawler {
namespace {

using test::CannedResponse;
using test::LoopbackHttpServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CurlGlobalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};
::testing::Environment* const kCurlEnvironment =
    ::testing::AddGlobalTestEnvironment(new CurlGlobalEnvironment);

FetcherOptions LoopbackOptions() {
  return FetcherOptions{.user_agent = "scrapewatch-fetcher-test/1.0",
                        .timeout_seconds = 10,
                        .allow_private_addresses = true};  // the test server is on 127.0.0.1
}

// Drives the fetcher until nothing is in flight (or 15 s pass) and returns
// the results by tag.
std::map<uint64_t, FetchResult> WaitForAll(Fetcher& fetcher) {
  std::map<uint64_t, FetchResult> results;
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (fetcher.in_flight() > 0 && absl::Now() < deadline) {
    for (auto& [tag, result] : fetcher.Wait(absl::Milliseconds(100))) {
      results.emplace(tag, std::move(result));
    }
  }
  return results;
}

FetchResult FetchOne(const FetcherOptions& options, const std::string& url,
                     int64_t max_body_bytes = 1 << 20) {
  Fetcher fetcher(options);
  fetcher.Submit(FetchRequest{.url = url, .max_body_bytes = max_body_bytes, .tag = 7});
  std::map<uint64_t, FetchResult> results = WaitForAll(fetcher);
  EXPECT_EQ(results.size(), 1u) << "the fetch of " << url << " did not complete";
  return results.empty() ? FetchResult{} : results.begin()->second;
}

TEST(FetcherTest, SuccessfulFetchReturnsStatusBodyAndLowerCasedHeaders) {
  LoopbackHttpServer server;
  server.Route("/page", CannedResponse{.headers = {{"Content-Type", "text/plain"},
                                                   {"X-Mixed-CASE", "Value Keeps Its Case"}},
                                       .body = "hello, world"});

  FetchResult result = FetchOne(LoopbackOptions(), server.url("/page"));

  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "hello, world");
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.url, server.url("/page"));
  EXPECT_EQ(result.final_url, server.url("/page"));
  EXPECT_EQ(result.remote_ip, "127.0.0.1");
  EXPECT_EQ(result.Header("content-type"), "text/plain");
  EXPECT_EQ(result.Header("x-mixed-case"), "Value Keeps Its Case");
  for (const auto& [name, value] : result.headers) {
    EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        << "header name not lower-cased: " << name;
  }
}

TEST(FetcherTest, HttpErrorStatusIsReportedWithoutATransportError) {
  LoopbackHttpServer server;  // every target is a 404

  FetchResult result = FetchOne(LoopbackOptions(), server.url("/missing"));

  EXPECT_EQ(result.http_status, 404);
  EXPECT_EQ(result.error, "");
  EXPECT_FALSE(result.ok());
}

TEST(FetcherTest, RedirectIsFollowedAndOnlyTheFinalResponseIsKept) {
  LoopbackHttpServer server;
  server.Route("/old", CannedResponse{.status = 302,
                                      .headers = {{"Location", "/new"}, {"X-Hop", "first"}},
                                      .body = "see /new"});
  server.Route("/new",
               CannedResponse{.headers = {{"Content-Type", "text/plain"}}, .body = "moved here"});

  FetchResult result = FetchOne(LoopbackOptions(), server.url("/old"));

  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.url, server.url("/old"));
  EXPECT_EQ(result.final_url, server.url("/new"));
  EXPECT_EQ(result.body, "moved here");
  EXPECT_EQ(result.Header("location"), "");
  EXPECT_EQ(result.Header("x-hop"), "");
  EXPECT_EQ(result.Header("content-type"), "text/plain");
  EXPECT_THAT(server.targets(), ElementsAre("/old", "/new"));
}

TEST(FetcherTest, BodyOverTheLimitIsTruncatedToTheLimitWithAnErrorNamingIt) {
  LoopbackHttpServer server;
  server.Route("/big", CannedResponse{.body = std::string(256 * 1024, 'x')});

  FetchResult result = FetchOne(LoopbackOptions(), server.url("/big"), /*max_body_bytes=*/1000);

  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.body, std::string(1000, 'x'));
  EXPECT_THAT(result.error, HasSubstr("1000 bytes"));
  EXPECT_FALSE(result.ok());
}

TEST(FetcherTest, BodyExactlyAtTheLimitIsNotTruncated) {
  LoopbackHttpServer server;
  server.Route("/exact", CannedResponse{.body = std::string(1000, 'x')});

  FetchResult result = FetchOne(LoopbackOptions(), server.url("/exact"), /*max_body_bytes=*/1000);

  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.body.size(), 1000u);
}

TEST(FetcherTest, LoopbackServerIsRefusedWhenPrivateAddressesAreNotAllowed) {
  LoopbackHttpServer server;
  server.Route("/secret", CannedResponse{.body = "internal"});
  FetcherOptions options = LoopbackOptions();
  options.allow_private_addresses = false;

  FetchResult result = FetchOne(options, server.url("/secret"));

  EXPECT_THAT(result.error, HasSubstr("non-public address 127.0.0.1"));
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.body, "");
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(server.targets(), ElementsAre()) << "the request must not even be sent";
}

TEST(FetcherTest, LoopbackServerIsFetchedWhenPrivateAddressesAreAllowed) {
  LoopbackHttpServer server;
  server.Route("/secret", CannedResponse{.body = "internal"});
  FetcherOptions options = LoopbackOptions();
  options.allow_private_addresses = true;

  FetchResult result = FetchOne(options, server.url("/secret"));

  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.body, "internal");
  EXPECT_THAT(server.targets(), ElementsAre("/secret"));
}

TEST(FetcherTest, UserAgentHeaderIsTheConfiguredOne) {
  LoopbackHttpServer server;
  server.Route("/", CannedResponse{.body = "home"});
  FetcherOptions options = LoopbackOptions();
  options.user_agent = "scrapewatch/9.9 (+https://example.invalid/about-this-crawler)";

  FetchResult result = FetchOne(options, server.url("/"));

  ASSERT_TRUE(result.ok()) << result.error;
  std::vector<test::RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].user_agent, options.user_agent);
}

TEST(FetcherTest, ConcurrentTransfersOverlapAndEachCompletesWithItsOwnTag) {
  constexpr auto kResponseDelay = std::chrono::milliseconds(400);
  constexpr int kTransfers = 4;
  LoopbackHttpServer server;
  Fetcher fetcher(LoopbackOptions());
  for (int i = 0; i < kTransfers; ++i) {
    std::string path = "/slow/" + std::to_string(i);
    server.Route(path, CannedResponse{.body = "body of " + path, .delay = kResponseDelay});
    fetcher.Submit(FetchRequest{.url = server.url(path), .tag = 100u + i});
  }
  EXPECT_EQ(fetcher.in_flight(), static_cast<size_t>(kTransfers));

  std::map<uint64_t, FetchResult> results = WaitForAll(fetcher);

  ASSERT_EQ(results.size(), static_cast<size_t>(kTransfers));
  for (int i = 0; i < kTransfers; ++i) {
    std::string path = "/slow/" + std::to_string(i);
    const FetchResult& result = results[100u + i];
    EXPECT_TRUE(result.ok()) << path << ": " << result.error;
    EXPECT_EQ(result.url, server.url(path));
    EXPECT_EQ(result.body, "body of " + path);
  }
  EXPECT_EQ(fetcher.in_flight(), 0u);
  // Had the transfers run one after another, each request would have arrived
  // only after the previous response, kResponseDelay later.
  std::vector<test::RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), static_cast<size_t>(kTransfers));
  EXPECT_LT(requests.back().arrived - requests.front().arrived, kResponseDelay);
}

}  // namespace
}  // namespace scrapewatch::crawler
