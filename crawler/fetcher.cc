#include "crawler/fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace scrapewatch::crawler {
namespace {

// Loopback, private, link-local, shared (CGNAT), documentation, benchmark,
// multicast, reserved and "this network" addresses: where an auditor's own
// services live, or nowhere at all — never a public website.
bool IsNonPublicIpv4(const unsigned char* a) {
  return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
         (a[0] == 100 && (a[1] & 0xC0) == 64) || (a[0] == 169 && a[1] == 254) ||
         (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
         (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
         (a[0] == 198 && (a[1] & 0xFE) == 18) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
         (a[0] == 203 && a[1] == 0 && a[2] == 113);
}

bool IsNonPublicAddress(const char* ip) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, ip, bytes) == 1) return IsNonPublicIpv4(bytes);
  if (inet_pton(AF_INET6, ip, bytes) != 1) return true;  // unparseable: refuse
  static const unsigned char kZero[12] = {};
  static const unsigned char kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  static const unsigned char kNat64[12] = {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  // IPv4 inside IPv6 (mapped, compatible, NAT64) is judged as IPv4, so
  // ::ffff:127.0.0.1 is loopback too; :: and ::1 fall in "compatible".
  if (std::memcmp(bytes, kV4Mapped, 12) == 0 || std::memcmp(bytes, kZero, 12) == 0 ||
      std::memcmp(bytes, kNat64, 12) == 0) {
    return IsNonPublicIpv4(bytes + 12);
  }
  return (bytes[0] & 0xFE) == 0xFC ||                                  // fc00::/7 unique local
         (bytes[0] == 0xFE && (bytes[1] & 0x80) == 0x80) ||            // fe80::/10, fec0::/10
         bytes[0] == 0xFF ||                                           // multicast
         (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8) ||  // doc
         (bytes[0] == 0x01 && bytes[1] == 0x00 && std::memcmp(bytes + 2, kZero, 6) == 0);  // discard
}

// One in-flight transfer: its easy handle and everything its callbacks fill.
struct Transfer {
  CURL* easy = nullptr;
  uint64_t tag = 0;
  int64_t max_body_bytes = 0;
  bool follow_redirects = true;
  bool allow_private = false;
  std::string refused_ip;
  FetchResult result;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  std::string& body = transfer->result.body;
  if (static_cast<int64_t>(body.size() + bytes) > transfer->max_body_bytes) {
    body.append(data, transfer->max_body_bytes - body.size());
    transfer->result.truncated = true;
    return 0;  // makes libcurl stop the transfer with CURLE_WRITE_ERROR
  }
  body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  absl::string_view line(data, size * count);
  // A new status line starts a new response (after a redirect or a 100):
  // only the final response's headers describe what was served.
  if (absl::StartsWith(line, "HTTP/")) {
    transfer->result.headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return size * count;
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  transfer->result.headers.emplace_back(std::move(name), std::move(value));
  return size * count;
}

int OnConnected(void* user, char* conn_primary_ip, char*, int, int) {
  auto* transfer = static_cast<Transfer*>(user);
  if (!transfer->allow_private && IsNonPublicAddress(conn_primary_ip)) {
    transfer->refused_ip = conn_primary_ip;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

}  // namespace

class Fetcher::Impl {
 public:
  explicit Impl(const FetcherOptions& options) : options_(options), multi_(curl_multi_init()) {}

  ~Impl() {
    for (auto& [easy, transfer] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
    }
    curl_multi_cleanup(multi_);
  }

  void Submit(const FetchRequest& request) {
    auto transfer = std::make_unique<Transfer>();
    transfer->easy = curl_easy_init();
    transfer->tag = request.tag;
    transfer->max_body_bytes = request.max_body_bytes;
    transfer->follow_redirects = request.follow_redirects;
    transfer->allow_private = options_.allow_private_addresses;
    transfer->result.url = request.url;
    transfer->result.started_at = absl::Now();
    Configure(transfer.get());
    curl_multi_add_handle(multi_, transfer->easy);
    transfers_[transfer->easy] = std::move(transfer);
  }

  std::vector<std::pair<uint64_t, FetchResult>> Wait(absl::Duration max_wait) {
    std::vector<std::pair<uint64_t, FetchResult>> done;
    int running = 0;
    curl_multi_perform(multi_, &running);
    // With nothing in flight the caller is waiting out a politeness delay:
    // curl_multi_poll sleeps the whole timeout then, instead of spinning.
    if (CollectDone(done) == 0) {
      curl_multi_poll(multi_, nullptr, 0, static_cast<int>(absl::ToInt64Milliseconds(max_wait)),
                      nullptr);
      curl_multi_perform(multi_, &running);
      CollectDone(done);
    }
    return done;
  }

  size_t in_flight() const { return transfers_.size(); }

 private:
  void Configure(Transfer* transfer) {
    CURL* easy = transfer->easy;
    curl_easy_setopt(easy, CURLOPT_URL, transfer->result.url.c_str());
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, transfer->follow_redirects ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_seconds * 1000));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_seconds * 1000));
    if (options_.low_speed_bytes > 0) {
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes));
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                       std::max(1L, static_cast<long>(options_.low_speed_seconds)));
    }
    // No cookie engine and no credentials: the audit sees what a logged-out
    // scraper sees. HTTP/2 over TLS when the server offers it.
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, OnConnected);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, transfer);
  }

  size_t CollectDone(std::vector<std::pair<uint64_t, FetchResult>>& done) {
    size_t collected = 0;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      auto it = transfers_.find(message->easy_handle);
      Finish(it->second.get(), message->data.result);
      done.emplace_back(it->second->tag, std::move(it->second->result));
      curl_multi_remove_handle(multi_, message->easy_handle);
      curl_easy_cleanup(message->easy_handle);
      transfers_.erase(it);
      ++collected;
    }
    return collected;
  }

  void Finish(Transfer* transfer, CURLcode code) {
    FetchResult& result = transfer->result;
    long status = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    result.http_status = static_cast<int>(status);
    char* final_url = nullptr;
    curl_easy_getinfo(transfer->easy, CURLINFO_EFFECTIVE_URL, &final_url);
    result.final_url = final_url ? final_url : result.url;
    char* ip = nullptr;
    curl_easy_getinfo(transfer->easy, CURLINFO_PRIMARY_IP, &ip);
    result.remote_ip = ip ? ip : "";
    char* redirect = nullptr;
    curl_easy_getinfo(transfer->easy, CURLINFO_REDIRECT_URL, &redirect);
    if (redirect && !transfer->follow_redirects) result.redirect_url = redirect;
    result.elapsed = absl::Now() - result.started_at;
    if (!transfer->refused_ip.empty()) {
      result.error = absl::StrCat("refused to connect to non-public address ", transfer->refused_ip,
                                  " (allow with --allow-private-addresses)");
    } else if (result.truncated) {
      result.error = absl::StrCat("body exceeds the limit of ", transfer->max_body_bytes, " bytes");
    } else if (code != CURLE_OK) {
      result.error = curl_easy_strerror(code);
    }
  }

  FetcherOptions options_;
  CURLM* multi_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
};

Fetcher::Fetcher(const FetcherOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Fetcher::~Fetcher() = default;
void Fetcher::Submit(const FetchRequest& request) { impl_->Submit(request); }
std::vector<std::pair<uint64_t, FetchResult>> Fetcher::Wait(absl::Duration max_wait) {
  return impl_->Wait(max_wait);
}
size_t Fetcher::in_flight() const { return impl_->in_flight(); }

}  // namespace scrapewatch::crawler
