// Tests crawler/scope.h: ParseScopeMode, the registrable domains the Public
// Suffix List gives (ICANN and private suffixes, IP literals, single labels,
// IDN in both spellings), which URLs each scope mode contains (hosts, sites,
// origins and path prefixes, with and without a trailing slash), seed errors,
// and concurrent use of copies that share one list.
#include "crawler/scope.h"

#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::crawler {
namespace {

using ::testing::HasSubstr;

TEST(ParseScopeModeTest, NamesTheThreeModes) {
  EXPECT_EQ(ParseScopeMode("host").value(), ScopeMode::kHost);
  EXPECT_EQ(ParseScopeMode("site").value(), ScopeMode::kSite);
  EXPECT_EQ(ParseScopeMode("prefix").value(), ScopeMode::kPrefix);
  for (const char* name : {"", "Host", "domain", "sites"}) {
    absl::StatusOr<ScopeMode> mode = ParseScopeMode(name);
    ASSERT_FALSE(mode.ok()) << name;
    EXPECT_EQ(mode.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(mode.status().message()), HasSubstr("host, site, prefix"));
  }
}

struct Domain {
  const char* host;
  const char* registrable;  // nullptr: NotFound
};

void PrintTo(const Domain& d, std::ostream* os) {
  *os << d.host << " -> " << (d.registrable ? d.registrable : "(none)");
}

class RegistrableDomainTest : public ::testing::TestWithParam<Domain> {
 protected:
  static void SetUpTestSuite() { list_ = new PublicSuffixList(PublicSuffixList::Load().value()); }
  static void TearDownTestSuite() { delete list_; }
  static PublicSuffixList* list_;
};
PublicSuffixList* RegistrableDomainTest::list_ = nullptr;

TEST_P(RegistrableDomainTest, FollowsThePublicSuffixList) {
  absl::StatusOr<std::string> domain = list_->RegistrableDomain(GetParam().host);
  if (GetParam().registrable == nullptr) {
    ASSERT_FALSE(domain.ok()) << *domain;
    EXPECT_EQ(domain.status().code(), absl::StatusCode::kNotFound);
  } else {
    ASSERT_TRUE(domain.ok()) << domain.status();
    EXPECT_EQ(*domain, GetParam().registrable);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Hosts, RegistrableDomainTest,
    ::testing::Values(
        Domain{"www.example.co.uk", "example.co.uk"}, Domain{"WWW.Example.CO.UK", "example.co.uk"},
        Domain{"img.cdn.example.org", "example.org"}, Domain{"example.org", "example.org"},
        Domain{"example.org.", "example.org"},
        // github.io is in the list's private section: each user is a site.
        Domain{"a.github.io", "a.github.io"}, Domain{"x.a.github.io", "a.github.io"},
        Domain{"a.b.c.kawasaki.jp", "b.c.kawasaki.jp"},  // wildcard rule *.kawasaki.jp
        Domain{"city.kawasaki.jp", "city.kawasaki.jp"},  // and its exception
        // IDN: punycode decoded, Unicode lower-cased; RFC 3492 §7.1 samples.
        Domain{"xn--bcher-kva.example", "bücher.example"},
        Domain{"www.XN--BCHER-KVA.de", "bücher.de"}, Domain{"www.BÜCHER.de", "bücher.de"},
        Domain{"xn--ihqwcrb4cv8a8dqg056pqjye.example", "他们为什么不说中文.example"},
        Domain{"xn--3b-ww4c5e180e575a65lsy2b.jp", "3年b組金八先生.jp"},
        Domain{"xn--zz.example", "xn--zz.example"},  // not punycode: left as it is
        Domain{"co.uk", nullptr}, Domain{"github.io", nullptr}, Domain{"com", nullptr},
        Domain{"localhost", nullptr}, Domain{"127.0.0.1", nullptr}, Domain{"192.168.0.1", nullptr},
        Domain{"[::1]", nullptr}, Domain{"[2001:db8::1]", nullptr}));

TEST_F(RegistrableDomainTest, EmptyAndNonUtf8HostsAreErrors) {
  for (const char* host : {"", ".", "\xff\xfe.example"}) {
    absl::StatusOr<std::string> domain = list_->RegistrableDomain(host);
    ASSERT_FALSE(domain.ok()) << host << " gave " << *domain;
    EXPECT_EQ(domain.status().code(), absl::StatusCode::kInvalidArgument) << host;
  }
}

struct Membership {
  ScopeMode mode;
  std::vector<std::string> seeds;
  const char* url;
  bool contained;
};

void PrintTo(const Membership& m, std::ostream* os) {
  *os << (m.mode == ScopeMode::kHost   ? "host"
          : m.mode == ScopeMode::kSite ? "site"
                                       : "prefix")
      << " " << m.seeds.front() << (m.seeds.size() > 1 ? ",..." : "") << " contains " << m.url
      << ": " << m.contained;
}

class CrawlScopeTest : public ::testing::TestWithParam<Membership> {};

TEST_P(CrawlScopeTest, ContainsExactlyWhatTheModeAllows) {
  absl::StatusOr<CrawlScope> scope = CrawlScope::Create(GetParam().mode, GetParam().seeds);
  ASSERT_TRUE(scope.ok()) << scope.status();
  EXPECT_EQ(scope->Contains(GetParam().url), GetParam().contained);
}

constexpr ScopeMode kHost = ScopeMode::kHost;
constexpr ScopeMode kSite = ScopeMode::kSite;
constexpr ScopeMode kPrefix = ScopeMode::kPrefix;
const std::vector<std::string> kCoUk = {"https://www.example.co.uk/start"};

INSTANTIATE_TEST_SUITE_P(
    Host, CrawlScopeTest,
    ::testing::Values(
        Membership{kHost, kCoUk, "https://www.example.co.uk/a/b?c#d", true},
        Membership{kHost, kCoUk, "http://WWW.Example.CO.UK/", true},  // scheme and case
        Membership{kHost, kCoUk, "https://www.example.co.uk:8443/", true},
        Membership{kHost, kCoUk, "https://img.example.co.uk/", false},
        Membership{kHost, kCoUk, "https://example.co.uk/", false},
        Membership{kHost, kCoUk, "https://www.example.co.uk.evil.example/", false},
        Membership{kHost, kCoUk, "ftp://www.example.co.uk/", false},
        Membership{kHost, kCoUk, "/start", false}, Membership{kHost, kCoUk, "not a url", false},
        Membership{
            kHost, {"https://a.example/", "https://b.example/"}, "https://b.example/x", true},
        Membership{
            kHost, {"https://a.example/", "https://b.example/"}, "https://c.example/", false},
        Membership{kHost, {"http://[::1]:8080/"}, "http://[0:0::1]/x", true},
        Membership{kHost, {"http://127.0.0.1/"}, "http://0x7f.0.0.1/", true},
        Membership{kHost, {"http://127.0.0.1/"}, "http://127.0.0.2/", false},
        Membership{kHost, {"https://xn--bcher-kva.example/"}, "https://bücher.example/x", true},
        Membership{kHost, {"https://bücher.example/"}, "https://XN--BCHER-KVA.example/", true},
        Membership{kHost, {"https://bücher.example/"}, "https://BÜCHER.example/", true},
        Membership{kHost, {"https://bücher.example/"}, "https://www.bücher.example/", false}));

INSTANTIATE_TEST_SUITE_P(
    Site, CrawlScopeTest,
    ::testing::Values(
        Membership{kSite, kCoUk, "https://img.example.co.uk/x.jpg", true},
        Membership{kSite, kCoUk, "http://example.co.uk/", true},
        Membership{kSite, kCoUk, "https://a.b.EXAMPLE.co.uk:8080/", true},
        Membership{kSite, kCoUk, "https://www.example.co.uk./", true},
        Membership{kSite, kCoUk, "https://other.co.uk/", false},
        Membership{kSite, kCoUk, "https://co.uk/", false},
        Membership{kSite, kCoUk, "https://example.uk/", false},
        Membership{kSite, kCoUk, "https://example.co.uk.evil.example/", false},
        Membership{kSite, {"https://a.github.io/"}, "https://x.a.github.io/", true},
        Membership{kSite, {"https://a.github.io/"}, "https://b.github.io/", false},
        Membership{kSite, {"https://a.github.io/"}, "https://github.io/", false},
        // A public suffix as seed is a site of one host.
        Membership{kSite, {"https://github.io/"}, "http://github.io/x", true},
        Membership{kSite, {"https://github.io/"}, "https://a.github.io/", false},
        // IP literals and single labels are their own site; libpsl alone
        // would put 127.0.0.1 and 10.0.0.1 in one site, "0.1".
        Membership{kSite, {"http://127.0.0.1:8080/"}, "http://127.0.0.1/", true},
        Membership{kSite, {"http://127.0.0.1:8080/"}, "http://10.0.0.1/", false},
        Membership{kSite, {"http://[::1]:8080/"}, "https://[::1]/", true},
        Membership{kSite, {"http://[::1]:8080/"}, "http://[::2]/", false},
        Membership{kSite, {"http://localhost:8080/"}, "http://LOCALHOST/", true},
        Membership{kSite, {"http://localhost:8080/"}, "http://other/", false},
        Membership{kSite, {"http://localhost:8080/"}, "http://www.localhost/", false},
        Membership{kSite, {"https://www.bücher.de/"}, "https://img.xn--bcher-kva.de/", true},
        Membership{kSite, {"https://www.xn--bcher-kva.de/"}, "https://BÜCHER.de/", true},
        Membership{kSite, {"https://www.bücher.de/"}, "https://xn--bcher-kva.at/", false}));

const std::vector<std::string> kDocsDir = {"https://example.org/docs/"};
const std::vector<std::string> kDocsPage = {"https://example.org/docs/page.html?x=1"};

INSTANTIATE_TEST_SUITE_P(
    Prefix, CrawlScopeTest,
    ::testing::Values(
        Membership{kPrefix, kDocsDir, "https://example.org/docs/", true},
        Membership{kPrefix, kDocsDir, "https://example.org/docs/a/b.html?q=1#f", true},
        Membership{kPrefix, kDocsDir, "https://EXAMPLE.org:443/docs/a", true},
        Membership{kPrefix, kDocsDir, "https://example.org/%64ocs/a", true},
        Membership{kPrefix, kDocsDir, "https://example.org/docs", false},
        Membership{kPrefix, kDocsDir, "https://example.org/docsx/", false},
        Membership{kPrefix, kDocsDir, "https://example.org/Docs/", false},
        Membership{kPrefix, kDocsDir, "https://example.org/docs/../secret", false},
        Membership{kPrefix, kDocsDir, "https://example.org/docs/%2e%2e/secret", false},
        Membership{kPrefix, kDocsDir, "http://example.org/docs/a", false},        // scheme
        Membership{kPrefix, kDocsDir, "https://example.org:8443/docs/a", false},  // port
        Membership{kPrefix, kDocsDir, "https://www.example.org/docs/a", false},
        // Without a trailing slash the seed's last segment is not part of it.
        Membership{kPrefix, kDocsPage, "https://example.org/docs/other.html", true},
        Membership{kPrefix, kDocsPage, "https://example.org/other.html", false},
        Membership{kPrefix, {"https://example.org/docs"}, "https://example.org/anything", true},
        Membership{kPrefix, {"https://example.org"}, "https://example.org/a/b", true},
        Membership{kPrefix, {"https://example.org/café/"}, "https://example.org/caf%c3%a9/x", true},
        Membership{kPrefix, {"https://example.org/caf%C3%A9/"}, "https://example.org/café/y", true},
        Membership{kPrefix, {"https://example.org/café/"}, "https://example.org/cafe/", false},
        Membership{kPrefix, {"http://[::1]:8080/app/"}, "http://[::1]:8080/app/x", true},
        Membership{kPrefix, {"http://[::1]:8080/app/"}, "http://[::1]/app/x", false},
        Membership{
            kPrefix, {"https://xn--bcher-kva.example/a/"}, "https://bücher.example/a/b", true},
        Membership{kPrefix,
                   {"https://example.org/a/", "https://example.org/b/"},
                   "https://example.org/b/x",
                   true},
        Membership{kPrefix,
                   {"https://example.org/a/", "https://other.example/b/"},
                   "https://example.org/b/x",
                   false}));

TEST(CrawlScopeTest, BadSeedsAreErrors) {
  for (ScopeMode mode : {kHost, kSite, kPrefix}) {
    absl::StatusOr<CrawlScope> scope = CrawlScope::Create(mode, {});
    ASSERT_FALSE(scope.ok());
    EXPECT_EQ(scope.status().code(), absl::StatusCode::kInvalidArgument);
    for (const char* seed : {"ftp://example.org/", "/relative/path", "not a url"}) {
      scope = CrawlScope::Create(mode, {"https://example.org/", seed});
      ASSERT_FALSE(scope.ok()) << seed;
      EXPECT_EQ(scope.status().code(), absl::StatusCode::kInvalidArgument) << seed;
      EXPECT_THAT(std::string(scope.status().message()), HasSubstr(seed));
    }
  }
}

// Copies share the loaded list; the last one alive frees it, and any number
// of threads may ask at once.
TEST(CrawlScopeTest, CopiesOutliveTheOriginalAndServeManyThreads) {
  std::vector<CrawlScope> copies;
  {
    absl::StatusOr<CrawlScope> scope = CrawlScope::Create(kSite, {"https://www.example.co.uk/"});
    ASSERT_TRUE(scope.ok()) << scope.status();
    copies.assign(4, *scope);
  }
  std::vector<int> wrong(copies.size(), 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < copies.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        wrong[t] += !copies[t].Contains("https://img.example.co.uk/p.jpg");
        wrong[t] += copies[t].Contains("https://b.github.io/");
        wrong[t] += !copies[t].Contains("https://xn--bcher-kva.example.co.uk/");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : wrong) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace scrapewatch::crawler
