// Tests crawler/url.h: resolving every kind of reference against a base, the
// canonical form (lower-case scheme and host, no default port, no dot
// segments, no fragment), refusal of non-http schemes, and OriginOf / HostOf.
#include "crawler/url.h"

#include <ostream>
#include <string>

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
                                "https://example.org/Case/Kept.JPG"}));

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
