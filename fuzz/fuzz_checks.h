// Checks shared by the fuzz targets. A fuzzer that only waits for crashes
// misses a parser that returns garbage, so each target also checks what its
// header promises callers; a broken promise aborts, and libFuzzer keeps the
// input like any crash.
#ifndef SCRAPEWATCH_FUZZ_FUZZ_CHECKS_H_
#define SCRAPEWATCH_FUZZ_FUZZ_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace scrapewatch::fuzz {

// Aborts, naming the broken promise, unless `ok`.
inline void Require(bool ok, const char* promise) {
  if (ok) return;
  std::fprintf(stderr, "broken promise: %s\n", promise);
  std::abort();
}

// True if `text` is well-formed UTF-8: no stray continuation bytes, truncated
// or overlong sequences, surrogates, or code points beyond U+10FFFF. Reports
// are JSON, and nlohmann::json throws on anything else.
inline bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || text.size() - i < length) return false;
    uint32_t code_point = lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (byte(i + k) & 0x3F);
    }
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
        (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

// Code points in `text`, which must be valid UTF-8.
inline size_t CodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace scrapewatch::fuzz

#endif  // SCRAPEWATCH_FUZZ_FUZZ_CHECKS_H_
