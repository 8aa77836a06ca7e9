#include "crawler/crawler.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crawler/fetcher.h"
#include "crawler/html_extractor.h"
#include "crawler/robots.h"
#include "crawler/url.h"

namespace scrapewatch::crawler {
namespace {

enum class TaskKind { kRobots, kTdmRep, kPage, kImage };

constexpr char kTdmRepPath[] = "/.well-known/tdmrep.json";
constexpr int64_t kTdmRepLimitBytes = 64 << 10;

struct Task {
  std::string url;
  TaskKind kind;
  int64_t redirect_hops = 0;  // redirects followed to reach this URL
};

// Scheduling state of one origin: its robots policy and its queue.
struct Origin {
  std::string name;
  bool robots_known = false;
  RobotsPolicy robots = RobotsPolicy::AllowAll();
  std::deque<Task> pending;
  bool busy = false;  // one request in flight per origin
  absl::Time next_allowed = absl::InfinitePast();
  absl::Duration delay;
};

bool IsHtml(const FetchResult& fetch) {
  std::string type = absl::AsciiStrToLower(std::string(fetch.Header("content-type")));
  return absl::StartsWith(type, "text/html") || absl::StartsWith(type, "application/xhtml+xml");
}

// Retry-After in seconds (the HTTP-date form is rare from rate limiters and
// falls back to the host delay).
std::optional<absl::Duration> RetryAfter(const FetchResult& fetch) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(std::string(fetch.Header("retry-after")), &seconds) || seconds < 0) {
    return std::nullopt;
  }
  return absl::Seconds(std::min<int64_t>(seconds, 3600));
}

class CrawlRun {
 public:
  CrawlRun(const CrawlConfig& config, CrawlSink* sink, CrawlStats* stats)
      : config_(config),
        sink_(sink),
        stats_(stats),
        fetcher_(FetcherOptions{.user_agent = EffectiveUserAgent(config),
                                .timeout_seconds = config.timeout_seconds,
                                .max_redirects = config.max_redirects,
                                .allow_private_addresses = config.allow_private_addresses}) {
    // Our own token's robots meta tags count too (<meta name="scrapewatch" ...>).
    extract_options_.robots_meta_bots.push_back(absl::AsciiStrToLower(config.robots_token));
  }

  absl::Status Run(const std::vector<std::string>& seeds) {
    for (const std::string& seed : seeds) {
      absl::StatusOr<std::string> host = HostOf(seed);
      if (!host.ok()) return host.status();
      scope_hosts_.insert(*host);
    }
    for (const std::string& seed : seeds) EnqueuePage(seed);
    while (true) {
      absl::Time now = absl::Now();
      StartReadyRequests(now);
      if (fetcher_.in_flight() == 0 && !HasPendingWork()) break;
      for (auto& [tag, fetch] : fetcher_.Wait(TimeUntilNextReady(now))) Complete(tag, fetch);
    }
    return absl::OkStatus();
  }

 private:
  // Pages and images are deduplicated apart: a gallery links the very photo
  // it shows, and that URL must still be analysed as an image.
  void EnqueuePage(const std::string& url, int64_t redirect_hops = 0) {
    if (!seen_pages_.insert(url).second) return;
    ++stats_->pages_discovered;
    Enqueue(Task{url, TaskKind::kPage, redirect_hops});
  }

  void EnqueueImage(const std::string& url, int64_t redirect_hops = 0) {
    if (!seen_images_.insert(url).second) return;
    Enqueue(Task{url, TaskKind::kImage, redirect_hops});
  }

  void Enqueue(Task task) {
    absl::StatusOr<std::string> origin = OriginOf(task.url);
    if (!origin.ok()) {
      sink_->OnSkipped(task.url, task.kind == TaskKind::kImage, std::string(origin.status().message()));
      return;
    }
    auto [it, inserted] = origins_.try_emplace(*origin);
    if (inserted) {
      it->second.name = *origin;
      it->second.delay = absl::Seconds(config_.delay_seconds);
    }
    it->second.pending.push_back(std::move(task));
  }

  bool HasPendingWork() const {
    return std::any_of(origins_.begin(), origins_.end(),
                       [](const auto& entry) { return !entry.second.pending.empty(); });
  }

  absl::Duration TimeUntilNextReady(absl::Time now) const {
    absl::Duration wait = absl::Milliseconds(200);
    for (const auto& [name, origin] : origins_) {
      if (origin.busy || origin.pending.empty()) continue;
      wait = std::min(wait, std::max(origin.next_allowed - now, absl::Milliseconds(1)));
    }
    return wait;
  }

  void StartReadyRequests(absl::Time now) {
    for (auto& [name, origin] : origins_) {
      if (origin.busy || now < origin.next_allowed) continue;
      if (!origin.robots_known && !origin.pending.empty()) {
        Submit(origin, Task{absl::StrCat(name, "/robots.txt"), TaskKind::kRobots});
        continue;
      }
      while (!origin.pending.empty() && !origin.busy) {
        Task task = std::move(origin.pending.front());
        origin.pending.pop_front();
        if (Admit(origin, task)) Submit(origin, std::move(task));
      }
    }
  }

  // Whether a queued task may be fetched now; a refusal is reported to the sink.
  bool Admit(const Origin& origin, const Task& task) {
    if (task.kind == TaskKind::kTdmRep) return true;  // checked when it was queued
    bool is_image = task.kind == TaskKind::kImage;
    if (!origin.robots.IsAllowed(config_.robots_token, task.url)) {
      if (!is_image) ++stats_->pages_disallowed;
      sink_->OnSkipped(task.url, is_image,
                       absl::StrCat("disallowed by robots.txt for ", config_.robots_token));
      return false;
    }
    if (!is_image && pages_started_ >= config_.max_pages) {
      sink_->OnSkipped(task.url, false, absl::StrCat("max_pages (", config_.max_pages, ") reached"));
      return false;
    }
    return true;
  }

  void Submit(Origin& origin, Task task) {
    if (task.kind == TaskKind::kPage) ++pages_started_;
    uint64_t tag = next_tag_++;
    // robots.txt redirects are followed inside the fetch (RFC 9309 asks for at
    // least five hops); a page's or image's redirect comes back to Complete(),
    // so its target passes robots.txt and politeness like any other URL.
    bool is_robots = task.kind == TaskKind::kRobots;
    int64_t limit = is_robots                         ? static_cast<int64_t>(kRobotsParseLimitBytes)
                    : task.kind == TaskKind::kTdmRep ? kTdmRepLimitBytes
                    : task.kind == TaskKind::kImage  ? config_.max_image_bytes
                                                     : config_.max_page_bytes;
    fetcher_.Submit(FetchRequest{
        .url = task.url, .max_body_bytes = limit, .tag = tag, .follow_redirects = is_robots});
    in_flight_[tag] = InFlight{origin.name, std::move(task)};
    origin.busy = true;
  }

  void Complete(uint64_t tag, const FetchResult& fetch) {
    auto it = in_flight_.find(tag);
    InFlight done = std::move(it->second);
    in_flight_.erase(it);
    Origin& origin = origins_[done.origin];
    origin.busy = false;
    absl::Duration pause = origin.delay;
    if (fetch.http_status == 429 || fetch.http_status == 503) {
      pause = std::max(pause, RetryAfter(fetch).value_or(2 * origin.delay));
    }
    origin.next_allowed = absl::Now() + pause;
    bool is_page_or_image = done.task.kind == TaskKind::kPage || done.task.kind == TaskKind::kImage;
    if (is_page_or_image && !fetch.redirect_url.empty()) return CompleteRedirect(done.task, fetch);
    switch (done.task.kind) {
      case TaskKind::kRobots: return CompleteRobots(origin, fetch);
      case TaskKind::kTdmRep: return sink_->OnTdmRep(origin.name, fetch);
      case TaskKind::kPage: return CompletePage(fetch);
      case TaskKind::kImage:
        ++stats_->images_fetched;
        return sink_->OnImage(fetch);
    }
  }

  void CompleteRobots(Origin& origin, const FetchResult& fetch) {
    std::string policy;
    // A robots.txt cut at the parse limit is still a robots.txt: RFC 9309
    // has crawlers parse its first 500 KiB.
    bool received = fetch.error.empty() || fetch.truncated;
    if (received && fetch.http_status >= 200 && fetch.http_status < 300) {
      origin.robots = RobotsPolicy::Parse(fetch.body);
      policy = "parsed";
    } else if (fetch.error.empty() && fetch.http_status >= 400 && fetch.http_status < 500) {
      origin.robots = RobotsPolicy::AllowAll();
      policy = "allow_all";
    } else {
      origin.robots = RobotsPolicy::DisallowAll();
      policy = "disallow_all";
    }
    origin.robots_known = true;
    if (std::optional<double> crawl_delay = origin.robots.CrawlDelaySeconds(config_.robots_token)) {
      origin.delay = std::max(origin.delay, absl::Seconds(*crawl_delay));
      origin.next_allowed = absl::Now() + origin.delay;
    }
    sink_->OnRobots(origin.name, fetch, policy);
    if (origin.robots.IsAllowed(config_.robots_token, kTdmRepPath)) {
      origin.pending.push_front(Task{absl::StrCat(origin.name, kTdmRepPath), TaskKind::kTdmRep});
    }
  }

  // Reports the redirect response, then queues its target as the same kind
  // of resource; a target already seen ends a loop.
  void CompleteRedirect(const Task& task, const FetchResult& fetch) {
    bool is_image = task.kind == TaskKind::kImage;
    if (is_image) {
      sink_->OnImage(fetch);
    } else {
      sink_->OnPage(fetch, nullptr);
    }
    absl::StatusOr<std::string> target = CanonicalizeUrl(fetch.redirect_url);
    if (!target.ok()) {
      sink_->OnSkipped(fetch.redirect_url, is_image, std::string(target.status().message()));
      return;
    }
    if (task.redirect_hops >= config_.max_redirects) {
      sink_->OnSkipped(*target, is_image,
                       absl::StrCat("more than ", config_.max_redirects, " redirects"));
      return;
    }
    if (is_image) return EnqueueImage(*target, task.redirect_hops + 1);
    absl::StatusOr<std::string> host = HostOf(*target);
    if (host.ok() && scope_hosts_.contains(*host)) EnqueuePage(*target, task.redirect_hops + 1);
  }

  void CompletePage(const FetchResult& fetch) {
    if (!fetch.ok() || !IsHtml(fetch)) {
      if (!fetch.ok()) ++stats_->pages_errors;
      sink_->OnPage(fetch, nullptr);
      return;
    }
    ExtractOptions options = extract_options_;
    options.http_charset = std::string(fetch.Header("content-type"));  // the extractor reads charset=
    absl::StatusOr<ExtractedPage> page = ExtractPage(fetch.body, fetch.final_url, options);
    if (!page.ok()) {
      ++stats_->pages_errors;
      sink_->OnPage(fetch, nullptr);
      return;
    }
    ++stats_->pages_fetched;
    sink_->OnPage(fetch, &*page);
    for (const std::string& link : page->links) {
      absl::StatusOr<std::string> host = HostOf(link);
      if (host.ok() && scope_hosts_.contains(*host)) EnqueuePage(link);
    }
    for (const ImageRef& image : page->images) {
      if (!image.is_data_uri && image.fetchable) EnqueueImage(image.url);
    }
  }

  struct InFlight {
    std::string origin;
    Task task;
  };

  const CrawlConfig& config_;
  CrawlSink* sink_;
  CrawlStats* stats_;
  Fetcher fetcher_;
  ExtractOptions extract_options_;
  absl::flat_hash_set<std::string> scope_hosts_;
  absl::flat_hash_set<std::string> seen_pages_;
  absl::flat_hash_set<std::string> seen_images_;
  std::map<std::string, Origin> origins_;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_tag_ = 1;
  int64_t pages_started_ = 0;
};

}  // namespace

Crawler::Crawler(const CrawlConfig& config, CrawlSink* sink) : config_(config), sink_(sink) {}

absl::Status Crawler::Run(const std::vector<std::string>& seeds) {
  std::vector<std::string> canonical;
  for (const std::string& seed : seeds) {
    absl::StatusOr<std::string> url = CanonicalizeUrl(seed);
    if (!url.ok()) return url.status();
    canonical.push_back(*url);
  }
  CrawlRun run(config_, sink_, &stats_);
  return run.Run(canonical);
}

}  // namespace scrapewatch::crawler
