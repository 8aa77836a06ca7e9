#include "crawler/image_context.h"

#include <gumbo.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/gumbo_dom.h"
#include "crawler/url.h"

namespace scrapewatch::crawler::markup {
namespace {

// Appends `name` unless it is there already or `names` is full.
void AddUnique(std::vector<std::string>& names, const std::string& name, size_t max_names) {
  if (names.size() < max_names && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(name);
  }
}

}  // namespace

void ImageContext::Fill(const RawImage& raw, std::string_view base, ImageRef& ref) {
  if (raw.figure != nullptr) ref.caption = Caption(raw.figure);
  if (raw.link != nullptr) {
    const Link& link = LinkOf(raw.link, base);
    ref.link_url = link.url;
    ref.link_text = link.text;
  }
  if (raw.block != nullptr) ref.nearby_text = NodeText(raw.block);

  size_t max_names = options_.max_names;
  for (const std::string& name : raw.names) AddUnique(ref.names, name, max_names);
  if (raw.owner >= 0) {
    for (size_t site : markup_.owners[raw.owner].sites) {
      AddUnique(ref.names, markup_.name_sites[site].name, max_names);
    }
  }
  if (raw.scope >= 0) {
    for (const std::string& name : ScopeNames(raw.scope)) AddUnique(ref.names, name, max_names);
  }
}

std::vector<std::string> ImageContext::People() const {
  std::vector<std::string> people;
  for (const NameSite& site : markup_.name_sites) AddUnique(people, site.name, options_.max_names);
  return people;
}

const std::string& ImageContext::NodeText(const GumboNode* node) {
  auto [it, inserted] = texts_.try_emplace(node);
  if (inserted) it->second = SubtreeText(node, options_.max_context_chars);
  return it->second;
}

const std::string& ImageContext::Caption(const GumboNode* figure) {
  auto [it, inserted] = captions_.try_emplace(figure);
  if (inserted) {
    const GumboNode* caption = FirstChildElement(figure, GUMBO_TAG_FIGCAPTION);
    if (caption != nullptr) it->second = NodeText(caption);
  }
  return it->second;
}

const ImageContext::Link& ImageContext::LinkOf(const GumboNode* anchor, std::string_view base) {
  auto [it, inserted] = links_.try_emplace(anchor);
  if (inserted) {
    absl::StatusOr<std::string> url = ResolveUrl(base, Attr(anchor, "href"));
    if (url.ok()) it->second.url = *std::move(url);  // only ever http(s)
    it->second.text = NodeText(anchor);
  }
  return it->second;
}

// The names marked up inside the scope, in document order, deduplicated.
const std::vector<std::string>& ImageContext::ScopeNames(int scope) {
  auto [it, inserted] = scope_names_.try_emplace(scope);
  if (inserted) {
    const Scope& range = markup_.scopes[scope];
    auto site = std::lower_bound(
        markup_.name_sites.begin(), markup_.name_sites.end(), range.begin,
        [](const NameSite& s, uint32_t position) { return s.position < position; });
    for (; site != markup_.name_sites.end() && site->position < range.end; ++site) {
      if (site->located) AddUnique(it->second, site->name, options_.max_names);
    }
  }
  return it->second;
}

}  // namespace scrapewatch::crawler::markup
