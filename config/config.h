// Audit configuration: every knob of a run, with defaults, loaded from TOML.
//
// A run's settings come from three layers, later ones winning: the defaults
// below, a TOML file (see config/scrapewatch.toml for every key, documented),
// and command-line flags. This library only knows the first two; the CLI
// applies its flags on top of the struct returned here.
//
// Errors: an unknown section or key, or a value of the wrong type or out of
// range, yields InvalidArgumentError naming the file, the line and the key,
// e.g. "site.toml:7: crawl.delay: must be >= 0"; a TOML syntax error names
// the file and the line.
// Thread safety: plain data and pure functions.
#ifndef SCRAPEWATCH_CONFIG_CONFIG_H_
#define SCRAPEWATCH_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace scrapewatch {

struct CrawlConfig {
  int64_t max_pages = 200;          // HTML pages fetched per site
  double delay_seconds = 1.0;       // minimum gap between requests to one host
  std::string user_agent;           // empty: "scrapewatch/<version> (+<contact_url>)"
  std::string robots_token = "scrapewatch";  // product token matched against robots.txt
  std::string contact_url = "https://github.com/scrapewatch/scrapewatch";
  bool allow_private_addresses = false;  // refuse loopback/private IPs unless set
  double timeout_seconds = 30;      // per request, connect included
  int64_t max_page_bytes = 5 << 20;
  int64_t max_image_bytes = 20 << 20;
  int64_t max_redirects = 10;
  // Which pages belong to the site: "host" (the seeds' hosts), "site" (their
  // registrable domains, per the public suffix list) or "prefix" (the seeds'
  // origins and directory paths).
  std::string scope = "site";
  int64_t max_depth = 20;               // link hops from a seed
  int64_t max_urls_per_pattern = 100;   // pages per URL shape (calendar and pagination traps)
  int64_t max_url_length = 2048;
  double connect_timeout_seconds = 10;
  int64_t low_speed_bytes = 100;        // a transfer slower than this many bytes/s ...
  double low_speed_seconds = 20;        // ... for this long is abandoned (slow drip)
  double max_crawl_delay_seconds = 60;  // hosts asking a longer Crawl-delay are not crawled
  int64_t max_hosts_in_flight = 16;     // hosts fetched from at once (one request each)
  bool sitemaps = true;                 // read robots.txt Sitemap lines and /sitemap.xml
  int64_t max_sitemap_bytes = 50 << 20;
  // Query parameters dropped from URLs ("utm_*" matches a prefix).
  std::vector<std::string> strip_query_params = {"utm_*", "fbclid", "gclid", "dclid", "msclkid",
                                                 "mc_cid", "mc_eid", "_ga", "yclid", "igshid",
                                                 "sessionid", "PHPSESSID", "jsessionid"};
};

struct DetectConfig {
  std::string analysis = "full";           // "full", or "none": fetch and store, analyse nothing
  int64_t max_image_pixels = 50'000'000;   // decompression-bomb guard
  int64_t max_image_dimension = 20'000;    // per side, declared in the header
  double face_score_threshold = 0.0;       // HOG SVM margin a face must exceed
  // "auto" (YuNet when its model is found, else HOG), "hog" (built in),
  // "yunet" (needs its model) or "ensemble" (YuNet and HOG, fused; needs the
  // model).
  std::string face_backend = "auto";
  std::string face_model;                  // YuNet ONNX file; empty: standard locations
  double yunet_score_threshold = 0.97;     // YuNet confidence a face must reach
  // face-api's AgeGenderNet manifest: "" finds it in the standard
  // locations (none there: no ages), "none" turns age estimation off.
  std::string age_model;
  // Thumbnails kept for reports of images with faces or GPS: "blurred"
  // (faces unrecognisable), "clear" (only when asked) or "none".
  std::string thumbnails = "blurred";
};

struct OutputConfig {
  std::string store_dir = "scrapewatch-store";
  std::string out_dir = "scrapewatch-reports";
  // Runs that began more than this many days ago are deleted from the store
  // after each audit; 0 keeps every run.
  int64_t retention_days = 0;
};

// Which scrapers the report assesses: for each robots.txt product token, the
// images a crawler obeying RFC 9309 under that name could take.
struct ProfileConfig {
  std::vector<std::string> robots_tokens = {
      "*",         "CCBot",     "GPTBot",        "Google-Extended", "Googlebot-Image",
      "Bytespider", "ClaudeBot", "PerplexityBot", "img2dataset"};
};

struct AuditConfig {
  CrawlConfig crawl;
  DetectConfig detect;
  OutputConfig output;
  ProfileConfig profiles;
};

// The User-Agent header actually sent: honest, with product token and version.
std::string EffectiveUserAgent(const CrawlConfig& crawl);

// Parses TOML text over `base` (keys absent from the text keep base's values).
// `source_name` names the input in error messages.
absl::StatusOr<AuditConfig> ParseConfig(std::string_view toml_text, std::string_view source_name,
                                        const AuditConfig& base = {});

// The effective configuration as a TOML document with every key, in a fixed
// order: what a run records (and hashes) so its settings can be checked later.
std::string ToToml(const AuditConfig& config);

// Reads and parses a TOML file; a missing or unreadable file is NotFound /
// InvalidArgument naming the path.
absl::StatusOr<AuditConfig> LoadConfigFile(const std::string& path, const AuditConfig& base = {});

}  // namespace scrapewatch

#endif  // SCRAPEWATCH_CONFIG_CONFIG_H_
