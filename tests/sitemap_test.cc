// Tests crawler/sitemap.h on sitemaps written here: urlset, sitemapindex and
// image sitemaps with and without namespaces, gzip (detected by magic bytes,
// bombs capped), hostile XML (entity bombs, external entities, markup that
// inflates the parser's memory), truncated and malformed files, text
// sitemaps, the URL cap and URL validation.
#include "crawler/sitemap.h"

#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kSitemapUrl[] = "https://example.org/sitemaps/sitemap.xml";

// Gzips `size` bytes: `head`, then `fill` repeated, then `tail`, compressing
// in chunks so that a bomb never exists uncompressed in the test either.
std::string Gzip(std::string_view head, size_t fill_bytes = 0, char fill = '\0',
                 std::string_view tail = "") {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out;
  std::vector<char> buffer(1 << 16);
  const std::string filler(1 << 20, fill);
  auto feed = [&](std::string_view data, int flush) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = data.size();
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
      stream.avail_out = buffer.size();
      deflate(&stream, flush);
      out.append(buffer.data(), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0);
  };
  feed(head, Z_NO_FLUSH);
  for (size_t left = fill_bytes; left > 0;) {
    const size_t n = std::min(left, filler.size());
    feed(std::string_view(filler).substr(0, n), Z_NO_FLUSH);
    left -= n;
  }
  feed(tail, Z_FINISH);
  deflateEnd(&stream);
  return out;
}

SitemapContents ParseOk(std::string_view body, const SitemapOptions& options = {}) {
  absl::StatusOr<SitemapContents> contents = ParseSitemap(body, kSitemapUrl, options);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *std::move(contents) : SitemapContents();
}

constexpr char kUrlset[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>https://example.org/</loc>
    <lastmod>2025-01-01</lastmod>
    <changefreq>weekly</changefreq>
    <priority>1.0</priority>
  </url>
  <url>
    <loc>
      https://EXAMPLE.org:443/team/../people?id=1&amp;lang=en#top
    </loc>
  </url>
  <url><loc>http://example.org/caf&#xE9;</loc></url>
</urlset>
)";

TEST(SitemapTest, Urlset) {
  const SitemapContents contents = ParseOk(kUrlset);
  EXPECT_THAT(contents.page_urls,
              ElementsAre("https://example.org/", "https://example.org/people?id=1&lang=en",
                          "http://example.org/caf%c3%a9"));
  EXPECT_THAT(contents.sitemap_urls, IsEmpty());
  EXPECT_THAT(contents.image_urls, IsEmpty());
  EXPECT_THAT(contents.warnings, IsEmpty());
}

TEST(SitemapTest, SitemapIndex) {
  const SitemapContents contents = ParseOk(R"(<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.org/sitemap-pages.xml.gz</loc><lastmod>2025-01-01</lastmod></sitemap>
  <sitemap><loc>https://cdn.example.net/sitemap-images.xml</loc></sitemap>
</sitemapindex>)");
  EXPECT_THAT(contents.sitemap_urls, ElementsAre("https://example.org/sitemap-pages.xml.gz",
                                                 "https://cdn.example.net/sitemap-images.xml"));
  EXPECT_THAT(contents.page_urls, IsEmpty());
  EXPECT_THAT(contents.warnings, IsEmpty());
}

constexpr char kImageSitemap[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://example.org/team</loc>
    <image:image>
      <image:loc>https://example.org/photos/alice.jpg</image:loc>
      <image:caption>Alice at the summer party</image:caption>
    </image:image>
    <image:image><image:loc>/photos/bob.jpg</image:loc></image:image>
  </url>
</urlset>)";

TEST(SitemapTest, ImageSitemap) {
  const SitemapContents contents = ParseOk(kImageSitemap);
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/team"));
  EXPECT_THAT(contents.image_urls, ElementsAre("https://example.org/photos/alice.jpg",
                                               "https://example.org/photos/bob.jpg"));
  EXPECT_THAT(contents.warnings, IsEmpty());
}

TEST(SitemapTest, MissingOrOddNamespacesStillParse) {
  // No default namespace, an undeclared image prefix, and a foreign prefix.
  const SitemapContents contents = ParseOk(R"(<urlset>
  <url><loc>https://example.org/a</loc>
    <image:image><image:loc>https://example.org/a.jpg</image:loc></image:image></url>
  <sm:url xmlns:sm="urn:odd"><sm:loc>https://example.org/b</sm:loc></sm:url>
</urlset>)");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a", "https://example.org/b"));
  EXPECT_THAT(contents.image_urls, ElementsAre("https://example.org/a.jpg"));
}

TEST(SitemapTest, LocOutsideItsPlaceIsIgnored) {
  const SitemapContents contents = ParseOk(R"(<urlset>
  <loc>https://example.org/not-in-a-url</loc>
  <url><loc>https://example.org/page</loc><extra><loc>https://example.org/nested</loc></extra></url>
  <sitemap><loc>https://example.org/not-an-index.xml</loc></sitemap>
</urlset>)");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/page"));
  EXPECT_THAT(contents.sitemap_urls, IsEmpty());
}

TEST(SitemapTest, GzipDetectedByMagicBytes) {
  const SitemapContents contents = ParseOk(Gzip(kImageSitemap));
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/team"));
  EXPECT_THAT(contents.image_urls, SizeIs(2));
  EXPECT_THAT(contents.warnings, IsEmpty());
}

TEST(SitemapTest, GzipMembersAreConcatenatedAndJunkAfterThemWarned) {
  const std::string members =
      Gzip("https://example.org/a\n") + Gzip("https://example.org/b\n") + "junk";
  const SitemapContents contents = ParseOk(members);
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a", "https://example.org/b"));
  EXPECT_THAT(contents.warnings, ElementsAre("4 bytes after the gzip data ignored"));
}

TEST(SitemapTest, TruncatedGzipKeepsWhatItHad) {
  const std::string whole = Gzip(std::string(kUrlset) + std::string(100'000, ' '));
  const SitemapContents contents = ParseOk(std::string_view(whole).substr(0, whole.size() - 20));
  EXPECT_THAT(contents.page_urls, SizeIs(3));
  EXPECT_THAT(contents.warnings, ElementsAre(HasSubstr("gzip data broken")));
}

TEST(SitemapTest, BrokenGzipWithNothingInsideIsAnError) {
  absl::StatusOr<SitemapContents> contents = ParseSitemap("\x1F\x8B junk", kSitemapUrl);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(contents.status().message(), AllOf(HasSubstr(kSitemapUrl), HasSubstr("gzip")));
}

int64_t PeakResidentBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

TEST(SitemapTest, GzipBombOfZerosIsAnErrorInBoundedMemory) {
  const std::string bomb = Gzip("", size_t{256} << 20);  // 256 MiB of zeros
  ASSERT_LT(bomb.size(), 1u << 20);
  absl::StatusOr<SitemapContents> contents = ParseSitemap(bomb, kSitemapUrl);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(contents.status().message(), HasSubstr(kSitemapUrl));
  // Inflating it whole would have needed more than this.
  EXPECT_LT(PeakResidentBytes(), int64_t{200} << 20);
}

TEST(SitemapTest, GzipBombAfterRealEntriesKeepsThemWithAWarning) {
  const std::string bomb =
      Gzip("<urlset><url><loc>https://example.org/a</loc></url>", size_t{256} << 20, ' ',
           "<url><loc>https://example.org/never-read</loc></url></urlset>");
  const SitemapContents contents = ParseOk(bomb);
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a"));
  EXPECT_THAT(contents.warnings,
              ElementsAre("more than 52428800 bytes once uncompressed; the rest ignored"));
}

TEST(SitemapTest, PlainBodyOverTheLimitDropsTheCutLine) {
  const std::string body = "https://example.org/a\nhttps://example.org/abcdef\n";
  const SitemapContents contents = ParseOk(body, {.max_uncompressed_bytes = 30});
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a"));
  EXPECT_THAT(contents.warnings, ElementsAre("more than 30 bytes; the rest ignored"));
}

TEST(SitemapTest, BillionLaughsIsRefused) {
  std::string doctype = "<!DOCTYPE urlset [\n<!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    absl::StrAppend(&doctype, "<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) absl::StrAppend(&doctype, "&lol", i - 1, ";");
    doctype += "\">\n";
  }
  doctype += "]>\n";
  absl::StatusOr<SitemapContents> contents = ParseSitemap(
      doctype + "<urlset><url><loc>https://example.org/&lol9;</loc></url></urlset>", kSitemapUrl);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(contents.status().message(),
              AllOf(HasSubstr(kSitemapUrl), HasSubstr("line 2"), HasSubstr("entities")));
}

TEST(SitemapTest, ExternalEntitiesAreNeverRead) {
  for (const char* doctype :
       {"<!DOCTYPE urlset [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        "<!DOCTYPE urlset [<!ENTITY % xxe SYSTEM \"file:///etc/passwd\"> %xxe;]>"}) {
    absl::StatusOr<SitemapContents> contents = ParseSitemap(
        absl::StrCat(doctype, "<urlset><url><loc>https://example.org/&xxe;</loc></url></urlset>"),
        kSitemapUrl);
    EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument) << doctype;
    EXPECT_THAT(contents.status().message(), Not(HasSubstr("root:"))) << doctype;
  }
}

TEST(SitemapTest, ExternalDtdIsNotLoaded) {
  const SitemapContents contents = ParseOk(
      "<!DOCTYPE urlset SYSTEM \"file:///etc/passwd\">"
      "<urlset><url><loc>https://example.org/a</loc></url></urlset>");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a"));
  EXPECT_THAT(contents.warnings, IsEmpty());
}

// Each costs expat far more memory than its size, or quadratic time, unless
// stopped early.
TEST(SitemapTest, ParserAmplificationIsStoppedEarly) {
  const std::string head = "<urlset><url><loc>https://example.org/a</loc></url>\n";
  std::string deep = head, names = head, attributes = head + "<url", comment = head + "<!--";
  for (int i = 0; i < 1'000'000; ++i) {
    deep += "<url>";
    absl::StrAppend(&names, "<n", i, "/>");
    absl::StrAppend(&attributes, " a", i, "=''");
  }
  comment += std::string(4 << 20, 'x');
  const struct {
    std::string body;
    const char* warning;
  } cases[] = {{deep, "nested more than 100 deep"},
               {names, "more than 1000 distinct element and attribute names"},
               {attributes, "an XML token longer than 1048576 bytes"},
               {comment, "an XML token longer than 1048576 bytes"}};
  for (const auto& c : cases) {
    const SitemapContents contents = ParseOk(c.body);
    EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a")) << c.warning;
    EXPECT_THAT(contents.warnings, ElementsAre(AllOf(HasSubstr("line 2"), HasSubstr(c.warning))));
  }
}

TEST(SitemapTest, TruncatedXmlKeepsWhatItHadAndNamesTheLine) {
  const SitemapContents contents = ParseOk(R"(<urlset>
  <url><loc>https://example.org/a</loc></url>
  <url><loc>https://example.org/b</loc></url>
  <url><loc>https://example.org/c)");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a", "https://example.org/b"));
  EXPECT_THAT(contents.warnings, ElementsAre(HasSubstr("XML broken at line 4")));
}

TEST(SitemapTest, MalformedXmlWithNothingUsableIsAnError) {
  absl::StatusOr<SitemapContents> contents =
      ParseSitemap("\n\n<urlset>\n<url><loc>https://example.org/a</url>", kSitemapUrl);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(contents.status().message(),
              AllOf(HasSubstr(kSitemapUrl), HasSubstr("line 4"), HasSubstr("mismatched tag")));
}

TEST(SitemapTest, OtherRootElementIsAnError) {
  for (const char* body : {"<!DOCTYPE html><html><body><p>Not found</p></body></html>",
                           "<rss version=\"2.0\"><channel></channel></rss>"}) {
    absl::StatusOr<SitemapContents> contents = ParseSitemap(body, kSitemapUrl);
    EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(contents.status().message(), HasSubstr("is not urlset or sitemapindex")) << body;
  }
}

TEST(SitemapTest, EmptyUrlsetIsValidAndEmpty) {
  const SitemapContents contents =
      ParseOk("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"/>");
  EXPECT_THAT(contents.page_urls, IsEmpty());
  EXPECT_THAT(contents.warnings, IsEmpty());
}

TEST(SitemapTest, TextSitemap) {
  const SitemapContents contents = ParseOk(
      "https://example.org/a\r\n\r\n  https://example.org/b  \n"
      "/relative\rftp://example.org/file\nhttps://example.org/c");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a", "https://example.org/b",
                                              "https://example.org/c"));
  EXPECT_THAT(contents.warnings,
              ElementsAre("2 URLs skipped as invalid or not http(s); first on line 4: "
                          "'/relative'"));
}

TEST(SitemapTest, TextThatIsNoSitemapIsAnError) {
  for (const char* body : {"Not Found\n", "\x89PNG\r\n\x1a\n"}) {
    absl::StatusOr<SitemapContents> contents = ParseSitemap(body, kSitemapUrl);
    EXPECT_EQ(contents.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(contents.status().message(), HasSubstr("neither XML nor lines")) << body;
  }
}

TEST(SitemapTest, EmptyBodyIsAnError) {
  for (const char* body : {"", " \n\t", "\xEF\xBB\xBF"}) {
    EXPECT_EQ(ParseSitemap(body, kSitemapUrl).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(SitemapTest, MaxUrlsCapsEachList) {
  std::string body = "<urlset>";
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&body, "<url><loc>https://example.org/", i, "</loc><image:image><image:loc>", i,
                    ".jpg</image:loc></image:image></url>");
  }
  body += "</urlset>";
  const SitemapContents contents = ParseOk(body, {.max_urls = 3});
  EXPECT_THAT(contents.page_urls, SizeIs(3));
  EXPECT_THAT(contents.image_urls, SizeIs(3));
  EXPECT_THAT(contents.warnings, ElementsAre("2 page URLs over the limit of 3 ignored",
                                             "2 image URLs over the limit of 3 ignored"));
}

TEST(SitemapTest, DefaultCapIsTheSitemapsOrgLimit) {
  std::string body;
  for (int i = 0; i <= 50'000; ++i) absl::StrAppend(&body, "https://example.org/", i, "\n");
  const SitemapContents contents = ParseOk(body);
  EXPECT_THAT(contents.page_urls, SizeIs(50'000));
  EXPECT_EQ(contents.page_urls.back(), "https://example.org/49999");
  EXPECT_THAT(contents.warnings, ElementsAre("1 page URLs over the limit of 50000 ignored"));
}

TEST(SitemapTest, RelativeLocsResolveInvalidOnesAreCountedOnce) {
  const SitemapContents contents = ParseOk(absl::StrCat(R"(<urlset>
<url><loc>page.html</loc></url>
<url><loc>/root.html</loc></url>
<url><loc>//cdn.example.net/x</loc></url>
<url><loc>javascript:alert(1)</loc></url>
<url><loc>mailto:a@example.org</loc></url>
<url><loc>   </loc></url>
<url><loc>http://[::1</loc></url>
<url><loc>https://example.org/)",
                                                        std::string(9000, 'a'), R"(</loc></url>
</urlset>)"));
  EXPECT_THAT(contents.page_urls,
              ElementsAre("https://example.org/sitemaps/page.html", "https://example.org/root.html",
                          "https://cdn.example.net/x"));
  EXPECT_THAT(contents.warnings,
              ElementsAre("5 URLs skipped as invalid or not http(s); first on line 5: "
                          "'javascript:alert(1)'"));
}

TEST(SitemapTest, ControlCharactersMakeAUrlInvalid) {
  const SitemapContents contents =
      ParseOk(std::string_view("https://example.org/a\nhttps://example.org/b\0evil\n", 49));
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/a"));
  EXPECT_THAT(contents.warnings, ElementsAre(HasSubstr("'https://example.org/b\\000evil'")));
}

TEST(SitemapTest, CdataLoc) {
  const SitemapContents contents =
      ParseOk("<urlset><url><loc><![CDATA[ https://example.org/?a=1&b=2 ]]></loc></url></urlset>");
  EXPECT_THAT(contents.page_urls, ElementsAre("https://example.org/?a=1&b=2"));
}

TEST(SitemapTest, ByteOrderMarkAndLeadingWhitespace) {
  const SitemapContents xml = ParseOk(absl::StrCat("\xEF\xBB\xBF\n  ", kUrlset));
  EXPECT_THAT(xml.page_urls, SizeIs(3));
  EXPECT_THAT(xml.warnings, IsEmpty());
  const SitemapContents text = ParseOk("\xEF\xBB\xBFhttps://example.org/a\n");
  EXPECT_THAT(text.page_urls, ElementsAre("https://example.org/a"));
}

TEST(SitemapTest, InvalidSitemapUrlOrOptionsAreErrors) {
  EXPECT_EQ(ParseSitemap(kUrlset, "sitemap.xml").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSitemap(kUrlset, "ftp://example.org/sitemap.xml").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSitemap(kUrlset, kSitemapUrl, {.max_urls = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace scrapewatch::crawler
