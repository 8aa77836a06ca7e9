// Tests for the image reference kinds beyond the corpus oracle's
// (crawler/html_extractor.h): preload links, JSON-LD, <style> blocks, lazy
// attributes on any element, and video embeds; and for the parsers behind
// them (jsonld.h, css_url.h, video_embed.h).
#include <string>
#include <string_view>
#include <vector>

#include "crawler/css_url.h"
#include "crawler/html_extractor.h"
#include "crawler/jsonld.h"
#include "crawler/video_embed.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPage[] = "http://example.com/dir/page.html";

ExtractedPage Extract(std::string_view html) {
  absl::StatusOr<ExtractedPage> page = ExtractPage(html, kPage);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : ExtractedPage{};
}

// "kind url" for each reference.
std::vector<std::string> Refs(const ExtractedPage& page) {
  std::vector<std::string> refs;
  for (const ImageRef& image : page.images) refs.push_back(image.kind + " " + image.url);
  return refs;
}

std::string JsonLd(std::string_view json) {
  return "<script type='application/ld+json'>" + std::string(json) + "</script>";
}

TEST(ExtractKindsTest, PreloadLinkHrefAndImagesrcset) {
  ExtractedPage page = Extract(
      "<link rel='preload' as='Image' href='hero.jpg' imagesrcset='h1.jpg 1x, h2.jpg 2x' "
      "imagesizes='100vw'><link rel=preload as=style href=s.css>"
      "<link rel=preload as=image imagesrcset='only.webp 400w'>");
  EXPECT_THAT(Refs(page), ElementsAre("link_preload_image http://example.com/dir/hero.jpg",
                                      "link_preload_image http://example.com/dir/h1.jpg",
                                      "link_preload_image http://example.com/dir/h2.jpg",
                                      "link_preload_image http://example.com/dir/only.webp"));
  EXPECT_EQ(page.images[0].sizes, "");
  EXPECT_EQ(page.images[1].sizes, "100vw");
}

TEST(ExtractKindsTest, JsonLdImagesInEveryShape) {
  ExtractedPage page = Extract(JsonLd(R"({
      "@context": "https://schema.org",
      "@graph": [
        {"@type": "NewsArticle", "image": ["/a1.jpg", {"@type": "ImageObject", "url": "a2.jpg"}],
         "thumbnailUrl": "t.jpg",
         "publisher": {"@type": "Organization", "logo": {"url": "logo.png", "contentUrl": "l2.png"}}},
        {"@type": "ImageObject", "contentUrl": "photo.jpg", "url": "photo-page.jpg"},
        {"@type": "VideoObject", "contentUrl": "clip.mp4", "thumbnailUrl": ["v.jpg"]}
      ]})"));
  EXPECT_THAT(Refs(page), ElementsAre("jsonld_image http://example.com/a1.jpg",
                                      "jsonld_image http://example.com/dir/a2.jpg",
                                      "jsonld_image http://example.com/dir/t.jpg",
                                      "jsonld_image http://example.com/dir/logo.png",
                                      "jsonld_image http://example.com/dir/l2.png",
                                      "jsonld_image http://example.com/dir/photo.jpg",
                                      "jsonld_image http://example.com/dir/photo-page.jpg",
                                      "jsonld_image http://example.com/dir/v.jpg"));
}

TEST(ExtractKindsTest, InvalidJsonLdIsSkipped) {
  ExtractedPage page = Extract(JsonLd(R"({"image": "a.jpg",})") + JsonLd("") +
                               JsonLd(R"({"image": "ok.jpg"})") +
                               "<script type=application/json>{\"image\": \"no.jpg\"}</script>");
  EXPECT_THAT(Refs(page), ElementsAre("jsonld_image http://example.com/dir/ok.jpg"));
  EXPECT_THAT(page.warnings, IsEmpty());
}

TEST(JsonLdTest, StripsCommentAndCdataWrappers) {
  JsonLdFacts facts = ParseJsonLd("\n  //<![CDATA[\n {\"image\": \"a.jpg\"}\n//]]>\n");
  EXPECT_TRUE(facts.valid);
  ASSERT_EQ(facts.images.size(), 1u);
  EXPECT_EQ(facts.images[0].url, "a.jpg");
  EXPECT_TRUE(ParseJsonLd("<!-- [\"x\"] -->").valid);
  EXPECT_FALSE(ParseJsonLd("{\"image\": ").valid);
}

TEST(JsonLdTest, PeopleAndTheirImages) {
  JsonLdFacts facts = ParseJsonLd(R"({
      "@type": "Article", "image": "article.jpg",
      "author": [{"@type": "Person", "name": " Ada Lovelace ", "image": {"url": "ada.jpg"}},
                 {"@type": ["Thing", "schema:Person"], "givenName": "Alan", "familyName": "Turing"},
                 {"@type": "Organization", "name": "Not A Person"}],
      "creator": {"@type": "http://schema.org/Person", "name": ["Grace Hopper", "G. Hopper"]}})");
  EXPECT_THAT(facts.people, ElementsAre("Ada Lovelace", "Alan Turing", "Grace Hopper"));
  ASSERT_EQ(facts.images.size(), 2u);
  EXPECT_THAT(facts.images[0].names, IsEmpty());
  EXPECT_EQ(facts.images[1].url, "ada.jpg");
  EXPECT_THAT(facts.images[1].names, ElementsAre("Ada Lovelace"));
}

TEST(JsonLdTest, DeepNestingIsBoundedNotFatal) {
  std::string deep = std::string(100000, '[') + "\"x\"" + std::string(100000, ']');
  EXPECT_TRUE(ParseJsonLd(deep).valid);
  std::string deep_images;
  for (int i = 0; i < 100; ++i) deep_images += "{\"image\": ";
  deep_images += "\"deep.jpg\"" + std::string(100, '}');
  EXPECT_THAT(ParseJsonLd(deep_images).images, IsEmpty());
}

TEST(CssUrlTest, StylesheetSkipsImportsFontsAndComments) {
  EXPECT_THAT(CssStylesheetUrls("@import url(a.css); /* url(c.png) */ .x{background:url(b.png)}"
                                "@font-face{font-family:F;src:url(f.woff2)} "
                                ".y::after{content:'/*';background:URL( \"d.jpg\" )}"),
              ElementsAre("b.png", "d.jpg"));
}

TEST(ExtractKindsTest, StyleBlockUrls) {
  ExtractedPage page = Extract(
      "<style>@import 'x.css'; .hero{background-image:url('/hero.jpg')} "
      "@font-face{src:url(font.woff)} .i{background:url(data:image/png;base64,AA==)}</style>");
  EXPECT_THAT(Refs(page), ElementsAre("style_block_url http://example.com/hero.jpg",
                                      "style_block_url data:image/png"));
  EXPECT_TRUE(page.images[1].is_data_uri);
}

TEST(ExtractKindsTest, LazyAttributesOnAnyElement) {
  ExtractedPage page = Extract(
      "<div data-bg='bg.jpg' data-background=\"url('b2.jpg')\" title='Hero'></div>"
      "<section data-background-image='b3.jpg' data-bgset='s1.jpg 1x [(min-width: 800px)] | "
      "s2.jpg 400w, s3.jpg 800w'></section>"
      "<img src=a.jpg data-hi-res-src=hi.jpg data-lazy=l.jpg data-full-src=full.jpg "
      "data-orig-file=o.jpg data-medium-file=m.jpg data-large-file=L.jpg>"
      "<a href=g.html data-thumb=th.jpg data-img=big.jpg data-zoom-image=z.jpg "
      "data-src-bg=sb.jpg data-src=not-an-image.html>g</a>");
  EXPECT_THAT(
      Refs(page),
      ElementsAre("data_bg http://example.com/dir/bg.jpg", "data_background http://example.com/dir/b2.jpg",
                  "data_background_image http://example.com/dir/b3.jpg",
                  "data_bgset http://example.com/dir/s1.jpg", "data_bgset http://example.com/dir/s2.jpg",
                  "data_bgset http://example.com/dir/s3.jpg", "img_src http://example.com/dir/a.jpg",
                  "data_lazy http://example.com/dir/l.jpg", "data_hi_res_src http://example.com/dir/hi.jpg",
                  "data_full_src http://example.com/dir/full.jpg",
                  "data_orig_file http://example.com/dir/o.jpg",
                  "data_medium_file http://example.com/dir/m.jpg",
                  "data_large_file http://example.com/dir/L.jpg",
                  "data_src_bg http://example.com/dir/sb.jpg",
                  "data_zoom_image http://example.com/dir/z.jpg",
                  "data_thumb http://example.com/dir/th.jpg", "data_img http://example.com/dir/big.jpg"));
  EXPECT_EQ(page.images[0].title, "Hero");
}

TEST(ExtractKindsTest, SizesIsContextNotAUrl) {
  ExtractedPage page = Extract(
      "<img srcset='a.jpg 300w, b.jpg 600w' sizes='(max-width: 600px) 100vw, 600px'>");
  ASSERT_EQ(page.images.size(), 2u);
  EXPECT_EQ(page.images[0].sizes, "(max-width: 600px) 100vw, 600px");
  EXPECT_THAT(Refs(page), ElementsAre("img_srcset http://example.com/dir/a.jpg",
                                      "img_srcset http://example.com/dir/b.jpg"));
}

TEST(VideoEmbedTest, YouTubeThumbnails) {
  const std::string thumb = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg";
  for (std::string_view embed : {"https://www.youtube.com/embed/dQw4w9WgXcQ?autoplay=1",
                                 "https://youtube-nocookie.com/embed/dQw4w9WgXcQ",
                                 "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ/",
                                 "https://youtu.be/dQw4w9WgXcQ#t=3"}) {
    std::optional<VideoImage> image = VideoImageForEmbed(embed);
    ASSERT_TRUE(image.has_value()) << embed;
    EXPECT_EQ(image->url, thumb);
    EXPECT_EQ(image->kind, "video_thumbnail");
    EXPECT_TRUE(image->fetchable);
  }
  EXPECT_FALSE(VideoImageForEmbed("https://www.youtube.com/embed/videoseries?list=PL1"));
  EXPECT_FALSE(VideoImageForEmbed("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
  EXPECT_FALSE(VideoImageForEmbed("https://evil.example/embed/dQw4w9WgXcQ"));
  EXPECT_FALSE(VideoImageForEmbed("https://youtube.com.evil.example/embed/dQw4w9WgXcQ"));
}

TEST(VideoEmbedTest, VimeoIsRecordedButNotFetchable) {
  std::optional<VideoImage> image = VideoImageForEmbed("https://player.vimeo.com/video/76979871?h=1");
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->kind, "video_embed");
  EXPECT_EQ(image->url, "https://player.vimeo.com/video/76979871?h=1");
  EXPECT_FALSE(image->fetchable);
  EXPECT_FALSE(VideoImageForEmbed("https://player.vimeo.com/video/abc"));
}

TEST(ExtractKindsTest, VideoEmbedsInIframes) {
  ExtractedPage page = Extract(
      "<iframe src='//www.youtube.com/embed/dQw4w9WgXcQ' title='Launch video'></iframe>"
      "<iframe src='about:blank' data-src='https://player.vimeo.com/video/76979871'></iframe>"
      "<iframe src='https://maps.example/embed'></iframe>"
      "<iframe src='data:text/html,<a href=https://youtu.be/dQw4w9WgXcQ>x</a>'></iframe>");
  EXPECT_THAT(Refs(page),
              ElementsAre("video_thumbnail https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
                          "video_embed https://player.vimeo.com/video/76979871"));
  EXPECT_EQ(page.images[0].title, "Launch video");
  EXPECT_TRUE(page.images[0].fetchable);
  EXPECT_FALSE(page.images[1].fetchable);
  EXPECT_FALSE(page.images[1].is_data_uri);
}

TEST(ExtractKindsTest, DataUrisKeepTheirLabelInNewKinds) {
  ExtractedPage page = Extract(
      "<div data-bg='data:image/svg+xml;utf8,<svg/>'></div>" +
      JsonLd(R"({"image": "data:image/jpeg;base64,/9j/"})") +
      "<link rel=preload as=image href='data:image/webp;base64,UklG'>");
  EXPECT_THAT(Refs(page), ElementsAre("data_bg data:image/svg+xml", "jsonld_image data:image/jpeg",
                                      "link_preload_image data:image/webp"));
  for (const ImageRef& image : page.images) EXPECT_TRUE(image.is_data_uri) << image.kind;
}

}  // namespace
}  // namespace scrapewatch::crawler
