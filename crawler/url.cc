#include "crawler/url.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

absl::Status LowerCaseHost(CURLU* handle, std::string_view url) {
  absl::StatusOr<std::string> host = GetPart(handle, CURLUPART_HOST, url);
  if (!host.ok()) return host.status();
  std::string lower = absl::AsciiStrToLower(*host);
  if (lower != *host) curl_url_set(handle, CURLUPART_HOST, lower.c_str(), 0);
  return absl::OkStatus();
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
