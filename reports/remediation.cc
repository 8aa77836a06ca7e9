#include "reports/remediation.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crawler/url.h"

namespace scrapewatch::reports {
namespace {

constexpr size_t kExamples = 5;
constexpr char kRfcPrefix[] = "rfc9309:";

// Images matching `pick`, as a Remediation's count and examples.
template <typename Pick>
Remediation Concerning(const SiteExposure& exposure, Pick pick) {
  Remediation r;
  for (const ImageExposure& image : exposure.images) {
    if (!pick(image)) continue;
    ++r.images;
    if (r.examples.size() < kExamples) r.examples.push_back(image.record->fetch.url);
  }
  return r;
}

bool Harvestable(const ImageExposure& image, const std::string& profile) {
  return std::find(image.harvestable_by.begin(), image.harvestable_by.end(), profile) !=
         image.harvestable_by.end();
}

// The directories holding the images, per image origin: what a robots.txt
// Disallow line on that host has to cover.
std::map<std::string, std::set<std::string>> Directories(const SiteExposure& exposure,
                                                          const std::string& profile) {
  std::map<std::string, std::set<std::string>> by_origin;
  for (const ImageExposure& image : exposure.images) {
    if (!image.has_faces() || !Harvestable(image, profile)) continue;
    absl::StatusOr<crawler::HttpUrlParts> parts = crawler::SplitHttpUrl(image.record->fetch.url);
    absl::StatusOr<std::string> origin = crawler::OriginOf(image.record->fetch.url);
    if (!parts.ok() || !origin.ok()) continue;
    by_origin[*origin].insert(parts->path.substr(0, parts->path.rfind('/') + 1));
  }
  return by_origin;
}

std::vector<std::string> RobotsSnippets(const SiteExposure& exposure,
                                        const std::vector<std::string>& tokens) {
  std::map<std::string, std::set<std::string>> directories;
  for (const std::string& token : tokens) {
    for (auto& [origin, paths] : Directories(exposure, kRfcPrefix + token)) {
      directories[origin].insert(paths.begin(), paths.end());
    }
  }
  std::vector<std::string> snippets;
  for (const auto& [origin, paths] : directories) {
    std::string group = absl::StrCat("# ", origin, "/robots.txt\n");
    for (const std::string& token : tokens) absl::StrAppend(&group, "User-agent: ", token, "\n");
    for (const std::string& path : paths) absl::StrAppend(&group, "Disallow: ", path, "\n");
    snippets.push_back(group);
  }
  return snippets;
}

}  // namespace

std::vector<Remediation> PlanRemediation(const SiteExposure& exposure) {
  std::vector<Remediation> plan;
  auto add = [&plan](Remediation r) {
    if (r.images > 0) plan.push_back(std::move(r));
  };

  Remediation minors = Concerning(exposure, [](const ImageExposure& image) {
    return image.minors.possible_minor;
  });
  minors.finding = "possible_minors";
  minors.title = "Photos that may show children";
  minors.advice =
      "Check these photos first (each carries the evidence that flagged it). Children's photos "
      "deserve the strongest protection: move galleries of school classes, camps, teams and "
      "family events behind a login, publish them blurred, or remove them; make sure parents "
      "agreed to publication.";
  add(std::move(minors));

  Remediation public_faces = Concerning(exposure, [](const ImageExposure& image) {
    return image.has_faces() && Harvestable(image, "indiscriminate");
  });
  public_faces.finding = "faces_public";
  public_faces.title = "Photos of people that any scraper can take";
  public_faces.advice =
      "A scraper that ignores robots.txt and opt-out headers takes every photo reachable "
      "without logging in. Only taking the photos out of public reach stops it: put galleries "
      "of staff, members and especially children behind a login, publish blurred or cropped "
      "versions, or remove photos whose subjects did not agree to publication.";
  add(std::move(public_faces));

  std::vector<std::string> tokens;
  for (const ProfileCount& count : exposure.harvestability) {
    if (absl::StartsWith(count.profile, kRfcPrefix) && count.images_with_faces > 0) {
      tokens.push_back(count.profile.substr(sizeof(kRfcPrefix) - 1));
    }
  }
  Remediation robots = Concerning(exposure, [&tokens](const ImageExposure& image) {
    if (!image.has_faces()) return false;
    return std::any_of(tokens.begin(), tokens.end(), [&image](const std::string& token) {
      return Harvestable(image, kRfcPrefix + token);
    });
  });
  robots.finding = "faces_robots";
  robots.title = absl::StrCat("Photos of people that crawlers obeying robots.txt may take (",
                              absl::StrJoin(tokens, ", "), ")");
  robots.advice =
      "Disallow the directories holding these photos for the crawlers that should not take "
      "them, in the robots.txt of the host that serves the images. This binds only crawlers "
      "that honour robots.txt.";
  robots.snippets = RobotsSnippets(exposure, tokens);
  add(std::move(robots));

  Remediation no_ai = Concerning(exposure, [](const ImageExposure& image) {
    return image.has_faces() && Harvestable(image, "img2dataset-default");
  });
  no_ai.finding = "faces_no_ai_header";
  no_ai.title = "Photos of people served without a noai header";
  no_ai.advice =
      "Dataset builders such as img2dataset skip images whose response says noai or "
      "noimageai. Send the header on image responses and the meta tag on the pages.";
  no_ai.snippets = {
      "# nginx, in the location serving images\nadd_header X-Robots-Tag \"noai, noimageai\";",
      "# Apache\nHeader set X-Robots-Tag \"noai, noimageai\"",
      "<meta name=\"robots\" content=\"noimageindex, noai, noimageai\">"};
  add(std::move(no_ai));

  Remediation tdm = Concerning(exposure, [](const ImageExposure& image) {
    return image.has_faces() && !image.signals.tdm_reserved;
  });
  tdm.finding = "no_tdm_reservation";
  tdm.title = "No machine-readable text-and-data-mining reservation";
  tdm.advice =
      "Under the EU copyright directive (art. 4), rights holders may reserve text and data "
      "mining in machine-readable form. TDMRep does it for a whole site with one file.";
  tdm.snippets = {
      "# /.well-known/tdmrep.json\n[{\"location\": \"/\", \"tdm-reservation\": 1}]",
      "<meta name=\"tdm-reservation\" content=\"1\">"};
  add(std::move(tdm));

  Remediation gps = Concerning(exposure, [](const ImageExposure& image) {
    return image.gps.has_value();
  });
  gps.finding = "gps";
  gps.title = "Photos that give away where they were taken";
  gps.advice =
      "The files carry GPS coordinates: where someone lives, works or was on a given day. "
      "Strip location metadata before publishing (most CMSs and image CDNs have an option), "
      "or from the files already online:";
  gps.snippets = {"exiftool -gps:all= -xmp:geotag= -overwrite_original PHOTO.jpg",
                  "exiv2 -M'del Exif.GPSInfo.GPSLatitude' -M'del Exif.GPSInfo.GPSLongitude' "
                  "PHOTO.jpg"};
  add(std::move(gps));

  Remediation identifying = Concerning(exposure, [](const ImageExposure& image) {
    if (!image.record->findings) return false;
    const detectors::ImageMetadata& m = image.record->findings->metadata;
    return !m.body_serial_number.empty() || !m.owner_name.empty() || !m.artist.empty();
  });
  identifying.finding = "identifying_metadata";
  identifying.title = "Photos carrying a camera serial number or a person's name";
  identifying.advice =
      "A serial number links every photo from one camera; owner and artist fields name a "
      "person. Strip the metadata that is not needed:";
  identifying.snippets = {"exiftool -all= -tagsfromfile @ -orientation -overwrite_original "
                          "PHOTO.jpg"};
  add(std::move(identifying));
  return plan;
}

}  // namespace scrapewatch::reports
