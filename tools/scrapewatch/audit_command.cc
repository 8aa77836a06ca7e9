// `scrapewatch audit`: wires config → crawler → detectors → store → reports.
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "config/version.h"
#include "crawler/crawler.h"
#include "crawler/url.h"
#include "detectors/analysis_module.h"
#include "reports/diff.h"
#include "reports/exposure.h"
#include "reports/report.h"
#include "store/store.h"
#include "tools/scrapewatch/audit_site.h"
#include "tools/scrapewatch/commands.h"

namespace scrapewatch::cli {
namespace {

// Headers worth keeping as evidence or as opt-out signals.
constexpr const char* kEvidenceHeaders[] = {
    "content-type", "content-length", "last-modified", "etag", "date", "server",
    "x-robots-tag", "tdm-reservation", "tdm-policy", "cache-control", "retry-after"};

store::FetchEvidence Evidence(const crawler::FetchResult& fetch) {
  store::FetchEvidence evidence{.url = fetch.url,
                                .final_url = fetch.final_url,
                                .redirect_to = fetch.redirect_url,
                                .http_status = fetch.http_status,
                                .body_sha256 = detectors::Sha256Hex(fetch.body),
                                .body_bytes = static_cast<int64_t>(fetch.body.size()),
                                .error = fetch.error,
                                .fetched_at = fetch.started_at};
  for (const auto& [name, value] : fetch.headers) {
    for (const char* wanted : kEvidenceHeaders) {
      if (name == wanted) evidence.headers.emplace_back(name, value);
    }
  }
  return evidence;
}

// Receives the crawl, has images analysed on the worker pool (unless
// analysis is "none"), and writes everything to the store from the crawl
// thread. The first store error is kept and ends the audit as a failure.
class StoringSink : public crawler::CrawlSink {
 public:
  // `analysis` is null for --analysis none.
  StoringSink(store::Store* store, const store::RunRecord* run, const AuditConfig& config,
              detectors::AnalysisModule* analysis)
      : store_(store), run_(run) {
    if (analysis != nullptr) {
      pool_ = analysis->NewPool(
          {.detect = config.detect, .max_image_bytes = config.crawl.max_image_bytes});
    }
  }

  void OnRobots(const std::string& origin, const crawler::FetchResult& fetch,
                const std::string& policy) override {
    store::RobotsRecord& record = robots_[origin];
    record = {origin, Evidence(fetch), fetch.body, policy};
    Keep(store_->PutRobots(*run_, record));
  }

  void OnTdmRep(const std::string& origin, const crawler::FetchResult& fetch) override {
    store::RobotsRecord& record = robots_[origin];
    record.tdmrep_fetch = Evidence(fetch);
    if (fetch.ok()) record.tdmrep_body = fetch.body;
    Keep(store_->PutRobots(*run_, record));
  }

  void OnPage(const crawler::FetchResult& fetch, const crawler::ExtractedPage* page) override {
    store::PageRecord record{.fetch = Evidence(fetch)};
    if (page) {
      record.title = page->title;
      record.meta_robots = page->signals.meta_robots;
      record.people = page->people;
      record.schema = page->schema;
      record.tdm_reservation = page->signals.tdm_reservation;
      record.tdm_policy = page->signals.tdm_policy;
      record.charset = page->charset;
      record.warnings = page->warnings;
      for (const crawler::ImageRef& ref : page->images) {
        record.images.push_back({ref.url, ref.kind, ref.alt, ref.title, ref.caption, ref.link_url,
                                 ref.link_text, ref.nearby_text, ref.names});
      }
    }
    Keep(store_->PutPage(*run_, record));
  }

  void OnSitemap(const crawler::FetchResult& fetch,
                 const crawler::SitemapContents* contents) override {
    store::ResourceRecord record{.kind = "sitemap", .fetch = Evidence(fetch)};
    if (contents) {
      record.pages_listed = static_cast<int64_t>(contents->page_urls.size());
      record.images_listed = static_cast<int64_t>(contents->image_urls.size());
      record.sitemaps_listed = static_cast<int64_t>(contents->sitemap_urls.size());
      record.warnings = contents->warnings;
    }
    Keep(store_->PutResource(*run_, record));
  }

  void OnStylesheet(const crawler::FetchResult& fetch,
                    const std::vector<std::string>* image_urls) override {
    store::ResourceRecord record{.kind = "stylesheet", .fetch = Evidence(fetch)};
    if (image_urls) record.images_listed = static_cast<int64_t>(image_urls->size());
    Keep(store_->PutResource(*run_, record));
  }

  void OnImage(const crawler::FetchResult& fetch, std::function<void()> kept) override {
    store::ImageRecord record{.fetch = Evidence(fetch)};
    if (fetch.ok() && pool_) {
      uint64_t tag = next_tag_++;
      analysing_[tag] = {std::move(record), std::move(kept)};
      pool_->Submit(tag, fetch.body);
      StoreFinished(pool_->TakeFinished());
      return;
    }
    StoreImage(record, kept);
  }

  void Flush() override {
    if (pool_) StoreFinished(pool_->Drain());
  }

  void OnSkipped(const std::string& url, crawler::ResourceKind kind,
                 const crawler::SkipReason& reason) override {
    store::FetchEvidence evidence{.url = url, .fetched_at = absl::Now()};
    std::string why = absl::StrCat(reason.cause, ": ", reason.detail);
    switch (kind) {
      case crawler::ResourceKind::kImage:
        return Keep(store_->PutImage(*run_, {.fetch = evidence, .skipped_reason = why}));
      case crawler::ResourceKind::kSitemap:
        return Keep(store_->PutResource(
            *run_, {.kind = "sitemap", .fetch = evidence, .skipped_reason = why}));
      case crawler::ResourceKind::kStylesheet:
        return Keep(store_->PutResource(
            *run_, {.kind = "stylesheet", .fetch = evidence, .skipped_reason = why}));
      case crawler::ResourceKind::kPage:
        return Keep(store_->PutPage(*run_, {.fetch = evidence, .skipped_reason = why}));
    }
  }

  absl::Status status() const override { return status_; }

 private:
  struct Analysing {
    store::ImageRecord record;
    std::function<void()> kept;
  };

  // The crawler marks the image done only once its record is durable.
  void StoreImage(const store::ImageRecord& record, const std::function<void()>& kept) {
    absl::Status stored = store_->PutImage(*run_, record);
    if (stored.ok()) kept();
    Keep(std::move(stored));
  }

  void StoreFinished(detectors::ImageAnalysisPool::Finished finished) {
    for (auto& [tag, findings] : finished) {
      auto it = analysing_.find(tag);
      it->second.record.findings = std::move(findings);
      StoreImage(it->second.record, it->second.kept);
      analysing_.erase(it);
    }
  }

  void Keep(absl::Status status) {
    if (status_.ok() && !status.ok()) status_ = std::move(status);
  }

  store::Store* store_;
  const store::RunRecord* run_;
  std::unique_ptr<detectors::ImageAnalysisPool> pool_;
  std::map<std::string, store::RobotsRecord> robots_;  // by origin, to add TDMRep
  std::map<uint64_t, Analysing> analysing_;
  uint64_t next_tag_ = 0;
  absl::Status status_;
};

// "  limits hit: max_urls_per_pattern 145, timeout 2\n", or "" when none was.
std::string LimitsLine(const std::map<std::string, int64_t>& limits) {
  if (limits.empty()) return "";
  std::string line = "  limits hit:";
  for (const auto& [limit, count] : limits) absl::StrAppend(&line, " ", limit, " ", count, ",");
  line.back() = '\n';
  return line;
}

std::string Summary(const store::RunRecord& run, const reports::Summary& s,
                    const std::string& out_dir) {
  return absl::StrCat(absl::StrFormat(
      "%s  (run %s)\n"
      "  pages:  %d fetched, %d disallowed by robots.txt, %d errors, %d discovered\n"
      "  images: %d referenced, %d analysed, %d with faces (%d faces), %d with GPS\n",
      run.site, run.id, run.pages_fetched, run.pages_disallowed, run.pages_errors,
      run.pages_discovered, s.images, s.images_analysed, s.images_with_faces, s.faces,
      s.images_with_gps),
      LimitsLine(s.limits_hit), "  reports: ", out_dir, "/report.html\n", "           ", out_dir,
      "/report.json, images.csv, report.md\n");
}

// The site's last run, when it was interrupted with the same seeds and
// configuration: the audit continues it instead of starting over.
std::optional<store::RunRecord> InterruptedRun(store::Store& store, const store::RunRecord& wanted) {
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns(wanted.site);
  if (!runs.ok() || runs->empty()) return std::nullopt;
  const store::RunRecord& last = runs->back();
  if (last.finished_at || last.config_sha256 != wanted.config_sha256 || last.seeds != wanted.seeds) {
    return std::nullopt;
  }
  return last;
}

// Run totals, counted from what the store holds so a resumed run counts
// the work of every process that took part. Streams: a large run is never
// in memory at once.
absl::Status CountTotals(const store::Store& store, store::RunRecord& run) {
  run.pages_discovered = run.pages_fetched = run.pages_disallowed = run.pages_errors = 0;
  return store.VisitPages(run, [&run](const store::PageRecord& page) {
    const store::FetchEvidence& fetch = page.fetch;
    ++run.pages_discovered;
    if (absl::StartsWith(page.skipped_reason, "robots:")) {
      ++run.pages_disallowed;
    } else if (!page.skipped_reason.empty()) {
      return;
    } else if (!fetch.error.empty() || fetch.http_status >= 400 || fetch.http_status == 0) {
      ++run.pages_errors;
    } else if (fetch.http_status >= 200 && fetch.http_status < 300) {
      ++run.pages_fetched;
    }
  });
}

// With --analysis none nothing was analysed, so there is no report to write
// yet: the summary counts what was fetched and stored, and `images_recorded`
// every image record of the run (the batch index's figure).
absl::StatusOr<std::string> CrawlSummary(const store::Store& store, const store::RunRecord& run,
                                         int64_t& images_recorded) {
  int64_t images_fetched = 0, images_skipped = 0;
  images_recorded = 0;
  std::map<std::string, int64_t> limits;
  absl::Status counted = store.VisitPages(run, [&](const store::PageRecord& page) {
    std::string limit = reports::LimitHit("page", page.fetch, page.skipped_reason);
    if (!limit.empty()) ++limits[limit];
  });
  if (counted.ok()) counted = store.VisitImages(run, [&](const store::ImageRecord& image) {
    ++images_recorded;
    std::string limit = reports::LimitHit("image", image.fetch, image.skipped_reason);
    if (!limit.empty()) ++limits[limit];
    if (!image.skipped_reason.empty()) {
      ++images_skipped;
    } else if (image.fetch.error.empty() && image.fetch.http_status / 100 == 2) {
      ++images_fetched;
    }
  });
  if (!counted.ok()) return counted;
  return absl::StrFormat(
      "%s  (run %s, --analysis none)\n"
      "  pages:  %d fetched, %d disallowed by robots.txt, %d errors, %d discovered\n"
      "  images: %d fetched, %d not fetched; none analysed\n"
      "%s"
      "  report: scrapewatch report --store STORE --site %s --format html\n",
      run.site, run.id, run.pages_fetched, run.pages_disallowed, run.pages_errors,
      run.pages_discovered, images_fetched, images_skipped, LimitsLine(limits), run.site);
}

void FillFigures(const reports::Summary& s, SiteOutcome& outcome) {
  outcome.images = s.images;
  outcome.images_with_faces = s.images_with_faces;
  outcome.faces = s.faces;
  outcome.images_with_gps = s.images_with_gps;
  outcome.images_possible_minor = s.images_possible_minor;
}

}  // namespace

absl::Status CountOutcome(const store::Store& store, const store::RunRecord& run, bool analysed,
                          SiteOutcome& outcome) {
  if (!analysed) {
    outcome.images = 0;
    return store.VisitImages(run, [&outcome](const store::ImageRecord&) { ++outcome.images; });
  }
  absl::StatusOr<store::RunContents> contents = store.ReadRun(run.site, run.id);
  if (!contents.ok()) return contents.status();
  FillFigures(reports::BuildExposure(*contents, {}).summary, outcome);
  return absl::OkStatus();
}

SiteOutcome AuditSite(const std::string& site, const std::vector<std::string>& seeds,
                      const AuditContext& context) {
  const AuditConfig& config = *context.config;
  const AuditFlags& flags = *context.flags;
  store::Store& store = *context.store;
  Console& console = *context.console;
  SiteOutcome outcome{.site = site, .status = "failed"};
  auto fail = [&](const absl::Status& status) {
    outcome.message = std::string(status.message());
    console.Log("error", "site_failed", site, outcome.message);
    return outcome;
  };
  store::RunRecord run{.site = site, .seeds = seeds, .tool_version = kToolVersion,
                       .user_agent = EffectiveUserAgent(config.crawl),
                       .robots_token = config.crawl.robots_token,
                       .profile_tokens = config.profiles.robots_tokens,
                       .config_toml = ToToml(config),
                       .config_sha256 = detectors::Sha256Hex(ToToml(config)),
                       .started_at = absl::Now()};
  if (std::optional<store::RunRecord> interrupted = InterruptedRun(store, run);
      interrupted && !flags.fresh) {
    run = *interrupted;
    console.Log("info", "run_resumed", site, absl::StrCat("resuming interrupted run ", run.id));
  } else {
    absl::StatusOr<store::RunRecord> begun = store.BeginRun(run);
    if (!begun.ok()) return fail(begun.status());
    run = *begun;
  }
  outcome.run_id = run.id;
  StoringSink sink(&store, &run, config, context.analysis);
  std::unique_ptr<crawler::FrontierStorage> frontier = store.Frontier(run);
  crawler::Crawler crawler(config.crawl, frontier.get(), &sink);
  crawler.set_stop_flag(context.stop);
  absl::Status crawled = crawler.Run(seeds);
  if (crawled.ok()) crawled = sink.status();
  if (absl::IsCancelled(crawled)) {
    outcome.status = "stopped";
    outcome.message = std::string(crawled.message());
    console.Log("warning", "site_stopped", site, absl::StrCat("run ", run.id, " ", outcome.message));
    return outcome;
  }
  if (!crawled.ok()) return fail(crawled);
  absl::Status finished = CountTotals(store, run);
  run.finished_at = absl::Now();
  if (finished.ok()) finished = store.UpdateRun(run);
  if (finished.ok()) finished = store.ClearFrontier(run);
  if (!finished.ok()) return fail(finished);
  outcome.pages_fetched = run.pages_fetched;
  outcome.status = "done";
  if (config.detect.analysis == "none") {
    absl::StatusOr<std::string> summary = CrawlSummary(store, run, outcome.images);
    if (!summary.ok()) return fail(summary.status());
    console.Result(*summary);
    return outcome;
  }
  absl::StatusOr<store::RunContents> contents = store.ReadRun(run.site, run.id);
  if (!contents.ok()) return fail(contents.status());
  reports::ReportOptions options{.precise_locations = flags.precise_locations};
  std::string dir = absl::StrCat(config.output.out_dir, "/", reports::SiteDirectoryName(site));
  for (auto [name, format] : {std::pair{"report.json", reports::Format::kJson},
                              std::pair{"report.html", reports::Format::kHtml},
                              std::pair{"images.csv", reports::Format::kCsv},
                              std::pair{"report.md", reports::Format::kMarkdown}}) {
    absl::Status written = reports::WriteFileAtomically(
        absl::StrCat(dir, "/", name), reports::Render(*contents, format, options));
    if (!written.ok()) return fail(written);
  }
  outcome.report_dir = dir;
  reports::SiteExposure exposure = reports::BuildExposure(*contents, {});
  FillFigures(exposure.summary, outcome);
  console.Result(Summary(run, exposure.summary, dir));
  if (flags.fail_on != "new-exposure") return outcome;
  absl::StatusOr<reports::RunDiff> diff = DiffStoredRuns(store, run.site, run.id);
  if (absl::IsNotFound(diff.status())) return outcome;  // a first run has nothing to compare with
  if (!diff.ok()) return fail(diff.status());
  if (diff->has_new_exposure()) {
    outcome.status = "new-exposure";
    console.Log("warning", "new_exposure", site, reports::RenderDiffText(*diff));
  }
  return outcome;
}

}  // namespace scrapewatch::cli
