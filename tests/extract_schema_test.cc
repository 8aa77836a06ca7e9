// Tests ExtractedPage::schema (crawler/extracted_page.h, schema_hints.h,
// jsonld.h): the schema.org statements about whom a page is for, from JSON-LD
// in any shape and from microdata, deduplicated and bounded; and that they
// reach the minors lexicon's "schema" field.
#include <string>
#include <string_view>

#include "crawler/html_extractor.h"
#include "detectors/minor_signals.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPage[] = "https://school.example/classes/3b.html";

SchemaHints Hints(std::string_view html) {
  absl::StatusOr<ExtractedPage> page = ExtractPage(html, kPage);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->schema : SchemaHints{};
}

std::string JsonLd(std::string_view json) {
  return "<script type='application/ld+json'>" + std::string(json) + "</script>";
}

TEST(ExtractSchemaTest, JsonLdTypesAgesAndAudienceAtAnyDepth) {
  SchemaHints hints = Hints(JsonLd(R"({
      "@context": "https://schema.org",
      "@graph": [
        {"@type": ["ElementarySchool", "LocalBusiness"], "name": "Pinewood Primary"},
        {"@type": "Event", "name": "Sports day", "typicalAgeRange": "6-11",
         "audience": {"@type": "PeopleAudience", "suggestedMinAge": 6, "suggestedMaxAge": 11.5,
                      "audienceType": ["children", "parents"]}},
        {"@type": "Course", "typicalAgeRange": "16-"}
      ]})"));
  EXPECT_THAT(hints.types,
              ElementsAre("ElementarySchool", "LocalBusiness", "Event", "PeopleAudience", "Course"));
  EXPECT_EQ(hints.typical_age_range, "6-11");  // the first one written
  EXPECT_EQ(hints.suggested_min_age, "6");
  EXPECT_EQ(hints.suggested_max_age, "11.5");
  EXPECT_THAT(hints.audience_types, ElementsAre("children", "parents"));
}

TEST(ExtractSchemaTest, MicrodataItemtypesAndProperties) {
  SchemaHints hints = Hints(
      "<div itemscope itemtype='https://schema.org/ChildCare https://schema.org/Preschool'>"
      "<span itemprop=name>Little Stars</span>"
      "<meta itemprop=typicalAgeRange content='0-6'>"
      "<div itemprop=audience itemscope itemtype=https://schema.org/PeopleAudience>"
      "<data itemprop=suggestedMinAge value=1>one</data>"
      "<span itemprop=suggestedMaxAge> 6 </span>"
      "<span itemprop=audienceType>toddlers</span></div></div>"
      "<p itemtype=https://schema.org/Person>no itemscope, no item</p>");
  EXPECT_THAT(hints.types, ElementsAre("https://schema.org/ChildCare", "https://schema.org/Preschool",
                                       "https://schema.org/PeopleAudience"));
  EXPECT_EQ(hints.typical_age_range, "0-6");
  EXPECT_EQ(hints.suggested_min_age, "1");
  EXPECT_EQ(hints.suggested_max_age, "6");
  EXPECT_THAT(hints.audience_types, ElementsAre("toddlers"));
}

TEST(ExtractSchemaTest, MicrodataAndJsonLdMergeWithoutDuplicates) {
  SchemaHints hints = Hints(
      "<div itemscope itemtype=School><meta itemprop=typicalAgeRange content='11-16'></div>" +
      JsonLd(R"({"@type": "School", "typicalAgeRange": "3-5", "audienceType": "pupils"})") +
      JsonLd(R"({"@type": "School", "audienceType": "pupils"})"));
  EXPECT_THAT(hints.types, ElementsAre("School"));
  EXPECT_EQ(hints.typical_age_range, "11-16");
  EXPECT_THAT(hints.audience_types, ElementsAre("pupils"));
}

TEST(ExtractSchemaTest, HostileMarkupIsBoundedOrIgnored) {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "<i itemscope itemtype=T" + std::to_string(i) + "></i>";
  SchemaHints hints = Hints(many + "<meta itemprop=typicalAgeRange content='" +
                            std::string(100000, '7') + "'>" +
                            JsonLd(R"({"@type": "School", "typicalAgeRange": )") +
                            JsonLd(R"({"@type": {"nested": "object"}, "typicalAgeRange": [1]})"));
  EXPECT_EQ(hints.types.size(), kMaxSchemaTypes);
  EXPECT_EQ(hints.types.front(), "T0");
  EXPECT_LE(hints.typical_age_range.size(), ExtractOptions{}.max_context_chars);
  EXPECT_EQ(Hints("<p>School</p>").types, std::vector<std::string>{});
  EXPECT_THAT(Hints(JsonLd("not json {")).types, IsEmpty());
}

// What extraction finds is what the minors lexicon reads: a school page's
// schema marks its photos, an employer's does not.
TEST(ExtractSchemaTest, ReachesTheMinorsLexicon) {
  absl::StatusOr<detectors::MinorLexicon> lexicon =
      detectors::MinorLexicon::Load(detectors::FindMinorLexicon(""));
  ASSERT_TRUE(lexicon.ok()) << lexicon.status();
  auto fires = [&](std::string_view html) {
    detectors::MinorTextSignals signals = lexicon->Match(
        {.image_url = "https://example.org/img/p1.jpg",
         .page_url = "https://example.org/news.html",
         .schema = Hints(html)});
    std::string fields;
    for (const detectors::TextEvidence& e : signals.evidence) fields += e.field + ":" + e.matched + " ";
    return signals.fires ? "fires " + fields : "quiet " + fields;
  };
  EXPECT_THAT(fires(JsonLd(R"({"@type": "Event", "typicalAgeRange": "5-11"})")),
              ::testing::StartsWith("fires schema:"));
  EXPECT_THAT(fires("<div itemscope itemtype=https://schema.org/ChildCare></div>"),
              ::testing::StartsWith("fires schema:"));
  EXPECT_THAT(fires(JsonLd(R"({"@type": ["Corporation", "LocalBusiness"]})")),
              ::testing::StartsWith("quiet"));
  EXPECT_THAT(fires(JsonLd(R"({"@type": "Event", "typicalAgeRange": "18-"})")),
              ::testing::StartsWith("quiet"));
}

}  // namespace
}  // namespace scrapewatch::crawler
