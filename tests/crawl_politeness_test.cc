// End-to-end: the politeness of `scrapewatch audit`, judged from the
// server's own access log, with the real binary as a child process.
// robots.txt comes first and its Disallow holds for pages and images alike;
// consecutive requests to the host are at least the delay apart (--delay, or
// robots.txt Crawl-delay when larger); one request is in flight at a time;
// the User-Agent names scrapewatch; and a 429 or 503 with Retry-After
// silences the crawler towards that host for as long as it asks.
#include <chrono>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/records.h"
#include "tests/fault_http_server.h"
#include "tests/scrapewatch_child.h"

namespace scrapewatch::test {
namespace {

using ::testing::Each;
using ::testing::Field;
using ::testing::Not;
using ::testing::StartsWith;

// The crawler waits on its own clock, the server stamps with steady_clock in
// this process; this much disagreement is tolerated.
constexpr double kClockSlackSeconds = 0.005;
constexpr std::chrono::seconds kAuditDeadline{25};
constexpr int kGalleries = 12;

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

std::vector<std::string> AuditArgs(const std::string& seed, const ScratchDir& dir,
                                   const std::string& delay) {
  return {"audit",   seed,   "--store",  dir.Sub("store"), "--out", dir.Sub("out"),
          "--allow-private-addresses",   "--quiet", "--analysis", "none",
          "--delay", delay, "--timeout", "10"};
}

Response Jpeg(const std::string& name) {
  return Canned(200, {{"Content-Type", "image/jpeg"}}, "\xFF\xD8\xFF" + name);
}

// A home page and kGalleries gallery pages, each with a photo, linking one
// another, and each linking a page and showing a photo under /private/.
// Returns the targets a crawler allowed everything but /private/ must fetch.
std::set<std::string> ServeGallerySite(FaultHttpServer& server) {
  std::set<std::string> allowed = {"/"};
  std::string home = "<title>Home</title><img src='/photos/home.jpg'>";
  server.Route("/photos/home.jpg", Jpeg("home"));
  allowed.insert("/photos/home.jpg");
  for (int i = 1; i <= kGalleries; ++i) {
    std::string n = std::to_string(i);
    std::string page = "/gallery/" + n + ".html";
    home += "<a href='" + page + "'>gallery " + n + "</a>";
    server.Route(page, Html("<title>Gallery " + n + "</title><img src='/photos/" + n +
                            ".jpg'><img src='/private/face-" + n + ".jpg'><a href='/gallery/" +
                            std::to_string(i % kGalleries + 1) + ".html'>next</a><a href='" +
                            "/private/secret-" + n + ".html'>secret</a>"));
    server.Route("/photos/" + n + ".jpg", Jpeg(n));
    // Served, so that a request for them would succeed, and show in the log.
    server.Route("/private/face-" + n + ".jpg", Jpeg("private " + n));
    server.Route("/private/secret-" + n + ".html", Html("<p>secret</p>"));
    allowed.insert(page);
    allowed.insert("/photos/" + n + ".jpg");
  }
  server.Route("/", Html(home));
  return allowed;
}

struct DelayCase {
  const char* name;
  const char* robots_txt;
  const char* delay_flag;
  double expected_gap_seconds;
  friend void PrintTo(const DelayCase& delay, std::ostream* out) { *out << delay.name; }
};

class CrawlPolitenessTest : public ::testing::TestWithParam<DelayCase> {};

TEST_P(CrawlPolitenessTest, TheServerSeesAPoliteCrawler) {
  FaultHttpServer server;
  server.Route("/robots.txt",
               Canned(200, {{"Content-Type", "text/plain"}}, GetParam().robots_txt));
  std::set<std::string> allowed = ServeGallerySite(server);

  ScratchDir dir;
  ScrapewatchRun audit = RunScrapewatch(AuditArgs(server.url("/"), dir, GetParam().delay_flag),
                                        dir.Sub("audit.log"), kAuditDeadline);
  ASSERT_EQ(audit.exit_code, 0) << audit.how << "\n" << audit.output;

  std::vector<LoggedRequest> log = server.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().target, "/robots.txt");
  std::set<std::string> requested;
  for (const LoggedRequest& request : log) requested.insert(request.target);
  for (const std::string& target : allowed) {
    EXPECT_TRUE(requested.contains(target)) << target << " was never requested";
  }
  EXPECT_THAT(log, Each(Field(&LoggedRequest::target, Not(StartsWith("/private/")))));
  EXPECT_THAT(log, Each(Field(&LoggedRequest::user_agent, StartsWith("scrapewatch/"))));

  for (size_t k = 0; k + 1 < log.size(); ++k) {
    SCOPED_TRACE(log[k].target + " then " + log[k + 1].target);
    EXPECT_GE(Seconds(log[k + 1].arrived - log[k].arrived),
              GetParam().expected_gap_seconds - kClockSlackSeconds);
    ASSERT_TRUE(log[k].finished.has_value());
    EXPECT_GE(log[k + 1].arrived, *log[k].finished) << "two requests in flight at once";
  }

  // Waiting is sleeping. The audit starts in a few hundredths of a second
  // of CPU (--analysis none) and then mostly waits out the delay; a crawler
  // that spins instead takes a whole core from the machine it runs on, for
  // hours on a large site.
  EXPECT_LT(audit.cpu_seconds, 0.25 * audit.seconds)
      << "CPU seconds used in " << audit.seconds << " s of a crawl that is mostly waiting";

  // What robots.txt kept the crawler from is still on record, with the cause.
  absl::StatusOr<store::RunContents> run = ReadOnlyRun(dir.Sub("store"), server.origin());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  for (int i = 1; i <= kGalleries; ++i) {
    std::string n = std::to_string(i);
    const store::PageRecord* page = FindPage(*run, server.url("/private/secret-" + n + ".html"));
    ASSERT_NE(page, nullptr) << n << "\n" << DescribeRecords(*run);
    EXPECT_THAT(page->skipped_reason, StartsWith("robots"));
    const store::ImageRecord* image = FindImage(*run, server.url("/private/face-" + n + ".jpg"));
    ASSERT_NE(image, nullptr) << n << "\n" << DescribeRecords(*run);
    EXPECT_THAT(image->skipped_reason, StartsWith("robots"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Delays, CrawlPolitenessTest,
    ::testing::Values(
        // --delay 0: the only thing spacing the requests is the Crawl-delay.
        DelayCase{"RobotsCrawlDelay",
                  "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n", "0", 0.3},
        DelayCase{"ConfiguredDelay", "User-agent: *\nDisallow: /private/\n", "0.2", 0.2}),
    [](const ::testing::TestParamInfo<DelayCase>& info) { return info.param.name; });

// Three pages answer 429 or 503 with Retry-After: 1 the first time they are
// asked for, then 200. Whatever order they are crawled in, the first two
// such answers are followed by more requests; each must wait out the second.
TEST(CrawlPolitenessTest, RetryAfterSilencesTheCrawlerForAsLongAsItAsks) {
  FaultHttpServer server;
  server.Route("/robots.txt", Canned(200, {{"Content-Type", "text/plain"}}, "User-agent: *\n"));
  const std::set<std::string> limited = {"/a.html", "/b.html", "/c.html"};
  server.Route("/", Html("<a href='/a.html'>a</a><a href='/b.html'>b</a><a href='/c.html'>c</a>"));
  for (const std::string& page : limited) {
    int status = page == "/b.html" ? 503 : 429;
    server.RouteSequence(page, {Canned(status, {{"Retry-After", "1"}}, "not now"),
                                Html("<p>now</p>")});
  }

  ScratchDir dir;
  ScrapewatchRun audit =
      RunScrapewatch(AuditArgs(server.url("/"), dir, "0.05"), dir.Sub("audit.log"), kAuditDeadline);
  ASSERT_EQ(audit.exit_code, 0) << audit.how << "\n" << audit.output;

  std::vector<LoggedRequest> log = server.log();
  std::set<std::string> answered_not_now;
  int followed = 0;
  for (size_t k = 0; k < log.size(); ++k) {
    // The first request for a limited page is the one that got Retry-After.
    if (!limited.contains(log[k].target) || !answered_not_now.insert(log[k].target).second) {
      continue;
    }
    ASSERT_TRUE(log[k].finished.has_value());
    if (k + 1 == log.size()) continue;
    ++followed;
    EXPECT_GE(Seconds(log[k + 1].arrived - *log[k].finished), 1.0 - kClockSlackSeconds)
        << log[k + 1].target << " came too soon after Retry-After: 1 on " << log[k].target;
  }
  EXPECT_EQ(answered_not_now, limited) << "a limited page was never requested";
  EXPECT_GE(followed, 2);
}

}  // namespace
}  // namespace scrapewatch::test
