#include "crawler/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "crawler/host_name.h"

namespace scrapewatch::crawler {
namespace {

struct UrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

absl::Status UrlError(std::string_view what, std::string_view url, CURLUcode code) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(what), " '", std::string(url),
                                                 "': ", curl_url_strerror(code)));
}

absl::StatusOr<std::string> GetPart(CURLU* handle, CURLUPart part, std::string_view url) {
  char* raw = nullptr;
  CURLUcode code = curl_url_get(handle, part, &raw, 0);
  if (code != CURLUE_OK) return UrlError("cannot read URL", url, code);
  return std::string(CurlString(raw).get());
}

// Parses an absolute http(s) URL and strips what never identifies a resource.
absl::StatusOr<UrlHandle> ParseHttpUrl(std::string_view url) {
  UrlHandle handle(curl_url());
  std::string text(url);
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(),
                                CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE);
  if (code != CURLUE_OK) return UrlError("invalid URL", url, code);
  absl::StatusOr<std::string> scheme = GetPart(handle.get(), CURLUPART_SCHEME, url);
  if (!scheme.ok()) return scheme.status();
  if (*scheme != "http" && *scheme != "https") {
    return absl::InvalidArgumentError(
        absl::StrCat("not an http(s) URL: '", std::string(url), "'"));
  }
  curl_url_set(handle.get(), CURLUPART_FRAGMENT, nullptr, 0);
  return handle;
}

absl::StatusOr<std::string> Serialise(CURLU* handle, std::string_view url) {
  char* raw = nullptr;
  // CURLU_NO_DEFAULT_PORT drops :80 / :443; libcurl lower-cases the scheme and
  // removes dot segments on parse. The host is lower-cased by us below.
  CURLUcode code = curl_url_get(handle, CURLUPART_URL, &raw, CURLU_NO_DEFAULT_PORT);
  if (code != CURLUE_OK) return UrlError("cannot serialise URL", url, code);
  return std::string(CurlString(raw).get());
}

// An internationalised name has one spelling, the Unicode one (host_name.h),
// so both spellings are one origin; libcurl converts it back to punycode
// when it connects. Other names are lower-cased ASCII.
bool IsInternationalised(absl::string_view host) {
  if (std::any_of(host.begin(), host.end(), [](char c) { return (c & 0x80) != 0; })) return true;
  for (absl::string_view label : absl::StrSplit(host, '.')) {
    if (absl::StartsWithIgnoreCase(label, "xn--")) return true;
  }
  return false;
}

absl::Status LowerCaseHost(CURLU* handle, std::string_view url) {
  absl::StatusOr<std::string> host = GetPart(handle, CURLUPART_HOST, url);
  if (!host.ok()) return host.status();
  std::string lower = absl::AsciiStrToLower(*host);
  if (IsInternationalised(*host)) {
    // A name that is not UTF-8 cannot be resolved either; it stays as it
    // was, lower-cased, and fails when fetched.
    absl::StatusOr<std::string> unicode = ComparableHost(*host);
    if (unicode.ok()) lower = *std::move(unicode);
  }
  if (lower != *host) curl_url_set(handle, CURLUPART_HOST, lower.c_str(), 0);
  return absl::OkStatus();
}

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexDigitValue(char c) {
  return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
}

// RFC 3986 §6.2.2.1-2. Text from libcurl is ASCII already (CURLU_URLENCODE
// escapes the rest); a '%' without two hex digits is left for the server to
// judge. robots.cc has its own copy, which also escapes raw non-ASCII.
std::string NormalisePercentEncoding(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) &&
        absl::ascii_isxdigit(text[i + 2])) {
      const unsigned char octet = HexDigitValue(text[i + 1]) * 16 + HexDigitValue(text[i + 2]);
      if (IsUnreserved(octet)) {
        out += static_cast<char>(octet);
      } else {
        out += {'%', kHex[octet >> 4], kHex[octet & 0xF]};
      }
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool IsStripped(std::string_view name, const std::vector<std::string>& patterns) {
  return std::ranges::any_of(patterns, [name](std::string_view pattern) {
    return pattern.ends_with('*') ? name.starts_with(pattern.substr(0, pattern.size() - 1))
                                  : name == pattern;
  });
}

// "name=value" as (name, "=value"): sorting by it puts "a" before "a=" before
// "a=1" before "a-b=1", whole names first.
std::pair<std::string_view, std::string_view> NameThenValue(const std::string& param) {
  const size_t name_end = std::min(param.find('='), param.size());
  return {std::string_view(param).substr(0, name_end), std::string_view(param).substr(name_end)};
}

absl::StatusOr<std::string> Normalize(std::string_view url, const UrlNormalizeOptions& options,
                                      bool sort_params) {
  absl::StatusOr<UrlHandle> handle = ParseHttpUrl(url);
  if (!handle.ok()) return handle.status();
  CURLU* parsed = handle->get();
  std::vector<std::string> params;
  char* raw_query = nullptr;
  if (curl_url_get(parsed, CURLUPART_QUERY, &raw_query, 0) == CURLUE_OK) {
    const CurlString query(raw_query);
    for (absl::string_view param : absl::StrSplit(query.get(), '&', absl::SkipEmpty())) {
      std::string normal = NormalisePercentEncoding(std::string_view(param.data(), param.size()));
      if (!IsStripped(NameThenValue(normal).first, options.strip_query_params)) {
        params.push_back(std::move(normal));
      }
    }
    if (sort_params) std::ranges::stable_sort(params, {}, NameThenValue);
    curl_url_set(parsed, CURLUPART_QUERY, nullptr, 0);
  }
  // The query is joined on afterwards because curl_url_set lower-cases the
  // escapes of any part it is given.
  absl::StatusOr<std::string> serialised = Serialise(parsed, url);
  if (!serialised.ok()) return serialised.status();
  std::string normal = NormalisePercentEncoding(*serialised);
  if (!params.empty()) absl::StrAppend(&normal, "?", absl::StrJoin(params, "&"));
  // A decoded "%2E" can form a dot segment, and only parsing removes those.
  return CanonicalizeUrl(normal);
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
  absl::string_view text(url.data(), url.size());
  return absl::StartsWithIgnoreCase(text, "http://") ||
         absl::StartsWithIgnoreCase(text, "https://");
}

absl::StatusOr<std::string> CanonicalizeUrl(std::string_view url) {
  absl::StatusOr<UrlHandle> handle = ParseHttpUrl(url);
  if (!handle.ok()) return handle.status();
  if (absl::Status s = LowerCaseHost(handle->get(), url); !s.ok()) return s;
  return Serialise(handle->get(), url);
}

absl::StatusOr<std::string> NormalizeUrl(std::string_view url, const UrlNormalizeOptions& options) {
  return Normalize(url, options, /*sort_params=*/false);
}

absl::StatusOr<std::string> DedupeKey(std::string_view url, const UrlNormalizeOptions& options) {
  return Normalize(url, options, /*sort_params=*/true);
}

absl::StatusOr<HttpUrlParts> SplitHttpUrl(std::string_view url) {
  // The query plays no part, so nothing need be stripped from it.
  absl::StatusOr<std::string> normal =
      Normalize(url, UrlNormalizeOptions{.strip_query_params = {}}, /*sort_params=*/false);
  if (!normal.ok()) return normal.status();
  absl::StatusOr<UrlHandle> handle = ParseHttpUrl(*normal);
  if (!handle.ok()) return handle.status();
  HttpUrlParts parts;
  for (auto [part, field] :
       {std::pair{CURLUPART_SCHEME, &parts.scheme}, std::pair{CURLUPART_HOST, &parts.host},
        std::pair{CURLUPART_PATH, &parts.path}}) {
    absl::StatusOr<std::string> text = GetPart(handle->get(), part, url);
    if (!text.ok()) return text.status();
    *field = *std::move(text);
  }
  char* port = nullptr;
  CURLUcode code = curl_url_get(handle->get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  if (code != CURLUE_OK) return UrlError("cannot read URL", url, code);
  if (!absl::SimpleAtoi(CurlString(port).get(), &parts.port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in URL '", std::string(url), "'"));
  }
  return parts;
}

absl::StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view reference) {
  absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(reference.data(), reference.size()));
  // RFC 3986 5.2.2: an empty or fragment-only reference is the base document
  // itself; libcurl would drop its last path segment and query.
  if (trimmed.empty() || trimmed.front() == '#') return CanonicalizeUrl(base);
  UrlHandle handle(curl_url());
  std::string base_text(base);
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, base_text.c_str(),
                                CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) return UrlError("invalid base URL", base, code);
  std::string ref_text(trimmed);
  // Setting a relative URL on a handle that holds an absolute one resolves it
  // per RFC 3986, which is what browsers do for well-formed references.
  code = curl_url_set(handle.get(), CURLUPART_URL, ref_text.c_str(),
                      CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE);
  if (code != CURLUE_OK) return UrlError("invalid URL reference", reference, code);
  absl::StatusOr<std::string> joined = Serialise(handle.get(), reference);
  if (!joined.ok()) return joined.status();
  return CanonicalizeUrl(*joined);
}

absl::StatusOr<std::string> OriginOf(std::string_view url) {
  absl::StatusOr<UrlHandle> handle = ParseHttpUrl(url);
  if (!handle.ok()) return handle.status();
  if (absl::Status s = LowerCaseHost(handle->get(), url); !s.ok()) return s;
  // Credentials are no part of an origin, and must not reach reports or keys.
  for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY}) {
    curl_url_set(handle->get(), part, nullptr, 0);
  }
  curl_url_set(handle->get(), CURLUPART_PATH, "/", 0);
  absl::StatusOr<std::string> root = Serialise(handle->get(), url);
  if (!root.ok()) return root.status();
  root->pop_back();  // the "/" path
  return root;
}

absl::StatusOr<std::string> HostOf(std::string_view url) {
  absl::StatusOr<UrlHandle> handle = ParseHttpUrl(url);
  if (!handle.ok()) return handle.status();
  absl::StatusOr<std::string> host = GetPart(handle->get(), CURLUPART_HOST, url);
  if (!host.ok()) return host.status();
  return absl::AsciiStrToLower(*host);
}

}  // namespace scrapewatch::crawler
