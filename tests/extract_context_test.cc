// Tests for the context ExtractPage keeps with each image (caption, link,
// nearby text, names), the people a page names, and the opt-out signals in
// its markup (robots and TDMRep meta tags).
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html_extractor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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

// The only image of `html`.
ImageRef OnlyImage(std::string_view html, const ExtractOptions& options = {}) {
  ExtractedPage page = Extract(html, options);
  EXPECT_EQ(page.images.size(), 1u);
  return page.images.empty() ? ImageRef{} : page.images[0];
}

TEST(ExtractContextTest, CaptionOfTheEnclosingFigure) {
  ImageRef image = OnlyImage(
      "<figure><picture><img src=a.jpg alt=A></picture>"
      "<figcaption>  Jane Doe at the\n march, 2019 </figcaption></figure>");
  EXPECT_EQ(image.caption, "Jane Doe at the march, 2019");
  EXPECT_TRUE(OnlyImage("<div><img src=a.jpg></div><figcaption>stray</figcaption>").caption.empty());
}

TEST(ExtractContextTest, EnclosingLink) {
  ImageRef image = OnlyImage(
      "<a href='/people/jane'><span><img src=a.jpg></span> Jane <b>Doe</b></a>");
  EXPECT_EQ(image.link_url, "http://example.com/people/jane");
  EXPECT_EQ(image.link_text, "Jane Doe");
  ImageRef script_link = OnlyImage("<a href='javascript:zoom()'>zoom <img src=a.jpg></a>");
  EXPECT_EQ(script_link.link_url, "");
  EXPECT_EQ(script_link.link_text, "zoom");
  EXPECT_TRUE(OnlyImage("<a name=anchor><img src=a.jpg></a>").link_text.empty());
}

TEST(ExtractContextTest, NearbyTextOfTheClosestBlock) {
  ExtractedPage page = Extract(
      "<article><h2>Team</h2><div class=card><span><img src=a.jpg></span>"
      "<p>Jane\tDoe</p><p>Head   of <em>research</em></p><script>var x;</script></div>"
      "<img src=b.jpg></article><img src=c.jpg>");
  ASSERT_EQ(page.images.size(), 3u);
  EXPECT_EQ(page.images[0].nearby_text, "Jane Doe Head of research");
  EXPECT_EQ(page.images[1].nearby_text, "Team Jane Doe Head of research");
  EXPECT_EQ(page.images[2].nearby_text, "");
}

TEST(ExtractContextTest, EveryContextFieldIsBounded) {
  ExtractOptions options;
  options.max_context_chars = 5;
  std::string long_text = "Zoë Ngozi Adichie";
  ImageRef image = OnlyImage(
      "<figure><a href=x.html itemscope itemtype=https://schema.org/Person>"
      "<img srcset=a.jpg alt='" + long_text + "' title='" + long_text + "' sizes='100vw, 50vw'>"
      "<span itemprop=name>" + long_text + "</span></a><figcaption>" + long_text +
      "</figcaption></figure>",
      options);
  EXPECT_EQ(image.alt, "Zoë N");
  EXPECT_EQ(image.title, "Zoë N");
  EXPECT_EQ(image.sizes, "100vw");
  EXPECT_EQ(image.caption, "Zoë N");
  EXPECT_EQ(image.link_text, "Zoë N");
  EXPECT_EQ(image.nearby_text, "Zoë N");
  EXPECT_THAT(image.names, ElementsAre("Zoë N"));
}

TEST(ExtractNamesTest, JsonLdPersons) {
  ExtractedPage page = Extract(
      "<script type=application/ld+json>{\"@type\": \"NewsArticle\", \"image\": \"lead.jpg\", "
      "\"author\": {\"@type\": \"Person\", \"name\": \"Ada Lovelace\", \"image\": \"ada.jpg\"}}"
      "</script><script type='application/ld+json'>[{\"@type\": \"Person\", "
      "\"name\": \"Ada Lovelace\"}, {\"@type\": \"Person\", \"name\": \"Alan Turing\"}]</script>");
  EXPECT_THAT(page.people, ElementsAre("Ada Lovelace", "Alan Turing"));
  ASSERT_EQ(page.images.size(), 2u);
  EXPECT_THAT(page.images[0].names, IsEmpty());
  EXPECT_THAT(page.images[1].names, ElementsAre("Ada Lovelace"));
}

TEST(ExtractNamesTest, MicrodataPerson) {
  ExtractedPage page = Extract(
      "<div itemscope itemtype='http://schema.org/Person'><div><img src=p.jpg itemprop=image></div>"
      "<h3 itemprop=name> Grace  Hopper </h3><meta itemprop=name content='Amazing Grace'>"
      "<div itemprop=affiliation itemscope itemtype=https://schema.org/Organization>"
      "<span itemprop=name>US Navy</span></div></div>"
      "<div itemscope itemtype=https://schema.org/Product><span itemprop=name>Widget</span></div>");
  EXPECT_THAT(page.people, ElementsAre("Grace Hopper", "Amazing Grace"));
  ASSERT_EQ(page.images.size(), 1u);
  EXPECT_THAT(page.images[0].names, ElementsAre("Grace Hopper", "Amazing Grace"));
}

TEST(ExtractNamesTest, RelAuthorLinkText) {
  ExtractedPage page = Extract(
      "<article><p>By <a rel='author external' href=/u/jd>By Jane Doe</a></p>"
      "<img src=a.jpg></article><img src=b.jpg><link rel=author href=/humans.txt>");
  EXPECT_THAT(page.people, ElementsAre("Jane Doe"));
  ASSERT_EQ(page.images.size(), 2u);
  EXPECT_THAT(page.images[0].names, ElementsAre("Jane Doe"));
  EXPECT_THAT(page.images[1].names, IsEmpty());
}

TEST(ExtractNamesTest, HCards) {
  ExtractedPage page = Extract(
      "<div class='h-card'><div class=photo><img class=u-photo src=a.jpg></div>"
      "<div><a class='p-name u-url' href=/a>Alice Liddell</a></div></div>"
      "<ul><li class='vcard'><img src=b.jpg class=photo><cite class=fn>Bob Dylan</cite></li>"
      "<li>Comment by <a class=h-card href=/c>Carol Danvers</a></li></ul>"
      "<table class='infobox vcard'><tr><td class='fn org'>Mozilla</td></tr></table>");
  EXPECT_THAT(page.people, ElementsAre("Alice Liddell", "Bob Dylan", "Carol Danvers"));
  ASSERT_EQ(page.images.size(), 2u);
  // Alice's name is outside the photo's block, but the card holds both.
  EXPECT_THAT(page.images[0].names, ElementsAre("Alice Liddell"));
  EXPECT_THAT(page.images[1].names, ElementsAre("Bob Dylan"));
}

TEST(ExtractNamesTest, ScopeIsFigureElseArticleElseBlock) {
  ExtractedPage page = Extract(
      "<article><p><a rel=author href=/a>Author One</a></p>"
      "<figure><img src=fig.jpg><figcaption><span class=h-card>Pictured Person</span>"
      "</figcaption></figure><div><img src=art.jpg></div></article>"
      "<div><img src=block.jpg><a rel=author href=/b>Block Author</a></div>");
  ASSERT_EQ(page.images.size(), 3u);
  EXPECT_THAT(page.images[0].names, ElementsAre("Pictured Person"));
  EXPECT_THAT(page.images[1].names, ElementsAre("Author One", "Pictured Person"));
  EXPECT_THAT(page.images[2].names, ElementsAre("Block Author"));
}

TEST(ExtractNamesTest, NamesAreDeduplicatedAndBounded) {
  ExtractOptions options;
  options.max_names = 2;
  ExtractedPage page = Extract(
      "<div><img src=a.jpg><a rel=author href=1>Ann</a><a rel=author href=2>Ann</a>"
      "<a rel=author href=3>Ben</a><a rel=author href=4>Cat</a></div>",
      options);
  EXPECT_THAT(page.people, ElementsAre("Ann", "Ben"));
  ASSERT_EQ(page.images.size(), 1u);
  EXPECT_THAT(page.images[0].names, ElementsAre("Ann", "Ben"));
}

TEST(ExtractSignalsTest, RobotsDirectivesAreLowerCased) {
  ExtractedPage page = Extract(
      "<meta name='Robots' content='NOINDEX, NoImageIndex,noAI , NOIMAGEAI'>"
      "<meta name=googlebot-image content=None>");
  EXPECT_THAT(page.signals.meta_robots,
              ElementsAre("noindex", "noimageindex", "noai", "noimageai", "googlebot-image:none"));
}

TEST(ExtractSignalsTest, TdmRepMetaTags) {
  ExtractedPage page = Extract(
      "<meta name='TDM-Reservation' content=' 1 '><meta name=tdm-reservation content=0>"
      "<base href='https://cdn.example/'><meta name=tdm-policy content='/policy.json'>");
  EXPECT_EQ(page.signals.tdm_reservation, true);
  EXPECT_EQ(page.signals.tdm_policy, "https://cdn.example/policy.json");

  EXPECT_EQ(Extract("<meta name=tdm-reservation content=0>").signals.tdm_reservation, false);
  ExtractedPage none = Extract(
      "<meta name=tdm-reservation content=yes><meta name=tdm-policy content='javascript:x'>");
  EXPECT_FALSE(none.signals.tdm_reservation.has_value());
  EXPECT_EQ(none.signals.tdm_policy, "");
}

}  // namespace
}  // namespace scrapewatch::crawler
