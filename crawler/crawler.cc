#include "crawler/crawler.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crawler/css_url.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/html_extractor.h"
#include "crawler/robots.h"
#include "crawler/scope.h"
#include "crawler/url.h"
#include "crawler/url_shape.h"

namespace scrapewatch::crawler {
namespace {

constexpr char kTdmRepPath[] = "/.well-known/tdmrep.json";
constexpr int64_t kTdmRepLimitBytes = 64 << 10;
// A resource answered 429 or 503 is fetched again later, this many times in all.
constexpr int64_t kMaxAttempts = 3;
// Sitemaps read per crawl: an index may list thousands, and max_pages
// bounds what they can contribute anyway.
constexpr int64_t kMaxSitemaps = 200;

bool IsHtml(const FetchResult& fetch) {
  std::string type = absl::AsciiStrToLower(std::string(fetch.Header("content-type")));
  return absl::StartsWith(type, "text/html") || absl::StartsWith(type, "application/xhtml+xml");
}

// How long Retry-After asks to wait: delay-seconds, or an HTTP-date (RFC
// 9110 10.2.3; parsed by libcurl, which reads all three legacy forms) less
// `now`. Capped at an hour: a host asking more is asking us to stop, and
// max_crawl_delay already bounds how long one host may hold a crawl.
std::optional<absl::Duration> RetryAfter(const FetchResult& fetch, absl::Time now) {
  std::string header(fetch.Header("retry-after"));
  std::string value(absl::StripAsciiWhitespace(header));
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(std::min<int64_t>(seconds, 3600));
  }
  time_t date = curl_getdate(value.c_str(), nullptr);
  if (date < 0) return std::nullopt;
  return std::clamp(absl::FromTimeT(date) - now, absl::ZeroDuration(), absl::Hours(1));
}

// Pages, images and sitemaps are deduplicated apart: a gallery links the
// very photo it shows, and that URL must still be analysed as an image.
std::string KindKey(ResourceKind kind, const std::string& dedupe_key) {
  static constexpr const char* kPrefix[] = {"p:", "i:", "s:", "c:"};
  return absl::StrCat(kPrefix[static_cast<int>(kind)], dedupe_key);
}

// Scheduling state of one origin. Its queue lives in the frontier.
struct Origin {
  std::string name;
  enum class Robots { kUnknown, kFetching, kKnown } robots_state = Robots::kUnknown;
  RobotsPolicy robots = RobotsPolicy::AllowAll();
  std::string robots_policy;  // as reported: "parsed", "allow_all", "disallow_all"
  std::string robots_body;
  bool tdmrep_due = false;  // fetched right after robots.txt
  bool busy = false;        // one request in flight per origin
  absl::Time next_allowed = absl::InfinitePast();
  absl::Duration delay;
  std::string blocked;  // why nothing more is fetched from it (a Crawl-delay too long)
};

enum class Special { kNone, kRobots, kTdmRep };

struct InFlight {
  std::string origin;
  Special special = Special::kNone;
  FrontierEntry entry;
};

class CrawlRun {
 public:
  CrawlRun(const CrawlConfig& config, Frontier frontier, CrawlScope scope, CrawlSink* sink,
           const std::atomic<bool>* stop)
      : config_(config),
        stop_(stop),
        frontier_(std::move(frontier)),
        scope_(std::move(scope)),
        sink_(sink),
        fetcher_(FetcherOptions{.user_agent = EffectiveUserAgent(config),
                                .timeout_seconds = config.timeout_seconds,
                                .connect_timeout_seconds = config.connect_timeout_seconds,
                                .low_speed_bytes = config.low_speed_bytes,
                                .low_speed_seconds = config.low_speed_seconds,
                                .max_redirects = config.max_redirects,
                                .allow_private_addresses = config.allow_private_addresses}) {
    normalize_.strip_query_params = config.strip_query_params;
    // Our own token's robots meta tags count too (<meta name="scrapewatch" ...>).
    extract_options_.robots_meta_bots.push_back(absl::AsciiStrToLower(config.robots_token));
  }

  absl::Status Run(const std::vector<std::string>& seeds) {
    if (!frontier_.resumed()) {
      for (const std::string& seed : seeds) Discover(seed, ResourceKind::kPage, 0, 0);
      Keep(frontier_.Commit());
    }
    while (status_.ok()) {
      // Stopping abandons the requests in flight: the frontier still holds
      // them as in flight, so a resume makes them again.
      if (fetcher_.in_flight() == 0 && frontier_.OriginsWithWork().empty()) break;
      if (absl::Status kept = sink_->status(); !kept.ok()) {
        status_ = kept;
        break;
      }
      if (stop_ != nullptr && stop_->load()) {
        status_ = absl::CancelledError("stopped before the crawl finished; the same command resumes it");
        break;
      }
      absl::Time now = absl::Now();
      StartReadyRequests(now);
      if (fetcher_.in_flight() == 0 && frontier_.OriginsWithWork().empty()) break;
      for (auto& [tag, fetch] : fetcher_.Wait(TimeUntilNextReady(now))) Complete(tag, fetch);
    }
    sink_->Flush();
    return status_;
  }

 private:
  void Keep(absl::Status status) {
    if (status_.ok() && !status.ok()) status_ = std::move(status);
  }

  Origin& OriginNamed(const std::string& name) {
    auto [it, inserted] = origins_.try_emplace(name);
    if (inserted) {
      it->second.name = name;
      it->second.delay = absl::Seconds(config_.delay_seconds);
    }
    return it->second;
  }

  // --- Discovery: every URL enters the frontier through here. ---

  // Queues `url` as `kind` unless it was seen, is out of scope, or breaks a
  // limit (recorded once, as a skip). Buffered until the next Commit().
  void Discover(const std::string& url, ResourceKind kind, int64_t depth, int64_t redirect_hops) {
    absl::StatusOr<std::string> normal = NormalizeUrl(url, normalize_);
    absl::StatusOr<std::string> key = normal.ok() ? DedupeKey(*normal, normalize_) : normal;
    absl::StatusOr<std::string> origin = normal.ok() ? OriginOf(*normal) : normal;
    if (!origin.ok()) {
      sink_->OnSkipped(url, kind, {"invalid_url", std::string(origin.status().message())});
      return;
    }
    // Images and style sheets are fetched from whatever host serves them.
    bool anywhere = kind == ResourceKind::kImage || kind == ResourceKind::kStylesheet;
    if (!anywhere && !scope_.Contains(*normal)) return;  // another site: not ours to crawl
    absl::StatusOr<bool> fresh = frontier_.MarkSeen(KindKey(kind, *key));
    if (!fresh.ok()) return Keep(fresh.status());
    if (!*fresh) return;
    if (static_cast<int64_t>(normal->size()) > config_.max_url_length) {
      return Skip(*normal, kind, "max_url_length",
                  absl::StrCat("URL longer than ", config_.max_url_length, " characters"));
    }
    if (kind == ResourceKind::kPage) {
      if (depth > config_.max_depth) {
        return Skip(*normal, kind, "max_depth",
                    absl::StrCat("more than ", config_.max_depth, " links from a seed"));
      }
      std::string shape = UrlShape(*normal);
      absl::StatusOr<int64_t> count = frontier_.Increment(absl::StrCat("shape:", shape), 1);
      if (!count.ok()) return Keep(count.status());
      if (*count > config_.max_urls_per_pattern) {
        return Skip(*normal, kind, "max_urls_per_pattern",
                    absl::StrCat("more than ", config_.max_urls_per_pattern,
                                 " pages shaped like ", shape));
      }
    }
    frontier_.Enqueue(*origin, FrontierEntry{.url = *normal,
                                             .kind = kind,
                                             .depth = depth,
                                             .redirect_hops = redirect_hops});
  }

  void Skip(const std::string& url, ResourceKind kind, const std::string& cause,
            const std::string& detail) {
    sink_->OnSkipped(url, kind, {cause, detail});
  }

  // --- Scheduling ---

  absl::Duration TimeUntilNextReady(absl::Time now) const {
    absl::Duration wait = absl::Milliseconds(200);
    for (const auto& [name, origin] : origins_) {
      if (origin.busy || !frontier_.HasWork(name)) continue;
      wait = std::min(wait, std::max(origin.next_allowed - now, absl::Milliseconds(1)));
    }
    return wait;
  }

  void StartReadyRequests(absl::Time now) {
    for (const std::string& name : frontier_.OriginsWithWork()) {
      if (hosts_busy_ >= config_.max_hosts_in_flight || !status_.ok()) return;
      Origin& origin = OriginNamed(name);
      if (origin.busy || now < origin.next_allowed) continue;
      if (origin.robots_state == Origin::Robots::kUnknown && !RestoreRobots(origin)) {
        origin.robots_state = Origin::Robots::kFetching;
        Submit(origin, Special::kRobots, {.url = absl::StrCat(name, "/robots.txt")});
        continue;
      }
      if (origin.tdmrep_due) {
        origin.tdmrep_due = false;
        Submit(origin, Special::kTdmRep, {.url = absl::StrCat(name, kTdmRepPath)});
        continue;
      }
      StartNext(origin);
    }
  }

  // Pops the origin's queue until an entry may be fetched, and fetches it.
  void StartNext(Origin& origin) {
    while (status_.ok()) {
      absl::StatusOr<std::optional<FrontierEntry>> entry = frontier_.Pop(origin.name);
      if (!entry.ok()) return Keep(entry.status());
      if (!entry->has_value()) return;
      if (Admit(origin, **entry)) return Submit(origin, Special::kNone, **std::move(entry));
      Keep(frontier_.Done((*entry)->id));
    }
  }

  // Whether a popped entry may be fetched; a refusal is reported to the sink.
  bool Admit(const Origin& origin, const FrontierEntry& entry) {
    if (!origin.blocked.empty()) {
      Skip(entry.url, entry.kind, "max_crawl_delay", origin.blocked);
      return false;
    }
    if (!origin.robots.IsAllowed(config_.robots_token, entry.url)) {
      Skip(entry.url, entry.kind, "robots",
           absl::StrCat("disallowed by robots.txt for ", config_.robots_token));
      return false;
    }
    if (entry.kind == ResourceKind::kSitemap) {
      absl::StatusOr<int64_t> sitemaps = frontier_.Increment("sitemaps", 1);
      Keep(sitemaps.status());
      Keep(frontier_.Commit());
      if (sitemaps.ok() && *sitemaps > kMaxSitemaps) {
        Skip(entry.url, entry.kind, "max_sitemaps", absl::StrCat("more than ", kMaxSitemaps, " sitemaps"));
        return false;
      }
    }
    if (entry.kind == ResourceKind::kPage && entry.attempts == 0) {
      absl::StatusOr<int64_t> pages = frontier_.Increment("pages", 1);
      Keep(pages.status());
      Keep(frontier_.Commit());
      if (pages.ok() && *pages > config_.max_pages) {
        Skip(entry.url, entry.kind, "max_pages",
             absl::StrCat("max_pages (", config_.max_pages, ") reached"));
        return false;
      }
    }
    return true;
  }

  void Submit(Origin& origin, Special special, FrontierEntry entry) {
    int64_t limit = special == Special::kRobots         ? static_cast<int64_t>(kRobotsParseLimitBytes)
                    : special == Special::kTdmRep       ? kTdmRepLimitBytes
                    : entry.kind == ResourceKind::kImage   ? config_.max_image_bytes
                    : entry.kind == ResourceKind::kSitemap ? config_.max_sitemap_bytes
                                                           : config_.max_page_bytes;  // pages, style sheets
    uint64_t tag = next_tag_++;
    // robots.txt redirects are followed inside the fetch (RFC 9309 asks for at
    // least five hops); any other redirect comes back to Complete(), so its
    // target passes scope, robots.txt and politeness like any other URL.
    fetcher_.Submit(FetchRequest{.url = entry.url,
                                 .max_body_bytes = limit,
                                 .tag = tag,
                                 .follow_redirects = special == Special::kRobots});
    in_flight_[tag] = InFlight{origin.name, special, std::move(entry)};
    origin.busy = true;
    ++hosts_busy_;
  }

  // --- Completion ---

  void Complete(uint64_t tag, const FetchResult& fetch) {
    auto it = in_flight_.find(tag);
    InFlight done = std::move(it->second);
    in_flight_.erase(it);
    Origin& origin = OriginNamed(done.origin);
    origin.busy = false;
    --hosts_busy_;
    bool try_later = fetch.http_status == 429 || fetch.http_status == 503;
    absl::Duration pause = origin.delay;
    absl::Time now = absl::Now();
    if (try_later) pause = std::max(pause, RetryAfter(fetch, now).value_or(2 * origin.delay));
    origin.next_allowed = now + pause;
    switch (done.special) {
      case Special::kRobots: return CompleteRobots(origin, fetch);
      case Special::kTdmRep:
        sink_->OnTdmRep(origin.name, fetch);
        return SaveRobots(origin);
      case Special::kNone: break;
    }
    FrontierEntry& entry = done.entry;
    if (try_later && entry.attempts + 1 < kMaxAttempts) {
      return Keep(frontier_.Retry(origin.name, std::move(entry)));
    }
    if (!fetch.redirect_url.empty()) return CompleteRedirect(entry, fetch);
    switch (entry.kind) {
      case ResourceKind::kPage: return CompletePage(entry, fetch);
      case ResourceKind::kSitemap: return CompleteSitemap(entry, fetch);
      case ResourceKind::kStylesheet: return CompleteStylesheet(entry, fetch);
      case ResourceKind::kImage:
        return sink_->OnImage(fetch, [this, id = entry.id] { Keep(frontier_.Done(id)); });
    }
  }

  void CompleteRobots(Origin& origin, const FetchResult& fetch) {
    std::string policy;
    // A robots.txt cut at the parse limit is still a robots.txt: RFC 9309
    // has crawlers parse its first 500 KiB.
    bool received = fetch.error.empty() || fetch.truncated;
    if (received && fetch.http_status >= 200 && fetch.http_status < 300) {
      policy = "parsed";
    } else if (fetch.error.empty() && fetch.http_status >= 400 && fetch.http_status < 500) {
      policy = "allow_all";
    } else {
      policy = "disallow_all";
    }
    ApplyRobots(origin, policy, fetch.body);
    sink_->OnRobots(origin.name, fetch, policy);
    if (config_.sitemaps && scope_.Contains(absl::StrCat(origin.name, "/"))) {
      QueueSitemaps(origin);
    }
    origin.tdmrep_due =
        origin.blocked.empty() && origin.robots.IsAllowed(config_.robots_token, kTdmRepPath);
    if (!origin.tdmrep_due) SaveRobots(origin);
  }

  void ApplyRobots(Origin& origin, const std::string& policy, const std::string& body) {
    origin.robots = policy == "parsed"      ? RobotsPolicy::Parse(body)
                    : policy == "allow_all" ? RobotsPolicy::AllowAll()
                                            : RobotsPolicy::DisallowAll();
    origin.robots_state = Origin::Robots::kKnown;
    origin.robots_body = body;
    origin.robots_policy = policy;
    std::optional<double> crawl_delay = origin.robots.CrawlDelaySeconds(config_.robots_token);
    if (!crawl_delay) return;
    if (*crawl_delay > config_.max_crawl_delay_seconds) {
      origin.blocked = absl::StrCat("robots.txt asks a Crawl-delay of ", *crawl_delay,
                                    " s, more than max_crawl_delay (",
                                    config_.max_crawl_delay_seconds, " s)");
      return;
    }
    origin.delay = std::max(origin.delay, absl::Seconds(*crawl_delay));
    origin.next_allowed = std::max(origin.next_allowed, absl::Now() + origin.delay);
  }

  // The sitemaps robots.txt names, or the conventional /sitemap.xml.
  void QueueSitemaps(const Origin& origin) {
    std::vector<std::string> sitemaps = origin.robots.sitemaps();
    if (sitemaps.empty()) sitemaps.push_back(absl::StrCat(origin.name, "/sitemap.xml"));
    for (const std::string& sitemap : sitemaps) Discover(sitemap, ResourceKind::kSitemap, 0, 0);
    Keep(frontier_.Commit());
  }

  // robots.txt, once its TDMRep file is done, is kept in the frontier so a
  // resumed crawl obeys the same file without fetching it again.
  void SaveRobots(const Origin& origin) {
    Keep(frontier_.PutNote(absl::StrCat("robots:", origin.name),
                           absl::StrCat(origin.robots_policy, "\n", origin.robots_body)));
  }

  bool RestoreRobots(Origin& origin) {
    absl::StatusOr<std::optional<std::string>> note =
        frontier_.GetNote(absl::StrCat("robots:", origin.name));
    if (!note.ok()) {
      Keep(note.status());
      return false;
    }
    if (!note->has_value()) return false;
    size_t newline = (*note)->find('\n');
    ApplyRobots(origin, (*note)->substr(0, newline),
                newline == std::string::npos ? "" : (*note)->substr(newline + 1));
    return true;
  }

  // Reports the redirect response, then queues its target as the same kind
  // of resource at the same depth; a target already seen ends a loop.
  void CompleteRedirect(const FrontierEntry& entry, const FetchResult& fetch) {
    if (entry.redirect_hops >= config_.max_redirects) {
      Skip(fetch.redirect_url, entry.kind, "max_redirects",
           absl::StrCat("more than ", config_.max_redirects, " redirects from ", entry.url));
    } else {
      Discover(fetch.redirect_url, entry.kind, entry.depth, entry.redirect_hops + 1);
      Keep(frontier_.Commit());
    }
    Report(entry, fetch, nullptr);
  }

  void CompletePage(const FrontierEntry& entry, const FetchResult& fetch) {
    if (!fetch.ok() || !IsHtml(fetch)) return Report(entry, fetch, nullptr);
    ExtractOptions options = extract_options_;
    options.http_charset = std::string(fetch.Header("content-type"));  // the extractor reads charset=
    absl::StatusOr<ExtractedPage> page = ExtractPage(fetch.body, fetch.final_url, options);
    if (!page.ok()) return Report(entry, fetch, nullptr);
    for (const std::string& link : page->links) {
      Discover(link, ResourceKind::kPage, entry.depth + 1, 0);
    }
    for (const ImageRef& image : page->images) {
      if (!image.is_data_uri && image.fetchable) {
        Discover(image.url, ResourceKind::kImage, entry.depth, 0);
      }
    }
    for (const std::string& sheet : page->stylesheets) {
      Discover(sheet, ResourceKind::kStylesheet, entry.depth, 0);
    }
    // What the page leads to is durable before the page counts as done.
    Keep(frontier_.Commit());
    Report(entry, fetch, &*page);
  }

  void CompleteSitemap(const FrontierEntry& entry, const FetchResult& fetch) {
    if (!fetch.ok()) return Report(entry, fetch, nullptr);
    absl::StatusOr<SitemapContents> contents = ParseSitemap(
        fetch.body, fetch.final_url, {.max_uncompressed_bytes = config_.max_sitemap_bytes});
    if (!contents.ok()) {
      FetchResult failed = fetch;
      failed.error = std::string(contents.status().message());
      return Report(entry, failed, nullptr);
    }
    // Pages a sitemap lists are one step from the site's root.
    for (const std::string& url : contents->page_urls) Discover(url, ResourceKind::kPage, 1, 0);
    for (const std::string& url : contents->sitemap_urls) {
      Discover(url, ResourceKind::kSitemap, 0, 0);
    }
    for (const std::string& url : contents->image_urls) Discover(url, ResourceKind::kImage, 1, 0);
    Keep(frontier_.Commit());
    sink_->OnSitemap(fetch, &*contents);
    Keep(frontier_.Done(entry.id));
  }

  void CompleteStylesheet(const FrontierEntry& entry, const FetchResult& fetch) {
    if (!fetch.ok()) return Report(entry, fetch, nullptr);
    std::vector<std::string> images;
    for (std::string_view reference : CssStylesheetUrls(fetch.body)) {
      if (absl::StatusOr<std::string> url = ResolveUrl(fetch.final_url, reference);
          url.ok() && IsHttpUrl(*url)) {
        images.push_back(*url);
        Discover(*url, ResourceKind::kImage, entry.depth, 0);
      }
    }
    Keep(frontier_.Commit());
    sink_->OnStylesheet(fetch, &images);
    Keep(frontier_.Done(entry.id));
  }

  // Hands a page, sitemap or redirect response to the sink; done afterwards.
  void Report(const FrontierEntry& entry, const FetchResult& fetch, const ExtractedPage* page) {
    switch (entry.kind) {
      case ResourceKind::kPage:
        sink_->OnPage(fetch, page);
        break;
      case ResourceKind::kSitemap:
        sink_->OnSitemap(fetch, nullptr);
        break;
      case ResourceKind::kStylesheet:
        sink_->OnStylesheet(fetch, nullptr);
        break;
      case ResourceKind::kImage:
        return sink_->OnImage(fetch, [this, id = entry.id] { Keep(frontier_.Done(id)); });
    }
    Keep(frontier_.Done(entry.id));
  }

  const CrawlConfig& config_;
  const std::atomic<bool>* stop_;
  Frontier frontier_;
  CrawlScope scope_;
  CrawlSink* sink_;
  Fetcher fetcher_;
  UrlNormalizeOptions normalize_;
  ExtractOptions extract_options_;
  std::map<std::string, Origin> origins_;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_tag_ = 1;
  int64_t hosts_busy_ = 0;
  absl::Status status_;
};

}  // namespace

Crawler::Crawler(const CrawlConfig& config, FrontierStorage* frontier, CrawlSink* sink)
    : config_(config), frontier_(frontier), sink_(sink) {}

absl::Status Crawler::Run(const std::vector<std::string>& seeds) {
  for (const std::string& seed : seeds) {
    if (absl::StatusOr<std::string> url = CanonicalizeUrl(seed); !url.ok()) return url.status();
  }
  absl::StatusOr<ScopeMode> mode = ParseScopeMode(config_.scope);
  if (!mode.ok()) return mode.status();
  absl::StatusOr<CrawlScope> scope = CrawlScope::Create(*mode, seeds);
  if (!scope.ok()) return scope.status();
  absl::StatusOr<Frontier> frontier = Frontier::Open(frontier_);
  if (!frontier.ok()) return frontier.status();
  CrawlRun run(config_, *std::move(frontier), *std::move(scope), sink_, stop_);
  return run.Run(seeds);
}

}  // namespace scrapewatch::crawler
