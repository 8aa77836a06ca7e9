// Tests for crawler/html_extractor: focused cases, then every page of the
// shared html/ corpus against its html5lib oracle (corpus/README.md).
#include "crawler/html_extractor.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/css_url.h"
#include "crawler/srcset.h"
#include "crawler/url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPage[] = "http://example.com/dir/page.html";

ExtractedPage Extract(std::string_view html, const ExtractOptions& options = {}) {
  absl::StatusOr<ExtractedPage> page = ExtractPage(html, kPage, options);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : ExtractedPage{};
}

std::vector<std::string> Urls(const ExtractedPage& page) {
  std::vector<std::string> urls;
  for (const ImageRef& image : page.images) urls.push_back(image.url);
  return urls;
}

std::vector<std::string> Kinds(const ExtractedPage& page) {
  std::vector<std::string> kinds;
  for (const ImageRef& image : page.images) kinds.push_back(image.kind);
  return kinds;
}

TEST(SrcsetTest, KeepsCommasInsideUrls) {
  // Only whitespace ends a URL; a comma does so only as its last character.
  EXPECT_THAT(ParseSrcset("a.jpg?crop=1,2,3 1x,b.jpg,c.jpg 2x, d.jpg,, e.jpg,"),
              ElementsAre("a.jpg?crop=1,2,3", "b.jpg,c.jpg", "d.jpg", "e.jpg"));
}

TEST(SrcsetTest, DropsCandidatesWithInvalidDescriptors) {
  EXPECT_THAT(
      ParseSrcset("a.jpg 100w 2x, b.jpg 2q, c.jpg 0w, d.jpg 10h, e.jpg 100w 50h, f.jpg -1x"),
      ElementsAre("e.jpg"));
}

TEST(SrcsetTest, ParenthesesProtectCommas) {
  EXPECT_THAT(ParseSrcset("a.jpg (x, y) , b.jpg 1.5x"), ElementsAre("b.jpg"));
}

TEST(CssUrlTest, FindsEveryQuotingStyle) {
  EXPECT_THAT(CssUrls("background: URL( 'a.png' ), url(\"b c.png\") , url(d.png); x: url()"),
              ElementsAre("a.png", "b c.png", "d.png", ""));
}

TEST(HtmlExtractorTest, RejectsInvalidPageUrl) {
  absl::StatusOr<ExtractedPage> page = ExtractPage("<img src=a.png>", "not a url");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(page.status().message()), ::testing::HasSubstr("not a url"));
}

TEST(HtmlExtractorTest, ResolvesAgainstPageUrl) {
  ExtractedPage page =
      Extract("<img src='../img/a.png'><img src=' '><img src='//cdn.example.net/b.png'>");
  EXPECT_EQ(page.base_url, kPage);
  EXPECT_THAT(Urls(page),
              ElementsAre("http://example.com/img/a.png", "http://cdn.example.net/b.png"));
}

TEST(HtmlExtractorTest, FirstBaseHrefAppliesToTheWholeDocument) {
  ExtractedPage page = Extract(
      "<img src=early.png><base href='/assets/'><base href='http://other.example/'>"
      "<img src=late.png><a href=next.html>n</a>");
  EXPECT_EQ(page.base_url, "http://example.com/assets/");
  EXPECT_THAT(Urls(page), ElementsAre("http://example.com/assets/early.png",
                                      "http://example.com/assets/late.png"));
  EXPECT_THAT(page.links, ElementsAre("http://example.com/assets/next.html"));
}

TEST(HtmlExtractorTest, SrcsetCandidatesWithCommas) {
  ExtractedPage page = Extract(
      "<img src=a.jpg srcset='https://img.example/f_auto,w_300/a.jpg 300w, "
      "https://img.example/f_auto,w_600/a.jpg 600w' alt='  Jane\n  Doe '>");
  EXPECT_THAT(Urls(page),
              ElementsAre("http://example.com/dir/a.jpg", "https://img.example/f_auto,w_300/a.jpg",
                          "https://img.example/f_auto,w_600/a.jpg"));
  EXPECT_THAT(Kinds(page), ElementsAre("img_src", "img_srcset", "img_srcset"));
  EXPECT_EQ(page.images[1].alt, "Jane Doe");
}

TEST(HtmlExtractorTest, PictureSourcesTakeTheImgContext) {
  ExtractedPage page = Extract(
      "<picture><source srcset='p.webp' data-srcset='lazy.webp 2x'>"
      "<img src=p.jpg alt=Portrait></picture><video><source srcset=no.webp></video>");
  EXPECT_THAT(Kinds(page), ElementsAre("picture_source_srcset", "data_srcset", "img_src"));
  EXPECT_EQ(page.images[0].alt, "Portrait");
}

TEST(HtmlExtractorTest, NoscriptContentIsMarkup) {
  ExtractedPage page = Extract(
      "<head><noscript><meta property='og:image' content=og.jpg>"
      "<img src=head.jpg></noscript></head>"
      "<body><img data-src=lazy.jpg src=placeholder.gif>"
      "<noscript><picture><source srcset=\"real&amp;2.webp\"><img src=real.jpg></picture>"
      "</noscript></body>");
  EXPECT_THAT(
      Urls(page),
      ElementsAre("http://example.com/dir/og.jpg", "http://example.com/dir/head.jpg",
                  "http://example.com/dir/placeholder.gif", "http://example.com/dir/lazy.jpg",
                  "http://example.com/dir/real&2.webp", "http://example.com/dir/real.jpg"));
}

TEST(HtmlExtractorTest, DataUrisAreKeptButNotResolved) {
  ExtractedPage page = Extract(
      "<img src='data:image/GIF;base64,R0lGODlhAQABAAAAACw='>"
      "<div style=\"background: url('data:,x')\"></div><img src='javascript:void(0)'>");
  ASSERT_EQ(page.images.size(), 2u);
  EXPECT_EQ(page.images[0].url, "data:image/gif");
  EXPECT_TRUE(page.images[0].is_data_uri);
  EXPECT_EQ(page.images[1].url, "data:text/plain");
  EXPECT_EQ(page.images[1].kind, "style_url");
}

TEST(HtmlExtractorTest, MetaAndLinkImages) {
  ExtractedPage page = Extract(
      "<meta property='OG:Image' content='/og.jpg'><meta name='twitter:image:src' content=tw.jpg>"
      "<link rel='Image_Src' href=ls.jpg><video poster=poster.jpg></video>");
  EXPECT_THAT(Kinds(page),
              ElementsAre("meta_og_image", "meta_twitter_image", "link_image_src", "video_poster"));
}

TEST(HtmlExtractorTest, TitleIsCollapsedAndBounded) {
  ExtractOptions options;
  options.max_context_chars = 9;
  ExtractedPage page = Extract(
      "<title>\n  Élodie   Martin — photos </title><svg><title>not this</title></svg>", options);
  EXPECT_EQ(page.title, "Élodie Ma");
  EXPECT_TRUE(Extract("<p>untitled").title.empty());
}

TEST(HtmlExtractorTest, LinksAreHttpDedupedAndInOrder) {
  ExtractedPage page = Extract(
      "<a href='b.html#top'>b</a><a href='mailto:x@example.com'>m</a><a href=b.html>again</a>"
      "<map><area href='/c'></map><iframe src='https://Video.Example/embed'></iframe>"
      "<link rel='alternate' hreflang=fr href='/fr/'><link rel=stylesheet href=s.css>"
      "<link rel=next href='?page=2'><a href='javascript:go()'>j</a>");
  EXPECT_THAT(page.links, ElementsAre("http://example.com/dir/b.html", "http://example.com/c",
                                      "https://video.example/embed", "http://example.com/fr/",
                                      "http://example.com/dir/page.html?page=2"));
}

TEST(HtmlExtractorTest, IconsAreImagesAndStyleSheetsAreListed) {
  ExtractedPage page = Extract(
      "<link rel='shortcut icon' href='/favicon.ico'><link rel=apple-touch-icon href=me.png>"
      "<link rel=stylesheet href='/a.css'><link rel='alternate stylesheet' href='b.css'>"
      "<link rel=stylesheet href='/a.css'>");
  ASSERT_EQ(page.images.size(), 2u);
  EXPECT_EQ(page.images[0].kind, "link_icon");
  EXPECT_EQ(page.images[0].url, "http://example.com/favicon.ico");
  EXPECT_EQ(page.images[1].url, "http://example.com/dir/me.png");
  EXPECT_THAT(page.stylesheets,
              ElementsAre("http://example.com/a.css", "http://example.com/dir/b.css"));
}

// A crawler follows <meta http-equiv=refresh> like a redirect; the HTML
// standard's parsing accepts "N; url=X", "N;X", "N, URL = 'X'" and no URL.
TEST(HtmlExtractorTest, MetaRefreshTargetsAreLinks) {
  ExtractedPage page = Extract(
      "<meta http-equiv=Refresh content='0; url=/moved/a.html'>"
      "<meta http-equiv=refresh content='5;b.html'>"
      "<meta http-equiv=REFRESH content=\"3 , URL = 'c.html?x=1' \">"
      "<meta http-equiv=refresh content='30'>");
  EXPECT_THAT(page.links, ElementsAre("http://example.com/moved/a.html",
                                      "http://example.com/dir/b.html",
                                      "http://example.com/dir/c.html?x=1"));
}

TEST(HtmlExtractorTest, MetaRobotsGenericAndPerBot) {
  ExtractedPage page = Extract(
      "<meta name=ROBOTS content='NoIndex, , noimageindex '>"
      "<meta name=googlebot content='max-image-preview:none'>"
      "<meta name=viewport content='width=device-width'>");
  EXPECT_THAT(page.signals.meta_robots,
              ElementsAre("noindex", "noimageindex", "googlebot:max-image-preview:none"));
  EXPECT_THAT(Extract("<p>no meta").signals.meta_robots, IsEmpty());
}

TEST(HtmlExtractorTest, MetaRobotsForTheCallersOwnToken) {
  ExtractOptions options;
  options.robots_meta_bots = {"scrapewatch"};
  ExtractedPage page = Extract(
      "<meta name=ScrapeWatch content=noimageindex><meta name=googlebot content=noindex>", options);
  EXPECT_THAT(page.signals.meta_robots, ElementsAre("scrapewatch:noimageindex"));
}

TEST(HtmlExtractorTest, ContextIsBoundedInCodePoints) {
  ExtractOptions options;
  options.max_context_chars = 4;
  ExtractedPage page = Extract("<img src=a.jpg alt='Zoë Ng' title='\xff\xfe ok'>", options);
  ASSERT_EQ(page.images.size(), 1u);
  EXPECT_EQ(page.images[0].alt, "Zoë");
  // Invalid UTF-8 reaches us as U+FFFD, never as stray bytes.
  EXPECT_EQ(page.images[0].title, "\uFFFD\uFFFD o");
}

// --- The html/ corpus against its oracle -------------------------------------

const std::string kCorpusDir = SCRAPEWATCH_SHARED_DIR "/corpus/html/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Python's urljoin leaves spaces and non-ASCII as written while curl
// percent-encodes them, and it keeps fragments; canonicalising the expected
// URL with the same function the extractor uses compares the resources.
std::string Canonical(const std::string& url) {
  absl::StatusOr<std::string> canonical = CanonicalizeUrl(url);
  return canonical.ok() ? *canonical : url;
}

// Python's urljoin also drops empty path segments of a relative reference
// ("a//b" -> "a/b"), which RFC 3986, browsers and curl keep.
std::string CollapseEmptySegments(const std::string& url) {
  size_t path = url.find('/', url.find("://") + 3);
  size_t path_end = std::min(url.find_first_of("?#", path), url.size());
  if (path >= path_end) return url;
  std::string collapsed = url.substr(0, path);
  for (size_t i = path; i < path_end; ++i) {
    if (url[i] != '/' || collapsed.back() != '/') collapsed.push_back(url[i]);
  }
  return collapsed + url.substr(path_end);
}

std::string AsIs(const std::string& url) { return url; }

// Pages where the oracle's URLs are not what a correct resolver produces.
// They are compared after CollapseEmptySegments on both sides, and must
// differ without it, so that the list cannot go stale.
const std::map<std::string, std::string> kUrljoinQuirkPages = {
    {"msn.html",
     "14 data-src values are JSON such as {\"default\":\"//img-s-msn-com...\"}, a relative "
     "path with '//' in it that urljoin collapses to '/'"},
};

using Normaliser = std::string (*)(const std::string&);

// The page's image references as "kind url" lines in document order; data:
// URIs as "kind data:" (their labels are unit-tested above).
std::vector<std::string> OracleItems(const nlohmann::json& want, Normaliser normalise) {
  std::vector<std::string> items;
  for (const auto& item : want["items"]) {
    std::string url = item["url"].get<std::string>();
    url = url.starts_with("data:") ? "data:" : normalise(Canonical(url));
    items.push_back(item["kind"].get<std::string>() + " " + url);
  }
  return items;
}

std::vector<std::string> ExtractedItems(const ExtractedPage& page, Normaliser normalise) {
  std::vector<std::string> items;
  for (const ImageRef& image : page.images) {
    items.push_back(image.kind + " " + (image.is_data_uri ? "data:" : normalise(image.url)));
  }
  return items;
}

std::set<std::string> OracleUrls(const nlohmann::json& want, Normaliser normalise) {
  std::set<std::string> urls;
  for (const auto& url : want["unique_urls"]) {
    urls.insert(normalise(Canonical(url.get<std::string>())));
  }
  return urls;
}

std::set<std::string> ExtractedUrls(const ExtractedPage& page, Normaliser normalise) {
  std::set<std::string> urls;
  for (const ImageRef& image : page.images) {
    if (!image.is_data_uri) urls.insert(normalise(image.url));
  }
  return urls;
}

// The kinds the oracle counts (corpus/README.md), which must match it
// exactly, and the kinds the extractor collects beyond them
// (html_extractor.h), whose URLs the oracle's unique_urls need not hold.
const std::set<std::string> kOracleKinds = {
    "img_src",       "img_srcset",    "picture_source_srcset", "data_src",
    "data_srcset",   "data_lazy_src", "data_original",         "meta_og_image",
    "meta_twitter_image", "link_image_src", "video_poster",    "style_url",
};
const std::set<std::string> kNonOracleKinds = {
    "link_preload_image", "jsonld_image",     "style_block_url",  "data_bg",
    "data_background",    "data_background_image", "data_bgset",  "data_src_bg",
    "data_lazy",          "data_hi_res_src",  "data_full_src",    "data_orig_file",
    "data_medium_file",   "data_large_file",  "data_zoom_image",  "data_thumb",
    "data_img",           "video_thumbnail",  "video_embed",      "link_icon",
};

// The page with only the references of the kinds the oracle counts.
ExtractedPage OracleKindsOnly(ExtractedPage page) {
  std::erase_if(page.images,
                [](const ImageRef& image) { return !kOracleKinds.contains(image.kind); });
  return page;
}

std::map<std::string, int> KindCounts(const ExtractedPage& page) {
  std::map<std::string, int> counts;
  for (const ImageRef& image : page.images) ++counts[image.kind];
  return counts;
}

struct UrlDiff {
  std::vector<std::string> missing;  // expected, not extracted
  std::vector<std::string> extra;    // extracted, not expected
  bool empty() const { return missing.empty() && extra.empty(); }
};

UrlDiff Diff(const std::set<std::string>& want, const std::set<std::string>& got) {
  UrlDiff diff;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(diff.missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(diff.extra));
  return diff;
}

// URLs the extractor reports beyond the oracle's unique_urls, per kind:
// distinct per page, and how many of them the oracle's extra_items list.
struct Extras {
  std::map<std::string, int> urls;
  std::map<std::string, int> in_extra_items;
};

struct Tally {
  size_t pages = 0;
  size_t exact_pages = 0;
  size_t expected_urls = 0;
  size_t extracted_urls = 0;
  size_t matched_urls = 0;
  size_t recalled_urls = 0;  // with every kind, after quirk normalisation
  Extras extras;
};

// Every URL the full extraction reports that the oracle does not count must
// come from a non-oracle kind; counts them into `extras`.
void CheckExtras(const ExtractedPage& page, const nlohmann::json& want, Normaliser normalise,
                 Extras& extras) {
  std::set<std::string> oracle_urls = OracleUrls(want, normalise);
  std::set<std::string> extra_items;
  for (const auto& item : want["extra_items"]) {
    extra_items.insert(normalise(Canonical(item["url"].get<std::string>())));
  }
  std::set<std::pair<std::string, std::string>> seen;  // (kind, url)
  for (const ImageRef& image : page.images) {
    EXPECT_TRUE(kOracleKinds.contains(image.kind) || kNonOracleKinds.contains(image.kind))
        << "undocumented kind " << image.kind;
    std::string url = normalise(image.url);
    if (image.is_data_uri || oracle_urls.contains(url)) continue;
    bool explained = kNonOracleKinds.contains(image.kind) || extra_items.contains(url);
    EXPECT_TRUE(explained) << image.kind << " " << url << " is neither counted nor explained";
    if (!seen.insert({image.kind, url}).second) continue;
    ++extras.urls[image.kind];
    if (extra_items.contains(url)) ++extras.in_extra_items[image.kind];
  }
}

// Compares one page: the references of the oracle's kinds exactly (URL sets
// and counts as the corpus README asks, and the whole item sequence of kind,
// URL and document order, because it matches too); then recall and the
// extras of the full extraction.
void CheckPage(const std::string& name, const nlohmann::json& want, Tally& tally) {
  std::string html = ReadFile(kCorpusDir + name);
  ASSERT_FALSE(html.empty());
  absl::StatusOr<ExtractedPage> full = ExtractPage(html, want["page_url"].get<std::string>());
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_THAT(full->warnings, IsEmpty());
  ExtractedPage page = OracleKindsOnly(*full);
  ++tally.pages;

  auto want_counts = want["counts"].get<std::map<std::string, int>>();
  EXPECT_EQ(KindCounts(page), want_counts);
  UrlDiff exact = Diff(OracleUrls(want, AsIs), ExtractedUrls(page, AsIs));
  Normaliser normalise = AsIs;
  if (auto quirk = kUrljoinQuirkPages.find(name); quirk != kUrljoinQuirkPages.end()) {
    SCOPED_TRACE(quirk->second);
    EXPECT_FALSE(exact.empty()) << "matches exactly now; drop it from kUrljoinQuirkPages";
    normalise = CollapseEmptySegments;
  }
  UrlDiff diff = Diff(OracleUrls(want, normalise), ExtractedUrls(page, normalise));
  EXPECT_THAT(diff.missing, IsEmpty());
  EXPECT_THAT(diff.extra, IsEmpty());
  EXPECT_EQ(ExtractedItems(page, normalise), OracleItems(want, normalise));

  UrlDiff recall = Diff(OracleUrls(want, normalise), ExtractedUrls(*full, normalise));
  EXPECT_THAT(recall.missing, IsEmpty());
  CheckExtras(*full, want, normalise, tally.extras);

  if (exact.empty() && KindCounts(page) == want_counts) ++tally.exact_pages;
  size_t expected_urls = want["unique_urls"].size();
  tally.expected_urls += expected_urls;
  tally.extracted_urls += ExtractedUrls(page, AsIs).size();
  tally.matched_urls += expected_urls - exact.missing.size();
  tally.recalled_urls += expected_urls - recall.missing.size();
}

void PrintExtras(const Extras& extras) {
  int total = 0;
  std::cout << "extras (URLs beyond the oracle's unique_urls, distinct per page), by kind:\n";
  for (const auto& [kind, count] : extras.urls) {
    auto listed = extras.in_extra_items.find(kind);
    std::cout << "  " << kind << " " << count;
    if (listed != extras.in_extra_items.end()) {
      std::cout << " (" << listed->second << " in the oracle's extra_items)";
    }
    std::cout << "\n";
    total += count;
  }
  std::cout << "  total " << total << "\n";
}

TEST(HtmlExtractorCorpusTest, MatchesOracleOnEveryPage) {
  std::ifstream expected_file(kCorpusDir + "expected.json");
  ASSERT_TRUE(expected_file) << "cannot open " << kCorpusDir << "expected.json";
  nlohmann::json expected =
      nlohmann::json::parse(expected_file, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(expected.is_discarded());

  Tally tally;
  for (const auto& [name, want] : expected.items()) {
    SCOPED_TRACE(name);
    CheckPage(name, want, tally);
  }
  EXPECT_EQ(tally.pages, expected.size());
  EXPECT_EQ(tally.recalled_urls, tally.expected_urls);
  std::cout << "oracle: " << tally.exact_pages << "/" << tally.pages
            << " pages match exactly; URL precision " << tally.matched_urls << "/"
            << tally.extracted_urls << ", recall " << tally.matched_urls << "/"
            << tally.expected_urls << " before quirk normalisation (oracle kinds only)\n"
            << "recall with every kind, after quirk normalisation: " << tally.recalled_urls
            << "/" << tally.expected_urls << "\n";
  PrintExtras(tally.extras);
}

}  // namespace
}  // namespace scrapewatch::crawler
