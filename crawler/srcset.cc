#include "crawler/srcset.h"

#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"

namespace scrapewatch::crawler {
namespace {

// HTML's "ASCII whitespace"; absl::ascii_isspace would also accept \v.
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

size_t SkipDigits(std::string_view text, size_t pos) {
  while (pos < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  return pos;
}

// HTML "valid non-negative integer" that is also non-zero, as "w" and "h"
// descriptors require. Compared as text so huge values cannot overflow.
bool IsPositiveInteger(std::string_view text) {
  return !text.empty() && SkipDigits(text, 0) == text.size() &&
         text.find_first_not_of('0') != std::string_view::npos;
}

// HTML "valid floating-point number": -?(digits(.digits)?|.digits)([eE][+-]?digits)?
bool IsValidFloat(std::string_view text) {
  size_t pos = text.starts_with('-') ? 1 : 0;
  size_t integer_end = SkipDigits(text, pos);
  bool has_digits = integer_end > pos;
  pos = integer_end;
  if (pos < text.size() && text[pos] == '.') {
    size_t fraction_end = SkipDigits(text, pos + 1);
    if (fraction_end == pos + 1) return false;
    has_digits = true;
    pos = fraction_end;
  }
  if (!has_digits) return false;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    size_t exponent_end = SkipDigits(text, pos);
    if (exponent_end == pos) return false;
    pos = exponent_end;
  }
  return pos == text.size();
}

// A density is negative when it has a minus sign and a non-zero mantissa
// ("-0x" is allowed).
bool IsNegativeFloat(std::string_view text) {
  if (!text.starts_with('-')) return false;
  std::string_view mantissa = text.substr(1, text.find_first_of("eE") - 1);
  return mantissa.find_first_not_of("0.") != std::string_view::npos;
}

// The spec's descriptor parser: at most one of width and density, height only
// together with width, no unknown descriptors.
bool DescriptorsValid(const std::vector<std::string_view>& descriptors) {
  bool width = false;
  bool density = false;
  bool height = false;
  for (std::string_view descriptor : descriptors) {
    char unit = descriptor.back();
    std::string_view value = descriptor.substr(0, descriptor.size() - 1);
    if (unit == 'w' && IsPositiveInteger(value) && !width && !density) {
      width = true;
    } else if (unit == 'x' && IsValidFloat(value) && !IsNegativeFloat(value) && !width &&
               !density && !height) {
      density = true;
    } else if (unit == 'h' && IsPositiveInteger(value) && !height && !density) {
      height = true;
    } else {
      return false;
    }
  }
  return !height || width;
}

// The spec's descriptor tokenizer, run from `pos` (just after a URL) up to
// and past the comma ending the candidate. Parentheses protect whitespace and
// commas, for future function-like descriptors.
std::vector<std::string_view> TokenizeDescriptors(std::string_view srcset, size_t& pos) {
  enum class State { kInDescriptor, kInParens, kAfterDescriptor };
  std::vector<std::string_view> descriptors;
  while (pos < srcset.size() && IsHtmlSpace(srcset[pos])) ++pos;
  State state = State::kInDescriptor;
  size_t start = pos;
  auto finish_descriptor = [&] {
    if (pos > start) descriptors.push_back(srcset.substr(start, pos - start));
  };
  for (; pos < srcset.size(); ++pos) {
    char c = srcset[pos];
    switch (state) {
      case State::kInDescriptor:
        if (IsHtmlSpace(c)) {
          finish_descriptor();
          state = State::kAfterDescriptor;
        } else if (c == ',') {
          finish_descriptor();
          ++pos;
          return descriptors;
        } else if (c == '(') {
          state = State::kInParens;
        }
        break;
      case State::kInParens:
        if (c == ')') state = State::kInDescriptor;
        break;
      case State::kAfterDescriptor:
        if (!IsHtmlSpace(c)) {
          // Reconsume this character as the start of a new descriptor.
          start = pos;
          state = State::kInDescriptor;
          --pos;
        }
        break;
    }
  }
  if (state != State::kAfterDescriptor) finish_descriptor();
  return descriptors;
}

}  // namespace

std::vector<std::string_view> ParseSrcset(std::string_view srcset) {
  std::vector<std::string_view> urls;
  size_t pos = 0;
  while (true) {
    while (pos < srcset.size() && (IsHtmlSpace(srcset[pos]) || srcset[pos] == ',')) ++pos;
    if (pos == srcset.size()) return urls;
    size_t start = pos;
    while (pos < srcset.size() && !IsHtmlSpace(srcset[pos])) ++pos;
    std::string_view url = srcset.substr(start, pos - start);
    std::vector<std::string_view> descriptors;
    // A URL glued to its comma has no descriptors; otherwise commas inside
    // the URL are part of it.
    if (url.ends_with(',')) {
      url.remove_suffix(url.size() - 1 - url.find_last_not_of(','));
    } else {
      descriptors = TokenizeDescriptors(srcset, pos);
    }
    if (DescriptorsValid(descriptors)) urls.push_back(url);
  }
}

}  // namespace scrapewatch::crawler
