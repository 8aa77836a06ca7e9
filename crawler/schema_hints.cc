#include "crawler/schema_hints.h"

#include <algorithm>
#include <string>
#include <vector>

#include "crawler/gumbo_dom.h"
#include "crawler/markup_text.h"

namespace scrapewatch::crawler::markup {
namespace {

void AddUnique(std::vector<std::string>& list, std::string value, size_t cap) {
  if (value.empty() || list.size() >= cap) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// A microdata property's value, per the HTML standard's rules for the
// elements that carry text rather than a URL.
std::string_view PropertyText(const GumboNode* element, std::string& storage, size_t max_chars) {
  switch (element->v.element.tag) {
    case GUMBO_TAG_META:
      return Attr(element, "content");
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_METER:
      return Attr(element, "value");
    default:
      storage = SubtreeText(element, max_chars);
      return storage;
  }
}

}  // namespace

void SchemaHintsCollector::VisitElement(const GumboNode* element) {
  if (HasAttr(element, "itemscope")) {
    for (std::string_view type : SplitSkipEmpty(Attr(element, "itemtype"), kHtmlSpace)) AddType(type);
  }
  std::string_view properties = Attr(element, "itemprop");
  if (properties.empty()) return;
  std::string storage;
  auto text = [&]() { return PropertyText(element, storage, max_chars_); };
  if (HasToken(properties, "typicalAgeRange")) SetFirst(text(), hints_.typical_age_range);
  if (HasToken(properties, "suggestedMinAge")) SetFirst(text(), hints_.suggested_min_age);
  if (HasToken(properties, "suggestedMaxAge")) SetFirst(text(), hints_.suggested_max_age);
  if (HasToken(properties, "audienceType")) AddAudienceType(text());
}

void SchemaHintsCollector::Add(const SchemaHints& written) {
  for (const std::string& type : written.types) AddType(type);
  for (const std::string& audience : written.audience_types) AddAudienceType(audience);
  SetFirst(written.typical_age_range, hints_.typical_age_range);
  SetFirst(written.suggested_min_age, hints_.suggested_min_age);
  SetFirst(written.suggested_max_age, hints_.suggested_max_age);
}

void SchemaHintsCollector::AddType(std::string_view type) {
  AddUnique(hints_.types, BoundedText(type, max_chars_), kMaxSchemaTypes);
}

void SchemaHintsCollector::AddAudienceType(std::string_view audience) {
  AddUnique(hints_.audience_types, BoundedText(audience, max_chars_), kMaxSchemaTypes);
}

void SchemaHintsCollector::SetFirst(std::string_view value, std::string& field) {
  if (field.empty()) field = BoundedText(value, max_chars_);
}

}  // namespace scrapewatch::crawler::markup
