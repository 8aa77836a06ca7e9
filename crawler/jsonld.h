// What a scraper reads from one <script type="application/ld+json"> block:
// the image URLs schema.org markup declares, and the people it names.
//
// Images: every string under an "image", "thumbnailUrl" or "logo" key, at any
// depth (also inside @graph), directly or in arrays; of an object under such
// a key (an ImageObject), its "url" and "contentUrl" strings; and the "url"
// and "contentUrl" of any object whose @type is ImageObject. A contentUrl
// elsewhere is not an image: on a VideoObject it is the video itself.
// People: the "name" of every object whose @type is Person (also as an
// author or creator), or its givenName and familyName; an image inside a
// Person (its "image") carries that person's name.
// Audience (SchemaHints): every @type string, and the values of the keys
// typicalAgeRange, suggestedMinAge, suggestedMaxAge (strings or numbers)
// and audienceType (strings), wherever they stand.
//
// Pages often wrap the JSON in <!-- --> or <![CDATA[ ]]> (with or without a
// "//" before them), which JSON-LD consumers strip; so is it here. Anything
// that is not then valid JSON is skipped: `valid` is false and nothing is
// found. Objects nested deeper than 64 levels are not searched.
//
// Thread safety: a pure function. Errors: none; no exceptions escape (the
// JSON parser is used in its non-throwing mode).
#ifndef SCRAPEWATCH_CRAWLER_JSONLD_H_
#define SCRAPEWATCH_CRAWLER_JSONLD_H_

#include <string>
#include <string_view>
#include <vector>

#include "crawler/extracted_page.h"

namespace scrapewatch::crawler {

struct JsonLdImage {
  std::string url;                 // as written, unresolved
  std::vector<std::string> names;  // the enclosing Person's name, if any
};

struct JsonLdFacts {
  bool valid = false;
  std::vector<JsonLdImage> images;  // document order
  std::vector<std::string> people;  // document order, as written (not deduplicated)
  // As written, not yet deduplicated or bounded: types and audience types in
  // document order, the first of each age value.
  SchemaHints schema;
};

// Parses the text of one JSON-LD script element.
JsonLdFacts ParseJsonLd(std::string_view script_text);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_JSONLD_H_
