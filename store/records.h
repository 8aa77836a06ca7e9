// The records scrapewatch keeps about an audit: plain value types, one per
// column family. Each is serialised with a schema version (kRecordSchema) so
// a later release can read, migrate or refuse an older store explicitly.
#ifndef SCRAPEWATCH_STORE_RECORDS_H_
#define SCRAPEWATCH_STORE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "crawler/extracted_page.h"
#include "detectors/image_analyzer.h"

namespace scrapewatch::store {

// 2: runs record the effective configuration and the profile tokens; robots
// records carry TDMRep; findings carry a perceptual hash; fetches their
// redirect target.
inline constexpr int kRecordSchema = 2;

using Headers = std::vector<std::pair<std::string, std::string>>;

// One audit of one site.
struct RunRecord {
  std::string site;     // origin of the first seed, e.g. "https://example.org"
  std::string id;       // sortable by start time, e.g. "20261126T083000.125Z-3f2a"
  std::vector<std::string> seeds;
  std::string tool_version;
  std::string user_agent;
  std::string robots_token;
  std::vector<std::string> profile_tokens;  // robots.txt tokens reports assess
  std::string config_toml;                  // the effective configuration (config::ToToml)
  std::string config_sha256;                // its SHA-256, named in reports
  absl::Time started_at;
  std::optional<absl::Time> finished_at;  // unset while running or if interrupted
  int64_t pages_discovered = 0;
  int64_t pages_fetched = 0;
  int64_t pages_disallowed = 0;
  int64_t pages_errors = 0;
};

// What every fetched resource carries as evidence.
struct FetchEvidence {
  std::string url;
  std::string final_url;
  std::string redirect_to;  // resolved Location of a 3xx that the crawler queued
  int http_status = 0;
  Headers headers;  // the ones that matter for evidence and opt-out signals
  std::string body_sha256;
  int64_t body_bytes = 0;
  std::string error;
  absl::Time fetched_at;
};

// One reference to an image on a page, with the context a scraper keeps.
struct ImageOccurrence {
  std::string image_url;  // absolute, or "data:<mime>"
  std::string kind;
  std::string alt;
  std::string title;
  std::string caption;
  std::string link_url;
  std::string link_text;
  std::string nearby_text;
  std::vector<std::string> names;  // people the markup ties to the image
};

struct PageRecord {
  FetchEvidence fetch;          // url is empty-bodied for skipped pages
  // "<cause>: <why>" when not fetched: cause "robots" or the limit's config
  // key ("max_pages", "max_depth", ...; see crawler::SkipReason); empty when fetched.
  std::string skipped_reason;
  std::string title;
  std::vector<std::string> meta_robots;
  std::vector<ImageOccurrence> images;
  std::vector<std::string> people;        // names the page marks up
  crawler::SchemaHints schema;            // whom its schema.org markup says it is for
  std::optional<bool> tdm_reservation;    // <meta name="tdm-reservation">
  std::string tdm_policy;
  std::string charset;                    // the encoding the page was decoded from
  std::vector<std::string> warnings;      // what extraction could not take at face value
};

struct ImageRecord {
  FetchEvidence fetch;
  std::string skipped_reason;
  std::optional<detectors::ImageFindings> findings;  // set when the bytes were analysed
};

// robots.txt and the TDMRep file of one origin, as fetched.
struct RobotsRecord {
  std::string origin;
  FetchEvidence fetch;
  std::string body;    // robots.txt as fetched (the first 500 KiB)
  std::string policy;  // "parsed", "allow_all", "disallow_all"
  std::optional<FetchEvidence> tdmrep_fetch;  // unset when robots.txt forbade it
  std::string tdmrep_body;                    // /.well-known/tdmrep.json when 2xx
};

// A sitemap or style sheet as fetched, and how much it listed.
struct ResourceRecord {
  std::string kind;  // "sitemap" or "stylesheet"
  FetchEvidence fetch;
  std::string skipped_reason;  // "<limit>: <why>" when it was not fetched
  int64_t pages_listed = 0;
  int64_t images_listed = 0;  // a style sheet's url() images
  int64_t sitemaps_listed = 0;
  std::vector<std::string> warnings;
};

// One audit command over a list of sites, which may take several processes
// (--max-runtime, signals): a rerun of the same command continues the batch
// instead of auditing again the sites it already finished.
struct BatchRecord {
  std::string key;  // hash of the sites and the configuration
  absl::Time started_at;
  std::optional<absl::Time> finished_at;
};

// Everything stored for one run, as reports read it.
struct RunContents {
  RunRecord run;
  std::vector<PageRecord> pages;      // ordered by URL
  std::vector<ImageRecord> images;    // ordered by URL
  std::vector<RobotsRecord> robots;   // ordered by origin
  std::vector<ResourceRecord> resources;  // sitemaps and style sheets, ordered by URL
};

}  // namespace scrapewatch::store

#endif  // SCRAPEWATCH_STORE_RECORDS_H_
