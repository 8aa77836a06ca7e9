// Tests crawler/url.h: resolving every kind of reference against a base, the
// canonical form (lower-case scheme and host, no default port, no dot
// segments, no fragment), refusal of non-http schemes, OriginOf / HostOf,
// NormalizeUrl's percent-encoding and tracking-parameter rules, DedupeKey's
// parameter order, and SplitHttpUrl.
#include "crawler/url.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::HasSubstr;

constexpr char kBase[] = "https://example.org/a/b/page.html?x=1#top";

struct Resolution {
  const char* reference;
  const char* resolved;
};

void PrintTo(const Resolution& r, std::ostream* os) {
  *os << "'" << r.reference << "' -> " << r.resolved;
}

class ResolveUrlTest : public ::testing::TestWithParam<Resolution> {};

TEST_P(ResolveUrlTest, ResolvesToCanonicalAbsoluteUrl) {
  absl::StatusOr<std::string> url = ResolveUrl(kBase, GetParam().reference);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, GetParam().resolved);
}

INSTANTIATE_TEST_SUITE_P(
    References, ResolveUrlTest,
    ::testing::Values(
        Resolution{"photo.jpg", "https://example.org/a/b/photo.jpg"},
        Resolution{"sub/photo.jpg", "https://example.org/a/b/sub/photo.jpg"},
        Resolution{"./c/./d.jpg", "https://example.org/a/b/c/d.jpg"},
        Resolution{"../img/p.jpg", "https://example.org/a/img/p.jpg"},
        Resolution{"../../p.jpg", "https://example.org/p.jpg"},
        Resolution{"../../../../p.jpg", "https://example.org/p.jpg"},  // clamped at the root
        Resolution{"/img/../root.jpg", "https://example.org/root.jpg"},
        Resolution{"//CDN.Example.NET/p.jpg", "https://cdn.example.net/p.jpg"},
        Resolution{"//cdn.example.net:443/p.jpg", "https://cdn.example.net/p.jpg"},
        Resolution{"HTTP://Other.ORG:80/Path/X.JPG#f", "http://other.org/Path/X.JPG"},
        Resolution{"https://other.org:8443/p.jpg?s=1", "https://other.org:8443/p.jpg?s=1"},
        Resolution{"?q=2", "https://example.org/a/b/page.html?q=2"},
        Resolution{"#gallery", "https://example.org/a/b/page.html?x=1"},
        Resolution{"", "https://example.org/a/b/page.html?x=1"},  // RFC 3986 5.2.2: the base
        Resolution{"photo.jpg#frag", "https://example.org/a/b/photo.jpg"},
        Resolution{"  \t\n../img/p.jpg \r\n", "https://example.org/a/img/p.jpg"},
        Resolution{" https://other.org/x.png\t", "https://other.org/x.png"}));

TEST(ResolveUrlTest, BaseIsCanonicalisedToo) {
  absl::StatusOr<std::string> url = ResolveUrl("HTTP://WWW.Example.ORG:80/dir/", "p.jpg");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "http://www.example.org/dir/p.jpg");
}

TEST(ResolveUrlTest, NonHttpSchemesAreErrors) {
  for (const char* reference :
       {"javascript:alert(1)", "JavaScript:void(0)", "mailto:someone@example.org",
        "ftp://example.org/photo.jpg", "data:image/png;base64,iVBORw0KGgo=", "file:///etc/passwd",
        "  javascript:alert(1)"}) {
    absl::StatusOr<std::string> url = ResolveUrl(kBase, reference);
    EXPECT_FALSE(url.ok()) << reference << " resolved to " << *url;
    if (!url.ok()) {
      EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << reference;
    }
  }
}

TEST(ResolveUrlTest, BadBaseIsAnErrorNamingIt) {
  absl::StatusOr<std::string> url = ResolveUrl("not a url", "p.jpg");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(url.status().message()), HasSubstr("not a url"));
}

struct Canonical {
  const char* url;
  const char* canonical;
};

void PrintTo(const Canonical& c, std::ostream* os) { *os << c.url << " -> " << c.canonical; }

class CanonicalizeUrlTest : public ::testing::TestWithParam<Canonical> {};

TEST_P(CanonicalizeUrlTest, ProducesCanonicalForm) {
  absl::StatusOr<std::string> url = CanonicalizeUrl(GetParam().url);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, GetParam().canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, CanonicalizeUrlTest,
    ::testing::Values(Canonical{"HTTPS://EXAMPLE.org/A/../b/./c.html?Q=1#frag",
                                "https://example.org/b/c.html?Q=1"},
                      Canonical{"http://example.org:80/", "http://example.org/"},
                      Canonical{"https://example.org:443/x", "https://example.org/x"},
                      Canonical{"http://example.org:443/x", "http://example.org:443/x"},
                      Canonical{"https://example.org:80/x", "https://example.org:80/x"},
                      Canonical{"http://example.org:8080/x", "http://example.org:8080/x"},
                      Canonical{"https://example.org", "https://example.org/"},
                      Canonical{"https://Example.ORG/Case/Kept.JPG",
                                "https://example.org/Case/Kept.JPG"},
                      // IDN hosts: one spelling, the Unicode one, lower-cased.
                      Canonical{"https://XN--BCHER-KVA.example/a", "https://bücher.example/a"},
                      Canonical{"https://www.BÜCHER.de/", "https://www.bücher.de/"},
                      Canonical{"http://xn--ihqwcrb4cv8a8dqg056pqjye.example:8080/",
                                "http://他们为什么不说中文.example:8080/"},
                      // Not punycode after all: left as written, lower-cased.
                      Canonical{"https://XN--ZZ.example/", "https://xn--zz.example/"}));

TEST(CanonicalizeUrlTest, IsIdempotent) {
  absl::StatusOr<std::string> once = CanonicalizeUrl("HTTPS://Ex.org:443/a/./b/../c?d#e");
  ASSERT_TRUE(once.ok()) << once.status();
  absl::StatusOr<std::string> twice = CanonicalizeUrl(*once);
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(*once, *twice);
}

TEST(CanonicalizeUrlTest, RelativeAndNonHttpUrlsAreErrors) {
  for (const char* url : {"/just/a/path", "photo.jpg", "", "ftp://example.org/",
                          "mailto:a@example.org", "javascript:alert(1)"}) {
    absl::StatusOr<std::string> canonical = CanonicalizeUrl(url);
    EXPECT_FALSE(canonical.ok()) << url << " gave " << *canonical;
    if (!canonical.ok()) {
      EXPECT_EQ(canonical.status().code(), absl::StatusCode::kInvalidArgument) << url;
    }
  }
}

struct Normalization {
  const char* url;
  const char* normal;
};

void PrintTo(const Normalization& n, std::ostream* os) { *os << n.url << " -> " << n.normal; }

class NormalizeUrlTest : public ::testing::TestWithParam<Normalization> {};

TEST_P(NormalizeUrlTest, NormalisesWithDefaultOptions) {
  absl::StatusOr<std::string> url = NormalizeUrl(GetParam().url, UrlNormalizeOptions{});
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, GetParam().normal);
  absl::StatusOr<std::string> again = NormalizeUrl(*url, UrlNormalizeOptions{});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *url) << "not idempotent";
}

INSTANTIATE_TEST_SUITE_P(
    Forms, NormalizeUrlTest,
    ::testing::Values(
        // What CanonicalizeUrl already does.
        Normalization{"HTTPS://Example.ORG:443/a/./b/../c?x=1#f", "https://example.org/a/c?x=1"},
        Normalization{"http://example.org:8080", "http://example.org:8080/"},
        // Percent-encoding: hex upper-cased, reserved characters kept escaped.
        Normalization{"https://example.org/a%2fb%2Fc", "https://example.org/a%2Fb%2Fc"},
        Normalization{"https://example.org/p?q=%3f%26%3d%2b%23",
                      "https://example.org/p?q=%3F%26%3D%2B%23"},
        Normalization{"https://example.org/caf%c3%a9", "https://example.org/caf%C3%A9"},
        Normalization{"https://example.org/%E6%97%A5%e6%9c%ac/",
                      "https://example.org/%E6%97%A5%E6%9C%AC/"},
        Normalization{"https://example.org/café?q=é", "https://example.org/caf%C3%A9?q=%C3%A9"},
        Normalization{"https://example.org/a b", "https://example.org/a%20b"},
        // Unreserved characters decoded, in the path and the query.
        Normalization{"https://example.org/%7euser/%41%62%2D%5F%2E%7E%30",
                      "https://example.org/~user/Ab-_.~0"},
        Normalization{"https://example.org/p?%6B=%7E%76", "https://example.org/p?k=~v"},
        // A decoded "%2E" is a dot segment like any other.
        Normalization{"https://example.org/a/%2e%2E/b", "https://example.org/b"},
        Normalization{"https://example.org/a/%2E/b", "https://example.org/a/b"},
        // '%' without two hex digits is left alone.
        Normalization{"https://example.org/100%25/%zz?x=%", "https://example.org/100%25/%zz?x=%"},
        // Tracking parameters go, real ones stay in their order.
        Normalization{"https://example.org/p?utm_source=x&id=7&utm_medium=y&fbclid=abc&page=2",
                      "https://example.org/p?id=7&page=2"},
        Normalization{"https://example.org/p?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6&"
                      "yclid=7&igshid=8&utm_=9&b=1&a=2",
                      "https://example.org/p?b=1&a=2"},
        Normalization{"https://example.org/p?utm_source=x&gclid=1", "https://example.org/p"},
        Normalization{"https://example.org/p?utm_source", "https://example.org/p"},
        Normalization{"https://example.org/p?%75tm_source=x&a=1", "https://example.org/p?a=1"},
        Normalization{"https://example.org/p?utm=1&fbclid2=x&my_ga=1&_gac=2&UTM_SOURCE=3",
                      "https://example.org/p?utm=1&fbclid2=x&my_ga=1&_gac=2&UTM_SOURCE=3"},
        // Empty parameters dropped; "a" and "a=" differ; repeats kept.
        Normalization{"https://example.org/p?&a&&b=&", "https://example.org/p?a&b="},
        Normalization{"https://example.org/p?a=1&a=1", "https://example.org/p?a=1&a=1"},
        Normalization{"https://example.org/p?", "https://example.org/p"},
        Normalization{"https://example.org/p?&&#x", "https://example.org/p"},
        // '+' is neither a space nor %2B; only '&' separates parameters.
        Normalization{"https://example.org/p?q=a+b&r=a%2bb&s=a%20b",
                      "https://example.org/p?q=a+b&r=a%2Bb&s=a%20b"},
        Normalization{"https://example.org/p;s=1?x=1;utm_source=2&y=a?b",
                      "https://example.org/p;s=1?x=1;utm_source=2&y=a?b"}));

TEST(NormalizeUrlTest, OptionsChooseTheStrippedParameters) {
  UrlNormalizeOptions options{.strip_query_params = {"sessionid", "ref*"}};
  absl::StatusOr<std::string> url =
      NormalizeUrl("https://example.org/p?ref=a&referrer=b&utm_source=c&sessionid=d&x=1", options);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "https://example.org/p?utm_source=c&x=1");

  url = NormalizeUrl("https://example.org/p?utm_source=c&&x=1",
                     UrlNormalizeOptions{.strip_query_params = {}});
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "https://example.org/p?utm_source=c&x=1");

  url = NormalizeUrl("https://example.org/p?a=1&b=2",
                     UrlNormalizeOptions{.strip_query_params = {"*"}});
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "https://example.org/p");
}

TEST(NormalizeUrlTest, RelativeAndNonHttpUrlsAreErrors) {
  for (const char* url : {"/just/a/path", "", "ftp://example.org/?utm_source=x", "not a url"}) {
    absl::StatusOr<std::string> normal = NormalizeUrl(url, UrlNormalizeOptions{});
    EXPECT_FALSE(normal.ok()) << url << " gave " << *normal;
    if (!normal.ok()) {
      EXPECT_EQ(normal.status().code(), absl::StatusCode::kInvalidArgument) << url;
    }
    EXPECT_FALSE(DedupeKey(url, UrlNormalizeOptions{}).ok()) << url;
  }
}

class DedupeKeyTest : public ::testing::TestWithParam<Normalization> {};

TEST_P(DedupeKeyTest, SortsParametersByNameThenValue) {
  absl::StatusOr<std::string> key = DedupeKey(GetParam().url, UrlNormalizeOptions{});
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, GetParam().normal);
  absl::StatusOr<std::string> again = DedupeKey(*key, UrlNormalizeOptions{});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *key) << "not idempotent";
}

INSTANTIATE_TEST_SUITE_P(
    Keys, DedupeKeyTest,
    ::testing::Values(
        Normalization{"https://example.org/p?b=1&a=2", "https://example.org/p?a=2&b=1"},
        Normalization{"https://example.org/p?a=2&b=1", "https://example.org/p?a=2&b=1"},
        Normalization{"https://example.org/p?b=2&a=1&b=1&a", "https://example.org/p?a&a=1&b=1&b=2"},
        Normalization{"https://example.org/p?a=&a", "https://example.org/p?a&a="},
        // By name first: "a=2" would sort after "a-b=3" as a whole string.
        Normalization{"https://example.org/p?ab=1&a=2&a-b=3",
                      "https://example.org/p?a=2&a-b=3&ab=1"},
        Normalization{"https://Example.org/p?utm_campaign=z&z=1&y=%7e&fbclid=q#top",
                      "https://example.org/p?y=~&z=1"},
        Normalization{"https://example.org/p?q=a+b&q=a%2bb", "https://example.org/p?q=a%2Bb&q=a+b"},
        Normalization{"https://example.org/p", "https://example.org/p"}));

// The two spellings of an internationalised name are one origin, so one
// robots.txt and one politeness clock, and one page.
TEST(OriginOfTest, BothSpellingsOfAnIdnAreOneOrigin) {
  for (const char* url : {"https://xn--bcher-kva.example/a", "https://BÜCHER.example/b",
                          "https://Xn--Bcher-Kva.EXAMPLE:443/c"}) {
    absl::StatusOr<std::string> origin = OriginOf(url);
    ASSERT_TRUE(origin.ok()) << url << ": " << origin.status();
    EXPECT_EQ(*origin, "https://bücher.example") << url;
    absl::StatusOr<std::string> key = DedupeKey(std::string(url).replace(
                                                    std::string(url).rfind('/'), 2, "/p"),
                                                UrlNormalizeOptions{});
    ASSERT_TRUE(key.ok()) << url << ": " << key.status();
    EXPECT_EQ(*key, "https://bücher.example/p") << url;
  }
}

TEST(DedupeKeyTest, SpellingsOfOnePageShareAKey) {
  const std::vector<std::string> spellings = {
      "https://example.org/gallery/%7ejane/photos?page=2&sort=date",
      "HTTPS://EXAMPLE.ORG:443/gallery/~jane/photos?sort=date&page=2",
      "https://example.org/gallery/x/../%7Ejane/./photos?utm_source=news&sort=date&page=2#top",
      "https://example.org/gallery/~jane/photos?&sort=date&fbclid=abc&&page=2&",
  };
  for (const std::string& url : spellings) {
    absl::StatusOr<std::string> key = DedupeKey(url, UrlNormalizeOptions{});
    ASSERT_TRUE(key.ok()) << url << ": " << key.status();
    EXPECT_EQ(*key, "https://example.org/gallery/~jane/photos?page=2&sort=date") << url;
  }
}

TEST(SplitHttpUrlTest, GivesNormalisedParts) {
  struct Case {
    const char* url;
    const char* scheme;
    const char* host;
    int port;
    const char* path;
  };
  for (const Case& c :
       {Case{"HTTPS://Example.ORG/a/%7e/../b?q#f", "https", "example.org", 443, "/a/b"},
        Case{"http://example.org", "http", "example.org", 80, "/"},
        Case{"http://example.org:443/x%2fy", "http", "example.org", 443, "/x%2Fy"},
        Case{"http://user:pw@[::1]:8080/caf%c3%a9/", "http", "[::1]", 8080, "/caf%C3%A9/"}}) {
    absl::StatusOr<HttpUrlParts> parts = SplitHttpUrl(c.url);
    ASSERT_TRUE(parts.ok()) << c.url << ": " << parts.status();
    EXPECT_EQ(parts->scheme, c.scheme) << c.url;
    EXPECT_EQ(parts->host, c.host) << c.url;
    EXPECT_EQ(parts->port, c.port) << c.url;
    EXPECT_EQ(parts->path, c.path) << c.url;
  }
  EXPECT_FALSE(SplitHttpUrl("ftp://example.org/").ok());
  EXPECT_FALSE(SplitHttpUrl("/relative").ok());
}

TEST(OriginOfTest, IsSchemeHostAndNonDefaultPort) {
  struct Case {
    const char* url;
    const char* origin;
  };
  for (const Case& c : {Case{"https://Example.org:443/a/b?c#d", "https://example.org"},
                        Case{"HTTP://example.org:80", "http://example.org"},
                        Case{"http://example.org:8080/x", "http://example.org:8080"},
                        Case{"https://example.org?q=/x", "https://example.org"},
                        Case{"http://[::1]:8080/x", "http://[::1]:8080"}}) {
    absl::StatusOr<std::string> origin = OriginOf(c.url);
    ASSERT_TRUE(origin.ok()) << c.url << ": " << origin.status();
    EXPECT_EQ(*origin, c.origin) << c.url;
  }
  EXPECT_FALSE(OriginOf("mailto:a@example.org").ok());
  EXPECT_FALSE(OriginOf("/relative").ok());
}

// url.h documents the origin as "scheme://host[:port]"; credentials are no
// part of it (RFC 6454) and must not end up in robots.txt URLs or reports.
TEST(OriginOfTest, LeavesOutCredentials) {
  absl::StatusOr<std::string> origin = OriginOf("https://user:secret@example.org:8443/x");
  ASSERT_TRUE(origin.ok()) << origin.status();
  EXPECT_EQ(*origin, "https://example.org:8443");
}

TEST(HostOfTest, IsLowerCaseHostWithoutPort) {
  absl::StatusOr<std::string> host = HostOf("https://WWW.Example.ORG:8443/p?q#f");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(*host, "www.example.org");
  host = HostOf("http://user:pw@Example.org/");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(*host, "example.org");
  EXPECT_FALSE(HostOf("ftp://example.org/").ok());
  EXPECT_FALSE(HostOf("example.org/no-scheme").ok());
}

TEST(IsHttpUrlTest, OnlyAbsoluteHttpAndHttps) {
  EXPECT_TRUE(IsHttpUrl("http://example.org/"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://example.org/"));
  EXPECT_FALSE(IsHttpUrl("ftp://example.org/"));
  EXPECT_FALSE(IsHttpUrl("//example.org/"));
  EXPECT_FALSE(IsHttpUrl("/http://example.org/"));
  EXPECT_FALSE(IsHttpUrl("httpx://example.org/"));
  EXPECT_FALSE(IsHttpUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsHttpUrl(""));
}

}  // namespace
}  // namespace scrapewatch::crawler
