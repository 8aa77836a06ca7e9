#include "crawler/host_name.h"

#include <libpsl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scrapewatch::crawler {
namespace {

struct PslStringDeleter {
  void operator()(char* text) const { psl_free_string(text); }
};
using PslString = std::unique_ptr<char, PslStringDeleter>;

void AppendUtf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out +=
        {static_cast<char>(0xC0 | code_point >> 6), static_cast<char>(0x80 | (code_point & 0x3F))};
  } else if (code_point < 0x10000) {
    out += {static_cast<char>(0xE0 | code_point >> 12),
            static_cast<char>(0x80 | (code_point >> 6 & 0x3F)),
            static_cast<char>(0x80 | (code_point & 0x3F))};
  } else {
    out += {static_cast<char>(0xF0 | code_point >> 18),
            static_cast<char>(0x80 | (code_point >> 12 & 0x3F)),
            static_cast<char>(0x80 | (code_point >> 6 & 0x3F)),
            static_cast<char>(0x80 | (code_point & 0x3F))};
  }
}

// RFC 3492 §6.2, the label after its "xn--". libcurl 7.88's CURLU_PUNYCODE
// fails on every non-ASCII host and libidn2 is not linked, so hosts are
// compared in their Unicode form and this is the way there. nullopt for
// anything that is not valid punycode.
std::optional<std::string> DecodePunycode(std::string_view label) {
  constexpr uint64_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
  constexpr uint64_t kMaxCodePoint = 0x10FFFF, kMaxStep = uint64_t{1} << 32;
  auto adapt = [](uint64_t delta, uint64_t points, bool first) {
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    uint64_t k = 0;
    for (; delta > (kBase - kTMin) * kTMax / 2; k += kBase) delta /= kBase - kTMin;
    return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
  };
  std::u32string decoded;
  if (const size_t last_dash = label.rfind('-'); last_dash != std::string_view::npos) {
    for (unsigned char c : label.substr(0, last_dash)) {
      if (c >= 0x80) return std::nullopt;
      decoded += c;
    }
    label.remove_prefix(last_dash + 1);
  }
  uint64_t code_point = 0x80, index = 0, bias = 72;
  while (!label.empty()) {
    const uint64_t old_index = index;
    for (uint64_t weight = 1, k = kBase;; k += kBase) {
      if (label.empty() || index > kMaxStep || weight > kMaxStep) return std::nullopt;
      const char c = absl::ascii_tolower(label.front());
      label.remove_prefix(1);
      const uint64_t digit = absl::ascii_isdigit(c)   ? c - '0' + 26
                             : absl::ascii_islower(c) ? c - 'a'
                                                      : kBase;
      if (digit >= kBase) return std::nullopt;
      index += digit * weight;
      const uint64_t threshold = k <= bias ? kTMin : k >= bias + kTMax ? kTMax : k - bias;
      if (digit < threshold) break;
      weight *= kBase - threshold;
    }
    const uint64_t length = decoded.size() + 1;
    bias = adapt(index - old_index, length, old_index == 0);
    code_point += index / length;
    index %= length;
    if (code_point > kMaxCodePoint || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    decoded.insert(decoded.begin() + index, static_cast<char32_t>(code_point));
    ++index;
  }
  std::string utf8;
  for (char32_t c : decoded) AppendUtf8(c, utf8);
  return utf8;
}

// libunistring, under psl_str_to_utf8lower, would turn invalid bytes into
// U+FFFD and so make different hosts one. Overlong forms pass; they cannot
// become a real name either way.
bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = text[i];
    const size_t length = lead < 0x80                    ? 1
                          : lead >= 0xC2 && lead <= 0xDF ? 2
                          : lead >= 0xE0 && lead <= 0xEF ? 3
                          : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                         : 0;
    if (length == 0 || length > text.size() - i) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> ComparableHost(std::string_view host) {
  if (host.empty()) return absl::InvalidArgumentError("empty host name");
  if (!IsUtf8(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("host name is not UTF-8: '", absl::CHexEscape(std::string(host)), "'"));
  }
  std::vector<std::string> labels;
  for (absl::string_view split : absl::StrSplit(absl::string_view(host.data(), host.size()), '.')) {
    const std::string_view label(split.data(), split.size());
    std::optional<std::string> unicode;
    if (absl::StartsWithIgnoreCase(split, "xn--")) unicode = DecodePunycode(label.substr(4));
    labels.push_back(unicode ? *std::move(unicode) : std::string(label));
  }
  const std::string joined = absl::StrJoin(labels, ".");
  char* raw = nullptr;
  // An explicit encoding keeps libpsl away from nl_langinfo and the locale.
  if (psl_str_to_utf8lower(joined.c_str(), "utf-8", nullptr, &raw) != PSL_SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat("cannot lower-case host name '", joined, "'"));
  }
  return std::string(PslString(raw).get());
}

}  // namespace scrapewatch::crawler
