#include "crawler/charset.h"

#include <iconv.h>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "crawler/markup_text.h"

namespace scrapewatch::crawler {
namespace {

using markup::EqualsIgnoreCase;
using markup::kHtmlSpace;
using markup::StartsWithIgnoreCase;
using markup::StripHtmlSpace;
using markup::ToLower;

// How far into the page a <meta> charset counts, as in browsers.
constexpr size_t kPrescanBytes = 1024;

struct Encoding {
  std::string name;        // reported in DecodedHtml::charset
  std::string iconv_name;  // empty for UTF-8, which needs no conversion
};

struct Alias {
  std::string_view label;
  std::string_view name;
  std::string_view iconv_name;
};

// WHATWG's label-to-encoding mapping for the encodings where glibc's notion of
// the label differs from what browsers decode, plus the UTF-8 spellings.
constexpr Alias kAliases[] = {
    {"utf-8", "UTF-8", ""},
    {"utf8", "UTF-8", ""},
    {"unicode-1-1-utf-8", "UTF-8", ""},
    {"iso-8859-1", "windows-1252", "WINDOWS-1252"},
    {"iso8859-1", "windows-1252", "WINDOWS-1252"},
    {"iso_8859-1", "windows-1252", "WINDOWS-1252"},
    {"latin1", "windows-1252", "WINDOWS-1252"},
    {"l1", "windows-1252", "WINDOWS-1252"},
    {"cp819", "windows-1252", "WINDOWS-1252"},
    {"ibm819", "windows-1252", "WINDOWS-1252"},
    {"csisolatin1", "windows-1252", "WINDOWS-1252"},
    {"iso-ir-100", "windows-1252", "WINDOWS-1252"},
    {"us-ascii", "windows-1252", "WINDOWS-1252"},
    {"ascii", "windows-1252", "WINDOWS-1252"},
    {"ansi_x3.4-1968", "windows-1252", "WINDOWS-1252"},
    {"windows-1252", "windows-1252", "WINDOWS-1252"},
    {"cp1252", "windows-1252", "WINDOWS-1252"},
    {"x-cp1252", "windows-1252", "WINDOWS-1252"},
    {"shift_jis", "Shift_JIS", "CP932"},
    {"shift-jis", "Shift_JIS", "CP932"},
    {"sjis", "Shift_JIS", "CP932"},
    {"x-sjis", "Shift_JIS", "CP932"},
    {"ms_kanji", "Shift_JIS", "CP932"},
    {"ms932", "Shift_JIS", "CP932"},
    {"windows-31j", "Shift_JIS", "CP932"},
    {"csshiftjis", "Shift_JIS", "CP932"},
    {"gb2312", "GBK", "GB18030"},
    {"gbk", "GBK", "GB18030"},
    {"x-gbk", "GBK", "GB18030"},
    {"chinese", "GBK", "GB18030"},
    {"csgb2312", "GBK", "GB18030"},
    {"cp936", "GBK", "GB18030"},
    {"windows-936", "GBK", "GB18030"},
    {"gb_2312-80", "GBK", "GB18030"},
    {"gb18030", "gb18030", "GB18030"},
    {"euc-kr", "EUC-KR", "CP949"},
    {"ks_c_5601-1987", "EUC-KR", "CP949"},
    {"windows-949", "EUC-KR", "CP949"},
    {"cp949", "EUC-KR", "CP949"},
    {"big5", "Big5", "BIG5-HKSCS"},
    {"big5-hkscs", "Big5", "BIG5-HKSCS"},
    {"cn-big5", "Big5", "BIG5-HKSCS"},
    {"x-x-big5", "Big5", "BIG5-HKSCS"},
    {"utf-16", "UTF-16LE", "UTF-16LE"},
    {"utf-16le", "UTF-16LE", "UTF-16LE"},
    {"utf-16be", "UTF-16BE", "UTF-16BE"},
};

bool IsUtf16(const Encoding& encoding) { return encoding.name.starts_with("UTF-16"); }

// Owns an iconv descriptor.
class Iconv {
 public:
  explicit Iconv(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Labels are ASCII words; anything else (such as "UTF-8//IGNORE", which would
// pass flags to iconv) is not a label.
bool LooksLikeLabel(std::string_view label) {
  if (label.empty() || label.size() > 40) return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.' && c != ':') {
      return false;
    }
  }
  return true;
}

std::optional<Encoding> EncodingForLabel(std::string_view raw_label) {
  std::string label = ToLower(StripHtmlSpace(raw_label));
  for (const Alias& alias : kAliases) {
    if (alias.label == label) return Encoding{std::string(alias.name), std::string(alias.iconv_name)};
  }
  if (!LooksLikeLabel(label)) return std::nullopt;
  std::string iconv_name = absl::AsciiStrToUpper(label);
  if (!Iconv(iconv_name).ok()) return std::nullopt;
  return Encoding{label, iconv_name};
}

// The value after "charset=" in a Content-Type value, as the WHATWG "extract
// a character encoding from a meta element" algorithm finds it.
std::string_view CharsetParameter(std::string_view content) {
  for (size_t pos = 0; pos + 7 <= content.size(); ++pos) {
    if (!EqualsIgnoreCase(content.substr(pos, 7), "charset")) continue;
    size_t at = content.find_first_not_of(kHtmlSpace, pos + 7);
    if (at == std::string_view::npos || content[at] != '=') continue;
    at = content.find_first_not_of(kHtmlSpace, at + 1);
    if (at == std::string_view::npos) return {};
    char quote = content[at];
    if (quote == '"' || quote == '\'') {
      size_t end = content.find(quote, at + 1);
      return end == std::string_view::npos ? std::string_view() : content.substr(at + 1, end - at - 1);
    }
    size_t end = content.find_first_of("; \t\n\f\r", at);
    return content.substr(at, end == std::string_view::npos ? end : end - at);
  }
  return {};
}

// The WHATWG prescan's "get an attribute": reads one attribute at `pos`;
// returns false at the end of the tag.
bool NextAttribute(std::string_view text, size_t& pos, std::string& name, std::string& value) {
  pos = text.find_first_not_of(" \t\n\f\r/", pos);
  if (pos == std::string_view::npos || text[pos] == '>') return false;
  size_t name_end = text.find_first_of("= \t\n\f\r/>", pos + 1);
  if (name_end == std::string_view::npos) name_end = text.size();
  name = ToLower(text.substr(pos, name_end - pos));
  value.clear();
  pos = text.find_first_not_of(kHtmlSpace, name_end);
  if (pos == std::string_view::npos || text[pos] != '=') return true;
  pos = text.find_first_not_of(kHtmlSpace, pos + 1);
  if (pos == std::string_view::npos) return false;
  size_t end;
  if (text[pos] == '"' || text[pos] == '\'') {
    end = text.find(text[pos], pos + 1);
    if (end == std::string_view::npos) return false;
    value = ToLower(text.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  } else {
    end = text.find_first_of(" \t\n\f\r>", pos);
    if (end == std::string_view::npos) end = text.size();
    value = ToLower(text.substr(pos, end - pos));
    pos = end;
  }
  return true;
}

// The charset label of a <meta> whose attributes start at `pos`, if it has
// one; moves `pos` past the tag.
std::optional<std::string> MetaLabel(std::string_view head, size_t& pos) {
  std::string name, value, charset, content;
  bool seen_charset = false, seen_content = false, pragma = false;
  while (NextAttribute(head, pos, name, value)) {
    if (name == "http-equiv") pragma = pragma || value == "content-type";
    if (name == "charset" && !seen_charset) charset = value, seen_charset = true;
    if (name == "content" && !seen_content) content = value, seen_content = true;
  }
  if (seen_charset && !charset.empty()) return charset;
  if (pragma) {
    std::string_view label = CharsetParameter(content);
    if (!label.empty()) return std::string(label);
  }
  return std::nullopt;
}

// The label of the first <meta> charset declaration in `head`.
std::optional<std::string> PrescanMetaLabel(std::string_view head) {
  size_t pos = 0;
  while ((pos = head.find('<', pos)) != std::string_view::npos) {
    std::string_view rest = head.substr(pos);
    if (rest.starts_with("<!--")) {
      size_t end = head.find("-->", pos + 4);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 3;
    } else if (StartsWithIgnoreCase(rest, "<meta") && rest.size() > 5 &&
               (kHtmlSpace.find(rest[5]) != std::string_view::npos || rest[5] == '/')) {
      pos += 5;
      if (std::optional<std::string> label = MetaLabel(head, pos)) return label;
    } else if (rest.size() > 1 && absl::ascii_isalpha(static_cast<unsigned char>(rest[1]))) {
      // Another tag: its attributes are skipped, so a quoted ">" or "<meta"
      // inside one is not mistaken for markup.
      std::string name, value;
      pos += 1;
      while (NextAttribute(head, pos, name, value)) {
      }
    } else {
      pos += 1;
    }
  }
  return std::nullopt;
}

// `bytes` converted from `encoding` to UTF-8, each invalid or truncated
// sequence replaced by U+FFFD as WHATWG decoders do; nullopt if iconv cannot
// convert from it.
std::optional<std::string> ConvertToUtf8(std::string_view bytes, const Encoding& encoding) {
  Iconv cd(encoding.iconv_name);
  if (!cd.ok()) return std::nullopt;
  std::string out(bytes.size() + bytes.size() / 2 + 16, '\0');
  size_t out_used = 0;
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
  size_t in_left = bytes.size();
  // Converting to UTF-8, which has no shift state, needs no final flush.
  while (in_left > 0) {
    if (out.size() - out_used < 16) out.resize(out.size() * 2);
    char* out_ptr = out.data() + out_used;
    size_t out_left = out.size() - out_used;
    size_t result = iconv(cd.get(), &in, &in_left, &out_ptr, &out_left);
    out_used = out_ptr - out.data();
    if (result != static_cast<size_t>(-1) || errno == E2BIG) continue;
    // EILSEQ or EINVAL: one byte becomes U+FFFD, then decoding resumes.
    if (out.size() - out_used < 3) out.resize(out.size() * 2);
    out.replace(out_used, 3, "\xEF\xBF\xBD");
    out_used += 3;
    ++in;
    --in_left;
  }
  out.resize(out_used);
  return out;
}

Encoding Utf8() { return Encoding{"UTF-8", ""}; }

// Steps 1 to 4 of the header comment: the encoding and the bytes it covers.
Encoding ChooseEncoding(std::string_view bytes, std::string_view http_charset, DecodedHtml& result) {
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    result.bom_length = 3;
    return Utf8();
  }
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    result.bom_length = 2;
    return bytes[0] == '\xFF' ? Encoding{"UTF-16LE", "UTF-16LE"} : Encoding{"UTF-16BE", "UTF-16BE"};
  }
  if (http_charset.find('=') != std::string_view::npos) http_charset = CharsetParameter(http_charset);
  http_charset = StripHtmlSpace(http_charset);
  if (!http_charset.empty()) {
    if (std::optional<Encoding> encoding = EncodingForLabel(http_charset)) return *encoding;
    result.warnings.push_back("unknown HTTP charset '" + std::string(http_charset) + "' ignored");
  }
  std::optional<std::string> label = PrescanMetaLabel(bytes.substr(0, kPrescanBytes));
  if (!label) return Utf8();
  std::optional<Encoding> encoding = EncodingForLabel(*label);
  if (!encoding) {
    result.warnings.push_back("unknown <meta> charset '" + *label + "'; read as UTF-8");
    return Utf8();
  }
  // Markup that could be prescanned as ASCII is not UTF-16.
  return IsUtf16(*encoding) ? Utf8() : *encoding;
}

}  // namespace

DecodedHtml DecodeHtml(std::string_view bytes, std::string_view http_charset) {
  DecodedHtml result;
  Encoding encoding = ChooseEncoding(bytes, http_charset, result);
  result.charset = encoding.name;
  if (encoding.iconv_name.empty()) return result;
  std::optional<std::string> converted =
      ConvertToUtf8(bytes.substr(result.bom_length), encoding);
  if (!converted) {
    result.warnings.push_back("cannot convert from " + encoding.name + "; read as UTF-8");
    result.charset = "UTF-8";
    return result;
  }
  result.converted = std::move(converted);
  return result;
}

}  // namespace scrapewatch::crawler
