#include "crawler/scope.h"

#include <libpsl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "crawler/host_name.h"

namespace scrapewatch::crawler {
namespace {

// "example.org." is the fully qualified spelling of example.org.
std::string_view WithoutFinalDot(std::string_view host) {
  return host.ends_with('.') ? host.substr(0, host.size() - 1) : host;
}

// Host names never end in an all-digit label, so such a host is an IPv4
// address however it was written; IPv6 literals keep their brackets.
bool IsIpAddress(std::string_view host) {
  const std::string_view last_label = host.substr(host.rfind('.') + 1);
  return host.starts_with('[') ||
         (!last_label.empty() && std::ranges::all_of(last_label, absl::ascii_isdigit));
}

}  // namespace

absl::StatusOr<ScopeMode> ParseScopeMode(std::string_view name) {
  if (name == "host") return ScopeMode::kHost;
  if (name == "site") return ScopeMode::kSite;
  if (name == "prefix") return ScopeMode::kPrefix;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown crawl scope '", std::string(name), "' (valid: host, site, prefix)"));
}

absl::StatusOr<PublicSuffixList> PublicSuffixList::Load() {
  psl_ctx_t* list = psl_latest(nullptr);
  if (list == nullptr) list = const_cast<psl_ctx_t*>(psl_builtin());
  if (list == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("no public suffix list: neither ", psl_dist_filename(),
                     " nor a list built into libpsl (install the publicsuffix package)"));
  }
  // psl_free leaves the built-in list alone, so one deleter serves both.
  return PublicSuffixList(std::shared_ptr<const psl_ctx_t>(
      list, [](const psl_ctx_t* loaded) { psl_free(const_cast<psl_ctx_t*>(loaded)); }));
}

absl::StatusOr<std::string> PublicSuffixList::RegistrableDomain(std::string_view host) const {
  absl::StatusOr<std::string> comparable = ComparableHost(WithoutFinalDot(host));
  if (!comparable.ok()) return comparable.status();
  // libpsl would take "127.0.0.1" for a domain under the suffix "1".
  const char* domain =
      IsIpAddress(*comparable) ? nullptr : psl_registrable_domain(list_.get(), comparable->c_str());
  if (domain == nullptr) {
    return absl::NotFoundError(absl::StrCat("'", std::string(host), "' has no registrable domain"));
  }
  return std::string(domain);
}

absl::StatusOr<CrawlScope> CrawlScope::Create(ScopeMode mode,
                                              const std::vector<std::string>& seeds) {
  if (seeds.empty()) return absl::InvalidArgumentError("a crawl scope needs at least one seed");
  absl::StatusOr<PublicSuffixList> suffixes = PublicSuffixList::Load();
  if (!suffixes.ok()) return suffixes.status();
  CrawlScope scope(mode, *std::move(suffixes));
  for (const std::string& seed : seeds) {
    absl::StatusOr<HttpUrlParts> parts = SplitHttpUrl(seed);
    if (!parts.ok()) return parts.status();
    absl::StatusOr<std::string> key = scope.KeyOf(*parts);
    if (!key.ok()) return key.status();
    std::string prefix = "/";
    if (mode == ScopeMode::kPrefix) prefix = parts->path.substr(0, parts->path.rfind('/') + 1);
    scope.prefixes_by_key_[*key].push_back(std::move(prefix));
  }
  return scope;
}

bool CrawlScope::Contains(std::string_view url) const {
  absl::StatusOr<HttpUrlParts> parts = SplitHttpUrl(url);
  if (!parts.ok()) return false;
  absl::StatusOr<std::string> key = KeyOf(*parts);
  if (!key.ok()) return false;
  auto it = prefixes_by_key_.find(*key);
  return it != prefixes_by_key_.end() &&
         std::ranges::any_of(it->second, [&](const std::string& prefix) {
           return parts->path.starts_with(prefix);
         });
}

absl::StatusOr<std::string> CrawlScope::KeyOf(const HttpUrlParts& url) const {
  switch (mode_) {
    case ScopeMode::kHost:
      return ComparableHost(url.host);
    case ScopeMode::kSite: {
      absl::StatusOr<std::string> domain = suffixes_.RegistrableDomain(url.host);
      if (!absl::IsNotFound(domain.status())) return domain;
      return ComparableHost(WithoutFinalDot(url.host));
    }
    case ScopeMode::kPrefix: {
      absl::StatusOr<std::string> host = ComparableHost(url.host);
      if (!host.ok()) return host.status();
      return absl::StrCat(url.scheme, "://", *host, ":", url.port);
    }
  }
  return absl::InternalError("unknown crawl scope mode");
}

}  // namespace scrapewatch::crawler
