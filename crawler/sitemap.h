// Sitemap parsing (sitemaps.org 0.9 plus Google's image extension): the page,
// child sitemap and image URLs a site hands any crawler in one sitemap file.
//
// The body is read as fetched. It is gunzipped when it starts with the gzip
// magic bytes, whatever the headers said. Only the first
// max_uncompressed_bytes of it are read, so a gzip bomb costs that much memory
// and no more; a body cut by the limit (or by corrupt gzip data) is parsed as
// a truncated sitemap, with a warning. A UTF-8 byte order mark and leading
// whitespace are skipped; then a body starting with '<' is XML and anything
// else is a text sitemap.
//
// XML: <loc> is read under <urlset><url>, <sitemapindex><sitemap> and
// <urlset><url><image:image>, matching local names only, so a missing or odd
// namespace still parses. Any other root element is an error. A DOCTYPE that
// declares entities is refused, which rules out entity expansion bombs;
// external entities and DTDs are never loaded. Markup that would make the
// parser's memory outgrow the document counts as malformed: elements nested
// over 100 deep, over 1,000 distinct element and attribute names, or one
// token (a tag, a comment) over 1 MiB. Malformed XML keeps the URLs read
// before the error and warns with its line; if none were read, it is an
// error.
//
// Text: one absolute http(s) URL per line. Lines are not resolved, so a body
// that is not a sitemap (an error message, say) does not become URLs; a text
// body with no URL line at all is an error.
//
// Every URL is trimmed, resolved against the sitemap's URL and canonicalised
// (crawler/url.h); invalid and non-http(s) values, and values over 8 KiB, are
// skipped and counted in one warning. Duplicates are kept, in file order.
//
// Thread safety: pure function; the result owns its strings.
// Errors: InvalidArgumentError for options that are not positive, and,
// naming the sitemap URL, for an invalid sitemap_url, an empty body,
// unreadable gzip or a body that yields no usable sitemap;
// ResourceExhaustedError if zlib cannot allocate. Anything skipped on the way
// is a warning, not an error.
#ifndef SCRAPEWATCH_CRAWLER_SITEMAP_H_
#define SCRAPEWATCH_CRAWLER_SITEMAP_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace scrapewatch::crawler {

struct SitemapOptions {
  // sitemaps.org caps a sitemap at 50 MiB uncompressed; the limit applies to
  // plain bodies too.
  int64_t max_uncompressed_bytes = 50 << 20;
  // Per list below; sitemaps.org allows 50,000 URLs per file.
  int64_t max_urls = 50'000;
};

struct SitemapContents {
  std::vector<std::string> page_urls;     // <urlset><url><loc>, or text lines
  std::vector<std::string> sitemap_urls;  // <sitemapindex><sitemap><loc>
  // <url><image:image><image:loc>: images a scraper is handed without
  // fetching a page.
  std::vector<std::string> image_urls;
  std::vector<std::string> warnings;  // for the report, one per kind of problem
};

// `sitemap_url` is the absolute URL the body was fetched from.
absl::StatusOr<SitemapContents> ParseSitemap(std::string_view body, std::string_view sitemap_url,
                                             const SitemapOptions& options = {});

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_SITEMAP_H_
