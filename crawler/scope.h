// Crawl scope: which page URLs a crawl may follow, decided from its seeds.
//
//   host:   the URL's host is a seed's host.
//   site:   the URL's site is a seed's. A site is a registrable domain (the
//           public suffix plus one label, "eTLD+1", from the Public Suffix
//           List), so www.example.co.uk and img.example.co.uk are one site
//           but a.github.io and b.github.io, under a suffix from the list's
//           private section, are two. A host without one (an IP address, a
//           single label like localhost, a public suffix itself) is its own
//           site.
//   prefix: the URL has a seed's origin (scheme, host and port) and its path
//           starts with the seed's path up to and including its last '/':
//           seed https://example.org/docs/ covers /docs/ and below, seed
//           https://example.org/docs the whole origin.
//
// host and site ignore scheme and port: http://example.org:8080/ is in a
// scope seeded with https://example.org/. Hosts are compared lower-case with
// punycode labels decoded ("xn--bcher-kva" is "bücher"), so the ASCII and the
// Unicode spelling of a name are one host; for site, a final '.' is dropped.
// Paths are compared after NormalizeUrl's percent-encoding normalisation.
//
// The list is libpsl's psl_latest(NULL): the newer of Debian's
// /usr/share/publicsuffix data and the copy built into libpsl.
//
// Thread safety: PublicSuffixList and CrawlScope are immutable once created,
// so any number of threads may call their const methods concurrently (libpsl
// lookups only read). Copies are cheap and share the loaded list, which the
// last of them frees.
// Errors: a seed that is not an absolute http(s) URL is InvalidArgumentError
// naming it, and Create fails as Load does when libpsl has no list at all (it
// loads one in every mode). A URL Contains cannot parse is out of scope.
#ifndef SCRAPEWATCH_CRAWLER_SCOPE_H_
#define SCRAPEWATCH_CRAWLER_SCOPE_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "crawler/url.h"

struct psl_ctx_st;  // libpsl's psl_ctx_t

namespace scrapewatch::crawler {

enum class ScopeMode { kHost, kSite, kPrefix };

// "host", "site" or "prefix"; anything else is InvalidArgumentError listing
// those.
absl::StatusOr<ScopeMode> ParseScopeMode(std::string_view name);

class PublicSuffixList {
 public:
  // FailedPreconditionError if libpsl has neither a list file nor a built-in
  // list.
  static absl::StatusOr<PublicSuffixList> Load();

  // The registrable domain of `host` (any case, Unicode or punycode), in the
  // comparable form the header comment describes: "bücher.example" for
  // WWW.xn--bcher-kva.example. NotFoundError for a host without one;
  // InvalidArgumentError for an empty host or one that is not UTF-8.
  absl::StatusOr<std::string> RegistrableDomain(std::string_view host) const;

 private:
  explicit PublicSuffixList(std::shared_ptr<const psl_ctx_st> list) : list_(std::move(list)) {}

  std::shared_ptr<const psl_ctx_st> list_;
};

class CrawlScope {
 public:
  // At least one seed is needed; a scope with none would contain nothing.
  static absl::StatusOr<CrawlScope> Create(ScopeMode mode, const std::vector<std::string>& seeds);

  // True if the crawl may follow `url`. Only absolute http(s) URLs can be.
  bool Contains(std::string_view url) const;

 private:
  CrawlScope(ScopeMode mode, PublicSuffixList suffixes)
      : mode_(mode), suffixes_(std::move(suffixes)) {}

  // The host, site or origin that `url` must share with a seed.
  absl::StatusOr<std::string> KeyOf(const HttpUrlParts& url) const;

  ScopeMode mode_;
  PublicSuffixList suffixes_;
  // Key to the path prefixes its seeds allow; "/" for host and site.
  absl::flat_hash_map<std::string, std::vector<std::string>> prefixes_by_key_;
};

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_SCOPE_H_
