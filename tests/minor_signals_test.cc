// Tests detectors/minor_signals.h: the shipped lexicon (config/lexicons/
// minors.txt) against tables of contexts that must fire and precision cases
// that must not, per language; ages on both sides of 18, in digits and words;
// URL and schema.org words; the decision rule on a lexicon of the test's own;
// and the "file:line" errors of bad lexicons.
#include "detectors/minor_signals.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/scoped_env.h"

namespace scrapewatch::detectors {

// Printed when an expectation on evidence fails.
void PrintTo(const TextEvidence& e, std::ostream* os) {
  *os << "{" << e.field << ", \"" << e.matched << "\", " << e.rule << ", " << e.strength
      << (e.excluded_by.empty() ? "" : ", excluded by " + e.excluded_by) << "}";
}

namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kShippedLexicon[] = SCRAPEWATCH_SOURCE_DIR "/config/lexicons/minors.txt";

const MinorLexicon& Shipped() {
  static const MinorLexicon* lexicon = [] {
    absl::StatusOr<MinorLexicon> loaded = MinorLexicon::Load(FindMinorLexicon(kShippedLexicon));
    // Every test below needs it; stop at once with the reason.
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new MinorLexicon(*std::move(loaded));
  }();
  return *lexicon;
}

// One text placed in one field of an otherwise empty context.
struct Case {
  const char* field;  // an ImageTextContext member: "alt", ..., "image_url", "page_url"
  const char* text;
  // Must fire: words the reason quotes. Must not fire: words of a match that an
  // exclude entry must void, or "" when the lexicon must find no cue to void.
  const char* words;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.field << ": \"" << c.text << "\""; }

ImageTextContext ContextOf(const Case& c) {
  ImageTextContext context;
  const std::string field = c.field;
  std::string* target = field == "alt"           ? &context.alt
                        : field == "title"       ? &context.title
                        : field == "caption"     ? &context.caption
                        : field == "link_text"   ? &context.link_text
                        : field == "nearby_text" ? &context.nearby_text
                        : field == "image_url"   ? &context.image_url
                                                 : &context.page_url;
  *target = c.text;
  return context;
}

class MustFireTest : public ::testing::TestWithParam<Case> {};

TEST_P(MustFireTest, FiresQuotingTheCue) {
  MinorTextSignals signals = Shipped().Match(ContextOf(GetParam()));
  EXPECT_TRUE(signals.fires) << ::testing::PrintToString(signals.evidence);
  EXPECT_THAT(signals.reason, HasSubstr(absl::StrCat("\"", GetParam().words, "\"")));
}

class MustNotFireTest : public ::testing::TestWithParam<Case> {};

TEST_P(MustNotFireTest, DoesNotFire) {
  MinorTextSignals signals = Shipped().Match(ContextOf(GetParam()));
  EXPECT_FALSE(signals.fires) << signals.reason;
  EXPECT_EQ(signals.reason, "");
  if (*GetParam().words != '\0') {
    EXPECT_THAT(signals.evidence, Contains(AllOf(Field(&TextEvidence::matched, GetParam().words),
                                                 Field(&TextEvidence::excluded_by, Not(IsEmpty())))));
  }
}

// --- English ---
INSTANTIATE_TEST_SUITE_P(
    English, MustFireTest,
    ::testing::Values(Case{"alt", "Kids at our summer camp", "Kids"},
                      Case{"caption", "Children playing in the park", "Children"},
                      Case{"caption", "A 7-year-old at the science fair", "7-year-old"},
                      Case{"caption", "Seven-year-old Maya with her painting", "Seven-year-old"},
                      Case{"alt", "Toddler group, Tuesday mornings", "Toddler"},
                      Case{"alt", "Newborn photo shoot", "Newborn"},
                      Case{"caption", "Year 6 pupils on stage", "pupils"},
                      Case{"alt", "Our U12 squad after the final", "U12"},
                      Case{"caption", "Under-12s training session", "Under-12s"},
                      Case{"nearby_text", "5th graders on a field trip", "5th graders"},
                      Case{"caption", "Junior football team", "Junior"},
                      Case{"alt", "Boys and girls", "Boys"},
                      Case{"caption", "Year 3 class assembly", "Year 3"},
                      Case{"alt", "Teenagers at the skate park", "Teenagers"},
                      Case{"caption", "Ages 5–11 welcome", "Ages 5–11"},
                      Case{"alt", "A baby in a blue dress", "baby"},
                      Case{"link_text", "Cub Scouts at camp", "Cub Scouts"},
                      Case{"title", "Nursery school sports day", "Nursery school"}));

INSTANTIATE_TEST_SUITE_P(
    English, MustNotFireTest,
    ::testing::Values(Case{"alt", "School board meeting", ""},
                      Case{"caption", "Our school's new principal", ""},
                      Case{"page_url", "https://example.org/school-of-economics/", ""},
                      Case{"caption", "London School of Economics campus", ""},
                      Case{"caption", "Class of 2019 reunion", "Class"},
                      Case{"alt", "Junior developer at her desk", "Junior"},
                      Case{"alt", "Junior developer team meeting", "Junior"},
                      Case{"alt", "Baby blue dress", "Baby"},
                      Case{"caption", "Baby boomers at the town hall", "Baby"},
                      Case{"caption", "A 25-year-old teacher", ""},
                      Case{"caption", "A twenty-five-year-old nurse", "five-year-old"},
                      Case{"caption", "The 18-year-old student", ""},
                      Case{"caption", "Open to ages 16-25", "ages 16"},
                      Case{"caption", "Our 10-year-old company", "10-year-old"},
                      Case{"caption", "Whisky aged 12 years in oak casks", "aged 12"},
                      Case{"alt", "Family business since 1950", ""},
                      Case{"caption", "Boot camp fitness class", ""},
                      Case{"caption", "Grade 2 listed school building", "Grade 2"},
                      Case{"caption", "Talent scouts at the football match", "scouts"},
                      Case{"alt", "Dilated pupils", "pupils"},
                      Case{"caption", "Handle with kid gloves", "kid"},
                      Case{"caption", "Dinner for the family in under 10 minutes", "under 10"},
                      Case{"caption", "Summer camp for adults", ""},
                      Case{"caption", "A kind and generous man", ""},
                      Case{"caption", "Towards a kinder world", "kinder"}));

// --- French ---
INSTANTIATE_TEST_SUITE_P(
    French, MustFireTest,
    ::testing::Values(Case{"caption", "Léa, 7 ans, à l'école maternelle", "7 ans"},
                      Case{"caption", "Les enfants de la classe de CM2", "enfants"},
                      Case{"alt", "Sortie des élèves au musée", "élèves"},
                      Case{"alt", "Bébé au parc", "Bébé"},
                      Case{"caption", "Colonie de vacances 2023", "Colonie de vacances"},
                      Case{"caption", "Les louveteaux au camp", "louveteaux"},
                      Case{"caption", "Mon fils et son équipe de foot", "Mon fils"},
                      Case{"caption", "Inès a huit ans", "huit ans"},
                      Case{"caption", "Tom, dix-sept ans", "dix-sept ans"},
                      Case{"caption", "École de foot : les poussins", "poussins"},
                      Case{"alt", "ÉCOLE MATERNELLE JULES FERRY", "ÉCOLE MATERNELLE"},
                      Case{"caption", "Les ados du quartier", "ados"},
                      Case{"caption", "Fête de l'école : spectacle des maternelles",
                           "des maternelles"}));

INSTANTIATE_TEST_SUITE_P(
    French, MustNotFireTest,
    ::testing::Values(Case{"caption", "Réunion du conseil d'école", ""},
                      Case{"caption", "Il y a 7 ans, notre entreprise ouvrait", "7 ans"},
                      Case{"caption", "Depuis 10 ans à votre service", "10 ans"},
                      Case{"caption", "15 ans d'expérience", "15 ans"},
                      Case{"caption", "Marie, dix-huit ans", "huit ans"},
                      Case{"caption", "Jean, soixante-dix ans", "dix ans"},
                      Case{"caption", "Pierre, vingt-sept ans", "sept ans"},
                      Case{"caption", "Les anciens élèves de Polytechnique", "élèves"},
                      Case{"caption", "Élèves ingénieurs en stage", "Élèves"},
                      Case{"alt", "Beau gosse en costume", "gosse"},
                      Case{"caption", "La crèche de Noël de la cathédrale", "crèche"},
                      Case{"caption", "Jeunes diplômés au salon de l'emploi", "Jeunes"},
                      Case{"page_url", "https://example.org/ecole-de-commerce/", ""},
                      Case{"caption", "Il élève des moutons", ""}));

// --- German ---
INSTANTIATE_TEST_SUITE_P(
    German, MustFireTest,
    ::testing::Values(Case{"caption", "Die Kinder der Klasse 3b", "Kinder"},
                      Case{"caption", "Unser Kind im Kindergarten", "Unser Kind"},
                      Case{"alt", "Kita Sonnenschein: Sommerfest", "Kita"},
                      Case{"caption", "Schülerinnen und Schüler der Grundschule", "Schülerinnen"},
                      Case{"caption", "Die E-Jugend beim Turnier", "E-Jugend"},
                      Case{"caption", "Paul (7 Jahre alt)", "7 Jahre alt"},
                      Case{"caption", "Die 7-jährige Mia", "7-jährige"},
                      Case{"caption", "Der siebenjährige Jonas", "siebenjährige"},
                      Case{"caption", "Pfadfinder im Zeltlager", "Pfadfinder"},
                      Case{"alt", "Einschulungsfeier 2024", "Einschulungsfeier"},
                      Case{"caption", "Jugendliche im Jugendzentrum", "Jugendliche"},
                      Case{"image_url", "https://example.org/fotos/kinderfest-2024.jpg",
                           "kinderfest"}));

INSTANTIATE_TEST_SUITE_P(
    German, MustNotFireTest,
    ::testing::Values(Case{"caption", "Vor 7 Jahren gegründet", ""},
                      Case{"caption", "10-jähriges Firmenjubiläum", "10-jähriges"},
                      Case{"alt", "Jugendstil-Villa am See", "Jugendstil"},
                      Case{"caption", "Ehemalige Schüler beim Klassentreffen", "Schüler"},
                      Case{"caption", "Kinderarztpraxis Dr. Müller", "Kinderarztpraxis"},
                      Case{"caption", "Familie Kindermann", "Kindermann"},
                      Case{"caption", "Mit 18 Jahren zum Führerschein", ""},
                      Case{"caption", "Der neunzehnjährige Azubi", ""},
                      Case{"caption", "Schule und Verein", ""},
                      Case{"caption", "Sommerfest der Grundschule", ""}));

// --- Spanish ---
INSTANTIATE_TEST_SUITE_P(
    Spanish, MustFireTest,
    ::testing::Values(Case{"caption", "Los niños del colegio", "niños"},
                      Case{"alt", "Bebés en la guardería", "Bebés"},
                      Case{"caption", "Lucía, de siete años", "siete años"},
                      Case{"caption", "Equipo alevín de fútbol", "alevín"},
                      Case{"caption", "Campamento de verano: los alevines", "alevines"},
                      Case{"caption", "Sub-12 campeones de liga", "Sub-12"},
                      Case{"caption", "Fotos de menores de edad", "menores de edad"},
                      Case{"caption", "Nuestro hijo con su equipo", "hijo"},
                      Case{"caption", "Marta tiene diecisiete años", "diecisiete años"},
                      Case{"alt", "NIÑAS DE PRIMARIA", "NIÑAS"},
                      Case{"caption", "Excursión escolar de 3º de primaria", "3º de primaria"},
                      Case{"page_url", "https://example.org/escuela-infantil/fotos/",
                           "escuela infantil"}));

INSTANTIATE_TEST_SUITE_P(
    Spanish, MustNotFireTest,
    ::testing::Values(Case{"caption", "Hace 7 años abrimos la tienda", "7 años"},
                      Case{"caption", "15 años de experiencia", "15 años"},
                      Case{"caption", "Don Luis, treinta y siete años", "siete años"},
                      Case{"caption", "Colegio de Abogados de Madrid", ""},
                      Case{"caption", "Reunión de antiguos alumnos", "alumnos"},
                      Case{"caption", "Campamento base del Everest", ""},
                      Case{"caption", "Ana, 18 años", ""},
                      Case{"caption", "Bebe agua cada día", ""},
                      Case{"caption", "Récord sub-10 segundos", "sub-10"}));

// --- Italian ---
INSTANTIATE_TEST_SUITE_P(
    Italian, MustFireTest,
    ::testing::Values(Case{"caption", "bambini della scuola elementare", "bambini"},
                      Case{"caption", "Alunni della classe 3A", "Alunni"},
                      Case{"alt", "Asilo nido comunale", "Asilo nido"},
                      Case{"caption", "Marco, sette anni", "sette anni"},
                      Case{"caption", "Giulia ha 5 anni", "5 anni"},
                      Case{"caption", "Pulcini ed esordienti al torneo", "Pulcini"},
                      Case{"caption", "Scuola dell'infanzia Rodari", "Scuola dell'infanzia"},
                      Case{"caption", "I ragazzi della squadra", "ragazzi"},
                      Case{"caption", "Centro estivo per i nostri figli", "Centro estivo"},
                      Case{"caption", "Gita della quinta elementare", "quinta elementare"}));

INSTANTIATE_TEST_SUITE_P(
    Italian, MustNotFireTest,
    ::testing::Values(Case{"caption", "Sette anni fa", "Sette anni"},
                      Case{"caption", "Da dieci anni al vostro servizio", "dieci anni"},
                      Case{"caption", "Scuola di economia", ""},
                      Case{"caption", "Incontro degli ex alunni", "alunni"},
                      Case{"caption", "Richiesta di asilo politico", ""},
                      Case{"caption", "Francesca, diciotto anni", ""},
                      Case{"caption", "Giovani imprenditori", ""},
                      Case{"caption", "Classe dirigente", ""}));

// --- Dutch ---
INSTANTIATE_TEST_SUITE_P(
    Dutch, MustFireTest,
    ::testing::Values(Case{"caption", "kinderen van groep 5", "kinderen"},
                      Case{"caption", "Peuters op de peuterspeelzaal", "Peuters"},
                      Case{"caption", "Leerlingen van de basisschool", "Leerlingen"},
                      Case{"caption", "Sanne (7 jaar oud)", "7 jaar oud"},
                      Case{"caption", "De zevenjarige Daan", "zevenjarige"},
                      Case{"caption", "JO11 kampioen", "JO11"},
                      Case{"caption", "E-pupillen op het toernooi", "E-pupillen"},
                      Case{"caption", "Een kind op het schoolplein", "Een kind"},
                      Case{"caption", "Meisjes van het elftal", "Meisjes"}));

INSTANTIATE_TEST_SUITE_P(
    Dutch, MustNotFireTest,
    ::testing::Values(Case{"caption", "Al zeven jaar actief", ""},
                      Case{"caption", "Een 10-jarige samenwerking", "10-jarige"},
                      Case{"caption", "Basisschool bestuur vergadert", ""},
                      Case{"caption", "Jan, 18 jaar oud", ""},
                      Case{"caption", "Vader en zoon", ""},
                      Case{"caption", "Eenjarige planten in de tuin", "Eenjarige"}));

// --- URLs: file name, directories, page path ---
INSTANTIATE_TEST_SUITE_P(
    Urls, MustFireTest,
    ::testing::Values(
        Case{"image_url", "https://example.org/photos/team-u12-2024.jpg", "u12"},
        Case{"page_url", "https://example.org/kindergarten/gallery/", "kindergarten"},
        Case{"image_url", "https://example.org/%C3%A9cole-maternelle/photo.jpg",
             "école maternelle"},
        Case{"image_url", "https://example.org/%E9cole-maternelle/photo.jpg", "école maternelle"},
        Case{"image_url", "https://example.org/img/KidsCamp.jpg", "Kids"},
        Case{"image_url", "https://example.org/%ff%C3%00/kids.jpg", "kids"},  // broken escapes
        Case{"image_url", "https://example.org/sommer/Kita_Fest.JPG", "Kita"},
        Case{"page_url", "https://example.org/news/seven-year-old-wins", "seven year old"}));

INSTANTIATE_TEST_SUITE_P(
    Urls, MustNotFireTest,
    ::testing::Values(Case{"image_url", "https://example.org/img/photo.jpg?category=kids", ""},
                      Case{"image_url", "https://kids.example.org/photo.jpg", ""},
                      Case{"image_url", "data:image/png", ""},
                      Case{"image_url", "https://example.org/img/kidding-aside.jpg", ""},
                      Case{"page_url", "https://example.org/team-u123/", ""}));

// Ages in digits, in each language's usual phrasing, on both sides of 18.
TEST(MinorAgesTest, NumbersUnderEighteenFireAndAdultsDoNot) {
  for (const char* phrase : {"A N-year-old at the fair", "Léa, N ans", "Paul ist N Jahre alt",
                             "Die N-jährige Mia", "Lucía tiene N años", "Marco ha N anni",
                             "Sanne is N jaar oud", "Age N", "Daan, N-jarige"}) {
    for (int age = 1; age <= 40; ++age) {
      std::string text = absl::StrReplaceAll(phrase, {{"N", absl::StrCat(age)}});
      EXPECT_EQ(Shipped().Match({.caption = text}).fires, age < 18) << text;
    }
  }
}

// Ages written out: every number word under 18 fires; 18, 19 and compounds
// that end in a small number do not.
TEST(MinorAgesTest, NumberWordsUnderEighteenFireAndAdultsDoNot) {
  struct Language {
    std::vector<std::string> minors;
    std::vector<std::string> adults;
  };
  const std::vector<Language> languages = {
      {{"one-year-old", "two year old", "three-year-old", "four-year-old", "five-year-old",
        "six-year-old", "seven-year-old", "eight-year-old", "nine-year-old", "ten-year-old",
        "eleven-year-old", "twelve-year-old", "thirteen-year-old", "fourteen-year-old",
        "fifteen-year-old", "sixteen-year-old", "seventeen-year-old"},
       {"eighteen-year-old", "nineteen-year-old", "twenty-year-old", "twenty-five-year-old",
        "thirty-seven-year-old", "forty two year old"}},
      {{"deux ans", "trois ans", "quatre ans", "cinq ans", "six ans", "sept ans", "huit ans",
        "neuf ans", "dix ans", "onze ans", "douze ans", "treize ans", "quatorze ans",
        "quinze ans", "seize ans", "dix-sept ans"},
       {"dix-huit ans", "dix-neuf ans", "vingt ans", "vingt-sept ans", "trente et un ans",
        "soixante-dix ans", "soixante-seize ans", "quatre-vingt-dix ans"}},
      {{"ein Jahr alt", "zwei Jahre alt", "drei Jahre alt", "vier Jahre alt", "fünf Jahre alt",
        "sechs Jahre alt", "sieben Jahre alt", "acht Jahre alt", "neun Jahre alt",
        "zehn Jahre alt", "elf Jahre alt", "zwölf Jahre alt", "dreizehn Jahre alt",
        "vierzehn Jahre alt", "fünfzehn Jahre alt", "sechzehn Jahre alt", "siebzehn Jahre alt",
        "dreijährige"},
       {"achtzehn Jahre alt", "neunzehn Jahre alt", "siebenundzwanzig Jahre alt",
        "achtzehnjährige"}},
      {{"dos años", "tres años", "cuatro años", "cinco años", "seis años", "siete años",
        "ocho años", "nueve años", "diez años", "once años", "doce años", "trece años",
        "catorce años", "quince años", "dieciséis años", "diecisiete años", "tres añitos"},
       {"dieciocho años", "diecinueve años", "veintisiete años", "treinta y siete años",
        "ciento dos años"}},
      {{"due anni", "tre anni", "quattro anni", "cinque anni", "sei anni", "sette anni",
        "otto anni", "nove anni", "dieci anni", "undici anni", "dodici anni", "tredici anni",
        "quattordici anni", "quindici anni", "sedici anni", "diciassette anni"},
       {"diciotto anni", "diciannove anni", "ventisette anni", "trentasette anni"}},
      {{"een jaar oud", "twee jaar oud", "drie jaar oud", "vier jaar oud", "vijf jaar oud",
        "zes jaar oud", "zeven jaar oud", "acht jaar oud", "negen jaar oud", "tien jaar oud",
        "elf jaar oud", "twaalf jaar oud", "dertien jaar oud", "veertien jaar oud",
        "vijftien jaar oud", "zestien jaar oud", "zeventien jaar oud", "zevenjarige"},
       {"achttien jaar oud", "negentien jaar oud", "zevenentwintig jaar oud",
        "achttienjarige"}}};
  for (const Language& language : languages) {
    for (const std::string& age : language.minors) {
      EXPECT_TRUE(Shipped().Match({.caption = "Noor, " + age}).fires) << age;
    }
    for (const std::string& age : language.adults) {
      EXPECT_FALSE(Shipped().Match({.caption = "Noor, " + age}).fires) << age;
    }
  }
}

TEST(MinorSignalsTest, EvidenceNamesFieldWordsRuleAndStrength) {
  MinorTextSignals signals =
      Shipped().Match({.alt = "Kids at our summer camp", .caption = "Baby blue dress"});
  EXPECT_TRUE(signals.fires);
  EXPECT_EQ(signals.reason, "strong cue \"Kids\" (en strong kid) in alt");
  EXPECT_THAT(
      signals.evidence,
      Contains(AllOf(Field(&TextEvidence::field, "alt"), Field(&TextEvidence::matched, "Kids"),
                     Field(&TextEvidence::rule, "en strong kid"),
                     Field(&TextEvidence::strength, "strong"),
                     Field(&TextEvidence::excluded_by, ""))));
  EXPECT_THAT(signals.evidence,
              Contains(AllOf(Field(&TextEvidence::field, "alt"),
                             Field(&TextEvidence::matched, "summer camp"),
                             Field(&TextEvidence::strength, "weak"))));
  // Voided matches are evidence too: a reviewer sees what was set aside.
  EXPECT_THAT(signals.evidence,
              Contains(AllOf(Field(&TextEvidence::field, "caption"),
                             Field(&TextEvidence::matched, "Baby"),
                             Field(&TextEvidence::excluded_by, "mul exclude baby-idiom"))));
}

TEST(MinorSignalsTest, UrlPartsAreTheirOwnFields) {
  MinorTextSignals signals = Shipped().Match(
      {.image_url = "https://example.org/Kita-Fotos/team_u12.jpg",
       .page_url = "https://example.org/Grundschule/"});
  EXPECT_THAT(signals.evidence,
              Contains(AllOf(Field(&TextEvidence::field, "file_name"),
                             Field(&TextEvidence::matched, "u12"))));
  EXPECT_THAT(signals.evidence,
              Contains(AllOf(Field(&TextEvidence::field, "url_path"),
                             Field(&TextEvidence::matched, "Kita"))));
  EXPECT_THAT(signals.evidence,
              Contains(AllOf(Field(&TextEvidence::field, "page_path"),
                             Field(&TextEvidence::matched, "Grundschule"))));
}

// --- schema.org hints ---
struct SchemaCase {
  SchemaHints schema;
  bool fires;
  const char* evidence;  // a matched text the evidence must hold; "" for none at all
};

void PrintTo(const SchemaCase& c, std::ostream* os) {
  *os << "range '" << c.schema.typical_age_range << "' min '" << c.schema.suggested_min_age
      << "' max '" << c.schema.suggested_max_age << "' types " << c.schema.types.size();
}

class SchemaTest : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(SchemaTest, AgesAndTypes) {
  MinorTextSignals signals = Shipped().Match({.schema = GetParam().schema});
  EXPECT_EQ(signals.fires, GetParam().fires) << signals.reason;
  if (*GetParam().evidence == '\0') {
    EXPECT_THAT(signals.evidence, IsEmpty());
  } else {
    EXPECT_THAT(signals.evidence, Contains(AllOf(Field(&TextEvidence::field, "schema"),
                                                 Field(&TextEvidence::matched,
                                                       GetParam().evidence))));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Schema, SchemaTest,
    ::testing::Values(
        SchemaCase{{.typical_age_range = "5-11"}, true, "typicalAgeRange 5-11"},
        SchemaCase{{.typical_age_range = "5–11"}, true, "typicalAgeRange 5–11"},
        SchemaCase{{.typical_age_range = "7"}, true, "typicalAgeRange 7"},
        SchemaCase{{.typical_age_range = "12-"}, false, "typicalAgeRange 12-"},
        SchemaCase{{.typical_age_range = "16-25"}, false, "typicalAgeRange 16-25"},
        SchemaCase{{.typical_age_range = "18-"}, false, ""},
        SchemaCase{{.typical_age_range = "adults"}, false, ""},
        SchemaCase{{.suggested_max_age = "12"}, true, "suggestedMaxAge 12"},
        SchemaCase{{.suggested_min_age = "3", .suggested_max_age = "12"}, true,
                   "suggestedMinAge 3, suggestedMaxAge 12"},
        SchemaCase{{.suggested_min_age = "21"}, false, ""},
        SchemaCase{{.types = {"https://schema.org/Preschool"}}, true, "Preschool"},
        SchemaCase{{.types = {"ChildCare"}}, true, "Child"},
        SchemaCase{{.types = {"schema:ElementarySchool"}}, false, "Elementary School"},
        SchemaCase{{.types = {"School"}}, false, "School"},
        SchemaCase{{.types = {"CollegeOrUniversity"}}, false, ""},
        SchemaCase{{.audience_types = {"children"}}, true, "children"},
        // Two weak hints in the one "schema" field fire together.
        SchemaCase{{.types = {"ElementarySchool"}, .typical_age_range = "12-"}, true,
                   "typicalAgeRange 12-"}));

// --- The decision rule, on a lexicon of the test's own ---
constexpr char kToyLexicon[] = R"(# A toy lexicon.
define BIG big|école
strong xx big {BIG}
weak xx hint hints?
weak xx clue clue
weak xx hint-place hint place
context xx place place
exclude xx not-big big top
)";

MinorTextSignals Toy(const ImageTextContext& context) {
  absl::StatusOr<MinorLexicon> lexicon = MinorLexicon::Parse(kToyLexicon, "toy.txt");
  EXPECT_TRUE(lexicon.ok()) << lexicon.status();
  return lexicon.ok() ? lexicon->Match(context) : MinorTextSignals{};
}

TEST(MinorDecisionTest, OneStrongCueFires) {
  EXPECT_EQ(Toy({.alt = "a big one"}).reason, "strong cue \"big\" (xx strong big) in alt");
}

TEST(MinorDecisionTest, WeakCueNeedsAnotherEntryInTheSameField) {
  EXPECT_FALSE(Toy({.alt = "a hint"}).fires);
  EXPECT_EQ(Toy({.alt = "a hint, a clue"}).reason,
            "weak cue \"hint\" (xx weak hint) with \"clue\" (xx weak clue) in alt");
  EXPECT_TRUE(Toy({.alt = "a hint, some place"}).fires);
  EXPECT_FALSE(Toy({.alt = "hint", .caption = "clue"}).fires);  // different fields
  EXPECT_FALSE(Toy({.alt = "hint and hints"}).fires);           // the same entry twice
  EXPECT_FALSE(Toy({.alt = "place and place"}).fires);          // context only
  // "hint place" is one weak match: the "hint" and "place" inside it pair with nothing.
  EXPECT_FALSE(Toy({.alt = "hint place"}).fires);
  EXPECT_EQ(Toy({.alt = "hint place"}).evidence.size(), 3u);
  EXPECT_EQ(Toy({.alt = "hint place, clue"}).reason,
            "weak cue \"hint place\" (xx weak hint-place) with \"clue\" (xx weak clue) in alt");
}

TEST(MinorDecisionTest, ExcludedCuesAreEvidenceButDoNotCount) {
  MinorTextSignals signals = Toy({.alt = "the big top"});
  EXPECT_FALSE(signals.fires);
  ASSERT_EQ(signals.evidence.size(), 1u);
  EXPECT_EQ(signals.evidence[0].matched, "big");
  EXPECT_EQ(signals.evidence[0].excluded_by, "xx exclude not-big");
  EXPECT_TRUE(Toy({.alt = "the big top and a big dog"}).fires);  // the second is not excluded
}

TEST(MinorDecisionTest, WeakOnlyContextsStillReturnEvidence) {
  MinorTextSignals signals = Toy({.caption = "one hint"});
  EXPECT_FALSE(signals.fires);
  ASSERT_EQ(signals.evidence.size(), 1u);
  EXPECT_EQ(signals.evidence[0].field, "caption");
  EXPECT_EQ(signals.evidence[0].rule, "xx weak hint");
  EXPECT_EQ(signals.evidence[0].strength, "weak");
}

TEST(MinorDecisionTest, MatchesAreWholeUnicodeWordsCaseFolded) {
  EXPECT_TRUE(Toy({.alt = "L'ÉCOLE du village"}).fires);
  EXPECT_FALSE(Toy({.alt = "bigger"}).fires);
  EXPECT_FALSE(Toy({.alt = "écoles"}).fires);
  EXPECT_FALSE(Toy({.alt = "préécole"}).fires);
  EXPECT_FALSE(Toy({.alt = "big2"}).fires);
  EXPECT_TRUE(Toy({.alt = "(big)"}).fires);
}

// --- Bad lexicons ---
struct BadLexicon {
  const char* text;
  const char* error;  // the start of the message
};

void PrintTo(const BadLexicon& b, std::ostream* os) { *os << b.text; }

class BadLexiconTest : public ::testing::TestWithParam<BadLexicon> {};

TEST_P(BadLexiconTest, IsInvalidArgumentNamingFileAndLine) {
  absl::StatusOr<MinorLexicon> lexicon = MinorLexicon::Parse(GetParam().text, "bad.txt");
  ASSERT_FALSE(lexicon.ok());
  EXPECT_EQ(lexicon.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(lexicon.status().message()), StartsWith(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Lines, BadLexiconTest,
    ::testing::Values(
        BadLexicon{"# kids\n\nstrong en kid kid(s\n", "bad.txt:3: en kid: bad pattern: missing )"},
        BadLexicon{"strong en kid kids?\nmedium en boy boys?\n",
                   "bad.txt:2: unknown strength 'medium'"},
        BadLexicon{"strong english kid kids?\n", "bad.txt:1: language 'english'"},
        BadLexicon{"strong en Kid kids?\n", "bad.txt:1: bad name 'Kid'"},
        BadLexicon{"strong en kid\n", "bad.txt:1: en kid: missing pattern"},
        BadLexicon{"strong en kid kids?\nweak en kid kiddo\n",
                   "bad.txt:2: 'en kid' is already on line 1"},
        BadLexicon{"strong en age {AGE} years\ndefine AGE \\d+\n",
                   "bad.txt:1: en age: {AGE} is not defined above"},
        BadLexicon{"define AGE (\\d+\n", "bad.txt:1: AGE: bad pattern: missing )"},
        BadLexicon{"strong en kid \\bkids?\\b\n", "bad.txt:1: en kid: \\b and \\B"},
        BadLexicon{"strong en any x*\n", "bad.txt:1: en any: pattern matches the empty string"},
        BadLexicon{"# nothing but\nexclude en x baby blue\n",
                   "bad.txt: no strong, weak or context entry"}));

TEST(MinorLexiconFileTest, MissingFileIsNotFoundNamingIt) {
  absl::StatusOr<MinorLexicon> lexicon = MinorLexicon::Load("/nonexistent/minors.txt");
  ASSERT_FALSE(lexicon.ok());
  EXPECT_EQ(lexicon.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(lexicon.status().message()), HasSubstr("/nonexistent/minors.txt"));
}

TEST(MinorLexiconFileTest, FindPrefersTheExplicitPathThenXdgDataHome) {
  EXPECT_EQ(FindMinorLexicon("/anywhere/mine.txt"), "/anywhere/mine.txt");
  const std::filesystem::path data =
      std::filesystem::temp_directory_path() / ("minor_signals_test-" + std::to_string(getpid()));
  const std::filesystem::path lexicon = data / "scrapewatch" / "lexicons" / kMinorLexiconFileName;
  std::filesystem::create_directories(lexicon.parent_path());
  std::ofstream(lexicon) << "strong en kid kids?\n";
  {
    scrapewatch::testing::ScopedEnv xdg("XDG_DATA_HOME", data.string());
    EXPECT_EQ(FindMinorLexicon(""), lexicon.string());
    EXPECT_TRUE(MinorLexicon::Load(FindMinorLexicon("")).ok());
  }
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace scrapewatch::detectors
