// scrapewatch: see what a face-scraping indexer could harvest from a site.
// This file only declares the command line; commands.h does the work.
#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/version.h"
#include "tools/scrapewatch/commands.h"

namespace {

constexpr char kDescription[] =
    "scrapewatch audits a website from the outside, as a Clearview-like face scraper would "
    "see it: which pages and images a logged-out crawler reaches under the site's opt-out "
    "signals, which images carry faces or GPS locations, and on which pages each appears.\n"
    "Exit status: 0 success, 1 runtime failure, 2 usage error, 3 a new exposure with audit "
    "--fail-on new-exposure.";

// A flag that sets one config key. Its value is applied as a one-line TOML
// document ("crawl.delay = 0.5") over the config file, so flags and files
// share one validation and one error format ("--delay:1: crawl.delay: ...").
struct ConfigFlag {
  enum Kind { kInteger, kNumber, kText, kSwitch, kSwitchOff, kTextList };
  const char* name;
  const char* key;
  Kind kind;
  const char* help;
};

constexpr ConfigFlag kConfigFlags[] = {
    {"--store", "output.store", ConfigFlag::kText,
     "RocksDB store directory; each audit adds a run (default scrapewatch-store)"},
    {"--out", "output.out", ConfigFlag::kText, "Report directory (default scrapewatch-reports)"},
    {"--retention", "output.retention_days", ConfigFlag::kInteger,
     "Delete runs that began more than DAYS days ago from the store after the audit (default 0: "
     "keep all)"},
    {"--max-pages", "crawl.max_pages", ConfigFlag::kInteger,
     "HTML pages fetched per site (default 200)"},
    {"--delay", "crawl.delay", ConfigFlag::kNumber,
     "Minimum seconds between requests to one host (default 1; robots.txt Crawl-delay raises "
     "it)"},
    {"--user-agent", "crawl.user_agent", ConfigFlag::kText,
     "User-Agent header (default: scrapewatch/VERSION (+contact URL))"},
    {"--contact-url", "crawl.contact_url", ConfigFlag::kText,
     "Where site owners can read about this crawl; part of the default User-Agent"},
    {"--as-agent", "crawl.robots_token", ConfigFlag::kText,
     "robots.txt product token to obey, e.g. CCBot (default scrapewatch); the User-Agent "
     "header stays honest"},
    {"--allow-private-addresses", "crawl.allow_private_addresses", ConfigFlag::kSwitch,
     "Allow hosts on loopback/private/link-local addresses (refused by default)"},
    {"--timeout", "crawl.timeout", ConfigFlag::kNumber, "Seconds per request (default 30)"},
    {"--max-page-bytes", "crawl.max_page_bytes", ConfigFlag::kInteger,
     "Largest page body kept (default 5 MiB)"},
    {"--max-image-bytes", "crawl.max_image_bytes", ConfigFlag::kInteger,
     "Largest image body kept (default 20 MiB)"},
    {"--max-redirects", "crawl.max_redirects", ConfigFlag::kInteger,
     "Redirects followed per URL (default 10)"},
    {"--scope", "crawl.scope", ConfigFlag::kText,
     "Pages crawled: site (same registrable domain as a seed, default), host (same host), "
     "prefix (same origin and directory as a seed)"},
    {"--max-depth", "crawl.max_depth", ConfigFlag::kInteger,
     "Link hops from a seed (default 20)"},
    {"--max-urls-per-pattern", "crawl.max_urls_per_pattern", ConfigFlag::kInteger,
     "Pages per URL shape, digits masked: bounds calendar and pagination traps (default 100)"},
    {"--max-url-length", "crawl.max_url_length", ConfigFlag::kInteger,
     "Longer URLs are not fetched (default 2048)"},
    {"--connect-timeout", "crawl.connect_timeout", ConfigFlag::kNumber,
     "Seconds to connect (default 10)"},
    {"--low-speed-bytes", "crawl.low_speed_bytes", ConfigFlag::kInteger,
     "A transfer under this many bytes/s for --low-speed-time is abandoned (default 100)"},
    {"--low-speed-time", "crawl.low_speed_time", ConfigFlag::kNumber,
     "Seconds a transfer may stay under --low-speed-bytes (default 20)"},
    {"--max-crawl-delay", "crawl.max_crawl_delay", ConfigFlag::kNumber,
     "A host whose robots.txt asks a longer Crawl-delay is not crawled (default 60)"},
    {"--max-hosts-in-flight", "crawl.max_hosts_in_flight", ConfigFlag::kInteger,
     "Hosts fetched from at once, one request each (default 16)"},
    {"--no-sitemaps", "crawl.sitemaps", ConfigFlag::kSwitchOff,
     "Do not read sitemaps (robots.txt Sitemap lines, /sitemap.xml)"},
    {"--max-sitemap-bytes", "crawl.max_sitemap_bytes", ConfigFlag::kInteger,
     "Largest sitemap read, after decompression (default 50 MiB)"},
    {"--strip-query-params", "crawl.strip_query_params", ConfigFlag::kTextList,
     "Comma-separated query parameters dropped from URLs, 'utm_*' matching a prefix (default: "
     "utm_*, fbclid, gclid, dclid, msclkid, mc_cid, mc_eid, _ga, yclid, igshid, sessionid, "
     "PHPSESSID, jsessionid)"},
    {"--thumbnails", "detect.thumbnails", ConfigFlag::kText,
     "Report thumbnails of images with faces or GPS: blurred (default), clear, none"},
    {"--analysis", "detect.analysis", ConfigFlag::kText,
     "full (default), or none: crawl, fetch and store, but analyse no image"},
    {"--max-image-pixels", "detect.max_image_pixels", ConfigFlag::kInteger,
     "Images declaring more pixels are not decoded (default 50000000)"},
    {"--max-image-dimension", "detect.max_image_dimension", ConfigFlag::kInteger,
     "Images declaring a longer side are not decoded (default 20000)"},
    {"--face-score-threshold", "detect.face_score_threshold", ConfigFlag::kNumber,
     "HOG face detector margin (default 0; higher trades recall for precision)"},
    {"--face-backend", "detect.face_backend", ConfigFlag::kText,
     "Face detector: auto (default: yunet when its model is installed, else hog), hog (built "
     "in), yunet (needs its ONNX model) or ensemble (yunet and hog, boxes fused; needs the "
     "model)"},
    {"--age-model", "detect.age_model", ConfigFlag::kText,
     "face-api AgeGenderNet manifest for age bands (default: the standard model locations; "
     "none: no age estimation)"},
    {"--face-model", "detect.face_model", ConfigFlag::kText,
     "YuNet model file (default: the standard data locations)"},
    {"--yunet-score-threshold", "detect.yunet_score_threshold", ConfigFlag::kNumber,
     "YuNet confidence a face must reach (default 0.97)"},
    {"--profile-tokens", "profiles.robots_tokens", ConfigFlag::kTextList,
     "Comma-separated robots.txt tokens whose harvest the report assesses (default: *, CCBot, "
     "GPTBot, Google-Extended, Googlebot-Image, Bytespider, ClaudeBot, PerplexityBot, "
     "img2dataset)"},
};

void AddConfigFlag(CLI::App* audit, const ConfigFlag& flag,
                   std::vector<scrapewatch::cli::ConfigOverride>& overrides) {
  auto set = [&overrides, flag](const std::string& toml_value) {
    overrides.push_back({flag.name, std::string(flag.key) + " = " + toml_value});
  };
  switch (flag.kind) {
    case ConfigFlag::kSwitch:
      audit->add_flag_callback(flag.name, [set] { set("true"); }, flag.help);
      break;
    case ConfigFlag::kSwitchOff:
      audit->add_flag_callback(flag.name, [set] { set("false"); }, flag.help);
      break;
    case ConfigFlag::kText:
      audit->add_option_function<std::string>(
          flag.name, [set](const std::string& v) { set(nlohmann::json(v).dump()); }, flag.help);
      break;
    case ConfigFlag::kTextList:
      audit->add_option_function<std::vector<std::string>>(
               flag.name,
               [set](const std::vector<std::string>& v) { set(nlohmann::json(v).dump()); },
               flag.help)
          ->delimiter(',');
      break;
    case ConfigFlag::kInteger:
      audit->add_option_function<int64_t>(
          flag.name, [set](int64_t v) { set(std::to_string(v)); }, flag.help);
      break;
    case ConfigFlag::kNumber:
      audit->add_option_function<double>(
          flag.name, [set](double v) { set(nlohmann::json(v).dump()); }, flag.help);
      break;
  }
}

void AddAudit(CLI::App& app, scrapewatch::cli::AuditFlags& f, int& status) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Crawl sites politely, analyse their images, store a run, write reports.");
  audit->footer(
      "Each URL's origin (scheme://host:port) is audited as one site; reports go to "
      "OUT/<site>/ (report.html, report.json, images.csv, report.md) and the batch's index to "
      "OUT/index.json and index.html. SIGINT, SIGTERM and --max-runtime stop cleanly: running "
      "the same command again resumes. Flags override the --config file, whose keys they name "
      "in config/scrapewatch.toml. Exit status: 0 ok, 1 failure (or stopped by a signal), 2 "
      "usage, 3 new exposure with --fail-on.");
  audit->add_option("url", f.urls, "Start URL(s); pages in --scope of them are crawled");
  audit->add_option("--sites-file", f.sites_file,
                    "File of start URLs, one per line, '#' comments; a bad line is reported with "
                    "its line number and the rest still run")
      ->check(CLI::ExistingFile);
  audit->add_option("--max-concurrent-sites", f.max_concurrent_sites,
                    "Sites audited at once (default 4)")
      ->check(CLI::Range(1, 256));
  audit->add_option("--max-connections", f.max_connections,
                    "Connections across all sites at once; each site gets an equal share, at "
                    "least one (default 64)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  audit->add_option("--max-runtime", f.max_runtime,
                    "Stop cleanly after this long (e.g. 90m, 6h), leaving unfinished runs to "
                    "resume; exit status 0 unless something failed");
  audit->add_option("--log-format", f.log_format,
                    "Log lines on stderr: text (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"text", "json"}));
  audit->add_option_function<std::string>(
           "--shard",
           [&f](const std::string& value) {
             size_t slash = value.find('/');
             f.shard = std::stoi(value.substr(0, slash));
             f.shards = std::stoi(value.substr(slash + 1));
           },
           "K/N: audit only the sites whose hash falls in shard K of N (1 <= K <= N), to "
           "split one list across N machines; merge their stores with scrapewatch merge")
      ->check([](const std::string& value) -> std::string {
        int k = 0, n = 0;
        char rest = 0;
        if (std::sscanf(value.c_str(), "%d/%d%c", &k, &n, &rest) != 2 || n < 1 || k < 1 || k > n) {
          return "--shard must be K/N with 1 <= K <= N, e.g. 2/8";
        }
        return "";
      });
  audit->add_option("--config", f.config_file, "TOML config file (see config/scrapewatch.toml)")
      ->check(CLI::ExistingFile);
  for (const ConfigFlag& flag : kConfigFlags) AddConfigFlag(audit, flag, f.overrides);
  audit->add_flag("--precise-locations", f.precise_locations,
                  "Show GPS at full precision in reports (default: rounded to ~1 km)");
  audit->add_flag("-q,--quiet", f.quiet, "Print nothing but errors");
  audit->add_flag("--fresh", f.fresh,
                  "Start a new run even if the site's last run was interrupted (by default an "
                  "interrupted run with the same configuration is resumed)");
  audit->add_option("--fail-on", f.fail_on,
                    "new-exposure: exit 3 when this run shows an exposure the site's previous "
                    "run did not (for cron)")
      ->check(CLI::IsMember({"new-exposure"}));
  audit->callback([&f, &status, audit] {
    if (f.urls.empty() && f.sites_file.empty()) {
      throw CLI::RequiredError("a URL or --sites-file");
    }
    status = scrapewatch::cli::RunAudit(f);
  });
}

void AddReport(CLI::App& app, scrapewatch::cli::ReportFlags& f, int& status) {
  CLI::App* report = app.add_subcommand("report", "Render a stored run as a report.");
  report->add_option("--store", f.store_dir, "Store directory")->required();
  report->add_option("--site", f.site, "Site (the report's `site`, or a URL of it)")->required();
  report->add_option("--run", f.run_id, "Run id (default: the latest run of the site)");
  report->add_option("--format", f.format, "json, html, csv or md")
      ->required()
      ->check(CLI::IsMember({"json", "html", "csv", "md"}));
  report->add_option("--out", f.out_file, "Output file (default: standard output)");
  report->add_flag("--precise-locations", f.precise_locations,
                   "Show GPS at full precision (default: rounded to ~1 km)");
  report->callback([&f, &status] { status = scrapewatch::cli::RunReport(f); });
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CLI::App app(kDescription, "scrapewatch");
  app.set_version_flag("--version", std::string(scrapewatch::kToolName) + " " +
                                        scrapewatch::kToolVersion);
  app.require_subcommand(1);
  int status = 0;  // set by the subcommand that ran

  scrapewatch::cli::AuditFlags audit;
  AddAudit(app, audit, status);
  scrapewatch::cli::ReportFlags report;
  AddReport(app, report, status);

  scrapewatch::cli::RunFlags evidence_run;
  std::string evidence_dir;
  bool evidence_precise = false;
  CLI::App* evidence = app.add_subcommand(
      "evidence", "Write a run's evidence bundle: manifest.json, report.json, config.toml, "
                  "robots.txt bodies, and SHA256SUMS (check with sha256sum -c).");
  evidence->add_option("--store", evidence_run.store_dir, "Store directory")->required();
  evidence->add_option("--site", evidence_run.site, "Site (the report's `site`, or a URL of it)")
      ->required();
  evidence->add_option("--run", evidence_run.run_id, "Run id (default: the latest run)");
  evidence->add_option("--out", evidence_dir, "Bundle directory")->required();
  evidence->add_flag("--precise-locations", evidence_precise,
                     "GPS at full precision in the bundled report");
  evidence->callback([&] {
    status = scrapewatch::cli::RunEvidence(evidence_run, evidence_dir, evidence_precise);
  });

  scrapewatch::cli::RunFlags diff_to;
  std::string diff_from, diff_format = "text";
  CLI::App* diff = app.add_subcommand(
      "diff", "Show new, removed and changed exposures between two runs of a site.");
  diff->add_option("--store", diff_to.store_dir, "Store directory")->required();
  diff->add_option("--site", diff_to.site, "Site (the report's `site`, or a URL of it)")
      ->required();
  diff->add_option("--from", diff_from, "Earlier run id (default: the run before --to)");
  diff->add_option("--to", diff_to.run_id, "Later run id (default: the latest run)");
  diff->add_option("--format", diff_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  diff->callback([&] { status = scrapewatch::cli::RunDiff(diff_to, diff_from, diff_format); });

  std::string status_store;
  CLI::App* status_command = app.add_subcommand(
      "status", "Summarise a store: sites, runs, last finish, and the state of unfinished crawls "
                "(works while an audit is writing to it).");
  status_command->add_option("--store", status_store, "Store directory")->required();
  status_command->callback([&] { status = scrapewatch::cli::RunStatus(status_store); });

  std::string merge_into;
  std::vector<std::string> merge_sources;
  CLI::App* merge = app.add_subcommand(
      "merge", "Copy every run of the given stores (e.g. of --shard K/N audits) into one store.");
  merge->add_option("--into", merge_into, "Store to merge into (created if needed)")->required();
  merge->add_option("stores", merge_sources, "Stores to read")->required()->check(CLI::ExistingDirectory);
  merge->callback([&] { status = scrapewatch::cli::RunMerge(merge_into, merge_sources); });

  std::string extract_file, base_url;
  CLI::App* extract = app.add_subcommand(
      "extract", "Print, as JSON, the image references and page signals found in one HTML file.");
  extract->add_option("file", extract_file, "HTML file")->required()->check(CLI::ExistingFile);
  extract->add_option("--base-url", base_url, "URL the page was served from")->required();
  extract->callback([&] { status = scrapewatch::cli::RunExtract(extract_file, base_url); });

  std::string image_file;
  CLI::App* inspect =
      app.add_subcommand("inspect", "Print, as JSON, what the detectors find in one image file.");
  inspect->add_option("file", image_file, "Image file")->required()->check(CLI::ExistingFile);
  inspect->callback([&] { status = scrapewatch::cli::RunInspect(image_file); });

  std::string robots_file, token;
  std::vector<std::string> urls;
  CLI::App* robots = app.add_subcommand(
      "robots", "Check URLs against a robots.txt file (RFC 9309): prints 'allowed URL' or "
                "'disallowed URL' per line.");
  robots->add_option("file", robots_file, "robots.txt file")->required()->check(CLI::ExistingFile);
  robots->add_option("--user-agent", token, "Product token to match, e.g. Googlebot")->required();
  robots->add_option("url", urls, "URLs to check")->required();
  robots->callback([&] { status = scrapewatch::cli::RunRobots(robots_file, token, urls); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return status;
}
