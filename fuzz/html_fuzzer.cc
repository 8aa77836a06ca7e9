// Fuzzes ExtractPage (crawler/html_extractor.h): Gumbo and our extraction of
// image references, links and robots meta tags from every page a crawl
// fetches. Checks the header's promises: any HTML is accepted, every link is
// an absolute http(s) URL, every image is one too or a data: URI label, and
// the text kept (title, alt, title attribute, schema.org hints) is valid
// UTF-8 within the length bound, and the schema type lists are capped.
//
// Gumbo is Debian's build, not instrumented, so coverage feedback comes from
// our code only; the seeds are the shared html/ corpus of saved real pages.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html_extractor.h"
#include "fuzz/fuzz_checks.h"

namespace sc = scrapewatch::crawler;
using scrapewatch::fuzz::CodePoints;
using scrapewatch::fuzz::IsValidUtf8;
using scrapewatch::fuzz::Require;

namespace {

bool IsHttpUrl(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// Valid UTF-8 of at most `max_chars` code points.
bool IsBoundedText(std::string_view text, size_t max_chars) {
  return IsValidUtf8(text) && CodePoints(text) <= max_chars;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sc::ExtractOptions options;
  const absl::StatusOr<sc::ExtractedPage> page =
      sc::ExtractPage(std::string_view(reinterpret_cast<const char*>(data), size),
                      "http://fakehost/test/page.html", options);
  Require(page.ok(), "HTML is never rejected");
  Require(IsBoundedText(page->title, options.max_context_chars), "the title is bounded UTF-8");
  for (const std::string& link : page->links) {
    Require(IsHttpUrl(link), "links are absolute http(s) URLs");
  }
  for (const sc::ImageRef& image : page->images) {
    Require(image.is_data_uri ? image.url.starts_with("data:") : IsHttpUrl(image.url),
            "images are http(s) URLs or data: labels");
    Require(IsBoundedText(image.alt, options.max_context_chars) &&
                IsBoundedText(image.title, options.max_context_chars),
            "alt and title attributes are bounded UTF-8");
  }
  const sc::SchemaHints& schema = page->schema;
  Require(schema.types.size() <= sc::kMaxSchemaTypes &&
              schema.audience_types.size() <= sc::kMaxSchemaTypes,
          "schema types are capped");
  for (const std::vector<std::string>* list : {&schema.types, &schema.audience_types}) {
    for (const std::string& text : *list) {
      Require(!text.empty() && IsBoundedText(text, options.max_context_chars),
              "schema types are non-empty bounded UTF-8");
    }
  }
  for (const std::string* text :
       {&schema.typical_age_range, &schema.suggested_min_age, &schema.suggested_max_age}) {
    Require(IsBoundedText(*text, options.max_context_chars), "schema ages are bounded UTF-8");
  }
  return 0;
}
