// End-to-end: `scrapewatch audit` killed with SIGKILL and started again with
// the same command continues its interrupted run instead of starting over,
// and ends with what an uninterrupted audit of the same site stores. The
// server's access log shows that nothing the crawler had already taken in
// is fetched again; only a request cut off by a kill may be repeated.
// --fresh starts a new run beside the interrupted one instead.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/records.h"
#include "store/store.h"
#include "tests/fault_http_server.h"
#include "tests/scrapewatch_child.h"

namespace scrapewatch::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSections = 8;
constexpr int kPagesPerSection = 9;
constexpr int kImages = 40;
// Each response waits this long, so that kills land mid-request too.
constexpr std::chrono::milliseconds kResponseDelay{10};
constexpr std::chrono::seconds kAuditDeadline{25};
constexpr int kMaxKills = 6;
constexpr unsigned kKillSeed = 20261126;

// Pages and images of the site, as paths.
struct Site {
  std::set<std::string> pages;     // fetched when allowed
  std::set<std::string> images;
  std::string disallowed = "/private/index.html";
};

Response Slowed(Response response) {
  response.delay = kResponseDelay;
  return response;
}

// A home page, kSections section pages, kPagesPerSection pages under each,
// every page showing one of kImages images (shared between pages), and a
// link robots.txt disallows.
Site ServeSite(FaultHttpServer& server) {
  Site site;
  server.Route("/robots.txt",
               Slowed(Canned(200, {{"Content-Type", "text/plain"}},
                             "User-agent: *\nDisallow: /private/\n")));
  server.Route(site.disallowed, Slowed(Html("<p>private</p>")));
  auto image = [&](int n) {
    std::string path = "/images/" + std::to_string(n % kImages) + ".jpg";
    server.Route(path, Slowed(Canned(200, {{"Content-Type", "image/jpeg"}},
                                     "\xFF\xD8\xFF photo " + std::to_string(n % kImages))));
    site.images.insert(path);
    return path;
  };
  std::string home = "<title>Home</title><a href='" + site.disallowed + "'>private</a>";
  for (int s = 1; s <= kSections; ++s) {
    std::string section = "/section/" + std::to_string(s) + ".html";
    home += "<a href='" + section + "'>section</a>";
    std::string section_html = "<title>Section " + std::to_string(s) + "</title><img src='" +
                               image(s) + "'>";
    for (int p = 1; p <= kPagesPerSection; ++p) {
      std::string page =
          "/section/" + std::to_string(s) + "/page/" + std::to_string(p) + ".html";
      section_html += "<a href='" + page + "'>page</a>";
      server.Route(page, Slowed(Html("<title>Page " + std::to_string(p) + "</title><img src='" +
                                     image(s * kPagesPerSection + p) + "'><a href='/'>home</a>")));
      site.pages.insert(page);
    }
    server.Route(section, Slowed(Html(section_html)));
    site.pages.insert(section);
  }
  server.Route("/", Slowed(Html(home)));
  site.pages.insert("/");
  return site;
}

std::vector<std::string> AuditArgs(const std::string& seed, const std::string& store_dir,
                                   const std::string& out_dir) {
  return {"audit", seed, "--store", store_dir, "--out", out_dir, "--allow-private-addresses",
          "--quiet", "--analysis", "none", "--delay", "0.02", "--timeout", "10"};
}

// What must be identical between an interrupted and an uninterrupted audit.
std::set<std::string> PageSummary(const store::RunContents& run) {
  std::set<std::string> summary;
  for (const store::PageRecord& page : run.pages) {
    summary.insert(page.fetch.url + " status=" + std::to_string(page.fetch.http_status) +
                   " error='" + page.fetch.error + "' skipped='" + page.skipped_reason + "'");
  }
  return summary;
}
std::set<std::string> ImageSummary(const store::RunContents& run) {
  std::set<std::string> summary;
  for (const store::ImageRecord& image : run.images) {
    summary.insert(image.fetch.url + " sha256=" + image.fetch.body_sha256 + " error='" +
                   image.fetch.error + "' skipped='" + image.skipped_reason + "'");
  }
  return summary;
}

// The lines of `a` missing from `b`, one per line.
std::string Missing(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> missing;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(missing));
  std::string text;
  for (const std::string& line : missing) text += "  " + line + "\n";
  return text;
}

std::set<std::string> TargetsSince(const FaultHttpServer& server, size_t first) {
  std::vector<LoggedRequest> log = server.log();
  std::set<std::string> targets;
  for (size_t i = first; i < log.size(); ++i) targets.insert(log[i].target);
  return targets;
}

// The runs of `site` in the store at `dir` (which no process may hold).
absl::StatusOr<std::vector<store::RunRecord>> Runs(const std::string& dir,
                                                   const std::string& site) {
  absl::StatusOr<std::unique_ptr<store::Store>> opened = store::Store::Open(dir);
  if (!opened.ok()) return opened.status();
  return (*opened)->ListRuns(site);
}

// A request was in flight at a kill when it arrived before the killed
// process was reaped (no later request can come from that process, and the
// next one is spawned only after) and the server was not done with it more
// than kDurableWindow before SIGKILL. Why the window: once the server has
// sent a response, the crawler still has to read it, hand it to the sink and
// make that durable (a RocksDB write) before it counts as done — a few
// milliseconds, tens on a loaded two-core CI machine. A kill inside that
// window loses the response through no fault of the crawler, and the
// request is rightly made again. A response finished earlier than that was
// durably the crawler's: asking for it again means resuming lost progress.
constexpr std::chrono::milliseconds kDurableWindow{100};

bool InFlightAtAKill(const LoggedRequest& request,
                     const std::vector<ScrapewatchChild::Killed>& kills) {
  for (const ScrapewatchChild::Killed& kill : kills) {
    if (request.arrived <= kill.reaped &&
        (!request.finished || *request.finished >= kill.signalled - kDurableWindow)) {
      return true;
    }
  }
  return false;
}

TEST(CrawlResumeTest, KilledAuditsResumeTheirRunAndEndLikeAnUninterruptedOne) {
  FaultHttpServer server;
  const Site site = ServeSite(server);
  ScratchDir dir;

  // A: uninterrupted.
  ScrapewatchRun a = RunScrapewatch(
      AuditArgs(server.url("/"), dir.Sub("store-a"), dir.Sub("out-a")), dir.Sub("a.log"),
      kAuditDeadline);
  ASSERT_EQ(a.exit_code, 0) << a.how << "\n" << a.output;
  absl::StatusOr<store::RunContents> run_a = ReadOnlyRun(dir.Sub("store-a"), server.origin());
  ASSERT_TRUE(run_a.ok()) << run_a.status().ToString();
  for (const std::string& path : site.pages) {
    const store::PageRecord* page = FindPage(*run_a, server.url(path));
    ASSERT_NE(page, nullptr) << path << " missing from the uninterrupted run\n"
                             << DescribeRecords(*run_a);
    EXPECT_EQ(page->fetch.http_status, 200) << path;
  }
  for (const std::string& path : site.images) {
    ASSERT_NE(FindImage(*run_a, server.url(path)), nullptr) << path;
  }
  const size_t b_first_request = server.log().size();
  const std::set<std::string> a_targets = TargetsSince(server, 0);

  // B: killed at seeded random moments while it still has URLs to fetch,
  // restarted with the same command each time, until it finishes. Each
  // moment counts from the child's first request: before it, the binary is
  // still starting (store, detectors), and a kill there would interrupt no
  // crawl.
  std::vector<std::string> b_args =
      AuditArgs(server.url("/"), dir.Sub("store-b"), dir.Sub("out-b"));
  std::mt19937 random(kKillSeed);
  std::uniform_int_distribution<int> kill_after_ms(200, 1000);
  SCOPED_TRACE("kill seed " + std::to_string(kKillSeed));
  std::vector<ScrapewatchChild::Killed> kills;
  std::optional<std::string> run_id;  // of B's run, once it has begun
  std::optional<int> b_status;
  auto b_started = Clock::now();
  while (!b_status) {
    const size_t requests_before = server.log().size();
    ScrapewatchChild child(b_args, dir.Sub("b.log"));
    if (kills.size() < kMaxKills) {
      auto give_up = Clock::now() + kAuditDeadline;
      while (!b_status && server.log().size() == requests_before && Clock::now() < give_up) {
        b_status = child.WaitFor(std::chrono::milliseconds(5));
      }
      if (!b_status) b_status = child.WaitFor(std::chrono::milliseconds(kill_after_ms(random)));
      // Killed only while some URL is still to be fetched: a kill after the
      // last fetch could land once the run is finished, and a rerun would then
      // rightly start a new run.
      if (!b_status && a_targets != TargetsSince(server, b_first_request)) {
        kills.push_back(child.Kill());
        absl::StatusOr<std::vector<store::RunRecord>> runs =
            Runs(dir.Sub("store-b"), server.origin());
        ASSERT_TRUE(runs.ok()) << "after kill " << kills.size() << ": "
                               << runs.status().ToString();
        ASSERT_LE(runs->size(), 1u) << "after kill " << kills.size();
        if (runs->empty()) continue;  // killed before the run began
        EXPECT_FALSE(runs->front().finished_at.has_value())
            << "an interrupted run is marked finished";
        if (run_id) {
          EXPECT_EQ(runs->front().id, *run_id) << "after kill " << kills.size();
        }
        run_id = runs->front().id;
        continue;
      }
    }
    if (!b_status) b_status = child.WaitFor(kAuditDeadline);
    ASSERT_TRUE(b_status.has_value()) << "B still running after its last restart\n"
                                      << ReadWholeFile(dir.Sub("b.log"));
  }
  const double b_seconds = std::chrono::duration<double>(Clock::now() - b_started).count();
  ASSERT_TRUE(WIFEXITED(*b_status) && WEXITSTATUS(*b_status) == 0)
      << DescribeWaitStatus(*b_status) << " after " << kills.size() << " kills\n"
      << ReadWholeFile(dir.Sub("b.log"));
  ASSERT_GE(kills.size(), 1u) << "B was never interrupted (it took " << b_seconds
                              << " s): nothing was tested";

  absl::StatusOr<std::vector<store::RunRecord>> b_runs = Runs(dir.Sub("store-b"), server.origin());
  ASSERT_TRUE(b_runs.ok()) << b_runs.status().ToString();
  ASSERT_EQ(b_runs->size(), 1u) << "a restart started a new run instead of resuming";
  EXPECT_TRUE(b_runs->front().finished_at.has_value());
  if (run_id) {
    EXPECT_EQ(b_runs->front().id, *run_id);
  }
  absl::StatusOr<store::RunContents> run_b = ReadOnlyRun(dir.Sub("store-b"), server.origin());
  ASSERT_TRUE(run_b.ok()) << run_b.status().ToString();

  std::set<std::string> pages_a = PageSummary(*run_a), pages_b = PageSummary(*run_b);
  std::set<std::string> images_a = ImageSummary(*run_a), images_b = ImageSummary(*run_b);
  EXPECT_EQ(Missing(pages_a, pages_b), "") << "pages of A not so in B";
  EXPECT_EQ(Missing(pages_b, pages_a), "") << "pages of B not so in A";
  EXPECT_EQ(Missing(images_a, images_b), "") << "images of A not so in B";
  EXPECT_EQ(Missing(images_b, images_a), "") << "images of B not so in A";

  // Repeats in B's requests: every request for a URL but its last must have
  // been cut off by a kill, and with one request in flight per host a kill
  // cuts off at most two (one in flight, one just answered).
  std::vector<LoggedRequest> log = server.log();
  std::map<std::string, std::vector<LoggedRequest>> by_target;
  for (size_t i = b_first_request; i < log.size(); ++i) by_target[log[i].target].push_back(log[i]);
  size_t repeats = 0;
  for (const auto& [target, requests] : by_target) {
    for (size_t i = 0; i + 1 < requests.size(); ++i) {
      ++repeats;
      auto since_b = [&](Clock::time_point t) {
        return std::chrono::duration<double>(t - b_started).count();
      };
      std::string kill_times;
      for (const ScrapewatchChild::Killed& kill : kills) {
        kill_times += " " + std::to_string(since_b(kill.signalled));
      }
      EXPECT_TRUE(InFlightAtAKill(requests[i], kills))
          << target << " requested " << requests.size() << " times; request " << i + 1
          << " arrived at " << since_b(requests[i].arrived) << " s and was done at "
          << (requests[i].finished ? std::to_string(since_b(*requests[i].finished)) : "never")
          << " s, not in flight at any kill (kills at" << kill_times << " s)";
    }
  }
  EXPECT_LE(repeats, 2 * kills.size());
  RecordProperty("kills", static_cast<int>(kills.size()));
  RecordProperty("repeated_requests", static_cast<int>(repeats));
  RecordProperty("b_requests", static_cast<int>(log.size() - b_first_request));
}

TEST(CrawlResumeTest, FreshStartsANewRunBesideTheInterruptedOne) {
  FaultHttpServer server;
  const Site site = ServeSite(server);
  ScratchDir dir;
  std::vector<std::string> args = AuditArgs(server.url("/"), dir.Sub("store"), dir.Sub("out"));

  {
    // Killed once it is well into the crawl, so its run has surely begun.
    ScrapewatchChild child(args, dir.Sub("first.log"));
    auto deadline = Clock::now() + kAuditDeadline;
    while (server.log().size() < 10 && Clock::now() < deadline) {
      ASSERT_FALSE(child.WaitFor(std::chrono::milliseconds(10)).has_value())
          << "the audit ended before it could be interrupted\n"
          << ReadWholeFile(dir.Sub("first.log"));
    }
    child.Kill();
  }
  std::vector<std::string> fresh = args;
  fresh.push_back("--fresh");
  ScrapewatchRun second = RunScrapewatch(fresh, dir.Sub("second.log"), kAuditDeadline);
  ASSERT_EQ(second.exit_code, 0) << second.how << "\n" << second.output;

  absl::StatusOr<std::vector<store::RunRecord>> runs = Runs(dir.Sub("store"), server.origin());
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  const store::RunRecord* interrupted = nullptr;
  const store::RunRecord* fresh_run = nullptr;
  for (const store::RunRecord& listed : *runs) {
    (listed.finished_at ? fresh_run : interrupted) = &listed;
  }
  ASSERT_NE(interrupted, nullptr) << "the interrupted run is marked finished";
  ASSERT_NE(fresh_run, nullptr) << "the fresh run is not marked finished";
  // The fresh run is the site's latest, which report, evidence and diff take
  // by default. The two runs often begin within the same second.
  EXPECT_EQ(runs->back().id, fresh_run->id)
      << "runs are not listed oldest first: the interrupted run " << interrupted->id
      << " comes after the fresh run " << fresh_run->id;

  // The fresh run crawled the whole site itself.
  absl::StatusOr<std::unique_ptr<store::Store>> opened = store::Store::Open(dir.Sub("store"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  absl::StatusOr<store::RunContents> run = (*opened)->ReadRun(server.origin(), fresh_run->id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  for (const std::string& path : site.pages) {
    const store::PageRecord* page = FindPage(*run, server.url(path));
    ASSERT_NE(page, nullptr) << path << "\n" << DescribeRecords(*run);
    EXPECT_EQ(page->fetch.http_status, 200) << path;
  }
  for (const std::string& path : site.images) {
    const store::ImageRecord* image = FindImage(*run, server.url(path));
    ASSERT_NE(image, nullptr) << path << "\n" << DescribeRecords(*run);
    EXPECT_EQ(image->fetch.http_status, 200) << path;
  }
}

}  // namespace
}  // namespace scrapewatch::test
