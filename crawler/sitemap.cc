#include "crawler/sitemap.h"

#include <expat.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "crawler/url.h"

namespace scrapewatch::crawler {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kGzipMagic = "\x1F\x8B";
constexpr std::string_view kWhitespace = " \t\r\n\v\f";
constexpr std::string_view kLineEnds = "\r\n";
// 8 KiB is the request-line limit of common servers, so a longer URL is not
// one anybody can fetch; it also bounds the memory one <loc> can take.
constexpr size_t kMaxUrlBytes = 8 << 10;
constexpr size_t kQuoteBytes = 100;
// zlib takes lengths as uInt.
constexpr size_t kMaxInflateInput = 1 << 30;

enum class List { kPages, kSitemaps, kImages };

absl::Status SitemapError(std::string_view sitemap_url, absl::string_view problem,
                          absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  return absl::Status(code, absl::StrCat("sitemap ", std::string(sitemap_url), ": ", problem));
}

// Escaped and shortened: warnings end up in JSON reports, which need valid
// UTF-8, and a hostile value can be kilobytes long.
std::string Quote(std::string_view text) {
  std::string escaped = absl::CEscape(absl::string_view(text.data(), text.size()));
  if (escaped.size() > kQuoteBytes) escaped = escaped.substr(0, kQuoteBytes) + "...";
  return absl::StrCat("'", escaped, "'");
}

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

// libcurl reads URLs as C strings, so a NUL would silently cut one short.
bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

struct Input {
  std::string inflated;  // what a gzip body inflated to
  bool cut = false;      // ends early, so its last line or element may be partial
};

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK; }  // gzip wrapper only
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates into input.inflated, stopping at `limit` + 1 bytes: enough to
  // tell that a bomb is over the limit without inflating the rest of it.
  absl::Status Run(std::string_view body, int64_t limit, Input& input,
                   std::vector<std::string>& warnings) {
    if (!ok_) return absl::ResourceExhaustedError("zlib cannot allocate its state");
    // The gzip trailer's size (of the last member, modulo 4 GiB) is only a
    // hint, but a right one spares the copies of a growing string.
    if (body.size() >= 18) {
      const auto* trailer = reinterpret_cast<const unsigned char*>(body.data() + body.size() - 4);
      const int64_t size_hint =
          trailer[0] | trailer[1] << 8 | trailer[2] << 16 | int64_t{trailer[3]} << 24;
      input.inflated.reserve(std::min(size_hint, limit + 1));
    }
    std::array<char, 64 << 10> buffer;
    size_t consumed = 0;
    int code = Z_OK;
    while (static_cast<int64_t>(input.inflated.size()) <= limit) {
      if (stream_.avail_in == 0 && consumed < body.size()) {
        stream_.avail_in = std::min(body.size() - consumed, kMaxInflateInput);
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data() + consumed));
        consumed += stream_.avail_in;
      }
      stream_.next_out = reinterpret_cast<Bytef*>(buffer.data());
      stream_.avail_out = buffer.size();
      code = inflate(&stream_, Z_NO_FLUSH);
      const size_t produced = buffer.size() - stream_.avail_out;
      input.inflated.append(buffer.data(),
                            std::min<size_t>(produced, limit + 1 - input.inflated.size()));
      if (code == Z_OK) continue;
      if (code != Z_STREAM_END) break;
      const size_t left = stream_.avail_in + (body.size() - consumed);
      if (left == 0) return absl::OkStatus();
      // gzip allows several members one after another; anything else after
      // the data is padding or junk.
      if (body.substr(body.size() - left).starts_with(kGzipMagic)) {
        inflateReset(&stream_);
        continue;
      }
      warnings.push_back(absl::StrCat(left, " bytes after the gzip data ignored"));
      return absl::OkStatus();
    }
    if (static_cast<int64_t>(input.inflated.size()) > limit) {
      input.inflated.resize(limit);
      input.cut = true;
      warnings.push_back(
          absl::StrCat("more than ", limit, " bytes once uncompressed; the rest ignored"));
      return absl::OkStatus();
    }
    const std::string problem = code == Z_BUF_ERROR ? "unexpected end of data"
                                : stream_.msg       ? stream_.msg
                                                    : absl::StrCat("zlib error ", code);
    if (input.inflated.empty()) return absl::InvalidArgumentError("not valid gzip: " + problem);
    input.cut = true;
    warnings.push_back(absl::StrCat("gzip data broken after ", input.inflated.size(),
                                    " uncompressed bytes (", problem, "); the rest ignored"));
    return absl::OkStatus();
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

// Validates, resolves and caps URLs on their way into the result, and turns
// what it skipped into warnings.
class Collector {
 public:
  Collector(std::string base, const SitemapOptions& options, SitemapContents& out)
      : base_(std::move(base)), max_urls_(options.max_urls), out_(out) {}

  // XML locs may be relative; text lines must be absolute.
  void Add(List list, std::string_view value, int64_t line, bool resolve) {
    std::vector<std::string>& urls = Urls(list);
    if (static_cast<int64_t>(urls.size()) >= max_urls_) {
      ++over_limit_[static_cast<int>(list)];
      return;
    }
    const std::string_view trimmed = Trim(value);
    // An empty reference resolves to the sitemap itself, which nobody meant.
    if (trimmed.empty() || trimmed.size() > kMaxUrlBytes || HasControlCharacter(trimmed) ||
        (!resolve && !IsHttpUrl(trimmed))) {
      Skip(trimmed, line);
      return;
    }
    absl::StatusOr<std::string> url =
        resolve ? ResolveUrl(base_, trimmed) : CanonicalizeUrl(trimmed);
    if (!url.ok()) {
      Skip(trimmed, line);
      return;
    }
    urls.push_back(*std::move(url));
  }

  bool found_any() const {
    return !out_.page_urls.empty() || !out_.sitemap_urls.empty() || !out_.image_urls.empty();
  }

  void Finish() {
    if (skipped_ > 0) {
      out_.warnings.push_back(absl::StrCat(skipped_,
                                           " URLs skipped as invalid or not http(s); first on "
                                           "line ",
                                           first_skipped_line_, ": ", first_skipped_));
    }
    static constexpr const char* kNames[] = {"page", "sitemap", "image"};
    for (int i = 0; i < 3; ++i) {
      if (over_limit_[i] == 0) continue;
      out_.warnings.push_back(absl::StrCat(over_limit_[i], " ", kNames[i],
                                           " URLs over the limit of ", max_urls_, " ignored"));
    }
  }

 private:
  std::vector<std::string>& Urls(List list) {
    switch (list) {
      case List::kPages:
        return out_.page_urls;
      case List::kSitemaps:
        return out_.sitemap_urls;
      case List::kImages:
        return out_.image_urls;
    }
    return out_.page_urls;
  }

  void Skip(std::string_view value, int64_t line) {
    if (skipped_++ == 0) {
      first_skipped_ = Quote(value);
      first_skipped_line_ = line;
    }
  }

  const std::string base_;
  const int64_t max_urls_;
  SitemapContents& out_;
  int64_t skipped_ = 0;
  std::string first_skipped_;
  int64_t first_skipped_line_ = 0;
  std::array<int64_t, 3> over_limit_{};
};

// Where an element sits in the sitemap structure.
enum class Element {
  kDocument,
  kOther,
  kUrlset,
  kSitemapIndex,
  kUrl,
  kSitemap,
  kImage,
  kPageLoc,
  kSitemapLoc,
  kImageLoc
};

Element Classify(Element parent, std::string_view local_name) {
  switch (parent) {
    case Element::kDocument:
      if (local_name == "urlset") return Element::kUrlset;
      if (local_name == "sitemapindex") return Element::kSitemapIndex;
      break;
    case Element::kUrlset:
      if (local_name == "url") return Element::kUrl;
      break;
    case Element::kSitemapIndex:
      if (local_name == "sitemap") return Element::kSitemap;
      break;
    case Element::kUrl:
      if (local_name == "loc") return Element::kPageLoc;
      if (local_name == "image") return Element::kImage;
      break;
    case Element::kSitemap:
      if (local_name == "loc") return Element::kSitemapLoc;
      break;
    case Element::kImage:
      if (local_name == "loc") return Element::kImageLoc;
      break;
    default:
      break;
  }
  return Element::kOther;
}

bool IsLoc(Element element) {
  return element == Element::kPageLoc || element == Element::kSitemapLoc ||
         element == Element::kImageLoc;
}

List ListOf(Element loc) {
  if (loc == Element::kSitemapLoc) return List::kSitemaps;
  return loc == Element::kImageLoc ? List::kImages : List::kPages;
}

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

// Streams the document through expat without namespace processing, so that
// an undeclared prefix ("image:loc" with no xmlns:image) is not an error and
// elements are told apart by the local name after the prefix.
//
// Expat's memory is not bounded by its input: each open element, each
// distinct element or attribute name and each attribute of a tag costs it
// tens of bytes more than the markup, and expat 2.5 rescans an unfinished
// token with every chunk fed. The limits below, far above anything a sitemap
// needs, keep a hostile 50 MiB document to a few MiB of parser state.
class XmlReader {
 public:
  XmlReader(Collector& collector, int64_t first_line)
      : parser_(XML_ParserCreate(nullptr)), collector_(collector), first_line_(first_line) {}

  // Returns the error that ended parsing early, naming its line, if any.
  std::optional<std::string> Read(std::string_view text, bool cut) {
    XML_Parser parser = parser_.get();
    if (parser == nullptr) return "cannot create an XML parser";
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &XmlReader::OnStart, &XmlReader::OnEnd);
    XML_SetCharacterDataHandler(parser, &XmlReader::OnText);
    XML_SetEntityDeclHandler(parser, &XmlReader::OnEntityDecl);
    // Sees comments, processing instructions and declarations, so that every
    // token counts as progress.
    XML_SetDefaultHandlerExpand(parser, &XmlReader::OnOther);
    int64_t fed = 0;
    do {
      const std::string_view chunk = text.substr(0, kChunkBytes);
      text.remove_prefix(chunk.size());
      fed += chunk.size();
      // A cut document is not finished, so its missing end tags are no error.
      const bool last = text.empty() && !cut;
      if (XML_Parse(parser, chunk.data(), static_cast<int>(chunk.size()), last) != XML_STATUS_OK) {
        const std::string problem =
            error_.empty() ? XML_ErrorString(XML_GetErrorCode(parser)) : error_;
        return absl::StrCat("line ", Line(), ": ", problem);
      }
      if (fed - last_event_ > kMaxTokenBytes) {
        return absl::StrCat("line ", Line(), ": an XML token longer than ", kMaxTokenBytes,
                            " bytes");
      }
    } while (!text.empty());
    return std::nullopt;
  }

 private:
  static constexpr size_t kTrackedDepth = 4;  // urlset > url > image > loc
  static constexpr size_t kMaxDepth = 100;
  static constexpr size_t kMaxNames = 1000;
  static constexpr int64_t kChunkBytes = 1 << 20;
  static constexpr int64_t kMaxTokenBytes = 1 << 20;

  static void OnStart(void* user, const XML_Char* name, const XML_Char** attributes) {
    auto* self = static_cast<XmlReader*>(user);
    self->Progress();
    const size_t depth = self->depth_++;
    if (depth >= kMaxDepth) {
      self->Fail(absl::StrCat("elements nested more than ", kMaxDepth, " deep"));
      return;
    }
    self->names_.insert(name);
    for (const XML_Char** attribute = attributes; *attribute != nullptr; attribute += 2) {
      self->names_.insert(absl::StrCat("@", *attribute));
    }
    if (self->names_.size() > kMaxNames) {
      self->Fail(absl::StrCat("more than ", kMaxNames, " distinct element and attribute names"));
      return;
    }
    if (depth >= kTrackedDepth) return;
    const Element parent = depth == 0 ? Element::kDocument : self->open_[depth - 1];
    std::string_view local_name(name);
    if (const size_t colon = local_name.rfind(':'); colon != std::string_view::npos) {
      local_name.remove_prefix(colon + 1);
    }
    const Element element = Classify(parent, local_name);
    self->open_[depth] = element;
    if (depth == 0 && element == Element::kOther) {
      self->Fail(
          absl::StrCat("root element <", std::string(name), "> is not urlset or sitemapindex"));
    }
    if (IsLoc(element)) self->loc_.clear();
  }

  static void OnEnd(void* user, const XML_Char* /*name*/) {
    auto* self = static_cast<XmlReader*>(user);
    self->Progress();
    const size_t depth = --self->depth_;
    if (depth >= kTrackedDepth || !IsLoc(self->open_[depth])) return;
    self->collector_.Add(ListOf(self->open_[depth]), self->loc_, self->Line(), /*resolve=*/true);
  }

  static void OnText(void* user, const XML_Char* text, int length) {
    auto* self = static_cast<XmlReader*>(user);
    self->Progress();
    const size_t depth = self->depth_;
    if (depth == 0 || depth > kTrackedDepth || !IsLoc(self->open_[depth - 1])) return;
    // One byte over the limit is enough for the collector to reject it.
    const size_t room = kMaxUrlBytes + 1 - std::min(self->loc_.size(), kMaxUrlBytes + 1);
    self->loc_.append(text, std::min<size_t>(length, room));
  }

  static void OnOther(void* user, const XML_Char* /*text*/, int /*length*/) {
    static_cast<XmlReader*>(user)->Progress();
  }

  // Expat would expand internal entities (with amplification limits) and
  // skip external ones; refusing every declaration leaves nothing to tune.
  static void OnEntityDecl(void* user, const XML_Char* /*name*/, int /*is_parameter*/,
                           const XML_Char* /*value*/, int /*length*/, const XML_Char* /*base*/,
                           const XML_Char* /*system_id*/, const XML_Char* /*public_id*/,
                           const XML_Char* /*notation*/) {
    static_cast<XmlReader*>(user)->Fail("the DOCTYPE declares entities; refused");
  }

  void Progress() { last_event_ = XML_GetCurrentByteIndex(parser_.get()); }

  void Fail(std::string problem) {
    error_ = std::move(problem);
    XML_StopParser(parser_.get(), XML_FALSE);
  }

  int64_t Line() const {
    return first_line_ + static_cast<int64_t>(XML_GetCurrentLineNumber(parser_.get())) - 1;
  }

  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser_;
  Collector& collector_;
  const int64_t first_line_;  // of the text, in the body: leading blank lines were skipped
  size_t depth_ = 0;
  std::array<Element, kTrackedDepth> open_{};
  absl::flat_hash_set<std::string> names_;
  int64_t last_event_ = 0;  // byte offset of the last token expat reported
  std::string loc_;
  std::string error_;
};

// A partial last line could read as a different, shorter URL, so a cut
// input's unfinished last line is dropped.
void ReadTextLines(std::string_view text, bool cut, Collector& collector) {
  if (cut) {
    const size_t last_end = text.find_last_of(kLineEnds);
    text = last_end == std::string_view::npos ? std::string_view() : text.substr(0, last_end);
  }
  int64_t line = 1;
  while (!text.empty()) {
    const size_t end = std::min(text.find_first_of(kLineEnds), text.size());
    const std::string_view content = Trim(text.substr(0, end));
    if (!content.empty()) collector.Add(List::kPages, content, line, /*resolve=*/false);
    const bool crlf = end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n';
    text.remove_prefix(std::min(text.size(), end + (crlf ? 2 : 1)));
    ++line;
  }
}

}  // namespace

absl::StatusOr<SitemapContents> ParseSitemap(std::string_view body, std::string_view sitemap_url,
                                             const SitemapOptions& options) {
  if (options.max_uncompressed_bytes <= 0 || options.max_urls <= 0) {
    return absl::InvalidArgumentError("SitemapOptions limits must be positive");
  }
  absl::StatusOr<std::string> base = CanonicalizeUrl(sitemap_url);
  if (!base.ok()) return SitemapError(sitemap_url, base.status().message());

  SitemapContents contents;
  Input input;
  std::string_view text;
  if (body.starts_with(kGzipMagic)) {
    absl::Status inflated =
        Inflater().Run(body, options.max_uncompressed_bytes, input, contents.warnings);
    if (!inflated.ok()) return SitemapError(sitemap_url, inflated.message(), inflated.code());
    text = input.inflated;
  } else {
    text = body.substr(0, options.max_uncompressed_bytes);
    if (body.size() > text.size()) {
      input.cut = true;
      contents.warnings.push_back(
          absl::StrCat("more than ", options.max_uncompressed_bytes, " bytes; the rest ignored"));
    }
  }
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  const size_t start = text.find_first_not_of(kWhitespace);
  if (start == std::string_view::npos) return SitemapError(sitemap_url, "empty");

  Collector collector(*std::move(base), options, contents);
  if (text[start] != '<') {
    ReadTextLines(text, input.cut, collector);
    if (!collector.found_any()) {
      return SitemapError(sitemap_url, "neither XML nor lines of http(s) URLs");
    }
  } else {
    const int64_t first_line = 1 + std::count(text.begin(), text.begin() + start, '\n');
    std::optional<std::string> error =
        XmlReader(collector, first_line).Read(text.substr(start), input.cut);
    if (error.has_value()) {
      if (!collector.found_any()) return SitemapError(sitemap_url, *error);
      contents.warnings.push_back(absl::StrCat("XML broken at ", *error, "; the rest ignored"));
    }
  }
  collector.Finish();
  return contents;
}

}  // namespace scrapewatch::crawler
