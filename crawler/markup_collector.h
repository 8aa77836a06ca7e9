// The single walk over a parsed page that gathers, as written, every image
// reference (with the structure its context comes from), the links, base
// URL, title, meta signals and the places where the page names people.
// Resolution against the base URL and the context text come after, in
// html_extractor.cc and image_context.h, since the <base href> may come late
// in the document. Internal to the crawler; other code uses html_extractor.h.
//
// Thread safety: one CollectMarkup call per tree at a time (it only reads it).
// Ownership: Markup points into the Gumbo tree (which must outlive it) and
// into its own `storage`.
#ifndef SCRAPEWATCH_CRAWLER_MARKUP_COLLECTOR_H_
#define SCRAPEWATCH_CRAWLER_MARKUP_COLLECTOR_H_

#include <gumbo.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/extracted_page.h"
#include "crawler/html_extractor.h"

namespace scrapewatch::crawler::markup {

// An image reference as written.
struct RawImage {
  std::string_view value;
  std::string_view kind;
  // `value` is a video player URL, for VideoImageForEmbed.
  bool video_embed = false;
  std::string_view alt;
  std::string_view title;
  std::string_view sizes;
  // Structure around the element the reference is on; null (and -1) when
  // absent, and for page-level references.
  const GumboNode* block = nullptr;   // closest block element, itself included
  const GumboNode* figure = nullptr;  // enclosing <figure>
  const GumboNode* link = nullptr;    // enclosing <a href>
  int scope = -1;                     // index into Markup::scopes
  int owner = -1;                     // index into Markup::owners: person item or h-card around it
  std::vector<std::string> names;     // names given with it (JSON-LD)
};

// A person's name written in the page, bounded already.
struct NameSite {
  uint32_t position;  // pre-order index of its element
  int owner;          // the person item or h-card it names, or -1
  bool located;       // false for JSON-LD, whose position says nothing of the person
  std::string name;
};

// The elements whose descendants are [begin, end) in pre-order: an image's
// scope for names.
struct Scope {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// A microdata Person item or an h-card.
struct Owner {
  std::vector<size_t> sites;  // indices into Markup::name_sites
};

struct Markup {
  std::vector<RawImage> images;
  std::vector<std::string_view> links;
  std::vector<std::string_view> stylesheets;  // <link rel=stylesheet href>
  std::optional<std::string_view> base_href;
  std::optional<std::string> title;
  std::vector<std::string> meta_robots;
  std::optional<bool> tdm_reservation;
  std::optional<std::string_view> tdm_policy;
  std::vector<NameSite> name_sites;  // by position
  std::vector<Scope> scopes;
  std::vector<Owner> owners;
  SchemaHints schema;
  // Text that views above point into when it is not the tree's (a deque, so
  // adding to it moves nothing).
  std::deque<std::string> storage;
};

Markup CollectMarkup(const GumboNode* root, const ExtractOptions& options);

}  // namespace scrapewatch::crawler::markup

#endif  // SCRAPEWATCH_CRAWLER_MARKUP_COLLECTOR_H_
