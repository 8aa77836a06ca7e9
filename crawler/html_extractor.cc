#include "crawler/html_extractor.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "crawler/charset.h"
#include "crawler/gumbo_dom.h"
#include "crawler/image_context.h"
#include "crawler/markup_collector.h"
#include "crawler/markup_text.h"
#include "crawler/nesting_guard.h"
#include "crawler/url.h"
#include "crawler/video_embed.h"

namespace scrapewatch::crawler {
namespace {

using markup::EqualsIgnoreCase;
using markup::RawImage;
using markup::StripHtmlSpace;
using markup::ToLower;

// "data:<mime type>" for a data: URI, which identifies the kind of image
// without carrying its (possibly huge) payload.
std::optional<std::string> DataUriLabel(std::string_view value) {
  if (!EqualsIgnoreCase(value.substr(0, 5), "data:")) return std::nullopt;
  std::string_view rest = value.substr(5);
  std::string_view mime = StripHtmlSpace(rest.substr(0, rest.find_first_of(";,")));
  return "data:" + (mime.empty() ? std::string("text/plain") : ToLower(mime));
}

// The reference's URL, kind and fetchability; nullopt when a scraper would
// get no image from it.
std::optional<ImageRef> ResolveImage(const RawImage& raw, std::string_view base) {
  ImageRef ref;
  ref.kind = std::string(raw.kind);
  if (raw.video_embed) {
    absl::StatusOr<std::string> player = ResolveUrl(base, raw.value);
    if (!player.ok()) return std::nullopt;
    std::optional<VideoImage> video = VideoImageForEmbed(*player);
    if (!video) return std::nullopt;
    ref.url = std::move(video->url);
    ref.kind = std::string(video->kind);
    ref.fetchable = video->fetchable;
  } else if (std::optional<std::string> label = DataUriLabel(raw.value)) {
    ref.url = *std::move(label);
    ref.is_data_uri = true;
  } else {
    absl::StatusOr<std::string> url = ResolveUrl(base, raw.value);
    if (!url.ok()) return std::nullopt;
    ref.url = *std::move(url);
  }
  return ref;
}

std::optional<ImageRef> MakeImageRef(const RawImage& raw, std::string_view base,
                                     const ExtractOptions& options) {
  std::optional<ImageRef> ref = ResolveImage(raw, base);
  if (!ref) return std::nullopt;
  ref->alt = markup::BoundedText(raw.alt, options.max_context_chars);
  ref->title = markup::BoundedText(raw.title, options.max_context_chars);
  ref->sizes = markup::BoundedText(raw.sizes, options.max_context_chars);
  return ref;
}

// The first <base href> resolved against the page, if it resolves to http(s).
std::string EffectiveBase(const std::string& page_url,
                          const std::optional<std::string_view>& href) {
  if (!href) return page_url;
  absl::StatusOr<std::string> base = ResolveUrl(page_url, *href);
  return base.ok() ? *std::move(base) : page_url;
}

std::vector<std::string> ResolveLinks(const std::vector<std::string_view>& hrefs,
                                      std::string_view base) {
  std::vector<std::string> links;
  absl::flat_hash_set<std::string> seen;
  for (std::string_view href : hrefs) {
    // An empty href points back at this page.
    if (StripHtmlSpace(href).empty()) continue;
    absl::StatusOr<std::string> url = ResolveUrl(base, href);
    if (url.ok() && seen.insert(*url).second) links.push_back(*std::move(url));
  }
  return links;
}

// The UTF-8 text to parse: `html` cut to the size limit, decoded, and cut
// again before nesting that would stall the parser. Notes each in `page`.
// The result points into `html` or into `decoded`.
std::string_view BoundedUtf8(std::string_view html, const ExtractOptions& options,
                             DecodedHtml& decoded, ExtractedPage& page) {
  if (html.size() > options.max_html_bytes) {
    page.warnings.push_back("truncated_size: the page has " + std::to_string(html.size()) +
                            " bytes; only the first " + std::to_string(options.max_html_bytes) +
                            " were parsed");
    html = html.substr(0, options.max_html_bytes);
  }
  decoded = DecodeHtml(html, options.http_charset);
  page.charset = decoded.charset;
  for (const std::string& warning : decoded.warnings) page.warnings.push_back("charset: " + warning);
  std::string_view text = decoded.Text(html);
  NestingScan nesting = ScanNesting(text, options.max_nesting_depth);
  if (nesting.safe_length < text.size()) {
    page.warnings.push_back("truncated_depth: markup nests deeper than " +
                            std::to_string(options.max_nesting_depth) +
                            " elements; parsed only the first " +
                            std::to_string(nesting.safe_length) + " of " +
                            std::to_string(text.size()) + " bytes (UTF-8)");
    text = text.substr(0, nesting.safe_length);
  }
  return text;
}

}  // namespace

absl::StatusOr<ExtractedPage> ExtractPage(std::string_view html, std::string_view page_url,
                                          const ExtractOptions& options) {
  absl::StatusOr<std::string> page_canonical = CanonicalizeUrl(page_url);
  if (!page_canonical.ok()) {
    return absl::InvalidArgumentError(
        "page URL '" + std::string(page_url) +
        "' is not an absolute http(s) URL: " + std::string(page_canonical.status().message()));
  }
  ExtractedPage page;
  page.url = *std::move(page_canonical);
  DecodedHtml decoded;
  std::string_view text = BoundedUtf8(html, options, decoded, page);
  markup::GumboTree tree = markup::ParseHtml(text);
  markup::Markup markup = markup::CollectMarkup(tree->root, options);

  page.base_url = EffectiveBase(page.url, markup.base_href);
  page.title = markup.title.value_or("");
  page.links = ResolveLinks(markup.links, page.base_url);
  page.stylesheets = ResolveLinks(markup.stylesheets, page.base_url);
  markup::ImageContext context(markup, options);
  for (const RawImage& raw : markup.images) {
    if (std::optional<ImageRef> ref = MakeImageRef(raw, page.base_url, options)) {
      context.Fill(raw, page.base_url, *ref);
      page.images.push_back(*std::move(ref));
    }
  }
  page.people = context.People();
  page.schema = std::move(markup.schema);
  page.signals.meta_robots = std::move(markup.meta_robots);
  page.signals.tdm_reservation = markup.tdm_reservation;
  if (markup.tdm_policy && !StripHtmlSpace(*markup.tdm_policy).empty()) {
    absl::StatusOr<std::string> policy = ResolveUrl(page.base_url, *markup.tdm_policy);
    if (policy.ok()) page.signals.tdm_policy = *std::move(policy);
  }
  return page;
}

}  // namespace scrapewatch::crawler
