#include "reports/harvestability.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "crawler/opt_out.h"
#include "crawler/robots.h"
#include "crawler/url.h"

namespace scrapewatch::reports {
namespace {

constexpr char kIndiscriminate[] = "indiscriminate";
constexpr char kImg2dataset[] = "img2dataset-default";
constexpr const char* kImg2datasetDirectives[] = {"noai", "noimageai", "noindex", "noimageindex"};

// What the run learned about each origin: its robots.txt and TDMRep rules.
struct OriginRules {
  crawler::RobotsPolicy robots = crawler::RobotsPolicy::AllowAll();
  std::vector<crawler::TdmRule> tdm;
};

crawler::RobotsPolicy PolicyOf(const store::RobotsRecord& r) {
  return r.policy == "parsed"      ? crawler::RobotsPolicy::Parse(r.body)
         : r.policy == "allow_all" ? crawler::RobotsPolicy::AllowAll()
                                   : crawler::RobotsPolicy::DisallowAll();
}

std::map<std::string, OriginRules> RulesByOrigin(const store::RunContents& contents) {
  std::map<std::string, OriginRules> rules;
  for (const store::RobotsRecord& r : contents.robots) {
    rules[r.origin] = {PolicyOf(r), crawler::ParseTdmRep(r.tdmrep_body)};
  }
  return rules;
}

// robots.txt of `url`'s origin allows `token`; an origin never contacted is
// unknown, and unknown is not permission.
bool Allows(const std::map<std::string, OriginRules>& rules, const std::string& token,
            const std::string& url) {
  absl::StatusOr<std::string> origin = crawler::OriginOf(url);
  if (!origin.ok()) return false;
  auto it = rules.find(*origin);
  return it != rules.end() && it->second.robots.IsAllowed(token, url);
}

std::string HeaderValue(const store::Headers& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

OptOutSignals Signals(const ImageExposure& image, const store::RunContents& contents,
                      const std::map<std::string, OriginRules>& rules) {
  const store::FetchEvidence& fetch = image.record->fetch;
  OptOutSignals signals{.x_robots_tag = crawler::XRobotsTagDirectives(fetch.headers)};
  std::set<std::string> pages, meta;
  for (const Appearance& a : image.found_on) pages.insert(a.page_url);
  for (const store::PageRecord& page : contents.pages) {
    if (!pages.contains(page.fetch.url)) continue;
    meta.insert(page.meta_robots.begin(), page.meta_robots.end());
    if (!signals.tdm_reserved && page.tdm_reservation.value_or(false)) {
      signals.tdm_reserved = true;
      signals.tdm_source = "tdm-reservation meta tag on " + page.fetch.url;
    }
    if (!signals.tdm_reserved && HeaderValue(page.fetch.headers, "tdm-reservation") == "1") {
      signals.tdm_reserved = true;
      signals.tdm_source = "tdm-reservation header on " + page.fetch.url;
    }
  }
  signals.page_meta_robots.assign(meta.begin(), meta.end());
  if (!signals.tdm_reserved && HeaderValue(fetch.headers, "tdm-reservation") == "1") {
    signals.tdm_reserved = true;
    signals.tdm_source = "tdm-reservation header on the image";
  }
  absl::StatusOr<std::string> origin = crawler::OriginOf(fetch.url);
  if (!signals.tdm_reserved && origin.ok() && rules.contains(*origin)) {
    std::optional<crawler::TdmRule> rule =
        crawler::TdmRuleFor(rules.at(*origin).tdm, crawler::PathForMatching(fetch.url));
    if (rule && rule->reserved) {
      signals.tdm_reserved = true;
      signals.tdm_source = *origin + "/.well-known/tdmrep.json";
    }
  }
  return signals;
}

std::vector<std::string> Profiles(const std::vector<std::string>& robots_tokens) {
  std::vector<std::string> names = {kIndiscriminate, kImg2dataset};
  for (const std::string& token : robots_tokens) names.push_back("rfc9309:" + token);
  return names;
}

}  // namespace

std::vector<ProfileDescription> DescribeProfiles(const std::vector<std::string>& robots_tokens) {
  std::vector<ProfileDescription> profiles = {
      {kIndiscriminate,
       "takes every image reachable without logging in, whatever the site says (the "
       "behaviour the CNIL found at Clearview AI)"},
      {kImg2dataset,
       "img2dataset with its defaults: skips an image whose response carries X-Robots-Tag "
       "noai, noimageai, noindex or noimageindex; ignores robots.txt"}};
  for (const std::string& token : robots_tokens) {
    profiles.push_back(
        {"rfc9309:" + token,
         absl::StrCat("obeys robots.txt as '", token,
                      "': takes an image only from a page its host allows, and only if the "
                      "image's host allows the image URL")});
  }
  return profiles;
}

std::vector<RobotsStance> RobotsStances(const store::RunContents& contents,
                                        const store::RobotsRecord& robots,
                                        const std::vector<std::string>& robots_tokens) {
  crawler::RobotsPolicy policy = PolicyOf(robots);
  std::vector<std::string> urls;
  auto on_origin = [&](const std::string& url) {
    absl::StatusOr<std::string> origin = crawler::OriginOf(url);
    return origin.ok() && *origin == robots.origin;
  };
  for (const store::PageRecord& page : contents.pages) {
    if (on_origin(page.fetch.url)) urls.push_back(page.fetch.url);
  }
  for (const store::ImageRecord& image : contents.images) {
    if (on_origin(image.fetch.url)) urls.push_back(image.fetch.url);
  }
  std::vector<RobotsStance> stances;
  for (const std::string& token : robots_tokens) {
    RobotsStance stance{.token = token,
                        .root_allowed = policy.IsAllowed(token, robots.origin + "/"),
                        .urls = static_cast<int64_t>(urls.size()),
                        .crawl_delay = policy.CrawlDelaySeconds(token)};
    for (const std::string& url : urls) stance.urls_allowed += policy.IsAllowed(token, url);
    stances.push_back(stance);
  }
  return stances;
}

void AssessHarvestability(SiteExposure& exposure, const std::vector<std::string>& robots_tokens) {
  const std::map<std::string, OriginRules> rules = RulesByOrigin(*exposure.contents);
  std::vector<std::string> names = Profiles(robots_tokens);
  std::map<std::string, ProfileCount> counts;
  for (const std::string& name : names) counts[name].profile = name;

  for (ImageExposure& image : exposure.images) {
    image.signals = Signals(image, *exposure.contents, rules);
    if (!image.record->findings) continue;  // not fetched: its content is unknown
    image.harvestable_by.push_back(kIndiscriminate);
    bool opted_out = std::any_of(
        std::begin(kImg2datasetDirectives), std::end(kImg2datasetDirectives),
        [&](const char* d) { return crawler::HasDirective(image.signals.x_robots_tag, d, "img2dataset"); });
    if (!opted_out) image.harvestable_by.push_back(kImg2dataset);
    const std::string& url = image.record->fetch.url;
    for (const std::string& token : robots_tokens) {
      bool from_some_page = std::any_of(
          image.found_on.begin(), image.found_on.end(),
          [&](const Appearance& a) { return Allows(rules, token, a.page_url); });
      if (from_some_page && Allows(rules, token, url)) {
        image.harvestable_by.push_back("rfc9309:" + token);
      }
    }
    for (const std::string& profile : image.harvestable_by) {
      ++counts[profile].images;
      if (image.has_faces()) ++counts[profile].images_with_faces;
    }
  }
  exposure.harvestability.clear();
  for (const std::string& name : names) exposure.harvestability.push_back(counts[name]);
}

}  // namespace scrapewatch::reports
