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
// Discovery: links of HTML pages (a, area, iframe, link rel=next/alternate,
// meta refresh), images of pages and of the style sheets they link,
// redirects, and sitemaps (robots.txt Sitemap lines, else
// /sitemap.xml; index files and gzip). URLs are normalised and tracking
// parameters dropped before they are compared (crawler/url.h). Scope: pages
// whose URL the configured CrawlScope contains (crawler/scope.h); images are
// fetched from any host, each under its own robots.txt and politeness.
// Limits (crawl.max_pages, max_depth, max_urls_per_pattern, max_url_length,
// max_redirects, max_crawl_delay) end in OnSkipped with the limit's name.
//
// The crawl's state lives in a FrontierStorage (crawler/frontier.h), so its
// memory does not grow with the site, and a killed crawl resumes.
// Thread safety: Run() is called once, from one thread; the sink is called on
// that thread.
#ifndef SCRAPEWATCH_CRAWLER_CRAWLER_H_
#define SCRAPEWATCH_CRAWLER_CRAWLER_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "crawler/extracted_page.h"
#include "crawler/fetch_result.h"
#include "crawler/frontier_storage.h"
#include "crawler/sitemap.h"

namespace scrapewatch::crawler {

// What a skipped URL was going to be.
enum class ResourceKind { kPage, kImage, kSitemap, kStylesheet };

// Why a URL was not fetched. `cause` is a stable name that reports count
// ("robots", or the config key of the limit that was hit: "max_pages",
// "max_depth", "max_urls_per_pattern", "max_url_length", "max_redirects",
// "max_crawl_delay"; "invalid_url" for what cannot be fetched at all);
// `detail` says it in words.
struct SkipReason {
  std::string cause;
  std::string detail;
};

// Receives what the crawl observes. Implementations analyse and store it.
//
// Durability: a resumed crawl (see Crawler) never fetches again what it
// handed to the sink, so the sink must have kept it by then — OnRobots,
// OnTdmRep, OnPage, OnSitemap, OnStylesheet and OnSkipped when they return, OnImage when it
// calls `kept` (it may analyse the image first). Flush() must call every
// pending `kept`; the crawler calls it before Run() returns.
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
  // A sitemap was fetched (or failed: `contents` is null); what it listed
  // is already queued.
  virtual void OnSitemap(const FetchResult& fetch, const SitemapContents* contents) = 0;
  // A style sheet a page links was fetched (or failed: `image_urls` is
  // null); the images its url()s name are already queued.
  virtual void OnStylesheet(const FetchResult& fetch, const std::vector<std::string>* image_urls) = 0;
  // An image was fetched (or failed; see fetch.error and fetch.http_status).
  virtual void OnImage(const FetchResult& fetch, std::function<void()> kept) = 0;
  // A URL was not fetched, and why.
  virtual void OnSkipped(const std::string& url, ResourceKind kind, const SkipReason& reason) = 0;
  virtual void Flush() = 0;
  // Not OK once the sink can keep nothing more (its store failed): the crawl
  // then stops, rather than fetch what nobody records.
  virtual absl::Status status() const { return absl::OkStatus(); }
};

class Crawler {
 public:
  // `frontier` holds the crawl's state (not owned); the sink is not owned.
  Crawler(const CrawlConfig& config, FrontierStorage* frontier, CrawlSink* sink);

  // Crawls from `seeds` until the frontier is empty. When `frontier` already
  // holds a crawl (the process was killed), that crawl continues where it
  // stopped: what was queued is fetched, what was done is not, and the
  // requests that were in flight are made again. Fails for unusable seeds and
  // frontier storage errors; per-URL problems go to the sink.
  absl::Status Run(const std::vector<std::string>& seeds);

  // Run() checks `stop` (not owned; may be set from another thread or a
  // signal handler) between events, at least every 200 ms. Once it is true,
  // Run flushes the sink and returns CancelledError, leaving the frontier
  // resumable; requests in flight are abandoned and made again on resume.
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }

 private:
  CrawlConfig config_;
  FrontierStorage* frontier_;
  CrawlSink* sink_;
  const std::atomic<bool>* stop_ = nullptr;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_CRAWLER_H_
