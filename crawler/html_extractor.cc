#include "crawler/html_extractor.h"

#include <gumbo.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "crawler/css_url.h"
#include "crawler/srcset.h"
#include "crawler/url.h"

namespace scrapewatch::crawler {
namespace {

constexpr std::string_view kImgSrc = "img_src";
constexpr std::string_view kImgSrcset = "img_srcset";
constexpr std::string_view kPictureSourceSrcset = "picture_source_srcset";
constexpr std::string_view kMetaOgImage = "meta_og_image";
constexpr std::string_view kMetaTwitterImage = "meta_twitter_image";
constexpr std::string_view kLinkImageSrc = "link_image_src";
constexpr std::string_view kVideoPoster = "video_poster";
constexpr std::string_view kStyleUrl = "style_url";

struct LazyAttribute {
  const char* name;
  std::string_view kind;
  bool is_srcset;
};
constexpr LazyAttribute kLazyAttributes[] = {
    {"data-src", "data_src", false},
    {"data-srcset", "data_srcset", true},
    {"data-lazy-src", "data_lazy_src", false},
    {"data-original", "data_original", false},
};

constexpr std::string_view kOgImageNames[] = {"og:image", "og:image:url", "og:image:secure_url"};
constexpr std::string_view kTwitterImageNames[] = {"twitter:image", "twitter:image:src"};

// HTML's "ASCII whitespace"; absl's whitespace set would also accept \v.
constexpr std::string_view kHtmlSpace = " \t\n\f\r";

// Debian's Abseil keeps its own string_view type, which std::string_view does
// not convert to, hence these few helpers instead of absl/strings.
std::vector<std::string_view> SplitSkipEmpty(std::string_view text, std::string_view delimiters) {
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  while ((pos = text.find_first_not_of(delimiters, pos)) != std::string_view::npos) {
    size_t end = std::min(text.find_first_of(delimiters, pos), text.size());
    pieces.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
           absl::ascii_tolower(static_cast<unsigned char>(y));
  });
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  absl::AsciiStrToLower(&lower);
  return lower;
}

std::string_view StripHtmlSpace(std::string_view text) {
  size_t begin = text.find_first_not_of(kHtmlSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kHtmlSpace) - begin + 1);
}

// Whitespace runs collapsed to one space, then cut to `max_chars` code points
// (never inside a UTF-8 sequence): context must stay small whatever the page
// holds.
std::string BoundedText(std::string_view text, size_t max_chars) {
  std::string out;
  for (std::string_view word : SplitSkipEmpty(text, kHtmlSpace)) {
    if (!out.empty()) out.push_back(' ');
    out.append(word);
  }
  size_t chars = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    bool starts_char = (static_cast<unsigned char>(out[i]) & 0xC0) != 0x80;
    if (starts_char && chars++ == max_chars) {
      out.resize(i);
      break;
    }
  }
  if (out.ends_with(' ')) out.pop_back();
  return out;
}

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};
using GumboTree = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

// The tree points into `html`, which must outlive it.
GumboTree Parse(std::string_view html) {
  const char* buffer = html.empty() ? "" : html.data();
  return GumboTree(gumbo_parse_with_options(&kGumboDefaultOptions, buffer, html.size()));
}

bool IsElement(const GumboNode* node) {
  return node != nullptr && (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE);
}

// Decoded value of attribute `name`, or "" when absent: for everything
// extracted here an absent and an empty attribute mean the same.
std::string_view Attr(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? std::string_view() : std::string_view(attribute->value);
}

bool HasAttr(const GumboElement& element, const char* name) {
  return gumbo_get_attribute(&element.attributes, name) != nullptr;
}

bool HasToken(std::string_view list, std::string_view token) {
  std::vector<std::string_view> items = SplitSkipEmpty(list, kHtmlSpace);
  return std::any_of(items.begin(), items.end(),
                     [&](std::string_view item) { return EqualsIgnoreCase(item, token); });
}

template <size_t N>
bool EqualsAnyIgnoreCase(std::string_view value, const std::string_view (&candidates)[N]) {
  return std::any_of(std::begin(candidates), std::end(candidates),
                     [&](std::string_view c) { return EqualsIgnoreCase(value, c); });
}

// Gumbo 0.10 predates <picture>, so it is an unknown tag known only by the
// name written in the source.
bool IsPicture(const GumboNode* node) {
  if (!IsElement(node) || node->v.element.tag != GUMBO_TAG_UNKNOWN) return false;
  GumboStringPiece name = node->v.element.original_tag;
  gumbo_tag_from_original_text(&name);
  return EqualsIgnoreCase(std::string_view(name.data, name.length), "picture");
}

bool IsPictureSource(const GumboNode* node) {
  return node->v.element.tag == GUMBO_TAG_SOURCE && IsPicture(node->parent);
}

// The <img> of a <picture>, whose alt describes every <source> beside it.
const GumboElement* PictureImg(const GumboNode* picture) {
  const GumboVector& children = picture->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (IsElement(child) && child->v.element.tag == GUMBO_TAG_IMG) return &child->v.element;
  }
  return nullptr;
}

std::string TextContent(const GumboNode* node) {
  std::string text;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
        child->type == GUMBO_NODE_CDATA) {
      text += child->v.text.text;
    }
  }
  return text;
}

// Pre-order (document order) walk over the elements under `root`, with an
// explicit stack because hostile pages nest arbitrarily deep.
template <typename Visitor>
void ForEachElement(const GumboNode* root, Visitor&& visit) {
  std::vector<const GumboNode*> stack = {root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (!IsElement(node)) continue;
    visit(node);
    const GumboVector& children = node->v.element.children;
    for (unsigned i = children.length; i-- > 0;) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
  }
}

// An image reference as written, before resolution: resolving needs the
// <base href>, which may come later in the document. Views point into the
// Gumbo tree.
struct RawImage {
  std::string_view value;
  std::string_view kind;
  std::string_view alt;
  std::string_view title;
};

// Gathers, in one walk, the raw references and page facts from the tree.
class MarkupCollector {
 public:
  explicit MarkupCollector(const ExtractOptions& options) : options_(options) {}

  void Visit(const GumboNode* node);

  const std::vector<RawImage>& images() const { return images_; }
  const std::vector<std::string_view>& links() const { return links_; }
  const std::optional<std::string_view>& base_href() const { return base_href_; }
  const std::optional<std::string>& title() const { return title_; }
  std::vector<std::string> TakeMetaRobots() { return std::move(meta_robots_); }

 private:
  void AddImage(std::string_view value, std::string_view kind, const GumboElement* context);
  void AddSrcset(std::string_view srcset, std::string_view kind, const GumboElement* context);
  void VisitImageAttributes(const GumboNode* node);
  void VisitMeta(const GumboElement& element);
  void VisitLink(const GumboElement& element);
  void VisitPageFacts(const GumboNode* node);
  void AddMetaRobots(std::string_view prefix, std::string_view content);

  const ExtractOptions& options_;
  std::vector<RawImage> images_;
  std::vector<std::string_view> links_;
  std::optional<std::string_view> base_href_;
  std::optional<std::string> title_;
  std::vector<std::string> meta_robots_;
};

void MarkupCollector::Visit(const GumboNode* node) {
  const GumboElement& element = node->v.element;
  VisitImageAttributes(node);
  if (element.tag == GUMBO_TAG_META) VisitMeta(element);
  if (element.tag == GUMBO_TAG_LINK) VisitLink(element);
  if (element.tag == GUMBO_TAG_VIDEO) AddImage(Attr(element, "poster"), kVideoPoster, &element);
  for (std::string_view url : CssUrls(Attr(element, "style"))) AddImage(url, kStyleUrl, &element);
  VisitPageFacts(node);
}

void MarkupCollector::AddImage(std::string_view value, std::string_view kind,
                               const GumboElement* context) {
  value = StripHtmlSpace(value);
  if (value.empty()) return;
  RawImage image{value, kind, {}, {}};
  if (context != nullptr) {
    image.alt = Attr(*context, "alt");
    image.title = Attr(*context, "title");
  }
  images_.push_back(image);
}

void MarkupCollector::AddSrcset(std::string_view srcset, std::string_view kind,
                                const GumboElement* context) {
  for (std::string_view url : ParseSrcset(srcset)) AddImage(url, kind, context);
}

// <img> and <picture><source>: the elements browsers and lazy loaders fetch
// images for.
void MarkupCollector::VisitImageAttributes(const GumboNode* node) {
  const GumboElement& element = node->v.element;
  const GumboElement* context = &element;
  if (element.tag == GUMBO_TAG_IMG) {
    AddImage(Attr(element, "src"), kImgSrc, context);
    AddSrcset(Attr(element, "srcset"), kImgSrcset, context);
  } else if (IsPictureSource(node)) {
    context = PictureImg(node->parent);
    AddSrcset(Attr(element, "srcset"), kPictureSourceSrcset, context);
  } else {
    return;
  }
  for (const LazyAttribute& lazy : kLazyAttributes) {
    std::string_view value = Attr(element, lazy.name);
    if (lazy.is_srcset) {
      AddSrcset(value, lazy.kind, context);
    } else {
      AddImage(value, lazy.kind, context);
    }
  }
}

void MarkupCollector::VisitMeta(const GumboElement& element) {
  std::string_view property = StripHtmlSpace(Attr(element, "property"));
  std::string_view name = StripHtmlSpace(Attr(element, "name"));
  std::string_view content = Attr(element, "content");
  if (EqualsAnyIgnoreCase(property, kOgImageNames) || EqualsAnyIgnoreCase(name, kOgImageNames)) {
    AddImage(content, kMetaOgImage, nullptr);
  } else if (EqualsAnyIgnoreCase(property, kTwitterImageNames) ||
             EqualsAnyIgnoreCase(name, kTwitterImageNames)) {
    AddImage(content, kMetaTwitterImage, nullptr);
  }
  std::string bot = ToLower(name);
  if (bot == "robots") {
    AddMetaRobots("", content);
  } else if (std::find(options_.robots_meta_bots.begin(), options_.robots_meta_bots.end(), bot) !=
             options_.robots_meta_bots.end()) {
    AddMetaRobots(bot + ":", content);
  }
}

void MarkupCollector::AddMetaRobots(std::string_view prefix, std::string_view content) {
  for (std::string_view directive : SplitSkipEmpty(content, ",")) {
    directive = StripHtmlSpace(directive);
    if (!directive.empty()) meta_robots_.push_back(std::string(prefix) + ToLower(directive));
  }
}

void MarkupCollector::VisitLink(const GumboElement& element) {
  std::string_view rel = Attr(element, "rel");
  if (HasToken(rel, "image_src")) AddImage(Attr(element, "href"), kLinkImageSrc, nullptr);
  if (HasToken(rel, "next") || HasToken(rel, "alternate")) links_.push_back(Attr(element, "href"));
}

// Links to follow, the base URL and the title.
void MarkupCollector::VisitPageFacts(const GumboNode* node) {
  const GumboElement& element = node->v.element;
  switch (element.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
      links_.push_back(Attr(element, "href"));
      break;
    case GUMBO_TAG_IFRAME:
      links_.push_back(Attr(element, "src"));
      break;
    case GUMBO_TAG_BASE:
      // Only the first <base> with an href sets the document's base URL.
      if (!base_href_ && HasAttr(element, "href")) base_href_ = Attr(element, "href");
      break;
    case GUMBO_TAG_TITLE:
      // An <svg><title> is a tooltip, not the page's title.
      if (!title_ && element.tag_namespace == GUMBO_NAMESPACE_HTML) {
        title_ = BoundedText(TextContent(node), options_.max_context_chars);
      }
      break;
    default:
      break;
  }
}

// "data:<mime type>" for a data: URI, which identifies the kind of image
// without carrying its (possibly huge) payload.
std::optional<std::string> DataUriLabel(std::string_view value) {
  if (!EqualsIgnoreCase(value.substr(0, 5), "data:")) return std::nullopt;
  std::string_view rest = value.substr(5);
  std::string_view mime = StripHtmlSpace(rest.substr(0, rest.find_first_of(";,")));
  return "data:" + (mime.empty() ? std::string("text/plain") : ToLower(mime));
}

std::optional<ImageRef> MakeImageRef(const RawImage& raw, std::string_view base,
                                     const ExtractOptions& options) {
  ImageRef ref;
  if (std::optional<std::string> label = DataUriLabel(raw.value)) {
    ref.url = *std::move(label);
    ref.is_data_uri = true;
  } else {
    absl::StatusOr<std::string> url = ResolveUrl(base, raw.value);
    if (!url.ok()) return std::nullopt;
    ref.url = *std::move(url);
  }
  ref.kind = std::string(raw.kind);
  ref.alt = BoundedText(raw.alt, options.max_context_chars);
  ref.title = BoundedText(raw.title, options.max_context_chars);
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

}  // namespace

absl::StatusOr<ExtractedPage> ExtractPage(std::string_view html, std::string_view page_url,
                                          const ExtractOptions& options) {
  absl::StatusOr<std::string> page = CanonicalizeUrl(page_url);
  if (!page.ok()) {
    return absl::InvalidArgumentError(
        "page URL '" + std::string(page_url) +
        "' is not an absolute http(s) URL: " + std::string(page.status().message()));
  }
  GumboTree tree = Parse(html);
  MarkupCollector collector(options);
  ForEachElement(tree->root, [&](const GumboNode* node) { collector.Visit(node); });

  ExtractedPage result;
  result.url = *std::move(page);
  result.base_url = EffectiveBase(result.url, collector.base_href());
  result.title = collector.title().value_or("");
  result.links = ResolveLinks(collector.links(), result.base_url);
  for (const RawImage& raw : collector.images()) {
    if (std::optional<ImageRef> ref = MakeImageRef(raw, result.base_url, options)) {
      result.images.push_back(*std::move(ref));
    }
  }
  result.signals.meta_robots = collector.TakeMetaRobots();
  return result;
}

}  // namespace scrapewatch::crawler
