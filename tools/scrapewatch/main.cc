// scrapewatch: see what a face-scraping indexer could harvest from a site.
// This file only declares the command line; commands.h does the work.
#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "config/version.h"
#include "tools/scrapewatch/commands.h"

namespace {

constexpr char kDescription[] =
    "scrapewatch audits a website from the outside, as a Clearview-like face scraper would "
    "see it: which pages and images a logged-out crawler reaches under the site's opt-out "
    "signals, which images carry faces or GPS locations, and on which pages each appears.\n"
    "Exit status: 0 success, 1 runtime failure, 2 usage error.";

void AddAudit(CLI::App& app, scrapewatch::cli::AuditFlags& f, int& status) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Crawl sites politely, analyse their images, store a run, write reports.");
  audit->footer(
      "Each URL's origin (scheme://host:port) is audited as one site; reports go to "
      "OUT/<site>/report.json and report.html. Flags override the --config file.");
  audit->add_option("url", f.urls, "Start URL(s); pages on the same host are crawled")->required();
  audit->add_option("--config", f.config_file, "TOML config file (see config/scrapewatch.toml)")
      ->check(CLI::ExistingFile);
  audit->add_option("--store", f.store_dir, "RocksDB store directory (default scrapewatch-store)");
  audit->add_option("--out", f.out_dir, "Report directory (default scrapewatch-reports)");
  audit->add_option("--max-pages", f.max_pages, "HTML pages fetched per site (default 200)")
      ->check(CLI::PositiveNumber);
  audit->add_option("--delay", f.delay_seconds,
                    "Minimum seconds between requests to one host (default 1; robots.txt "
                    "Crawl-delay raises it)")
      ->check(CLI::NonNegativeNumber);
  audit->add_option("--user-agent", f.user_agent,
                    "User-Agent header (default: scrapewatch/VERSION (+contact URL))");
  audit->add_option("--as-agent", f.robots_token,
                    "robots.txt product token to obey, e.g. CCBot (default scrapewatch); the "
                    "User-Agent header stays honest");
  audit->add_flag("--allow-private-addresses", f.allow_private_addresses,
                  "Allow loopback/private/link-local addresses (refused by default)");
  audit->add_flag("--precise-locations", f.precise_locations,
                  "Show GPS at full precision in reports (default: rounded to ~1 km)");
  audit->add_flag("-q,--quiet", f.quiet, "Print nothing but errors");
  audit->callback([&f, &status] { status = scrapewatch::cli::RunAudit(f); });
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
