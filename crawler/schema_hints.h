// Gathers a page's SchemaHints (extracted_page.h) from its microdata and its
// JSON-LD blocks, as the single walk over the page meets them. Internal to
// the crawler; other code reads ExtractedPage::schema.
//
// Microdata: the itemtype tokens of every itemscope element; the values of
// itemprop typicalAgeRange, suggestedMinAge, suggestedMaxAge and
// audienceType (a <meta>'s content, a <data>'s value, else the element's
// text). Every value is bounded like other context text; types and audience
// types are deduplicated, types capped at kMaxSchemaTypes; the first value of
// each age property wins.
//
// Thread safety: one SchemaHintsCollector per walk.
#ifndef SCRAPEWATCH_CRAWLER_SCHEMA_HINTS_H_
#define SCRAPEWATCH_CRAWLER_SCHEMA_HINTS_H_

#include <gumbo.h>

#include <cstddef>
#include <string_view>

#include "crawler/extracted_page.h"

namespace scrapewatch::crawler::markup {

class SchemaHintsCollector {
 public:
  SchemaHintsCollector(size_t max_chars, SchemaHints& hints) : max_chars_(max_chars), hints_(hints) {}

  // Notes the microdata an element carries.
  void VisitElement(const GumboNode* element);
  // Adds what a JSON-LD block said (jsonld.h), as written.
  void Add(const SchemaHints& written);

 private:
  void AddType(std::string_view type);
  void AddAudienceType(std::string_view audience);
  void SetFirst(std::string_view value, std::string& field);

  size_t max_chars_;
  SchemaHints& hints_;
};

}  // namespace scrapewatch::crawler::markup

#endif  // SCRAPEWATCH_CRAWLER_SCHEMA_HINTS_H_
