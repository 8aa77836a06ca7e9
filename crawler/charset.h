// Decoding of an HTML page's bytes, as fetched, to the UTF-8 the parser
// reads, choosing the encoding the way browsers do (WHATWG "encoding sniffing
// algorithm", minus guessing from content):
//
//   1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE);
//   2. the charset of the HTTP Content-Type header, if it names an encoding;
//   3. a <meta charset> or <meta http-equiv="Content-Type" content="...;
//      charset=..."> within the first 1024 bytes ("utf-16" there means
//      UTF-8, as the bytes were readable as ASCII);
//   4. UTF-8.
//
// Labels map as WHATWG maps them where that matters (iso-8859-1, latin1 and
// us-ascii are windows-1252; shift_jis is CP932; gb2312 and gbk are GB18030;
// euc-kr is CP949), and any other label glibc's iconv knows is used as is.
// A label nothing knows is skipped with a warning: an unknown HTTP charset
// falls through to the <meta> step, an unknown <meta> charset to UTF-8.
// Conversion uses glibc iconv; a byte sequence invalid in the chosen encoding
// becomes U+FFFD, so decoding never fails.
//
// Thread safety: a pure function (each call opens its own iconv descriptor).
#ifndef SCRAPEWATCH_CRAWLER_CHARSET_H_
#define SCRAPEWATCH_CRAWLER_CHARSET_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scrapewatch::crawler {

struct DecodedHtml {
  // The encoding the bytes were read as: "UTF-8", "windows-1252", "Shift_JIS"
  // (decoded as CP932), "GBK" (decoded as GB18030), ..., or the label itself
  // lower-cased for encodings without a WHATWG name here.
  std::string charset;
  // The UTF-8 text, when the bytes were converted; empty otherwise, and then
  // the input minus `bom_length` leading bytes is the UTF-8 text.
  std::optional<std::string> converted;
  size_t bom_length = 0;
  // Human-readable notes on labels that were ignored.
  std::vector<std::string> warnings;

  // The UTF-8 text of `input`, the bytes passed to DecodeHtml.
  std::string_view Text(std::string_view input) const {
    return converted ? std::string_view(*converted) : input.substr(bom_length);
  }
};

// Decodes `bytes`. `http_charset` is the charset parameter of the response's
// Content-Type ("ISO-8859-1"), or the whole header value ("text/html;
// charset=ISO-8859-1"), or empty when there was none.
DecodedHtml DecodeHtml(std::string_view bytes, std::string_view http_charset);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_CHARSET_H_
