#include "reports/exposure.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "detectors/near_duplicates.h"
#include "reports/harvestability.h"

namespace scrapewatch::reports {
namespace {

double RoundTo(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::optional<ReportedLocation> Location(const detectors::GeoLocation& gps,
                                         const ReportOptions& options) {
  if (!gps.valid) return std::nullopt;
  ReportedLocation location{gps.latitude, gps.longitude,        gps.altitude_m,
                            !options.precise_locations, gps.source, gps.gps_timestamp};
  if (location.rounded) {
    location.lat = RoundTo(location.lat, 2);
    location.lon = RoundTo(location.lon, 2);
    if (location.alt_m) location.alt_m = std::round(*location.alt_m);
  }
  return location;
}

// Risk order: faces with a location, faces, a location, the rest.
// Minors first, then faces with a location, faces, locations, the rest.
int RiskRank(const ImageExposure& image) {
  return (image.minors.possible_minor ? 0 : 4) + (image.has_faces() ? 0 : 2) + (image.gps ? 0 : 1);
}

// One photo served under several URLs (sizes, re-encodings, mirrors) is one
// profile entry: each copy lists the others and counts the pages of all.
void LinkNearDuplicates(SiteExposure& exposure) {
  std::vector<detectors::HashedImage> hashed;
  for (const ImageExposure& image : exposure.images) {
    const auto& findings = image.record->findings;
    hashed.push_back(findings ? detectors::HashedImage{findings->sha256, findings->phash}
                              : detectors::HashedImage{});
  }
  std::vector<int> groups = detectors::GroupNearDuplicates(hashed);
  std::map<int, std::vector<size_t>> members;
  for (size_t i = 0; i < groups.size(); ++i) {
    // Unfetched images have no hashes and stay alone.
    if (!hashed[i].sha256.empty()) members[groups[i]].push_back(i);
  }
  exposure.summary.distinct_photos =
      static_cast<int64_t>(members.size()) +
      std::count_if(hashed.begin(), hashed.end(), [](const auto& h) { return h.sha256.empty(); });
  for (auto& [group, indices] : members) {
    std::set<std::string> pages;
    for (size_t i : indices) {
      for (const Appearance& a : exposure.images[i].found_on) pages.insert(a.page_url);
    }
    for (size_t i : indices) {
      ImageExposure& image = exposure.images[i];
      image.pages_with_photo = static_cast<int64_t>(pages.size());
      for (size_t j : indices) {
        if (j != i) image.near_duplicates.push_back(exposure.images[j].record->fetch.url);
      }
    }
  }
  for (ImageExposure& image : exposure.images) {
    if (image.pages_with_photo == 0) {
      image.pages_with_photo = static_cast<int64_t>(image.found_on.size());
    }
  }
}

}  // namespace

std::string FormatCoordinate(double degrees, bool rounded) {
  return rounded ? absl::StrFormat("%.2f", degrees) : absl::StrFormat("%.6f", degrees);
}

std::string LimitHit(std::string_view record_kind, const store::FetchEvidence& fetch,
                     const std::string& skipped_reason) {
  if (!skipped_reason.empty()) {
    std::string cause = skipped_reason.substr(0, skipped_reason.find(':'));
    return absl::StartsWith(cause, "max_") ? cause : "";
  }
  if (absl::StrContains(fetch.error, "exceeds the limit")) {
    return absl::StrCat("max_", std::string(record_kind), "_bytes");
  }
  if (absl::StrContains(fetch.error, "Timeout")) return "timeout";
  return "";
}

namespace {

// The minors lexicon, loaded once per process from the standard locations;
// null when none is installed (text signals are then missing, and reports
// say so).
const detectors::MinorLexicon* MinorsLexicon() {
  static const detectors::MinorLexicon* lexicon = []() -> const detectors::MinorLexicon* {
    std::string path = detectors::FindMinorLexicon("");
    if (path.empty()) return nullptr;
    absl::StatusOr<detectors::MinorLexicon> loaded = detectors::MinorLexicon::Load(path);
    return loaded.ok() ? new detectors::MinorLexicon(*std::move(loaded)) : nullptr;
  }();
  return lexicon;
}

std::string FaceSizeBucket(int width) {
  if (width < 24) return "<24";
  if (width < 48) return "24-47";
  if (width < 96) return "48-95";
  if (width < 192) return "96-191";
  return ">=192";
}

MinorSignals AssessMinors(const ImageExposure& image, const detectors::MinorLexicon* lexicon) {
  MinorSignals minors;
  if (!image.has_faces()) return minors;
  const std::vector<detectors::FaceBox>& faces = image.record->findings->faces;
  for (size_t i = 0; i < faces.size(); ++i) {
    if (!faces[i].age_years || faces[i].age_band.empty() || faces[i].age_band == "adult") continue;
    minors.age.push_back(absl::StrFormat("face %d: %.1f years (%s)", i + 1, *faces[i].age_years,
                                         faces[i].age_band));
  }
  for (const Appearance& a : lexicon ? image.found_on : std::vector<Appearance>{}) {
    detectors::MinorTextSignals text =
        lexicon->Match({.alt = a.alt,
                        .title = a.title,
                        .caption = a.caption,
                        .link_text = a.link_text,
                        .nearby_text = a.nearby_text,
                        .image_url = image.record->fetch.url,
                        .page_url = a.page_url,
                        .schema = a.schema ? *a.schema : detectors::SchemaHints{}});
    if (!text.fires) continue;
    minors.text_page = a.page_url;
    minors.text_reason = text.reason;
    for (detectors::TextEvidence& e : text.evidence) {
      if (e.excluded_by.empty()) minors.text.push_back(std::move(e));
    }
    break;
  }
  minors.possible_minor = !minors.age.empty() || !minors.text_reason.empty();
  return minors;
}

}  // namespace

SiteExposure BuildExposure(const store::RunContents& contents, const ReportOptions& options) {
  SiteExposure exposure;
  exposure.contents = &contents;
  std::map<std::string, int64_t>& limits = exposure.summary.limits_hit;
  auto count_limit = [&limits](std::string_view kind, const store::FetchEvidence& fetch,
                               const std::string& skipped_reason) {
    if (std::string limit = LimitHit(kind, fetch, skipped_reason); !limit.empty()) ++limits[limit];
  };
  for (const store::PageRecord& page : contents.pages) count_limit("page", page.fetch, page.skipped_reason);
  for (const store::ImageRecord& image : contents.images) {
    count_limit("image", image.fetch, image.skipped_reason);
  }
  for (const store::ResourceRecord& resource : contents.resources) {
    count_limit(resource.kind, resource.fetch, resource.skipped_reason);
  }
  std::map<std::string, std::vector<Appearance>> appearances;
  for (const store::PageRecord& page : contents.pages) {
    for (const store::ImageOccurrence& occurrence : page.images) {
      if (absl::StartsWith(occurrence.image_url, "data:")) {
        ++exposure.summary.data_uri_images;
        continue;
      }
      // One appearance per page: a srcset and its src fallback are one picture.
      std::vector<Appearance>& found_on = appearances[occurrence.image_url];
      if (!found_on.empty() && found_on.back().page_url == page.fetch.url) {
        if (found_on.back().alt.empty()) found_on.back().alt = occurrence.alt;
        continue;
      }
      found_on.push_back({.page_url = page.fetch.url,
                          .page_title = page.title,
                          .kind = occurrence.kind,
                          .alt = occurrence.alt,
                          .title = occurrence.title,
                          .caption = occurrence.caption,
                          .nearby_text = occurrence.nearby_text,
                          .link_url = occurrence.link_url,
                          .link_text = occurrence.link_text,
                          .names = occurrence.names.empty() ? page.people : occurrence.names,
                          .schema = &page.schema});
    }
  }
  // An image URL that redirects is not an image of its own: the pages that
  // reference it show the image at the end of the chain (e.g. on a CDN).
  std::map<std::string, std::string> redirects;
  for (const store::ImageRecord& record : contents.images) {
    if (!record.fetch.redirect_to.empty()) redirects[record.fetch.url] = record.fetch.redirect_to;
  }
  std::map<std::string, std::vector<std::string>> redirected_from;
  for (const auto& [source, first_hop] : redirects) {
    std::string target = first_hop;
    for (size_t hops = 0; redirects.contains(target) && hops < redirects.size(); ++hops) {
      target = redirects[target];
    }
    redirected_from[target].push_back(source);
    std::vector<Appearance>& to = appearances[target];
    for (const Appearance& a : appearances[source]) to.push_back(a);
  }
  for (const store::ImageRecord& record : contents.images) {
    if (!record.fetch.redirect_to.empty()) continue;
    ImageExposure image{.record = &record,
                        .found_on = appearances[record.fetch.url],
                        .redirected_from = redirected_from[record.fetch.url]};
    if (record.findings) {
      if (const auto& gps = record.findings->metadata.gps) {
        image.gps = Location(*gps, options);
        if (!gps->valid) image.gps_invalid_reason = gps->invalid_reason;
      }
    }
    Summary& s = exposure.summary;
    ++s.images;
    if (record.findings) ++s.images_analysed;
    if (image.has_faces()) {
      ++s.images_with_faces;
      s.faces += static_cast<int64_t>(record.findings->faces.size());
      for (const detectors::FaceBox& face : record.findings->faces) ++s.face_sizes[FaceSizeBucket(face.w)];
    }
    image.minors = AssessMinors(image, MinorsLexicon());
    if (image.minors.possible_minor) ++s.images_possible_minor;
    if (image.gps) ++s.images_with_gps;
    exposure.images.push_back(std::move(image));
  }
  exposure.summary.minors_lexicon_loaded = MinorsLexicon() != nullptr;
  LinkNearDuplicates(exposure);
  AssessHarvestability(exposure, contents.run.profile_tokens);
  std::stable_sort(exposure.images.begin(), exposure.images.end(),
                   [](const ImageExposure& a, const ImageExposure& b) {
                     return RiskRank(a) < RiskRank(b);
                   });
  return exposure;
}

}  // namespace scrapewatch::reports
