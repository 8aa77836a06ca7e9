// SiteExposure: what one audit run exposes, assembled from the store's records
// into the shape every report format renders — each image with every page it
// appears on (the "profile" an indexer compiles), its faces and its location.
//
// Thread safety: plain data and a pure function.
#ifndef SCRAPEWATCH_REPORTS_EXPOSURE_H_
#define SCRAPEWATCH_REPORTS_EXPOSURE_H_

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/minor_signals.h"
#include "store/records.h"

namespace scrapewatch::reports {

struct ReportOptions {
  // GPS at full precision; otherwise rounded to 2 decimals (about 1 km), so
  // the report does not itself become a map of where people were.
  bool precise_locations = false;
};

// One page an image appears on, with the context an indexer keeps beside it.
struct Appearance {
  std::string page_url;
  std::string page_title;
  std::string kind;
  std::string alt;
  std::string title;  // the image element's title attribute
  std::string caption;
  std::string nearby_text;
  std::string link_url;
  std::string link_text;
  std::vector<std::string> names;  // people tied to the image, else named on the page
  const crawler::SchemaHints* schema = nullptr;  // the page's; points into the run's contents
};

struct ReportedLocation {
  double lat = 0;
  double lon = 0;
  std::optional<double> alt_m;
  bool rounded = true;
  std::string source;     // "exif", "xmp" or "exif+xmp"
  std::string timestamp;  // GPS time (UTC) when the photo recorded one
};

// A coordinate as text: 2 decimals when rounded, 6 (about 0.1 m) otherwise.
std::string FormatCoordinate(double degrees, bool rounded);

// The opt-out signals that bear on one image.
struct OptOutSignals {
  std::vector<std::string> x_robots_tag;      // on the image response
  std::vector<std::string> page_meta_robots;  // on the pages showing it (union)
  bool tdm_reserved = false;                  // TDMRep: header, or tdmrep.json rule
  std::string tdm_source;                     // which of them said so
};

// Signs that an image shows a minor, each with the evidence a person can
// check. The flag needs a face and at least one signal.
struct MinorSignals {
  bool possible_minor = false;
  // "face 2: 14.3 years (possible minor)", for faces the age model put
  // under 21 (detectors/age_estimator.h).
  std::vector<std::string> age;
  // The first page whose text around the image fires the minors lexicon
  // (detectors/minor_signals.h), why, and its matches.
  std::string text_page;
  std::string text_reason;
  std::vector<detectors::TextEvidence> text;
};

struct ImageExposure {
  const store::ImageRecord* record = nullptr;  // points into the RunContents
  std::vector<Appearance> found_on;
  std::vector<std::string> redirected_from;  // URLs that redirected here, nearest last
  // Other URLs serving the same photo (identical bytes or a pHash within
  // detectors::kNearDuplicateDistance), and every page any of them is on.
  std::vector<std::string> near_duplicates;
  int64_t pages_with_photo = 0;
  OptOutSignals signals;
  std::vector<std::string> harvestable_by;  // profile names, see harvestability.h
  std::optional<ReportedLocation> gps;  // a valid location only
  std::string gps_invalid_reason;       // a GPS tag that is no location
  MinorSignals minors;
  bool has_faces() const { return record->findings && !record->findings->faces.empty(); }
};

struct Summary {
  int64_t images = 0;               // distinct http(s) image URLs referenced
  int64_t images_analysed = 0;       // fetched and run through the detectors
  int64_t images_with_faces = 0;
  int64_t faces = 0;
  int64_t images_with_gps = 0;
  int64_t data_uri_images = 0;      // counted, never fetched
  int64_t distinct_photos = 0;      // images after joining near-duplicates
  int64_t images_possible_minor = 0;  // faces and a sign of a minor (MinorSignals)
  // Faces by width in pixels: "<24", "24-47", "48-95", "96-191", ">=192".
  // Small faces are less identifiable, but still harvested.
  std::map<std::string, int64_t> face_sizes;
  bool minors_lexicon_loaded = false;  // text signals need config/lexicons/minors.txt
  // Crawl limits hit, by name (see LimitHit): what the audit did not see.
  std::map<std::string, int64_t> limits_hit;
};

// The crawl limit a stored record ran into, by its config key
// ("max_pages", "max_depth", "max_urls_per_pattern", "max_url_length",
// "max_redirects", "max_crawl_delay", "max_sitemaps", "max_page_bytes",
// "max_image_bytes", "max_sitemap_bytes", "timeout"), or "" for none.
// Robots.txt refusals are not limits: they are what the site asked for.
std::string LimitHit(std::string_view record_kind, const store::FetchEvidence& fetch,
                     const std::string& skipped_reason);

struct ProfileCount {
  std::string profile;
  int64_t images = 0;
  int64_t images_with_faces = 0;
};

struct SiteExposure {
  const store::RunContents* contents = nullptr;
  std::vector<ImageExposure> images;  // faces first, then GPS, then by URL
  Summary summary;
  std::vector<ProfileCount> harvestability;  // one per assessed profile
};

// `contents` must outlive the result.
SiteExposure BuildExposure(const store::RunContents& contents, const ReportOptions& options);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_EXPOSURE_H_
