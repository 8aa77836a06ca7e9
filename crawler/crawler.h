// A polite crawl of one site, as a logged-out scraper would see it.
//
// The Crawler starts from seed URLs, fetches each origin's robots.txt first,
// fetches the HTML pages in scope that robots.txt allows for the configured
// product token, extracts their links and image references, and fetches
// every referenced image (on whatever host serves it, under that host's own
// robots.txt). Politeness: one request in flight per origin and a minimum
// delay between requests to it (the configured delay, raised to robots.txt's
// Crawl-delay). Each origin's /.well-known/tdmrep.json is fetched after its
// robots.txt. Everything observed is reported, in order, to a CrawlSink;
// the crawler itself keeps only what it needs to schedule.
//
// Scope: pages on the seeds' hosts. Images: any host.
// Thread safety: Run() is called once, from one thread; the sink is called on
// that thread.
#ifndef SCRAPEWATCH_CRAWLER_CRAWLER_H_
#define SCRAPEWATCH_CRAWLER_CRAWLER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "crawler/extracted_page.h"
#include "crawler/fetch_result.h"

namespace scrapewatch::crawler {

// Receives what the crawl observes. Implementations analyse and store it.
class CrawlSink {
 public:
  virtual ~CrawlSink() = default;
  // robots.txt of an origin as fetched (status 0 / error when unreachable),
  // with the policy the crawler derived from it ("parsed", "allow_all" for
  // 4xx, "disallow_all" for 5xx or unreachable).
  virtual void OnRobots(const std::string& origin, const FetchResult& fetch,
                        const std::string& policy) = 0;
  // /.well-known/tdmrep.json of an origin as fetched (TDMRep), right after its
  // robots.txt; not called when robots.txt disallows that path.
  virtual void OnTdmRep(const std::string& origin, const FetchResult& fetch) = 0;
  // A page was fetched. `page` is null when the response was not HTML or
  // failed; `fetch` says why.
  virtual void OnPage(const FetchResult& fetch, const ExtractedPage* page) = 0;
  // An image was fetched (or failed; see fetch.error and fetch.http_status).
  virtual void OnImage(const FetchResult& fetch) = 0;
  // A URL was not fetched: disallowed by robots.txt, or past --max-pages.
  // `is_image` tells which kind of resource it was.
  virtual void OnSkipped(const std::string& url, bool is_image, const std::string& reason) = 0;
};

struct CrawlStats {
  int64_t pages_discovered = 0;
  int64_t pages_fetched = 0;
  int64_t pages_disallowed = 0;
  int64_t pages_errors = 0;
  int64_t images_fetched = 0;
};

class Crawler {
 public:
  Crawler(const CrawlConfig& config, CrawlSink* sink);

  // Crawls from `seeds` until the frontier is empty or max_pages pages have
  // been fetched. Fails only for unusable seeds; per-URL problems go to the sink.
  absl::Status Run(const std::vector<std::string>& seeds);

  const CrawlStats& stats() const { return stats_; }

 private:
  CrawlConfig config_;
  CrawlSink* sink_;
  CrawlStats stats_;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_CRAWLER_H_
