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

  const absl::Status& status() const { return status_; }

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

absl::StatusOr<AuditConfig> ResolveConfig(const AuditFlags& flags) {
  AuditConfig config;
  if (!flags.config_file.empty()) {
    absl::StatusOr<AuditConfig> loaded = LoadConfigFile(flags.config_file);
    if (!loaded.ok()) return loaded.status();
    config = *loaded;
  }
  for (const ConfigOverride& override : flags.overrides) {
    absl::StatusOr<AuditConfig> changed = ParseConfig(override.toml, override.flag, config);
    if (!changed.ok()) return changed.status();
    config = *changed;
  }
  return config;
}

// "  limits hit: max_urls_per_pattern 145, timeout 2\n", or "" when none was.
std::string LimitsLine(const std::map<std::string, int64_t>& limits) {
  if (limits.empty()) return "";
  std::string line = "  limits hit:";
  for (const auto& [limit, count] : limits) absl::StrAppend(&line, " ", limit, " ", count, ",");
  line.back() = '\n';
  return line;
}

void PrintSummary(const store::RunContents& contents, const std::string& out_dir) {
  reports::SiteExposure exposure = reports::BuildExposure(contents, {});
  const store::RunRecord& run = contents.run;
  const reports::Summary& s = exposure.summary;
  std::cout << absl::StrFormat(
      "%s  (run %s)\n"
      "  pages:  %d fetched, %d disallowed by robots.txt, %d errors, %d discovered\n"
      "  images: %d referenced, %d analysed, %d with faces (%d faces), %d with GPS\n",
      run.site, run.id, run.pages_fetched, run.pages_disallowed, run.pages_errors,
      run.pages_discovered, s.images, s.images_analysed, s.images_with_faces, s.faces,
      s.images_with_gps);
  std::cout << LimitsLine(s.limits_hit) << "  reports: " << out_dir << "/report.html\n"
            << "           " << out_dir << "/report.json, images.csv, report.md\n";
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
// yet: the summary counts what was fetched and stored.
int PrintCrawlSummary(const store::Store& store, const store::RunRecord& run) {
  int64_t images_fetched = 0, images_skipped = 0;
  std::map<std::string, int64_t> limits;
  absl::Status counted = store.VisitPages(run, [&](const store::PageRecord& page) {
    std::string limit = reports::LimitHit("page", page.fetch, page.skipped_reason);
    if (!limit.empty()) ++limits[limit];
  });
  if (counted.ok()) counted = store.VisitImages(run, [&](const store::ImageRecord& image) {
    std::string limit = reports::LimitHit("image", image.fetch, image.skipped_reason);
    if (!limit.empty()) ++limits[limit];
    if (!image.skipped_reason.empty()) {
      ++images_skipped;
    } else if (image.fetch.error.empty() && image.fetch.http_status / 100 == 2) {
      ++images_fetched;
    }
  });
  if (!counted.ok()) {
    std::cerr << "scrapewatch: " << counted.message() << "\n";
    return 1;
  }
  std::cout << absl::StrFormat(
      "%s  (run %s, --analysis none)\n"
      "  pages:  %d fetched, %d disallowed by robots.txt, %d errors, %d discovered\n"
      "  images: %d fetched, %d not fetched; none analysed\n"
      "%s"
      "  report: scrapewatch report --store STORE --site %s --format html\n",
      run.site, run.id, run.pages_fetched, run.pages_disallowed, run.pages_errors,
      run.pages_discovered, images_fetched, images_skipped, LimitsLine(limits), run.site);
  return 0;
}

// Audits the seeds of one site as one run; returns the process status.
int AuditSite(const std::string& site, const std::vector<std::string>& seeds,
              const AuditConfig& config, const AuditFlags& flags,
              detectors::AnalysisModule* analysis, store::Store& store) {
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
    if (!flags.quiet) std::cout << "resuming interrupted run " << run.id << " of " << site << "\n";
  } else {
    absl::StatusOr<store::RunRecord> begun = store.BeginRun(run);
    if (!begun.ok()) {
      std::cerr << "scrapewatch: " << begun.status().message() << "\n";
      return 1;
    }
    run = *begun;
  }
  StoringSink sink(&store, &run, config, analysis);
  std::unique_ptr<crawler::FrontierStorage> frontier = store.Frontier(run);
  crawler::Crawler crawler(config.crawl, frontier.get(), &sink);
  absl::Status crawled = crawler.Run(seeds);
  if (crawled.ok()) crawled = sink.status();
  if (!crawled.ok()) {
    std::cerr << "scrapewatch: audit of " << site << " failed: " << crawled.message() << "\n";
    return 1;
  }
  absl::Status finished = CountTotals(store, run);
  run.finished_at = absl::Now();
  if (finished.ok()) finished = store.UpdateRun(run);
  if (finished.ok()) finished = store.ClearFrontier(run);
  if (!finished.ok()) {
    std::cerr << "scrapewatch: " << finished.message() << "\n";
    return 1;
  }
  if (config.detect.analysis == "none") return flags.quiet ? 0 : PrintCrawlSummary(store, run);
  absl::StatusOr<store::RunContents> contents = store.ReadRun(run.site, run.id);
  if (!contents.ok()) {
    std::cerr << "scrapewatch: " << contents.status().message() << "\n";
    return 1;
  }
  reports::ReportOptions options{.precise_locations = flags.precise_locations};
  std::string dir = absl::StrCat(config.output.out_dir, "/", reports::SiteDirectoryName(site));
  for (auto [name, format] : {std::pair{"report.json", reports::Format::kJson},
                              std::pair{"report.html", reports::Format::kHtml},
                              std::pair{"images.csv", reports::Format::kCsv},
                              std::pair{"report.md", reports::Format::kMarkdown}}) {
    absl::Status written = reports::WriteFileAtomically(
        absl::StrCat(dir, "/", name), reports::Render(*contents, format, options));
    if (!written.ok()) {
      std::cerr << "scrapewatch: " << written.message() << "\n";
      return 1;
    }
  }
  if (!flags.quiet) PrintSummary(*contents, dir);
  if (flags.fail_on != "new-exposure") return 0;
  absl::StatusOr<reports::RunDiff> diff = DiffStoredRuns(store, run.site, run.id);
  if (absl::IsNotFound(diff.status())) return 0;  // a first run has nothing to compare with
  if (!diff.ok()) {
    std::cerr << "scrapewatch: " << diff.status().message() << "\n";
    return 1;
  }
  if (!diff->has_new_exposure()) return 0;
  std::cerr << reports::RenderDiffText(*diff);
  return kExitNewExposure;
}

// Retention: every site's runs that began before `cutoff` go, with all their
// records. A run still unfinished is kept if it is the site's latest (it may
// be resumed).
absl::Status PurgeOldRuns(store::Store& store, absl::Time cutoff, bool quiet) {
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns("");
  if (!runs.ok()) return runs.status();
  for (size_t i = 0; i < runs->size(); ++i) {
    const store::RunRecord& run = (*runs)[i];
    bool latest_of_site = i + 1 == runs->size() || (*runs)[i + 1].site != run.site;
    if (run.started_at >= cutoff || (latest_of_site && !run.finished_at)) continue;
    if (absl::Status deleted = store.DeleteRun(run); !deleted.ok()) return deleted;
    if (!quiet) std::cout << "retention: deleted run " << run.id << " of " << run.site << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

int RunAudit(const AuditFlags& flags) {
  absl::StatusOr<AuditConfig> config = ResolveConfig(flags);
  if (!config.ok()) {
    std::cerr << "scrapewatch: " << config.status().message() << "\n";
    return 2;
  }
  // The analysers are loaded, and a missing or wrong face model stops the
  // audit, before any request is made.
  detectors::AnalysisModule* analysis = nullptr;
  if (config->detect.analysis != "none") {
    absl::StatusOr<detectors::AnalysisModule*> module = detectors::LoadAnalysisModule();
    if (!module.ok()) {
      std::cerr << "scrapewatch: " << module.status().message() << "\n";
      return 1;
    }
    if (absl::Status usable = (*module)->CheckConfig(config->detect); !usable.ok()) {
      std::cerr << "scrapewatch: " << usable.message() << "\n";
      return 2;
    }
    analysis = *module;
  }
  // Seeds grouped by origin: each origin is one site, one run, one report set.
  std::map<std::string, std::vector<std::string>> sites;
  for (const std::string& url : flags.urls) {
    absl::StatusOr<std::string> origin = crawler::OriginOf(url);
    if (!origin.ok()) {
      std::cerr << "scrapewatch: " << origin.status().message() << "\n";
      return 2;
    }
    sites[*origin].push_back(url);
  }
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(config->output.store_dir);
  if (!store.ok()) {
    std::cerr << "scrapewatch: " << store.status().message() << "\n";
    return 1;
  }
  // A failure outranks a new exposure: cron must hear about a broken audit.
  bool failed = false, exposed = false;
  for (const auto& [site, seeds] : sites) {
    int status = AuditSite(site, seeds, *config, flags, analysis, **store);
    failed = failed || status == 1;
    exposed = exposed || status == kExitNewExposure;
  }
  if (config->output.retention_days > 0) {
    absl::Status purged = PurgeOldRuns(**store, absl::Now() - absl::Hours(24 * config->output.retention_days),
                                       flags.quiet);
    if (!purged.ok()) {
      std::cerr << "scrapewatch: " << purged.message() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : exposed ? kExitNewExposure : 0;
}

}  // namespace scrapewatch::cli
