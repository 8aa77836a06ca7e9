#include "crawler/markup_collector.h"

#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/css_url.h"
#include "crawler/gumbo_dom.h"
#include "crawler/jsonld.h"
#include "crawler/markup_text.h"
#include "crawler/schema_hints.h"
#include "crawler/srcset.h"

namespace scrapewatch::crawler::markup {
namespace {

constexpr std::string_view kImgSrc = "img_src";
constexpr std::string_view kImgSrcset = "img_srcset";
constexpr std::string_view kPictureSourceSrcset = "picture_source_srcset";
constexpr std::string_view kMetaOgImage = "meta_og_image";
constexpr std::string_view kMetaTwitterImage = "meta_twitter_image";
constexpr std::string_view kLinkImageSrc = "link_image_src";
constexpr std::string_view kVideoPoster = "video_poster";
constexpr std::string_view kStyleUrl = "style_url";
constexpr std::string_view kLinkPreloadImage = "link_preload_image";
constexpr std::string_view kLinkIcon = "link_icon";
constexpr std::string_view kJsonLdImage = "jsonld_image";
constexpr std::string_view kStyleBlockUrl = "style_block_url";
// Replaced by VideoImageForEmbed's kind when the reference is resolved.
constexpr std::string_view kVideoPlayer = "video_player";

enum class ValueSyntax { kUrl, kSrcset, kBgset };

struct LazyAttribute {
  const char* name;
  std::string_view kind;
  ValueSyntax syntax;
};

// On <img> and <picture><source> only, as the corpus oracle counts them.
constexpr LazyAttribute kImageLazyAttributes[] = {
    {"data-src", "data_src", ValueSyntax::kUrl},
    {"data-srcset", "data_srcset", ValueSyntax::kSrcset},
    {"data-lazy-src", "data_lazy_src", ValueSyntax::kUrl},
    {"data-original", "data_original", ValueSyntax::kUrl},
};

// On any element: these names hold image URLs wherever they appear, unlike
// data-src, which on other elements is as often a script or a page.
constexpr LazyAttribute kAnyElementLazyAttributes[] = {
    {"data-bg", "data_bg", ValueSyntax::kUrl},
    {"data-background", "data_background", ValueSyntax::kUrl},
    {"data-background-image", "data_background_image", ValueSyntax::kUrl},
    {"data-bgset", "data_bgset", ValueSyntax::kBgset},
    {"data-src-bg", "data_src_bg", ValueSyntax::kUrl},
    {"data-lazy", "data_lazy", ValueSyntax::kUrl},
    {"data-hi-res-src", "data_hi_res_src", ValueSyntax::kUrl},
    {"data-full-src", "data_full_src", ValueSyntax::kUrl},
    {"data-orig-file", "data_orig_file", ValueSyntax::kUrl},
    {"data-medium-file", "data_medium_file", ValueSyntax::kUrl},
    {"data-large-file", "data_large_file", ValueSyntax::kUrl},
    {"data-zoom-image", "data_zoom_image", ValueSyntax::kUrl},
    {"data-thumb", "data_thumb", ValueSyntax::kUrl},
    {"data-img", "data_img", ValueSyntax::kUrl},
};

// Where lazy-loading scripts take an <iframe>'s real src from.
constexpr const char* kPlayerAttributes[] = {"src", "data-src", "data-lazy-src"};

constexpr std::string_view kOgImageNames[] = {"og:image", "og:image:url", "og:image:secure_url"};
constexpr std::string_view kTwitterImageNames[] = {"twitter:image", "twitter:image:src"};

// Frame::item for an itemscope that is not a Person.
constexpr int kOtherItem = -2;

template <size_t N>
bool EqualsAnyIgnoreCase(std::string_view value, const std::string_view (&candidates)[N]) {
  return std::any_of(std::begin(candidates), std::end(candidates),
                     [&](std::string_view c) { return EqualsIgnoreCase(value, c); });
}

bool IsPictureSource(const GumboNode* node) {
  return node->v.element.tag == GUMBO_TAG_SOURCE && IsUnknownElementNamed(node->parent, "picture");
}

bool HasPersonType(std::string_view itemtype) {
  std::vector<std::string_view> types = SplitSkipEmpty(itemtype, kHtmlSpace);
  return std::any_of(types.begin(), types.end(),
                     [](std::string_view type) { return type.ends_with("/Person"); });
}

bool HasElementChildren(const GumboNode* node) {
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    if (IsElement(static_cast<const GumboNode*>(children.data[i]))) return true;
  }
  return false;
}

// One open element during the walk, with the innermost structure around it
// (indices into the frame stack, -1 when none).
struct Frame {
  const GumboNode* node;
  uint32_t position;
  int block = -1;
  int figure = -1;
  int article = -1;
  int link = -1;
  int item = -1;    // owner of the innermost itemscope if a Person, else kOtherItem
  int hcard = -1;   // owner of the innermost h-card
  int person = -1;  // owner of the innermost of either
  int scope = -1;   // Markup::scopes index, once an image needs this element as scope
};

class Collector {
 public:
  Collector(const ExtractOptions& options, Markup& markup)
      : options_(options), markup_(markup), schema_(options.max_context_chars, markup.schema) {}

  // Pre-order walk with an explicit stack, because hostile pages nest deep.
  void Run(const GumboNode* root) {
    std::vector<std::pair<const GumboNode*, bool>> work = {{root, false}};
    while (!work.empty()) {
      auto [node, exiting] = work.back();
      work.pop_back();
      if (exiting) {
        Exit();
        continue;
      }
      if (!IsElement(node)) continue;
      Enter(node);
      work.emplace_back(node, true);
      const GumboVector& children = node->v.element.children;
      for (unsigned i = children.length; i-- > 0;) {
        work.emplace_back(static_cast<const GumboNode*>(children.data[i]), false);
      }
    }
  }

 private:
  void Enter(const GumboNode* node);
  void Exit();
  void VisitPeople(const GumboNode* node, Frame& frame);
  void AddNameSite(int owner, bool located, std::string name);
  void VisitImageElement(const GumboNode* node);
  void VisitAnyElementLazy(const GumboNode* node);
  void VisitMeta(const GumboNode* node);
  void AddMetaRobots(std::string_view prefix, std::string_view content);
  void VisitLink(const GumboNode* node);
  void VisitScript(const GumboNode* node);
  void VisitPageFacts(const GumboNode* node);
  void AddElementImage(std::string_view value, std::string_view kind, const GumboNode* attributes,
                       std::string_view sizes = {});
  void AddValue(std::string_view value, ValueSyntax syntax, std::string_view kind,
                const GumboNode* attributes, std::string_view sizes);
  void AddPageImage(std::string_view value, std::string_view kind, std::string_view sizes = {},
                    std::vector<std::string> names = {});
  int ScopeOf(const Frame& frame);
  std::string_view Store(std::string text) { return markup_.storage.emplace_back(std::move(text)); }

  const ExtractOptions& options_;
  Markup& markup_;
  SchemaHintsCollector schema_;
  std::vector<Frame> frames_;
  uint32_t next_position_ = 0;
};

void Collector::Enter(const GumboNode* node) {
  Frame frame = frames_.empty() ? Frame{} : frames_.back();
  frame.node = node;
  frame.position = next_position_++;
  frame.scope = -1;
  int index = static_cast<int>(frames_.size());
  GumboTag tag = node->v.element.tag;
  if (IsBlockElement(node)) frame.block = index;
  if (tag == GUMBO_TAG_FIGURE) frame.figure = index;
  if (tag == GUMBO_TAG_ARTICLE) frame.article = index;
  if (tag == GUMBO_TAG_A && HasAttr(node, "href")) frame.link = index;
  VisitPeople(node, frame);
  schema_.VisitElement(node);
  frames_.push_back(frame);

  VisitImageElement(node);
  VisitAnyElementLazy(node);
  switch (tag) {
    case GUMBO_TAG_META:
      VisitMeta(node);
      break;
    case GUMBO_TAG_LINK:
      VisitLink(node);
      break;
    case GUMBO_TAG_VIDEO:
      AddElementImage(Attr(node, "poster"), kVideoPoster, node);
      break;
    case GUMBO_TAG_IFRAME:
      for (const char* name : kPlayerAttributes) AddElementImage(Attr(node, name), kVideoPlayer, node);
      break;
    case GUMBO_TAG_SCRIPT:
      VisitScript(node);
      break;
    case GUMBO_TAG_STYLE:
      for (std::string_view url : CssStylesheetUrls(Store(ChildText(node)))) {
        AddPageImage(url, kStyleBlockUrl);
      }
      break;
    default:
      break;
  }
  for (std::string_view url : CssUrls(Attr(node, "style"))) AddElementImage(url, kStyleUrl, node);
  VisitPageFacts(node);
}

void Collector::Exit() {
  const Frame& frame = frames_.back();
  if (frame.scope >= 0) markup_.scopes[frame.scope].end = next_position_;
  frames_.pop_back();
}

// Microdata Person items (itemprop="name" in them), h-cards (p-name or fn in
// them, unless also marked as an organisation's, as Wikipedia's infobox
// hCards are; a bare-text h-card is its own name) and rel=author links. A
// property belongs to the item around its element, hence the parent frame's.
void Collector::VisitPeople(const GumboNode* node, Frame& frame) {
  const Frame* parent = frames_.empty() ? nullptr : &frames_.back();
  size_t max_chars = options_.max_context_chars;
  if (parent != nullptr && parent->item >= 0 && HasToken(Attr(node, "itemprop"), "name")) {
    AddNameSite(parent->item, true,
                node->v.element.tag == GUMBO_TAG_META
                    ? BoundedText(Attr(node, "content"), max_chars)
                    : SubtreeText(node, max_chars));
  }
  std::string_view classes = Attr(node, "class");
  if (parent != nullptr && parent->hcard >= 0 &&
      (HasToken(classes, "p-name") || HasToken(classes, "fn")) && !HasToken(classes, "org") &&
      !HasToken(classes, "p-org")) {
    AddNameSite(parent->hcard, true, SubtreeText(node, max_chars));
  }
  if (node->v.element.tag == GUMBO_TAG_A && HasToken(Attr(node, "rel"), "author")) {
    AddNameSite(-1, true, SubtreeText(node, max_chars));
  }
  if (HasAttr(node, "itemscope")) {
    frame.item = kOtherItem;
    if (HasPersonType(Attr(node, "itemtype"))) {
      frame.item = frame.person = static_cast<int>(markup_.owners.size());
      markup_.owners.emplace_back();
    }
  }
  if (HasToken(classes, "h-card") || HasToken(classes, "vcard")) {
    frame.hcard = frame.person = static_cast<int>(markup_.owners.size());
    markup_.owners.emplace_back();
    if (!HasElementChildren(node)) {
      AddNameSite(frame.hcard, true,
                  node->v.element.tag == GUMBO_TAG_IMG ? BoundedText(Attr(node, "alt"), max_chars)
                                                       : SubtreeText(node, max_chars));
    }
  }
}

void Collector::AddNameSite(int owner, bool located, std::string name) {
  // Bylines mark up "By Jane Doe" as the author's name.
  if (StartsWithIgnoreCase(name, "by ")) name.erase(0, 3);
  if (name.empty()) return;
  if (owner >= 0) markup_.owners[owner].sites.push_back(markup_.name_sites.size());
  // The element entered last is the one naming; its frame may not be pushed yet.
  uint32_t position = next_position_ - 1;
  markup_.name_sites.push_back({position, owner, located, std::move(name)});
}

// <img> and <picture><source>: the elements browsers and lazy loaders fetch
// images for.
void Collector::VisitImageElement(const GumboNode* node) {
  const GumboNode* attributes = node;
  std::string_view sizes = Attr(node, "sizes");
  if (node->v.element.tag == GUMBO_TAG_IMG) {
    AddElementImage(Attr(node, "src"), kImgSrc, attributes);
    AddValue(Attr(node, "srcset"), ValueSyntax::kSrcset, kImgSrcset, attributes, sizes);
  } else if (IsPictureSource(node)) {
    // The <img> of a <picture>, whose alt describes every <source> beside it.
    attributes = FirstChildElement(node->parent, GUMBO_TAG_IMG);
    AddValue(Attr(node, "srcset"), ValueSyntax::kSrcset, kPictureSourceSrcset, attributes, sizes);
  } else {
    return;
  }
  for (const LazyAttribute& lazy : kImageLazyAttributes) {
    AddValue(Attr(node, lazy.name), lazy.syntax, lazy.kind, attributes, sizes);
  }
}

void Collector::VisitAnyElementLazy(const GumboNode* node) {
  if (node->v.element.attributes.length == 0) return;
  for (const LazyAttribute& lazy : kAnyElementLazyAttributes) {
    AddValue(Attr(node, lazy.name), lazy.syntax, lazy.kind, node, {});
  }
}

// The URL of <meta http-equiv="refresh" content="5; url=/next">, as the HTML
// standard's "shared declarative refresh steps" read it; "" when it has none.
std::string_view RefreshUrl(std::string_view content) {
  size_t i = 0;
  auto skip = [&](auto predicate) {
    while (i < content.size() && predicate(content[i])) ++i;
  };
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
  skip(is_space);
  skip([](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  skip(is_space);
  if (i < content.size() && (content[i] == ';' || content[i] == ',')) ++i;
  skip(is_space);
  std::string_view rest = content.substr(i);
  if (rest.size() >= 3 && EqualsIgnoreCase(rest.substr(0, 3), "url")) {
    size_t j = 3;
    while (j < rest.size() && is_space(rest[j])) ++j;
    if (j < rest.size() && rest[j] == '=') {
      ++j;
      while (j < rest.size() && is_space(rest[j])) ++j;
      rest = rest.substr(j);
    }
  }
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
    size_t end = rest.find(rest[0], 1);
    rest = rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
  }
  return rest;
}

void Collector::VisitMeta(const GumboNode* node) {
  if (EqualsIgnoreCase(StripHtmlSpace(Attr(node, "http-equiv")), "refresh")) {
    std::string_view target = RefreshUrl(Attr(node, "content"));
    if (!target.empty()) markup_.links.push_back(target);
  }
  std::string_view property = StripHtmlSpace(Attr(node, "property"));
  std::string_view name = StripHtmlSpace(Attr(node, "name"));
  std::string_view content = Attr(node, "content");
  if (EqualsAnyIgnoreCase(property, kOgImageNames) || EqualsAnyIgnoreCase(name, kOgImageNames)) {
    AddPageImage(content, kMetaOgImage);
  } else if (EqualsAnyIgnoreCase(property, kTwitterImageNames) ||
             EqualsAnyIgnoreCase(name, kTwitterImageNames)) {
    AddPageImage(content, kMetaTwitterImage);
  }
  std::string lower_name = ToLower(name);
  if (lower_name == "robots") {
    AddMetaRobots("", content);
  } else if (std::find(options_.robots_meta_bots.begin(), options_.robots_meta_bots.end(),
                       lower_name) != options_.robots_meta_bots.end()) {
    AddMetaRobots(lower_name + ":", content);
  } else if (lower_name == "tdm-reservation" && !markup_.tdm_reservation) {
    std::string_view value = StripHtmlSpace(content);
    if (value == "1" || value == "0") markup_.tdm_reservation = value == "1";
  } else if (lower_name == "tdm-policy" && !markup_.tdm_policy) {
    markup_.tdm_policy = content;
  }
}

void Collector::AddMetaRobots(std::string_view prefix, std::string_view content) {
  for (std::string_view directive : SplitSkipEmpty(content, ",")) {
    directive = StripHtmlSpace(directive);
    if (!directive.empty()) markup_.meta_robots.push_back(std::string(prefix) + ToLower(directive));
  }
}

void Collector::VisitLink(const GumboNode* node) {
  std::string_view rel = Attr(node, "rel");
  if (HasToken(rel, "image_src")) AddPageImage(Attr(node, "href"), kLinkImageSrc);
  if (HasToken(rel, "preload") && EqualsIgnoreCase(StripHtmlSpace(Attr(node, "as")), "image")) {
    AddPageImage(Attr(node, "href"), kLinkPreloadImage);
    for (std::string_view url : ParseSrcset(Attr(node, "imagesrcset"))) {
      AddPageImage(url, kLinkPreloadImage, Attr(node, "imagesizes"));
    }
  }
  if (HasToken(rel, "next") || HasToken(rel, "alternate")) markup_.links.push_back(Attr(node, "href"));
  // Touch icons of personal sites are often the owner's portrait.
  if (HasToken(rel, "icon") || HasToken(rel, "apple-touch-icon") ||
      HasToken(rel, "apple-touch-icon-precomposed")) {
    AddPageImage(Attr(node, "href"), kLinkIcon);
  }
  if (HasToken(rel, "stylesheet")) markup_.stylesheets.push_back(Attr(node, "href"));
}

void Collector::VisitScript(const GumboNode* node) {
  if (!EqualsIgnoreCase(StripHtmlSpace(Attr(node, "type")), "application/ld+json")) return;
  JsonLdFacts facts = ParseJsonLd(ChildText(node));
  schema_.Add(facts.schema);
  for (JsonLdImage& image : facts.images) {
    for (std::string& name : image.names) name = BoundedText(name, options_.max_context_chars);
    AddPageImage(Store(std::move(image.url)), kJsonLdImage, {}, std::move(image.names));
  }
  for (const std::string& person : facts.people) {
    AddNameSite(-1, /*located=*/false, BoundedText(person, options_.max_context_chars));
  }
}

// Links to follow, the base URL and the title.
void Collector::VisitPageFacts(const GumboNode* node) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
      markup_.links.push_back(Attr(node, "href"));
      break;
    case GUMBO_TAG_IFRAME:
      markup_.links.push_back(Attr(node, "src"));
      break;
    case GUMBO_TAG_BASE:
      // Only the first <base> with an href sets the document's base URL.
      if (!markup_.base_href && HasAttr(node, "href")) markup_.base_href = Attr(node, "href");
      break;
    case GUMBO_TAG_TITLE:
      // An <svg><title> is a tooltip, not the page's title.
      if (!markup_.title && node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML) {
        markup_.title = BoundedText(ChildText(node), options_.max_context_chars);
      }
      break;
    default:
      break;
  }
}

// A reference on the element entered last; `attributes` is the element whose
// alt and title describe it (for a <picture> source, its <img>), if any.
void Collector::AddElementImage(std::string_view value, std::string_view kind,
                                const GumboNode* attributes, std::string_view sizes) {
  value = StripHtmlSpace(value);
  if (value.empty()) return;
  const Frame& frame = frames_.back();
  RawImage image{.value = value, .kind = kind, .video_embed = kind == kVideoPlayer, .sizes = sizes};
  if (attributes != nullptr) {
    image.alt = Attr(attributes, "alt");
    image.title = Attr(attributes, "title");
  }
  if (frame.block >= 0) image.block = frames_[frame.block].node;
  if (frame.figure >= 0) image.figure = frames_[frame.figure].node;
  if (frame.link >= 0) image.link = frames_[frame.link].node;
  image.scope = ScopeOf(frame);
  image.owner = frame.person;
  markup_.images.push_back(std::move(image));
}

void Collector::AddValue(std::string_view value, ValueSyntax syntax, std::string_view kind,
                         const GumboNode* attributes, std::string_view sizes) {
  if (value.empty()) return;  // the common case: most attributes looked for are absent
  switch (syntax) {
    case ValueSyntax::kUrl:
      // Background loaders also take CSS: data-bg="url(a.jpg)".
      if (StartsWithIgnoreCase(StripHtmlSpace(value), "url(")) {
        for (std::string_view url : CssUrls(value)) AddElementImage(url, kind, attributes);
      } else {
        AddElementImage(value, kind, attributes);
      }
      break;
    case ValueSyntax::kSrcset:
      for (std::string_view url : ParseSrcset(value)) AddElementImage(url, kind, attributes, sizes);
      break;
    case ValueSyntax::kBgset:
      // lazysizes' bgset: srcsets separated by "|", each optionally followed
      // by a [media query].
      for (std::string_view set : SplitSkipEmpty(value, "|")) {
        AddValue(set.substr(0, set.find('[')), ValueSyntax::kSrcset, kind, attributes, sizes);
      }
      break;
  }
}

void Collector::AddPageImage(std::string_view value, std::string_view kind, std::string_view sizes,
                             std::vector<std::string> names) {
  value = StripHtmlSpace(value);
  if (value.empty()) return;
  markup_.images.push_back(
      {.value = value, .kind = kind, .sizes = sizes, .names = std::move(names)});
}

// Names near an image are those in its <figure>, else its <article>, else
// its closest block.
int Collector::ScopeOf(const Frame& frame) {
  int index = frame.figure >= 0 ? frame.figure : frame.article >= 0 ? frame.article : frame.block;
  if (index < 0) return -1;
  Frame& scope_frame = frames_[index];
  if (scope_frame.scope < 0) {
    scope_frame.scope = static_cast<int>(markup_.scopes.size());
    markup_.scopes.push_back({scope_frame.position, 0});
  }
  return scope_frame.scope;
}

}  // namespace

Markup CollectMarkup(const GumboNode* root, const ExtractOptions& options) {
  Markup markup;
  Collector(options, markup).Run(root);
  return markup;
}

}  // namespace scrapewatch::crawler::markup
