// Tests for what ExtractPage does before parsing: decoding the page's
// charset to UTF-8 (crawler/charset.h), and bounding hostile input by size
// and by nesting depth (crawler/nesting_guard.h). No timing is asserted:
// bombs are checked by their warning and a sane result; tools/bench/extract
// measures the times.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/charset.h"
#include "crawler/html_extractor.h"
#include "crawler/nesting_guard.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kPage[] = "http://example.com/dir/page.html";

ExtractedPage Extract(std::string_view html, const ExtractOptions& options = {}) {
  absl::StatusOr<ExtractedPage> page = ExtractPage(html, kPage, options);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : ExtractedPage{};
}

ExtractOptions WithHttpCharset(std::string_view charset) {
  ExtractOptions options;
  options.http_charset = std::string(charset);
  return options;
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// "Café" and "Renée" in ISO-8859-1.
constexpr char kLatin1Body[] = "<title>Caf\xE9</title><img src='caf\xE9.jpg' alt='Ren\xE9\x65'>";

void ExpectLatin1Decoded(const ExtractedPage& page) {
  EXPECT_EQ(page.charset, "windows-1252");
  EXPECT_EQ(page.title, "Café");
  ASSERT_EQ(page.images.size(), 1u);
  EXPECT_EQ(page.images[0].alt, "Renée");
  EXPECT_EQ(page.images[0].url, "http://example.com/dir/caf%c3%a9.jpg");  // as url.h encodes it
  EXPECT_THAT(page.warnings, IsEmpty());
}

TEST(CharsetTest, Latin1FromHttpHeader) {
  ExpectLatin1Decoded(Extract(kLatin1Body, WithHttpCharset("ISO-8859-1")));
  ExpectLatin1Decoded(Extract(kLatin1Body, WithHttpCharset("text/html; charset=\"latin1\"")));
}

TEST(CharsetTest, Latin1FromMetaCharset) {
  ExpectLatin1Decoded(Extract(std::string("<meta charset='iso-8859-1'>") + kLatin1Body));
}

TEST(CharsetTest, Windows1252FromHttpEquiv) {
  ExtractedPage page = Extract(
      "<head><!-- <meta charset=utf-8> is a comment --><meta http-equiv=\"Content-Type\" "
      "content=\"text/html; charset=windows-1252\"></head><title>\x80 5 \x93quoted\x94</title>");
  EXPECT_EQ(page.charset, "windows-1252");
  EXPECT_EQ(page.title, "€ 5 “quoted”");
}

TEST(CharsetTest, ShiftJis) {
  // 日本 (Japan) is 93 FA 96 7B in Shift_JIS; 0x7B is '{' in ASCII.
  std::string html = "<title>\x93\xFA\x96\x7B</title><img src=a.jpg alt='\x93\xFA\x96\x7B'>";
  ExtractedPage from_header = Extract(html, WithHttpCharset("Shift_JIS"));
  EXPECT_EQ(from_header.charset, "Shift_JIS");
  EXPECT_EQ(from_header.title, "日本");
  ExtractedPage from_meta = Extract("<meta charset=sjis>" + html);
  EXPECT_EQ(from_meta.title, "日本");
  ASSERT_EQ(from_meta.images.size(), 1u);
  EXPECT_EQ(from_meta.images[0].alt, "日本");
}

TEST(CharsetTest, InvalidSequencesBecomeReplacementCharacters) {
  ExtractedPage page = Extract("<title>a\x81\xFF" "b</title>", WithHttpCharset("shift_jis"));
  EXPECT_THAT(page.title, StartsWith("a"));
  EXPECT_THAT(page.title, HasSubstr("\uFFFD"));
  EXPECT_THAT(page.title, testing::EndsWith("b"));
}

TEST(CharsetTest, PrecedenceBomThenHttpThenMetaThenUtf8) {
  const std::string utf8_cafe = "<meta charset=iso-8859-1><title>Café</title>";
  EXPECT_EQ(Extract("\xEF\xBB\xBF" + utf8_cafe, WithHttpCharset("iso-8859-1")).title, "Café");
  EXPECT_EQ(Extract(utf8_cafe, WithHttpCharset("utf-8")).title, "Café");
  EXPECT_EQ(Extract(utf8_cafe).title, "CafÃ©");  // the <meta> is believed
  ExtractedPage late_meta = Extract(std::string(1100, ' ') + utf8_cafe);
  EXPECT_EQ(late_meta.charset, "UTF-8");
  EXPECT_EQ(late_meta.title, "Café");
}

TEST(CharsetTest, Utf16WithBom) {
  std::string_view text = "<img src=a.jpg alt='\xE9'>";  // é as one Latin-1 byte
  std::string utf16 = "\xFF\xFE";
  for (char c : text) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  ExtractedPage page = Extract(utf16);
  EXPECT_EQ(page.charset, "UTF-16LE");
  ASSERT_EQ(page.images.size(), 1u);
  EXPECT_EQ(page.images[0].alt, "é");
}

TEST(CharsetTest, UnknownCharsetsAreReadAsUtf8WithAWarning) {
  ExtractedPage from_header = Extract("<title>Café</title>", WithHttpCharset("x-klingon"));
  EXPECT_EQ(from_header.charset, "UTF-8");
  EXPECT_EQ(from_header.title, "Café");
  EXPECT_THAT(from_header.warnings, ElementsAre(HasSubstr("x-klingon")));
  EXPECT_THAT(from_header.warnings[0], StartsWith("charset: "));

  ExtractedPage from_meta = Extract("<meta charset='utf-8//IGNORE'><title>Café</title>");
  EXPECT_EQ(from_meta.charset, "UTF-8");
  EXPECT_EQ(from_meta.title, "Café");
  EXPECT_THAT(from_meta.warnings, SizeIs(1));
}

TEST(CharsetTest, DecodeHtmlLeavesUtf8Unconverted) {
  DecodedHtml decoded = DecodeHtml("\xEF\xBB\xBF<p>x", "");
  EXPECT_EQ(decoded.charset, "UTF-8");
  EXPECT_FALSE(decoded.converted.has_value());
  EXPECT_EQ(decoded.Text("\xEF\xBB\xBF<p>x"), "<p>x");
}

TEST(NestingGuardTest, CountsRealNesting) {
  std::string html = Repeat("<div>", 100) + Repeat("</div>", 100) + Repeat("<span>", 3);
  NestingScan scan = ScanNesting(html, 2000);
  EXPECT_EQ(scan.max_depth, 100u);
  EXPECT_EQ(scan.safe_length, html.size());
}

TEST(NestingGuardTest, ImplicitlyClosedAndSkippedElementsDoNotAccumulate) {
  std::string html = "<ul>" + Repeat("<li><p>item<p>more", 5000) + "</ul><table>" +
                     Repeat("<tr><td><font face=arial>cell<td>x", 5000) + "</table>" +
                     Repeat("<div><b>bold</div>", 5000) + Repeat("<a href=x>a", 5000) +
                     "<script>" + Repeat("<div>", 5000) + "</script><!-- " +
                     Repeat("<div>", 5000) + " --><img alt='" + Repeat("<div>", 5000) + "'>" +
                     Repeat("<br><img src=a.jpg><input>", 5000);
  NestingScan scan = ScanNesting(html, 2000);
  EXPECT_LT(scan.max_depth, 50u);
  EXPECT_EQ(scan.safe_length, html.size());
}

TEST(NestingGuardTest, StopsAtTheTagThatGoesTooDeep) {
  std::string html = "<p>ok</p>" + Repeat("<div>", 50);
  NestingScan scan = ScanNesting(html, 10);
  EXPECT_EQ(scan.safe_length, std::string_view("<p>ok</p>").size() + 10 * 5);
  EXPECT_EQ(scan.max_depth, 10u);
}

TEST(NestingGuardTest, CatchesFormattingBombs) {
  for (const std::string& bomb : {Repeat("<i><b>x", 20000), Repeat("<a><b></a>", 20000),
                                  Repeat("<b><div></b>", 20000), [] {
                                    std::string html;
                                    for (int i = 0; i < 20000; ++i) {
                                      html += "<p><b id=" + std::to_string(i) + ">x</p>";
                                    }
                                    return html;
                                  }()}) {
    EXPECT_LT(ScanNesting(bomb, 2000).safe_length, bomb.size()) << bomb.substr(0, 40);
  }
}

TEST(NestingGuardTest, RealPagesStayFarBelowTheLimit) {
  std::filesystem::path corpus = SCRAPEWATCH_SHARED_DIR "/corpus/html";
  size_t pages = 0;
  size_t deepest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().extension() != ".html") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    NestingScan scan = ScanNesting(html, ExtractOptions{}.max_nesting_depth);
    EXPECT_EQ(scan.safe_length, html.size()) << entry.path();
    deepest = std::max(deepest, scan.max_depth);
    ++pages;
  }
  EXPECT_EQ(pages, 78u);
  EXPECT_LT(deepest, 100u);
  std::cout << "deepest estimated nesting in the html/ corpus: " << deepest << "\n";
}

TEST(ExtractRobustnessTest, NestingBombIsCutWithAWarning) {
  std::string html = "<title>Bomb</title><img src=before.jpg alt=Before>" +
                     Repeat("<div>", 20000) + "<img src=inside.jpg>" + Repeat("</div>", 20000);
  ExtractedPage page = Extract(html);
  EXPECT_EQ(page.title, "Bomb");
  ASSERT_THAT(page.images, testing::Not(IsEmpty()));
  EXPECT_EQ(page.images[0].url, "http://example.com/dir/before.jpg");
  EXPECT_EQ(page.images[0].alt, "Before");
  EXPECT_THAT(page.images, SizeIs(1));
  ASSERT_THAT(page.warnings, SizeIs(1));
  EXPECT_THAT(page.warnings[0], StartsWith("truncated_depth: "));
}

TEST(ExtractRobustnessTest, HalfMillionDeepBombIsCutToo) {
  ExtractedPage page = Extract(Repeat("<i><b><div>", 500000));
  EXPECT_THAT(page.images, IsEmpty());
  ASSERT_THAT(page.warnings, SizeIs(1));
  EXPECT_THAT(page.warnings[0], StartsWith("truncated_depth: "));
}

TEST(ExtractRobustnessTest, OversizedInputIsCutWithAWarning) {
  ExtractOptions options;
  options.max_html_bytes = 1000;
  std::string html = "<img src=first.jpg>" + Repeat("<p>filler text</p>", 100) + "<img src=last.jpg>";
  ExtractedPage page = Extract(html, options);
  ASSERT_THAT(page.images, SizeIs(1));
  EXPECT_EQ(page.images[0].url, "http://example.com/dir/first.jpg");
  ASSERT_THAT(page.warnings, SizeIs(1));
  EXPECT_THAT(page.warnings[0], StartsWith("truncated_size: "));
}

TEST(ExtractRobustnessTest, DefaultSizeLimitIsTenMegabytes) {
  std::string paragraph = "<p>" + std::string(1000, 'x') + "</p>\n";
  std::string html = "<img src=first.jpg>" + Repeat(paragraph, 11 * 1024) + "<img src=last.jpg>";
  ExtractedPage page = Extract(html);
  ASSERT_THAT(page.images, SizeIs(1));
  EXPECT_THAT(page.warnings, ElementsAre(HasSubstr("10485760")));
}

}  // namespace
}  // namespace scrapewatch::crawler
