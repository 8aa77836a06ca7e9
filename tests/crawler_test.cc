// Integration tests of crawler::Crawler against real HTTP servers on
// 127.0.0.1 (each server is its own origin): robots.txt is fetched first and
// obeyed per origin, whatever its status; politeness delays (configured,
// Crawl-delay, Retry-After) hold between requests as the server sees them;
// max_pages and the seed-host scope limit the pages crawled; and what the
// crawl observes reaches the CrawlSink.
#include "crawler/crawler.h"

#include <curl/curl.h>
#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "crawler/extracted_page.h"
#include "crawler/fetch_result.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/loopback_http_server.h"

namespace scrapewatch::crawler {
namespace {

using test::CannedResponse;
using test::LoopbackHttpServer;
using test::RecordedRequest;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

class CurlGlobalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};
::testing::Environment* const kCurlEnvironment =
    ::testing::AddGlobalTestEnvironment(new CurlGlobalEnvironment);

// The crawler waits on absl::Now(), the server stamps arrivals with
// steady_clock; this much disagreement between the two is tolerated.
constexpr double kClockSlackSeconds = 0.005;

// Everything the crawler reports, in order.
class RecordingSink : public CrawlSink {
 public:
  struct Robots {
    std::string origin;
    int http_status;
    std::string policy;
    friend void PrintTo(const Robots& r, std::ostream* out) {
      *out << "robots " << r.origin << " " << r.http_status << " " << r.policy;
    }
  };
  struct Page {
    std::string url;
    int http_status;
    bool parsed;  // ExtractedPage was given
    friend void PrintTo(const Page& p, std::ostream* out) {
      *out << "page " << p.url << " " << p.http_status << (p.parsed ? " parsed" : " unparsed");
    }
  };
  struct Skip {
    std::string url;
    bool is_image;
    std::string reason;
    friend void PrintTo(const Skip& s, std::ostream* out) {
      *out << "skipped " << (s.is_image ? "image " : "page ") << s.url << ": " << s.reason;
    }
  };

  void OnRobots(const std::string& origin, const FetchResult& fetch,
                const std::string& policy) override {
    robots.push_back({origin, fetch.http_status, policy});
  }
  void OnPage(const FetchResult& fetch, const ExtractedPage* page) override {
    pages.push_back({fetch.url, fetch.http_status, page != nullptr});
  }
  void OnTdmRep(const std::string& origin, const FetchResult& fetch) override {
    tdmreps.push_back({origin, fetch.http_status, fetch.body});
  }
  void OnSitemap(const FetchResult& fetch, const SitemapContents* contents) override {
    sitemaps.push_back({fetch.url, fetch.http_status, contents != nullptr});
  }
  void OnStylesheet(const FetchResult& fetch, const std::vector<std::string>* images) override {
    stylesheets.push_back({fetch.url, fetch.http_status, images != nullptr});
  }
  void OnImage(const FetchResult& fetch, std::function<void()> kept) override {
    images.push_back(fetch.url);
    kept();
  }
  void OnSkipped(const std::string& url, ResourceKind kind, const SkipReason& reason) override {
    skipped.push_back({url, kind == ResourceKind::kImage, reason.cause + ": " + reason.detail});
  }
  void Flush() override {}

  struct TdmRep {
    std::string origin;
    int http_status;
    std::string body;
  };

  std::vector<Robots> robots;
  std::vector<TdmRep> tdmreps;
  std::vector<Page> pages;
  std::vector<Page> sitemaps;
  std::vector<Page> stylesheets;
  std::vector<std::string> images;
  std::vector<Skip> skipped;
};

// Every origin's TDMRep file is asked for right after its robots.txt.
constexpr char kTdmRep[] = "/.well-known/tdmrep.json";

auto RobotsReport(const std::string& origin, const std::string& policy) {
  return AllOf(Field(&RecordingSink::Robots::origin, origin),
               Field(&RecordingSink::Robots::policy, policy));
}
auto PageReport(const std::string& url) { return Field(&RecordingSink::Page::url, url); }
auto PageReportOf(const std::string& url) { return Field(&RecordingSink::Page::url, url); }

// `text` gzip-compressed, as a server would send a .xml.gz file.
std::string Gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}
auto SkipReport(const std::string& url, bool is_image, const std::string& reason_part) {
  return AllOf(Field(&RecordingSink::Skip::url, url),
               Field(&RecordingSink::Skip::is_image, is_image),
               Field(&RecordingSink::Skip::reason, HasSubstr(reason_part)));
}

CannedResponse Html(std::string body) {
  return {.headers = {{"Content-Type", "text/html; charset=utf-8"}}, .body = std::move(body)};
}
CannedResponse RobotsTxt(std::string body) {
  return {.headers = {{"Content-Type", "text/plain"}}, .body = std::move(body)};
}
// Not a decodable JPEG: the crawler only fetches images, it does not decode them.
CannedResponse Jpeg() {
  return {.headers = {{"Content-Type", "image/jpeg"}}, .body = "\xFF\xD8\xFF"};
}

CrawlConfig LoopbackCrawlConfig() {
  CrawlConfig config;
  config.allow_private_addresses = true;  // the test servers are on 127.0.0.1
  config.delay_seconds = 0.01;
  config.timeout_seconds = 10;
  config.user_agent = "scrapewatch-crawler-test/1.0";
  config.sitemaps = false;  // tests of sitemaps turn them on
  return config;
}

// A store of its own for each crawl, in a fresh directory, holding the frontier.
class TempStore {
 public:
  TempStore() {
    dir_ = std::filesystem::temp_directory_path() /
           ("crawler_test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    store_ = *store::Store::Open(dir_.string());
    run_ = *store_->BeginRun({.site = "test", .started_at = absl::Now()});
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<FrontierStorage> Frontier() { return store_->Frontier(run_); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::RunRecord run_;
};

// Crawls from `seed` and returns the sink's record; the crawl must succeed.
RecordingSink Crawl(const CrawlConfig& config, const std::string& seed) {
  RecordingSink sink;
  TempStore store;
  std::unique_ptr<FrontierStorage> frontier = store.Frontier();
  Crawler crawler(config, frontier.get(), &sink);
  absl::Status status = crawler.Run({seed});
  EXPECT_TRUE(status.ok()) << status;
  return sink;
}

// Seconds between consecutive requests that reached `server`.
std::vector<double> GapsBetweenRequests(const LoopbackHttpServer& server) {
  std::vector<RecordedRequest> requests = server.requests();
  std::vector<double> gaps;
  for (size_t i = 1; i < requests.size(); ++i) {
    gaps.push_back(
        std::chrono::duration<double>(requests[i].arrived - requests[i - 1].arrived).count());
  }
  return gaps;
}

TEST(CrawlerTest, RobotsTxtComesFirstAndItsDisallowedPageAndImageAreNeverRequested) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nDisallow: /private/\n"));
  server.Route("/", Html(R"(<a href="/public.html">p</a> <a href="/private/page.html">x</a>
                            <img src="/img/ok.jpg"> <img src="/private/face.jpg">)"));
  server.Route("/public.html", Html("<p>public</p>"));
  server.Route("/private/page.html", Html("<p>private</p>"));
  server.Route("/img/ok.jpg", Jpeg());
  server.Route("/private/face.jpg", Jpeg());

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  std::vector<std::string> targets = server.targets();
  ASSERT_THAT(targets, Not(IsEmpty()));
  EXPECT_EQ(targets.front(), "/robots.txt");
  EXPECT_THAT(targets,
              UnorderedElementsAre("/robots.txt", kTdmRep, "/", "/public.html", "/img/ok.jpg"));
  EXPECT_THAT(sink.robots, ElementsAre(RobotsReport(server.origin(), "parsed")));
  EXPECT_THAT(sink.skipped, UnorderedElementsAre(
                                SkipReport(server.url("/private/page.html"), false, "robots: disallowed by robots.txt"),
                                SkipReport(server.url("/private/face.jpg"), true, "robots.txt")));
  EXPECT_THAT(sink.images, ElementsAre(server.url("/img/ok.jpg")));
}

TEST(CrawlerTest, EveryRequestCarriesTheConfiguredUserAgent) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/next.html">n</a> <img src="/face.jpg">)"));
  server.Route("/next.html", Html("<p>next</p>"));
  server.Route("/face.jpg", Jpeg());
  CrawlConfig config = LoopbackCrawlConfig();

  Crawl(config, server.url("/"));

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_THAT(requests, SizeIs(5));  // robots.txt, tdmrep.json, two pages, one image
  EXPECT_THAT(requests, Each(Field(&RecordedRequest::user_agent, config.user_agent)));
}

TEST(CrawlerTest, RequestsToOneOriginAreSpacedByTheConfiguredDelay) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nAllow: /\n"));
  server.Route("/",
               Html(R"(<a href="/a.html">a</a> <a href="/b.html">b</a> <img src="/face.jpg">)"));
  server.Route("/a.html", Html("<p>a</p>"));
  server.Route("/b.html", Html("<p>b</p>"));
  server.Route("/face.jpg", Jpeg());
  CrawlConfig config = LoopbackCrawlConfig();
  config.delay_seconds = 0.2;

  Crawl(config, server.url("/"));

  std::vector<double> gaps = GapsBetweenRequests(server);
  ASSERT_THAT(gaps, SizeIs(5));  // between robots.txt, tdmrep.json, 3 pages, 1 image
  EXPECT_THAT(gaps, Each(Ge(0.2 - kClockSlackSeconds)));
}

TEST(CrawlerTest, RobotsCrawlDelayRaisesTheGapBetweenRequests) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nCrawl-delay: 0.5\n"));
  server.Route("/", Html(R"(<img src="/face.jpg">)"));
  server.Route("/face.jpg", Jpeg());
  CrawlConfig config = LoopbackCrawlConfig();  // a configured delay of 0.01 s

  Crawl(config, server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/face.jpg"));
  EXPECT_THAT(GapsBetweenRequests(server), Each(Ge(0.5 - kClockSlackSeconds)));
}

TEST(CrawlerTest, RobotsTxtNotFoundAllowsEverything) {
  LoopbackHttpServer server;  // no /robots.txt route: it answers 404
  server.Route("/", Html(R"(<a href="/private/page.html">p</a> <img src="/private/face.jpg">)"));
  server.Route("/private/page.html", Html("<p>page</p>"));
  server.Route("/private/face.jpg", Jpeg());

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(),
              ElementsAre("/robots.txt", kTdmRep, "/", "/private/page.html", "/private/face.jpg"));
  EXPECT_THAT(sink.robots, ElementsAre(RobotsReport(server.origin(), "allow_all")));
  EXPECT_THAT(sink.skipped, IsEmpty());
}

TEST(CrawlerTest, RobotsTxtServerErrorDisallowsEverything) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", CannedResponse{.status = 503, .body = "overloaded"});
  server.Route("/", Html(R"(<a href="/page.html">p</a>)"));

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt"));
  EXPECT_THAT(sink.robots, ElementsAre(RobotsReport(server.origin(), "disallow_all")));
  EXPECT_THAT(sink.skipped, ElementsAre(SkipReport(server.url("/"), false, "robots.txt")));
  EXPECT_THAT(sink.pages, IsEmpty());
}

TEST(CrawlerTest, MaxPagesCapsTheHtmlPagesFetched) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/p1.html">1</a> <a href="/p2.html">2</a>
                            <a href="/p3.html">3</a>)"));
  for (const char* path : {"/p1.html", "/p2.html", "/p3.html"})
    server.Route(path, Html("<p>p</p>"));
  CrawlConfig config = LoopbackCrawlConfig();
  config.max_pages = 2;

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/p1.html"));
  EXPECT_THAT(sink.pages,
              ElementsAre(PageReport(server.url("/")), PageReport(server.url("/p1.html"))));
  EXPECT_THAT(sink.skipped,
              ElementsAre(SkipReport(server.url("/p2.html"), false, "max_pages: max_pages (2)"),
                          SkipReport(server.url("/p3.html"), false, "max_pages: max_pages (2)")));
}

TEST(CrawlerTest, ImageOnAnotherOriginIsFetchedUnderThatOriginsOwnRobotsTxt) {
  LoopbackHttpServer site;
  LoopbackHttpServer cdn;  // another port: another origin
  site.Route("/robots.txt", RobotsTxt("User-agent: *\nAllow: /\n"));
  site.Route("/", Html("<img src='" + cdn.url("/photos/face.jpg") + "'> <img src='" +
                       cdn.url("/private/face.jpg") + "'>"));
  cdn.Route("/robots.txt", RobotsTxt("User-agent: scrapewatch\nDisallow: /private/\n"));
  cdn.Route("/photos/face.jpg", Jpeg());
  cdn.Route("/private/face.jpg", Jpeg());

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), site.url("/"));

  EXPECT_THAT(site.targets(), ElementsAre("/robots.txt", kTdmRep, "/"));
  EXPECT_THAT(cdn.targets(), ElementsAre("/robots.txt", kTdmRep, "/photos/face.jpg"));
  EXPECT_THAT(sink.robots, UnorderedElementsAre(RobotsReport(site.origin(), "parsed"),
                                                RobotsReport(cdn.origin(), "parsed")));
  EXPECT_THAT(sink.images, ElementsAre(cdn.url("/photos/face.jpg")));
  EXPECT_THAT(sink.skipped,
              ElementsAre(SkipReport(cdn.url("/private/face.jpg"), true, "robots.txt")));
}

TEST(CrawlerTest, LinksToOtherHostsAreNotCrawledAsPages) {
  LoopbackHttpServer site;
  LoopbackHttpServer elsewhere;
  // "localhost" is another host name than the seed's "127.0.0.1".
  std::string other_host_page =
      "http://localhost:" + std::to_string(elsewhere.port()) + "/page.html";
  site.Route(
      "/", Html(R"(<a href=")" + other_host_page + R"(">elsewhere</a> <a href="/in.html">in</a>)"));
  site.Route("/in.html", Html("<p>in scope</p>"));
  elsewhere.Route("/page.html", Html("<p>out of scope</p>"));

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), site.url("/"));

  EXPECT_THAT(elsewhere.targets(), IsEmpty());
  EXPECT_THAT(site.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/in.html"));
  EXPECT_THAT(sink.pages, Not(Contains(PageReport(other_host_page))));
}

// A 429 pauses the whole origin for Retry-After, and the page is tried again
// at the back of the queue — three times in all before its 429 is the answer.
TEST(CrawlerTest, TooManyRequestsWithRetryAfterDelaysTheNextRequestAndIsRetried) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/limited.html">l</a> <a href="/after.html">a</a>)"));
  server.Route(
      "/limited.html",
      CannedResponse{.status = 429, .headers = {{"Retry-After", "1"}}, .body = "slow down"});
  server.Route("/after.html", Html("<p>after</p>"));

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/limited.html",
                                            "/after.html", "/limited.html", "/limited.html"));
  std::vector<double> gaps = GapsBetweenRequests(server);
  ASSERT_THAT(gaps, SizeIs(6));
  EXPECT_GE(gaps[3], 1.0 - kClockSlackSeconds) << "from the first 429 to the next request";
  EXPECT_GE(gaps[5], 1.0 - kClockSlackSeconds) << "from the second 429 to the next request";
  EXPECT_THAT(sink.pages, ElementsAre(PageReport(server.url("/")),
                                      PageReport(server.url("/after.html")),
                                      AllOf(PageReport(server.url("/limited.html")),
                                            Field(&RecordingSink::Page::http_status, 429))));
}

// Retry-After may also be an HTTP-date (RFC 9110): the origin waits until
// then. Without the date, the pause would be twice the (zero) delay.
TEST(CrawlerTest, RetryAfterAsAnHttpDateIsWaitedFor) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/busy.html">b</a>)"));
  // Two seconds ahead, truncated to the second by the format: at least one
  // second of waiting once the 503 has arrived.
  std::string date = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                                      absl::Now() + absl::Seconds(2), absl::UTCTimeZone());
  server.Route("/busy.html",
               CannedResponse{.status = 503, .headers = {{"Retry-After", date}}, .body = "busy"});

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  ASSERT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/busy.html",
                                            "/busy.html", "/busy.html"));
  std::vector<double> gaps = GapsBetweenRequests(server);
  ASSERT_THAT(gaps, SizeIs(5));
  EXPECT_GE(gaps[3], 1.0 - kClockSlackSeconds) << "from the 503 to the retry, Retry-After " << date;
}

// A gallery links the very photo it shows (<a href="full.jpg"><img
// src="full.jpg"></a>); the photo must still be fetched and analysed as an image.
TEST(CrawlerTest, LinkedImageIsStillReportedAsAnImage) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/photos/full.jpg"><img src="/photos/full.jpg"></a>)"));
  server.Route("/photos/full.jpg", Jpeg());

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(sink.images, ElementsAre(server.url("/photos/full.jpg")));
}

// A redirect is not a way around robots.txt: its target is checked like any
// other URL before it is fetched.
TEST(CrawlerTest, RedirectToARobotsDisallowedUrlIsNotFollowed) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nDisallow: /private/\n"));
  server.Route("/", Html(R"(<a href="/go">go</a>)"));
  server.Route("/go",
               CannedResponse{.status = 302, .headers = {{"Location", "/private/page.html"}}});
  server.Route("/private/page.html", Html("<p>private</p>"));

  Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), Not(Contains("/private/page.html")));
}

// A robots.txt larger than the page limit is parsed up to the RFC 9309 limit,
// not taken as unreachable (which would mean "disallow all").
TEST(CrawlerTest, RobotsTxtLargerThanThePageLimitIsStillParsed) {
  LoopbackHttpServer server;
  CrawlConfig config = LoopbackCrawlConfig();
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nDisallow: /private/\n#" +
                                        std::string(config.max_page_bytes, 'x') + "\n"));
  server.Route("/", Html(R"(<a href="/private/page.html">p</a>)"));

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(sink.robots, ElementsAre(RobotsReport(server.origin(), "parsed")));
  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/"));
  EXPECT_THAT(sink.skipped,
              ElementsAre(SkipReport(server.url("/private/page.html"), false, "robots: disallowed by robots.txt")));
}

// TDMRep: each origin's /.well-known/tdmrep.json is fetched once, after its
// robots.txt, and handed to the sink as it was served.
TEST(CrawlerTest, FetchesEachOriginsTdmRepFileAfterItsRobotsTxt) {
  LoopbackHttpServer server;
  const std::string tdmrep = R"([{"location": "/*", "tdm-reservation": 1}])";
  server.Route(kTdmRep, CannedResponse{.status = 200,
                                       .headers = {{"Content-Type", "application/json"}},
                                       .body = tdmrep});
  server.Route("/", Html("<p>home</p>"));

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/"));
  ASSERT_EQ(sink.tdmreps.size(), 1u);
  EXPECT_EQ(sink.tdmreps[0].origin, server.origin());
  EXPECT_EQ(sink.tdmreps[0].http_status, 200);
  EXPECT_EQ(sink.tdmreps[0].body, tdmrep);
}

TEST(CrawlerTest, TdmRepFileDisallowedByRobotsTxtIsNotFetched) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nDisallow: /.well-known/\n"));
  server.Route("/", Html("<p>home</p>"));

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", "/"));
  EXPECT_TRUE(sink.tdmreps.empty());
}


// robots.txt's Sitemap line leads to an index, whose gzipped child lists a
// page no link reaches and an image; both are fetched.
TEST(CrawlerTest, SitemapsFromRobotsTxtAreReadThroughIndexAndGzip) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nAllow: /\nSitemap: " +
                                        server.url("/sitemap-index.xml") + "\n"));
  server.Route("/sitemap-index.xml",
               {.headers = {{"Content-Type", "application/xml"}},
                .body = "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                        "<sitemap><loc>/pages.xml.gz</loc></sitemap></sitemapindex>"});
  server.Route("/pages.xml.gz",
               {.headers = {{"Content-Type", "application/gzip"}},
                .body = Gzip("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                             "xmlns:image='http://www.google.com/schemas/sitemap-image/1.1'>"
                             "<url><loc>/orphan.html</loc><image:image><image:loc>/staff.jpg"
                             "</image:loc></image:image></url></urlset>")});
  server.Route("/", Html("<p>no links</p>"));
  server.Route("/orphan.html", Html("<p>only in the sitemap</p>"));
  server.Route("/staff.jpg", Jpeg());
  CrawlConfig config = LoopbackCrawlConfig();
  config.sitemaps = true;

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(sink.sitemaps, ElementsAre(Field(&RecordingSink::Page::url, server.url("/sitemap-index.xml")),
                                         Field(&RecordingSink::Page::url, server.url("/pages.xml.gz"))));
  EXPECT_THAT(sink.pages, Contains(PageReport(server.url("/orphan.html"))));
  EXPECT_THAT(sink.images, ElementsAre(server.url("/staff.jpg")));
}

// Without a Sitemap line the conventional /sitemap.xml is tried; its 404 is
// recorded, not fatal.
TEST(CrawlerTest, ConventionalSitemapIsTriedWhenRobotsTxtNamesNone) {
  LoopbackHttpServer server;
  server.Route("/", Html("<p>home</p>"));
  CrawlConfig config = LoopbackCrawlConfig();
  config.sitemaps = true;

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(server.targets(), Contains("/sitemap.xml"));
  EXPECT_THAT(sink.sitemaps, ElementsAre(AllOf(Field(&RecordingSink::Page::url, server.url("/sitemap.xml")),
                                               Field(&RecordingSink::Page::http_status, 404),
                                               Field(&RecordingSink::Page::parsed, false))));
}

// A hero image in an external style sheet and a touch icon are images the
// page shows, so they are fetched too.
TEST(CrawlerTest, StyleSheetImagesAndIconsAreFetched) {
  LoopbackHttpServer server;
  server.Route("/", Html("<link rel=stylesheet href='/css/site.css'>"
                         "<link rel=apple-touch-icon href='/me.png'>"));
  server.Route("/css/site.css", {.headers = {{"Content-Type", "text/css"}},
                                 .body = "/* url(/commented.jpg) */ .hero { background: "
                                         "url('../img/hero.jpg') }"});
  server.Route("/img/hero.jpg", Jpeg());
  server.Route("/me.png", Jpeg());

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(sink.stylesheets, ElementsAre(AllOf(PageReportOf(server.url("/css/site.css")),
                                                  Field(&RecordingSink::Page::parsed, true))));
  EXPECT_THAT(sink.images, UnorderedElementsAre(server.url("/img/hero.jpg"), server.url("/me.png")));
  EXPECT_THAT(server.targets(), Not(Contains("/commented.jpg")));
}

TEST(CrawlerTest, MaxDepthStopsFollowingLinksAndSaysSo) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/1.html">1</a>)"));
  server.Route("/1.html", Html(R"(<a href="/2.html">2</a> <img src="/deep.jpg">)"));
  server.Route("/2.html", Html("<p>too deep</p>"));
  server.Route("/deep.jpg", Jpeg());
  CrawlConfig config = LoopbackCrawlConfig();
  config.max_depth = 1;

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(server.targets(), Not(Contains("/2.html")));
  EXPECT_THAT(sink.images, ElementsAre(server.url("/deep.jpg"))) << "images of the last level count";
  EXPECT_THAT(sink.skipped, ElementsAre(SkipReport(server.url("/2.html"), false, "max_depth: ")));
}

// A calendar links endless days; pages of one URL shape are capped.
TEST(CrawlerTest, UrlsOfOneShapeAreCappedAgainstCalendarTraps) {
  LoopbackHttpServer server;
  std::string links;
  for (int day = 1; day <= 6; ++day) {
    links += "<a href='/calendar/2024/06/" + std::to_string(day) + ".html'>d</a>";
    server.Route("/calendar/2024/06/" + std::to_string(day) + ".html", Html("<p>day</p>"));
  }
  server.Route("/", Html(links + "<a href='/articles/1-a.html'>a</a><a href='/articles/2-b.html'>b</a>"));
  server.Route("/articles/1-a.html", Html("<p>a</p>"));
  server.Route("/articles/2-b.html", Html("<p>b</p>"));
  CrawlConfig config = LoopbackCrawlConfig();
  config.max_urls_per_pattern = 2;

  RecordingSink sink = Crawl(config, server.url("/"));

  std::vector<std::string> targets = server.targets();
  EXPECT_EQ(std::count_if(targets.begin(), targets.end(),
                          [](const std::string& t) { return t.starts_with("/calendar/"); }),
            2);
  EXPECT_THAT(targets, AllOf(Contains("/articles/1-a.html"), Contains("/articles/2-b.html")));
  EXPECT_THAT(sink.skipped, AllOf(SizeIs(4), Each(Field(&RecordingSink::Skip::reason,
                                                        HasSubstr("max_urls_per_pattern: ")))));
}

// utm_* parameters are dropped and parameter order ignored: one page, one fetch.
TEST(CrawlerTest, TrackingParametersAndQueryOrderDoNotMakeNewPages) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/p?b=2&a=1&utm_source=x">1</a> <a href="/p?a=1&b=2">2</a>
                            <a href="/p?fbclid=y&a=1&b=2#top">3</a>)"));
  server.Route("/p?b=2&a=1", Html("<p>p</p>"));

  Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/p?b=2&a=1"));
}

TEST(CrawlerTest, RedirectLoopEndsAndEachHopIsRecorded) {
  LoopbackHttpServer server;
  server.Route("/", Html(R"(<a href="/a">a</a>)"));
  server.Route("/a", CannedResponse{.status = 301, .headers = {{"Location", "/b"}}});
  server.Route("/b", CannedResponse{.status = 302, .headers = {{"Location", "/a"}}});

  RecordingSink sink = Crawl(LoopbackCrawlConfig(), server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt", kTdmRep, "/", "/a", "/b"));
  EXPECT_THAT(sink.pages, ElementsAre(PageReport(server.url("/")), PageReport(server.url("/a")),
                                      PageReport(server.url("/b"))));
}

// A site asking for a day between requests would stall the audit: the host
// is not crawled, and every URL on it says why.
TEST(CrawlerTest, CrawlDelayAboveTheCapSkipsTheHost) {
  LoopbackHttpServer server;
  server.Route("/robots.txt", RobotsTxt("User-agent: *\nCrawl-delay: 86400\n"));
  server.Route("/", Html("<p>home</p>"));
  CrawlConfig config = LoopbackCrawlConfig();
  config.max_crawl_delay_seconds = 30;

  RecordingSink sink = Crawl(config, server.url("/"));

  EXPECT_THAT(server.targets(), ElementsAre("/robots.txt"));
  EXPECT_THAT(sink.skipped, ElementsAre(SkipReport(server.url("/"), false, "max_crawl_delay: ")));
}

TEST(CrawlerTest, ScopePrefixKeepsPagesUnderTheSeedsDirectory) {
  CrawlConfig config = LoopbackCrawlConfig();
  config.scope = "prefix";
  LoopbackHttpServer server;
  server.Route("/blog/", Html(R"(<a href="/blog/post.html">in</a> <a href="/shop/">out</a>
                                 <img src="/shop/face.jpg">)"));
  server.Route("/blog/post.html", Html("<p>post</p>"));
  server.Route("/shop/", Html("<p>shop</p>"));
  server.Route("/shop/face.jpg", Jpeg());

  RecordingSink sink = Crawl(config, server.url("/blog/"));

  EXPECT_THAT(server.targets(), Not(Contains("/shop/")));
  EXPECT_THAT(sink.images, ElementsAre(server.url("/shop/face.jpg"))) << "images come from anywhere";
}

}  // namespace
}  // namespace scrapewatch::crawler
