// End-to-end: `scrapewatch audit` against a site whose server misbehaves in
// every way a hostile or broken site can (slow drip, stall, reset, endless
// and short bodies, gzip bomb, oversized and binary bodies, redirect loop and
// chain, errors, 429), run as a child process. The audit must end by itself,
// in bounded time, with exit status 0, and leave a store that opens and reads
// back, with a record for every URL that says what went wrong, and the sound
// pages and images beside the faults fetched and analysed as usual.
// Second: a robots.txt that answers 5xx, or dies mid-body, forbids the whole
// origin — nothing else there is requested, and the audit still succeeds.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "detectors/image_analyzer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/records.h"
#include "tests/fault_http_server.h"
#include "tests/scrapewatch_child.h"

namespace scrapewatch::test {
namespace {

using ::testing::AnyOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int kMaxPageBytes = 1000000;
constexpr int kMaxImageBytes = 1000000;
constexpr int kMaxRedirects = 3;
constexpr int kTimeoutSeconds = 5;
constexpr int kLowSpeedSeconds = 2;
// The crawler waits on its own clock, the server stamps with steady_clock in
// this process; this much disagreement is tolerated.
constexpr double kClockSlackSeconds = 0.005;
// The slowest faults take --timeout each at worst (one request at a time per
// host); the rest take well under a second in all.
constexpr std::chrono::seconds kAuditDeadline{20};

// A 16x16 24-bit BMP: decodable by any image library, made here so the test
// needs no image file.
std::string SmallBmp() {
  constexpr uint32_t kSide = 16, kPixelBytes = kSide * kSide * 3, kHeaderBytes = 54;
  std::string bmp = "BM";
  auto little_endian = [&bmp](uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) bmp += static_cast<char>((value >> (8 * i)) & 0xFF);
  };
  little_endian(kHeaderBytes + kPixelBytes, 4);
  little_endian(0, 4);
  little_endian(kHeaderBytes, 4);
  little_endian(40, 4);  // BITMAPINFOHEADER
  little_endian(kSide, 4);
  little_endian(kSide, 4);
  little_endian(1, 2);   // planes
  little_endian(24, 2);  // bits per pixel
  little_endian(0, 4);   // no compression
  little_endian(kPixelBytes, 4);
  little_endian(2835, 4);  // 72 dpi, both ways
  little_endian(2835, 4);
  little_endian(0, 4);
  little_endian(0, 4);
  for (uint32_t y = 0; y < kSide; ++y) {
    for (uint32_t x = 0; x < kSide; ++x) {
      bmp += static_cast<char>(x * 16);
      bmp += static_cast<char>(y * 16);
      bmp += static_cast<char>(128);
    }
  }
  return bmp;
}

// Bytes no HTML parser expects: NULs, invalid UTF-8, control characters.
std::string BinaryBytes() {
  std::mt19937 random(20261126);
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes += static_cast<char>(random() & 0xFF);
  return bytes;
}

// An error that says a size limit was hit, in whatever words.
auto NamesASizeLimit() {
  return AnyOf(HasSubstr("limit"), HasSubstr("exceed"), HasSubstr("too large"),
               HasSubstr("truncat"));
}

std::vector<std::string> AuditArgs(const std::string& seed, const ScratchDir& dir) {
  return {"audit",
          seed,
          "--store",
          dir.Sub("store"),
          "--out",
          dir.Sub("out"),
          "--allow-private-addresses",
          "--quiet",
          "--analysis",
          "full",
          "--delay",
          "0",
          "--timeout",
          std::to_string(kTimeoutSeconds),
          "--connect-timeout",
          "2",
          "--low-speed-time",
          std::to_string(kLowSpeedSeconds),
          "--low-speed-bytes",
          "100",
          "--max-page-bytes",
          std::to_string(kMaxPageBytes),
          "--max-image-bytes",
          std::to_string(kMaxImageBytes),
          "--max-redirects",
          std::to_string(kMaxRedirects)};
}

std::vector<LoggedRequest> RequestsFor(const FaultHttpServer& server,
                                       const std::vector<std::string>& targets) {
  std::vector<LoggedRequest> found;
  for (const LoggedRequest& request : server.log()) {
    for (const std::string& target : targets) {
      if (request.target == target) found.push_back(request);
    }
  }
  return found;
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

TEST(CrawlFaultsTest, EveryFaultIsRecordedAndTheAuditStillCompletes) {
  FaultHttpServer server;
  const std::string bmp = SmallBmp();
  const std::string binary = BinaryBytes();
  server.Route("/robots.txt", Canned(200, {{"Content-Type", "text/plain"}},
                                     "User-agent: *\nAllow: /\n"));

  // Each fault page, and what its record must show.
  const std::vector<std::string> kErrorPages = {
      "/fault/slow-drip.html", "/fault/stall.html",     "/fault/reset.html",
      "/fault/endless.html",   "/fault/short.html",     "/fault/gzip-bomb.html",
      "/fault/huge.html"};
  const std::vector<std::string> kErrorImages = {"/img/reset.jpg", "/img/short.jpg",
                                                 "/img/huge.jpg", "/img/bomb.png"};
  // 20 bytes/s, under --low-speed-bytes 100: abandoned after --low-speed-time.
  server.Route("/fault/slow-drip.html",
               SlowDrip("text/html", 10, std::chrono::milliseconds(500)));
  Response stall = Html("<p>too late</p>");
  stall.delay = std::chrono::seconds(15);  // no byte before --timeout
  server.Route("/fault/stall.html", stall);
  server.Route("/fault/reset.html", ResetMidBody("text/html", std::string(200000, 'r')));
  server.Route("/fault/endless.html", EndlessChunked("text/html"));
  server.Route("/fault/short.html", ShortBody("text/html", "<p>" + std::string(5000, 's')));
  server.Route("/fault/gzip-bomb.html", GzipBomb("text/html", int64_t{1} << 30));
  server.Route("/fault/huge.html", Html("<p>" + std::string(3 * kMaxPageBytes, 'h') + "</p>"));
  server.Route("/fault/binary.html", Canned(200, {{"Content-Type", "text/html"}}, binary));
  server.Route("/fault/missing.html", Canned(404, {}, "gone"));
  server.Route("/fault/server-error.html", Canned(500, {}, "broken"));
  server.RouteSequence("/fault/too-many.html",
                       {Canned(429, {{"Retry-After", "1"}}, "slow down"), Html("<p>now</p>")});
  server.Route("/fault/loop-a.html", Redirect("/fault/loop-b.html"));
  server.Route("/fault/loop-b.html", Redirect("/fault/loop-a.html"));
  std::vector<std::string> chain;  // /fault/chain/1.html -> 2 -> ... -> 8, longer than allowed
  for (int i = 1; i <= 8; ++i) chain.push_back("/fault/chain/" + std::to_string(i) + ".html");
  for (size_t i = 0; i + 1 < chain.size(); ++i) server.Route(chain[i], Redirect(chain[i + 1]));
  server.Route(chain.back(), Html("<p>end of the chain</p>"));

  server.Route("/img/ok.bmp", Canned(200, {{"Content-Type", "image/bmp"}}, bmp));
  server.Route("/img/not-an-image.jpg",
               Canned(200, {{"Content-Type", "image/jpeg"}}, "<html>not a picture</html>"));
  server.Route("/img/reset.jpg", ResetMidBody("image/jpeg", std::string(200000, '\xFF')));
  server.Route("/img/short.jpg", ShortBody("image/jpeg", std::string(5000, '\xD8')));
  server.Route("/img/huge.jpg",
               Canned(200, {{"Content-Type", "image/jpeg"}},
                      "\xFF\xD8\xFF" + std::string(kMaxImageBytes + kMaxImageBytes / 2, 'j')));
  server.Route("/img/bomb.png", GzipBomb("image/png", int64_t{1} << 30));

  server.Route("/ok/one.html", Html("<title>One</title><img src='/img/ok.bmp' alt='ok'>"));
  server.Route("/ok/two.html", Html("<title>Two</title><img src='/img/ok.bmp' alt='ok'>"));
  std::string home = "<title>Faults</title>";
  for (const char* page :
       {"/ok/one.html", "/fault/slow-drip.html", "/fault/stall.html", "/fault/reset.html",
        "/fault/endless.html", "/fault/short.html", "/fault/gzip-bomb.html", "/fault/huge.html",
        "/fault/binary.html", "/fault/missing.html", "/fault/server-error.html",
        "/fault/too-many.html", "/fault/loop-a.html", "/fault/chain/1.html", "/ok/two.html"}) {
    home += "<a href='" + std::string(page) + "'>link</a>\n";
  }
  for (const char* image : {"/img/ok.bmp", "/img/not-an-image.jpg", "/img/reset.jpg",
                            "/img/short.jpg", "/img/huge.jpg", "/img/bomb.png"}) {
    home += "<img src='" + std::string(image) + "' alt='image'>\n";
  }
  server.Route("/", Html(home));

  ScratchDir dir;
  ScrapewatchRun audit =
      RunScrapewatch(AuditArgs(server.url("/"), dir), dir.Sub("audit.log"), kAuditDeadline);
  ASSERT_EQ(audit.exit_code, 0) << audit.how << " after " << audit.seconds << " s\n"
                                << audit.output;

  // The store opens again and the run reads back whole: nothing was left
  // half-written by the faults.
  absl::StatusOr<store::RunContents> run = ReadOnlyRun(dir.Sub("store"), server.origin());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->run.finished_at.has_value());
  const std::string records = DescribeRecords(*run);

  for (const std::string& path : kErrorPages) {
    SCOPED_TRACE(path);
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr) << records;
    EXPECT_THAT(page->skipped_reason, IsEmpty()) << "it had to be tried";
    EXPECT_THAT(page->fetch.error, Not(IsEmpty())) << records;
    EXPECT_LE(page->fetch.body_bytes, kMaxPageBytes);
  }
  for (const char* path : {"/fault/endless.html", "/fault/gzip-bomb.html",
                                  "/fault/huge.html"}) {
    SCOPED_TRACE(path);
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr);
    EXPECT_THAT(page->fetch.error, NamesASizeLimit());
  }
  for (const std::string& path : kErrorImages) {
    SCOPED_TRACE(path);
    const store::ImageRecord* image = FindImage(*run, server.url(path));
    ASSERT_NE(image, nullptr) << records;
    EXPECT_THAT(image->fetch.error, Not(IsEmpty())) << records;
    EXPECT_LE(image->fetch.body_bytes, kMaxImageBytes);
  }
  for (const char* path : {"/img/huge.jpg", "/img/bomb.png"}) {
    SCOPED_TRACE(path);
    const store::ImageRecord* image = FindImage(*run, server.url(path));
    ASSERT_NE(image, nullptr);
    EXPECT_THAT(image->fetch.error, NamesASizeLimit());
  }

  // The crawler hung up on the responses that would never end by
  // themselves, and on the drip within its own limits.
  for (const char* path : {"/fault/slow-drip.html", "/fault/stall.html",
                                  "/fault/endless.html", "/fault/gzip-bomb.html",
                                  "/img/bomb.png"}) {
    SCOPED_TRACE(path);
    std::vector<LoggedRequest> requests = RequestsFor(server, {path});
    ASSERT_FALSE(requests.empty()) << "never requested";
    for (const LoggedRequest& request : requests) {
      ASSERT_TRUE(request.finished.has_value());
      EXPECT_TRUE(request.client_gone);
      EXPECT_LE(Seconds(*request.finished - request.arrived), kTimeoutSeconds + 1.0);
    }
  }

  // Served whole, recorded as served: odd bytes under text/html are no error.
  const store::PageRecord* binary_page = FindPage(*run, server.url("/fault/binary.html"));
  ASSERT_NE(binary_page, nullptr) << records;
  EXPECT_EQ(binary_page->fetch.http_status, 200);
  EXPECT_THAT(binary_page->fetch.error, IsEmpty());
  EXPECT_EQ(binary_page->fetch.body_bytes, static_cast<int64_t>(binary.size()));
  EXPECT_EQ(binary_page->fetch.body_sha256, detectors::Sha256Hex(binary));

  for (auto [path, status] : {std::pair{"/fault/missing.html", 404},
                              std::pair{"/fault/server-error.html", 500}}) {
    SCOPED_TRACE(path);
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr) << records;
    EXPECT_EQ(page->fetch.http_status, status);
  }

  // 429: the crawler may or may not try again, but the host hears nothing
  // from it until Retry-After has passed.
  std::vector<LoggedRequest> log = server.log();
  const store::PageRecord* limited = FindPage(*run, server.url("/fault/too-many.html"));
  ASSERT_NE(limited, nullptr) << records;
  EXPECT_THAT(limited->fetch.http_status, AnyOf(Eq(429), Eq(200)));
  auto first_429 = std::find_if(log.begin(), log.end(), [](const LoggedRequest& request) {
    return request.target == "/fault/too-many.html";
  });
  ASSERT_NE(first_429, log.end());
  ASSERT_TRUE(first_429->finished.has_value());
  for (auto later = std::next(first_429); later != log.end(); ++later) {
    EXPECT_GE(Seconds(later->arrived - *first_429->finished), 1.0 - kClockSlackSeconds)
        << later->target << " came too soon after the 429";
  }

  // Redirects: the loop ends, and the chain stops after --max-redirects hops
  // with a record that says so.
  std::vector<LoggedRequest> loop =
      RequestsFor(server, {"/fault/loop-a.html", "/fault/loop-b.html"});
  EXPECT_LE(loop.size(), static_cast<size_t>(kMaxRedirects + 1));
  for (const char* path : {"/fault/loop-a.html", "/fault/loop-b.html"}) {
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr) << path << "\n" << records;
    EXPECT_EQ(page->fetch.http_status, 302) << path;
  }
  EXPECT_LE(RequestsFor(server, chain).size(), static_cast<size_t>(kMaxRedirects + 1));
  EXPECT_THAT(RequestsFor(server, {chain.back()}), IsEmpty());
  bool chain_cut = false;
  for (const std::string& path : chain) {
    const store::PageRecord* page = FindPage(*run, server.url(path));
    chain_cut = chain_cut || (page != nullptr && page->skipped_reason.starts_with("max_redirects"));
  }
  EXPECT_TRUE(chain_cut) << "no chain URL was recorded as skipped for max_redirects\n" << records;

  // Beside the faults, the sound pages and image were fetched and analysed.
  for (auto [path, title] : {std::pair{"/ok/one.html", "One"}, std::pair{"/ok/two.html", "Two"}}) {
    SCOPED_TRACE(path);
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr) << records;
    EXPECT_EQ(page->fetch.http_status, 200);
    EXPECT_THAT(page->fetch.error, IsEmpty());
    EXPECT_EQ(page->title, title);
    EXPECT_THAT(page->images, ElementsAre(Field(&store::ImageOccurrence::image_url,
                                                server.url("/img/ok.bmp"))));
  }
  const store::ImageRecord* ok = FindImage(*run, server.url("/img/ok.bmp"));
  ASSERT_NE(ok, nullptr) << records;
  EXPECT_EQ(ok->fetch.http_status, 200);
  EXPECT_EQ(ok->fetch.body_sha256, detectors::Sha256Hex(bmp));
  ASSERT_TRUE(ok->findings.has_value()) << "the sound image was not analysed";
  EXPECT_THAT(ok->findings->decode_error, IsEmpty());
  EXPECT_EQ(ok->findings->width, 16);
  EXPECT_EQ(ok->findings->height, 16);

  // An "image" that is not one is fetched, analysed, and the analysis says so.
  const store::ImageRecord* fake = FindImage(*run, server.url("/img/not-an-image.jpg"));
  ASSERT_NE(fake, nullptr) << records;
  EXPECT_EQ(fake->fetch.http_status, 200);
  ASSERT_TRUE(fake->findings.has_value());
  EXPECT_THAT(fake->findings->decode_error, Not(IsEmpty()));
}

// robots.txt that cannot be read as a whole: a 5xx status, or a connection
// reset halfway through an allow-all file (which must not count as read).
struct UnreadableRobots {
  const char* name;
  Response response;
  std::optional<int> expected_status;  // unset: only the error is certain
  friend void PrintTo(const UnreadableRobots& robots, std::ostream* out) { *out << robots.name; }
};

class UnreadableRobotsTest : public ::testing::TestWithParam<UnreadableRobots> {};

TEST_P(UnreadableRobotsTest, NothingElseOnThatOriginIsRequested) {
  FaultHttpServer server;
  server.Route("/robots.txt", GetParam().response);
  server.Route("/", Html("<a href='/page.html'>p</a><img src='/photo.jpg'>"));
  server.Route("/page.html", Html("<p>page</p>"));
  server.Route("/photo.jpg", Canned(200, {{"Content-Type", "image/jpeg"}}, "\xFF\xD8\xFF"));

  ScratchDir dir;
  ScrapewatchRun audit =
      RunScrapewatch(AuditArgs(server.url("/"), dir), dir.Sub("audit.log"), kAuditDeadline);
  ASSERT_EQ(audit.exit_code, 0) << audit.how << "\n" << audit.output;

  std::vector<LoggedRequest> log = server.log();
  EXPECT_THAT(log, Not(IsEmpty()));
  EXPECT_THAT(log, Each(Field(&LoggedRequest::target, "/robots.txt")));

  absl::StatusOr<store::RunContents> run = ReadOnlyRun(dir.Sub("store"), server.origin());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->run.finished_at.has_value());
  ASSERT_EQ(run->robots.size(), 1u);
  EXPECT_EQ(run->robots[0].origin, server.origin());
  EXPECT_EQ(run->robots[0].policy, "disallow_all");
  if (GetParam().expected_status) {
    EXPECT_EQ(run->robots[0].fetch.http_status, *GetParam().expected_status);
  } else {
    EXPECT_THAT(run->robots[0].fetch.error, Not(IsEmpty()));
  }
  const store::PageRecord* seed = FindPage(*run, server.url("/"));
  ASSERT_NE(seed, nullptr) << DescribeRecords(*run);
  EXPECT_THAT(seed->skipped_reason, StartsWith("robots"));
  EXPECT_EQ(seed->fetch.http_status, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, UnreadableRobotsTest,
    ::testing::Values(
        UnreadableRobots{"InternalServerError", Canned(500, {}, "broken"), 500},
        UnreadableRobots{"ServiceUnavailable",
                         Canned(503, {{"Retry-After", "1"}}, "overloaded"), 503},
        UnreadableRobots{"ResetMidBody",
                         ResetMidBody("text/plain",
                                      "User-agent: *\nAllow: /\n" + std::string(100000, '#')),
                         std::nullopt}),
    [](const ::testing::TestParamInfo<UnreadableRobots>& info) { return info.param.name; });

}  // namespace
}  // namespace scrapewatch::test
