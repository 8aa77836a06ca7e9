// `scrapewatch audit`: the sites of the command line and of --sites-file,
// audited a few at a time, each as its own run, stopped cleanly by SIGINT,
// SIGTERM or --max-runtime, and summed up in OUT/index.json and index.html.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "config/version.h"
#include "detectors/sha256.h"
#include "crawler/url.h"
#include "reports/report.h"
#include "store/record_codec.h"
#include "tools/scrapewatch/audit_site.h"
#include "tools/scrapewatch/commands.h"
#include "tools/scrapewatch/console.h"

namespace scrapewatch::cli {
namespace {

// Set from signal handlers: lock-free, nothing else touched there.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

void OnStopSignal(int signal_number) {
  g_signal.store(signal_number);
  g_stop.store(true);
}

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

// Seeds grouped by origin (each origin is one site, one run, one report
// set), in first-seen order. Bad URLs are logged with where they came from.
struct SiteList {
  std::vector<std::pair<std::string, std::vector<std::string>>> sites;
  int bad_lines = 0;
};

void AddSeed(SiteList& list, const std::string& url, const std::string& where, Console& console) {
  absl::StatusOr<std::string> origin = crawler::OriginOf(url);
  if (!origin.ok()) {
    console.Log("error", "bad_site", "", absl::StrCat(where, ": ", origin.status().message()));
    ++list.bad_lines;
    return;
  }
  auto it = std::find_if(list.sites.begin(), list.sites.end(),
                         [&](const auto& site) { return site.first == *origin; });
  if (it == list.sites.end()) {
    list.sites.push_back({*origin, {url}});
  } else {
    it->second.push_back(url);
  }
}

absl::Status ReadSitesFile(const std::string& path, SiteList& list, Console& console) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read sites file '", path, "'"));
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    std::string url(absl::StripAsciiWhitespace(line.substr(0, line.find('#'))));
    if (!url.empty()) AddSeed(list, url, absl::StrCat(path, ":", number), console);
  }
  return absl::OkStatus();
}

// --shard K/N keeps the sites whose hash falls in bucket K (1-based) of N:
// a stable split, so N machines can share a list without coordinating.
bool InShard(const std::string& site, int shard, int shards) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (unsigned char c : site) hash = (hash ^ c) * 1099511628211ULL;
  return static_cast<int>(hash % shards) == shard - 1;
}

// Retention: every site's runs that began before `cutoff` go, with all their
// records — except a site's latest run while unfinished (it may be resumed).
absl::Status PurgeOldRuns(store::Store& store, absl::Time cutoff, Console& console) {
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns("");
  if (!runs.ok()) return runs.status();
  for (size_t i = 0; i < runs->size(); ++i) {
    const store::RunRecord& run = (*runs)[i];
    bool latest_of_site = i + 1 == runs->size() || (*runs)[i + 1].site != run.site;
    if (run.started_at >= cutoff || (latest_of_site && !run.finished_at)) continue;
    if (absl::Status deleted = store.DeleteRun(run); !deleted.ok()) return deleted;
    console.Log("info", "run_deleted", run.site, absl::StrCat("retention: deleted run ", run.id));
  }
  return absl::OkStatus();
}

// The batch's identity: the same sites with the same configuration.
std::string BatchKey(const SiteList& list, const AuditConfig& config, const AuditFlags& flags) {
  std::string text = ToToml(config);
  for (const auto& [site, seeds] : list.sites) {
    absl::StrAppend(&text, "\n", site);
    for (const std::string& seed : seeds) absl::StrAppend(&text, " ", seed);
  }
  absl::StrAppend(&text, "\nshard ", flags.shard, "/", flags.shards, " fresh ", flags.fresh);
  return detectors::Sha256Hex(text);
}

// The unfinished batch with this key, or a new one.
absl::StatusOr<store::BatchRecord> BeginBatch(store::Store& store, const std::string& key) {
  absl::StatusOr<std::optional<store::BatchRecord>> earlier = store.GetBatch(key);
  if (!earlier.ok()) return earlier.status();
  if (earlier->has_value() && !(*earlier)->finished_at) return **earlier;
  store::BatchRecord batch{.key = key, .started_at = absl::Now()};
  if (absl::Status put = store.PutBatch(batch); !put.ok()) return put;
  return batch;
}

// The site's outcome when its latest run finished within this batch.
std::optional<SiteOutcome> FinishedInBatch(const store::Store& store, const std::string& site,
                                           const store::BatchRecord& batch,
                                           const std::string& out_dir) {
  absl::StatusOr<std::vector<store::RunRecord>> runs = store.ListRuns(site);
  if (!runs.ok() || runs->empty()) return std::nullopt;
  const store::RunRecord& last = runs->back();
  if (!last.finished_at || *last.finished_at < batch.started_at) return std::nullopt;
  std::string report_dir = absl::StrCat(out_dir, "/", reports::SiteDirectoryName(site));
  SiteOutcome outcome{.site = site,
                      .run_id = last.id,
                      .status = "done",
                      .message = "finished earlier in this batch",
                      .report_dir = std::filesystem::exists(report_dir + "/report.html") ? report_dir : "",
                      .pages_fetched = last.pages_fetched};
  if (absl::Status counted = CountOutcome(store, last, !outcome.report_dir.empty(), outcome);
      !counted.ok()) {
    outcome.status = "failed";
    outcome.message = std::string(counted.message());
  }
  return outcome;
}

// OUT/index.json and OUT/index.html: one line per site of this batch.
absl::Status WriteIndex(const std::string& out_dir, const std::vector<SiteOutcome>& outcomes) {
  nlohmann::json sites = nlohmann::json::array();
  std::string rows;
  for (const SiteOutcome& o : outcomes) {
    std::string report = o.report_dir.empty()
                             ? ""
                             : absl::StrCat(reports::SiteDirectoryName(o.site), "/report.html");
    auto figure = [](const std::optional<int64_t>& n) { return n ? nlohmann::json(*n) : nlohmann::json(); };
    sites.push_back({{"site", o.site}, {"run", o.run_id}, {"status", o.status},
                     {"message", o.message}, {"report", report},
                     {"pages_fetched", o.pages_fetched}, {"images", o.images},
                     {"images_with_faces", figure(o.images_with_faces)}, {"faces", figure(o.faces)},
                     {"images_with_gps", figure(o.images_with_gps)},
                     {"images_possible_minor", figure(o.images_possible_minor)}});
    auto cell = [](const std::optional<int64_t>& n) {
      return n ? absl::StrCat("<td>", *n, "</td>") : std::string("<td title='not analysed'>–</td>");
    };
    absl::StrAppend(&rows, "<tr><td>",
                    report.empty() ? reports::EscapeHtml(o.site)
                                   : absl::StrCat("<a href='", reports::EscapeHtml(report), "'>",
                                                  reports::EscapeHtml(o.site), "</a>"),
                    "</td><td>", reports::EscapeHtml(o.status), "</td><td>", o.pages_fetched,
                    "</td><td>", o.images, "</td>", cell(o.images_with_faces), cell(o.faces),
                    cell(o.images_with_gps), cell(o.images_possible_minor), "<td>",
                    reports::EscapeHtml(o.message), "</td></tr>");
  }
  nlohmann::json index{{"tool", {{"name", kToolName}, {"version", kToolVersion}}},
                       {"written_at", store::FormatTimestamp(absl::Now())},
                       {"sites", sites}};
  absl::Status json = reports::WriteFileAtomically(
      absl::StrCat(out_dir, "/index.json"),
      index.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!json.ok()) return json;
  return reports::WriteFileAtomically(
      absl::StrCat(out_dir, "/index.html"),
      absl::StrCat(
          "<!doctype html><html lang=en><head><meta charset=utf-8>"
          "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\"><title>scrapewatch: ", outcomes.size(),
          " sites</title><style>body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;"
          "max-width:68em;padding:0 1em}table{border-collapse:collapse;width:100%}"
          "td,th{border-bottom:1px solid #eee;padding:.35em;text-align:left}</style></head><body>"
          "<h1>What a face scraper could take: ", outcomes.size(), " sites</h1><table><thead><tr>"
          "<th>site</th><th>status</th><th>pages</th><th>images</th><th>images with faces</th>"
          "<th>faces</th><th>images with GPS</th><th>possible minors</th><th>note</th></tr></thead>"
          "<tbody>",
          rows, "</tbody></table></body></html>\n"));
}

}  // namespace

int RunAudit(const AuditFlags& flags) {
  Console console({.quiet = flags.quiet, .json_logs = flags.log_format == "json"});
  absl::StatusOr<AuditConfig> config = ResolveConfig(flags);
  if (!config.ok()) {
    console.Log("error", "bad_config", "", std::string(config.status().message()));
    return 2;
  }
  absl::Duration max_runtime = absl::InfiniteDuration();
  if (!flags.max_runtime.empty() &&
      (!absl::ParseDuration(flags.max_runtime, &max_runtime) || max_runtime <= absl::ZeroDuration())) {
    console.Log("error", "bad_flag", "",
                absl::StrCat("--max-runtime: '", flags.max_runtime,
                             "' is not a positive duration such as 90m, 6h or 1h30m"));
    return 2;
  }
  SiteList list;
  for (const std::string& url : flags.urls) AddSeed(list, url, "command line", console);
  if (!flags.sites_file.empty()) {
    if (absl::Status read = ReadSitesFile(flags.sites_file, list, console); !read.ok()) {
      console.Log("error", "bad_sites_file", "", std::string(read.message()));
      return 2;
    }
  }
  if (flags.shards > 1) {
    std::erase_if(list.sites, [&](const auto& site) { return !InShard(site.first, flags.shard, flags.shards); });
  }
  if (list.sites.empty() && list.bad_lines > 0) return 2;
  // The analysers are loaded, and a missing or wrong face model stops the
  // audit, before any request is made.
  detectors::AnalysisModule* analysis = nullptr;
  if (config->detect.analysis != "none") {
    absl::StatusOr<detectors::AnalysisModule*> module = detectors::LoadAnalysisModule();
    if (!module.ok()) {
      console.Log("error", "no_analysis_module", "", std::string(module.status().message()));
      return 1;
    }
    if (absl::Status usable = (*module)->CheckConfig(config->detect); !usable.ok()) {
      console.Log("error", "bad_config", "", std::string(usable.message()));
      return 2;
    }
    analysis = *module;
  }
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(config->output.store_dir);
  if (!store.ok()) {
    console.Log("error", "store_unavailable", "", std::string(store.status().message()));
    return 1;
  }

  // Stop cleanly on SIGINT/SIGTERM or at --max-runtime: crawls return within
  // a fraction of a second, leaving their runs resumable.
  g_stop.store(false);
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::mutex deadline_mutex;
  std::condition_variable deadline_cv;
  bool batch_over = false;
  std::atomic<bool> runtime_expired{false};
  std::thread deadline([&] {
    std::unique_lock<std::mutex> lock(deadline_mutex);
    if (max_runtime == absl::InfiniteDuration()) {
      deadline_cv.wait(lock, [&] { return batch_over; });
      return;
    }
    auto until = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(max_runtime);
    if (!deadline_cv.wait_until(lock, until, [&] { return batch_over; })) {
      runtime_expired.store(true);
      g_stop.store(true);
    }
  });

  // Total connections stay within --max-connections however many sites run.
  AuditConfig site_config = *config;
  int concurrent = std::max<int>(1, std::min<int>(flags.max_concurrent_sites, list.sites.size()));
  site_config.crawl.max_hosts_in_flight =
      std::max<int64_t>(1, std::min<int64_t>(config->crawl.max_hosts_in_flight,
                                             flags.max_connections / concurrent));
  AuditContext context{.config = &site_config, .flags = &flags, .analysis = analysis,
                       .store = store->get(), .console = &console, .stop = &g_stop};
  // A rerun of a batch that was stopped (--max-runtime, a signal, a crash)
  // continues it: sites it finished keep their run, the rest are audited.
  absl::StatusOr<store::BatchRecord> batch = BeginBatch(**store, BatchKey(list, *config, flags));
  if (!batch.ok()) {
    console.Log("error", "store_unavailable", "", std::string(batch.status().message()));
    return 1;
  }
  std::vector<SiteOutcome> outcomes(list.sites.size());
  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  const int total = static_cast<int>(list.sites.size());
  auto worker = [&] {
    for (size_t i = next++; i < list.sites.size(); i = next++) {
      const auto& [site, seeds] = list.sites[i];
      if (g_stop.load()) {
        outcomes[i] = {.site = site, .status = "stopped", .message = "not started"};
        continue;
      }
      console.Progress(done.load(), total, site);
      if (std::optional<SiteOutcome> earlier = FinishedInBatch(**store, site, *batch, config->output.out_dir)) {
        outcomes[i] = *earlier;
        console.Log("info", "site_done_earlier", site,
                    absl::StrCat("finished earlier in this batch (run ", earlier->run_id, ")"));
        console.Progress(++done, total, site);
        continue;
      }
      outcomes[i] = AuditSite(site, seeds, context);
      console.Progress(++done, total, site);
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < concurrent; ++i) workers.emplace_back(worker);
  for (std::thread& thread : workers) thread.join();
  {
    std::lock_guard<std::mutex> lock(deadline_mutex);
    batch_over = true;
  }
  deadline_cv.notify_all();
  deadline.join();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);

  bool failed = list.bad_lines > 0, exposed = false, stopped = false;
  for (const SiteOutcome& o : outcomes) {
    failed = failed || o.status == "failed";
    exposed = exposed || o.status == "new-exposure";
    stopped = stopped || o.status == "stopped";
  }
  if (!stopped && !g_stop.load()) {
    batch->finished_at = absl::Now();
    if (absl::Status ended = (*store)->PutBatch(*batch); !ended.ok()) {
      console.Log("error", "store_unavailable", "", std::string(ended.message()));
      failed = true;
    }
  }
  if (absl::Status indexed = WriteIndex(config->output.out_dir, outcomes); !indexed.ok()) {
    console.Log("error", "index_failed", "", std::string(indexed.message()));
    failed = true;
  }
  if (config->output.retention_days > 0 && !g_stop.load()) {
    absl::Status purged = PurgeOldRuns(
        **store, absl::Now() - absl::Hours(24 * config->output.retention_days), console);
    if (!purged.ok()) {
      console.Log("error", "retention_failed", "", std::string(purged.message()));
      failed = true;
    }
  }
  if (g_signal.load() != 0) {
    console.Log("error", "interrupted", "",
                absl::StrCat("stopped by signal ", g_signal.load(),
                             "; run the same command to resume"));
    return 1;
  }
  if (stopped && runtime_expired.load()) {
    console.Log("warning", "max_runtime", "",
                absl::StrCat("--max-runtime ", flags.max_runtime,
                             " reached; run the same command to resume"));
  }
  // A failure outranks a new exposure: cron must hear about a broken audit.
  return failed ? 1 : exposed ? kExitNewExposure : 0;
}

}  // namespace scrapewatch::cli
