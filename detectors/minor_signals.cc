#include "detectors/data_files.h"
#include "detectors/minor_signals.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "crawler/url.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace scrapewatch::detectors {
namespace {

// Neither a letter, a digit nor a combining mark: what must stand beside a
// match. RE2's \b would do only for ASCII words.
constexpr char kNotWordChar[] = "[^\\pL\\pN\\pM]";

RE2::Options PatternOptions() {
  RE2::Options options;  // UTF-8
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  return options;
}

re2::StringPiece Piece(absl::string_view text) { return {text.data(), text.size()}; }

struct Rule {
  std::string label;     // "<lang> <strength> <name>"
  std::string strength;  // "strong", "weak", "context" or "exclude"
  std::unique_ptr<const RE2> pattern;  // group 1 is the words; whole words only
};

int Rank(absl::string_view strength) {
  return strength == "strong" ? 2 : strength == "weak" ? 1 : 0;
}

struct Compiled {
  std::vector<Rule> cues;  // lexicon order
  std::vector<Rule> excludes;
  // The cues' bare patterns at once: one pass over a text names the few cues
  // worth running (a lexicon has hundreds; a caption matches a handful).
  RE2::Set cue_set{PatternOptions(), RE2::UNANCHORED};
  bool cue_set_compiled = false;
};

// A cue match while its field is judged.
struct Hit {
  TextEvidence evidence;
  int text = 0;  // which of the field's texts (schema hints are several)
  size_t begin = 0;
  size_t end = 0;
};

bool Overlap(const Hit& a, const Hit& b) {
  return a.text == b.text && a.begin < b.end && b.begin < a.end;
}

std::string Describe(const Hit& hit) {
  return absl::StrCat("\"", hit.evidence.matched, "\" (", hit.evidence.rule, ")");
}

// Whether `hit` may be one of a weak pair: not voided, and not inside a
// longer match, since a phrase ("primary school") is one cue, not also its
// words ("school").
bool Pairable(const Hit& hit, const std::vector<Hit>& hits) {
  if (!hit.evidence.excluded_by.empty()) return false;
  return std::none_of(hits.begin(), hits.end(), [&](const Hit& other) {
    return other.text == hit.text && other.begin <= hit.begin && hit.end <= other.end &&
           other.end - other.begin > hit.end - hit.begin;
  });
}

// The header's decision rule for one field: why it fires, or "".
std::string Decide(const std::vector<Hit>& hits, absl::string_view field) {
  for (const Hit& hit : hits) {
    if (hit.evidence.excluded_by.empty() && hit.evidence.strength == "strong") {
      return absl::StrCat("strong cue ", Describe(hit), " in ", field);
    }
  }
  for (const Hit& weak : hits) {
    if (weak.evidence.strength != "weak" || !Pairable(weak, hits)) continue;
    for (const Hit& other : hits) {
      if (other.evidence.rule != weak.evidence.rule && !Overlap(weak, other) &&
          Pairable(other, hits)) {
        return absl::StrCat("weak cue ", Describe(weak), " with ", Describe(other), " in ", field);
      }
    }
  }
  return "";
}

// Each [begin, end) of `text` where `rule` matches.
std::vector<std::pair<size_t, size_t>> Spans(const Rule& rule, absl::string_view text) {
  std::vector<std::pair<size_t, size_t>> spans;
  const re2::StringPiece input = Piece(text);
  re2::StringPiece groups[2];
  size_t position = 0;
  while (position <= text.size() &&
         rule.pattern->Match(input, position, text.size(), RE2::UNANCHORED, groups, 2)) {
    size_t begin = groups[1].data() - text.data();
    size_t end = begin + groups[1].size();
    spans.emplace_back(begin, end);
    // Parse refuses patterns that match the empty string; the max guarantees
    // progress on any text all the same.
    position = std::max(end, begin + 1);
  }
  return spans;
}

// Every cue match in `texts`, each marked with the first exclude entry that
// overlaps it. Matches of the same words keep the stronger (else earlier) entry.
std::vector<Hit> FindHits(const Compiled& lexicon, absl::string_view field,
                          const std::vector<std::string>& texts) {
  std::vector<Hit> hits;
  for (size_t t = 0; t < texts.size(); ++t) {
    absl::string_view text = texts[t];
    const size_t first = hits.size();
    std::vector<int> candidates;
    RE2::Set::ErrorInfo error{RE2::Set::kNoError};
    if (!lexicon.cue_set_compiled ||
        (!lexicon.cue_set.Match(Piece(text), &candidates, &error) &&
         error.kind != RE2::Set::kNoError)) {
      // Without the set (it did not fit in memory), every cue is a candidate.
      candidates.resize(lexicon.cues.size());
      std::iota(candidates.begin(), candidates.end(), 0);
    }
    std::sort(candidates.begin(), candidates.end());
    for (int candidate : candidates) {
      const Rule& rule = lexicon.cues[candidate];
      for (auto [begin, end] : Spans(rule, text)) {
        Hit hit{.evidence = {.field = std::string(field),
                             .matched = std::string(text.substr(begin, end - begin)),
                             .rule = rule.label,
                             .strength = rule.strength},
                .text = static_cast<int>(t),
                .begin = begin,
                .end = end};
        auto same = std::find_if(hits.begin() + first, hits.end(), [&](const Hit& other) {
          return other.begin == begin && other.end == end;
        });
        if (same == hits.end()) {
          hits.push_back(std::move(hit));
        } else if (Rank(same->evidence.strength) < Rank(rule.strength)) {
          *same = std::move(hit);
        }
      }
    }
    if (hits.size() == first) continue;  // nothing an exclude could void
    for (const Rule& rule : lexicon.excludes) {
      for (auto [begin, end] : Spans(rule, text)) {
        for (size_t i = first; i < hits.size(); ++i) {
          Hit& hit = hits[i];
          if (hit.evidence.excluded_by.empty() && hit.begin < end && begin < hit.end) {
            hit.evidence.excluded_by = rule.label;
          }
        }
      }
    }
    std::stable_sort(hits.begin() + first, hits.end(), [](const Hit& a, const Hit& b) {
      return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
    });
  }
  return hits;
}

bool IsUtf8(absl::string_view bytes) {
  // RFC 3629's well-formed sequences, read byte by byte.
  static const RE2 kUtf8(
      "(?:[\\x00-\\x7F]|[\\xC2-\\xDF][\\x80-\\xBF]|\\xE0[\\xA0-\\xBF][\\x80-\\xBF]"
      "|[\\xE1-\\xEC\\xEE\\xEF][\\x80-\\xBF]{2}|\\xED[\\x80-\\x9F][\\x80-\\xBF]"
      "|\\xF0[\\x90-\\xBF][\\x80-\\xBF]{2}|[\\xF1-\\xF3][\\x80-\\xBF]{3}"
      "|\\xF4[\\x80-\\x8F][\\x80-\\xBF]{2})*",
      RE2::Latin1);
  return RE2::FullMatch(Piece(bytes), kUtf8);
}

int HexValue(char c) {
  return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
}

// A URL part made words, as the header describes.
std::string UrlWords(absl::string_view raw) {
  std::string bytes;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && absl::ascii_isxdigit(raw[i + 1]) &&
        absl::ascii_isxdigit(raw[i + 2])) {
      bytes += static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2]));
      i += 2;
    } else {
      bytes += raw[i];
    }
  }
  if (!IsUtf8(bytes)) {
    // Legacy sites escape Latin-1 ("%E9cole"); every byte is a code point.
    std::string utf8;
    for (unsigned char c : bytes) {
      if (c >= 0x80) utf8 += static_cast<char>(0xC0 | (c >> 6));
      utf8 += static_cast<char>(c >= 0x80 ? 0x80 | (c & 0x3F) : c);
    }
    bytes = std::move(utf8);
  }
  std::string spaced;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (static_cast<unsigned char>(c) < 0x80 && !absl::ascii_isalnum(c)) {
      spaced += ' ';
      continue;
    }
    if (i > 0 && absl::ascii_isupper(c)) {
      const char before = bytes[i - 1];
      const bool lower_next = i + 1 < bytes.size() && absl::ascii_islower(bytes[i + 1]);
      // "kidsCamp", "2024Kids", "HTMLParser".
      if (absl::ascii_islower(before) || absl::ascii_isdigit(before) ||
          (absl::ascii_isupper(before) && lower_next)) {
        spaced += ' ';
      }
    }
    spaced += c;
  }
  return absl::StrJoin(absl::StrSplit(spaced, ' ', absl::SkipEmpty()), " ");
}

std::string PathOf(std::string_view url) {
  absl::StatusOr<crawler::HttpUrlParts> parts = crawler::SplitHttpUrl(url);
  return parts.ok() ? parts->path : "";
}

// An age as schema.org writes it ("7", "12.5"); nullopt when it is none.
std::optional<double> Age(absl::string_view text) {
  double age = 0;
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &age) || age < 0) return std::nullopt;
  return age;
}

// The schema age range as evidence (strong when it ends below 18, weak when it
// starts below 18), or nullopt.
std::optional<Hit> AgeRangeHit(const SchemaHints& schema, int text) {
  std::optional<double> low, high;
  std::string matched;
  if (!schema.typical_age_range.empty()) {
    // "5-11", "5–11", "12-" (open), "7".
    std::string range = absl::StrReplaceAll(schema.typical_age_range, {{"–", "-"}});
    std::pair<absl::string_view, absl::string_view> bounds =
        absl::StrSplit(range, absl::MaxSplits('-', 1));
    low = Age(bounds.first);
    const bool open = absl::StripAsciiWhitespace(bounds.second).empty();
    high = range.find('-') == std::string::npos ? low : open ? std::nullopt : Age(bounds.second);
    if (!open && !high) return std::nullopt;
    matched = absl::StrCat("typicalAgeRange ", schema.typical_age_range);
  } else {
    low = Age(schema.suggested_min_age);
    high = Age(schema.suggested_max_age);
    std::vector<std::string> written;
    if (low) written.push_back(absl::StrCat("suggestedMinAge ", schema.suggested_min_age));
    if (high) written.push_back(absl::StrCat("suggestedMaxAge ", schema.suggested_max_age));
    matched = absl::StrJoin(written, ", ");
    if (high && !low) low = 0;
  }
  if (!low) return std::nullopt;
  std::string strength;
  if (high && *high < 18 && *low <= *high) {
    strength = "strong";
  } else if (*low < 18) {
    strength = "weak";
  } else {
    return std::nullopt;
  }
  return Hit{.evidence = {.field = "schema",
                          .matched = std::move(matched),
                          .rule = absl::StrCat("schema ", strength, " age-range"),
                          .strength = strength},
             .text = text};
}

// Splits the first space- or tab-separated token off `rest`.
absl::string_view Token(absl::string_view& rest) {
  const size_t end = rest.find_first_of(" \t");
  absl::string_view token = rest.substr(0, end);
  rest = end == absl::string_view::npos ? "" : absl::StripLeadingAsciiWhitespace(rest.substr(end));
  return token;
}

// `pattern` with each {NAME} replaced by its definition. Refuses \b and \B.
absl::StatusOr<std::string> Expand(absl::string_view pattern,
                                   const absl::flat_hash_map<std::string, std::string>& defines) {
  static const RE2 kReference("\\{([A-Z][A-Z0-9_]*)\\}");
  std::string expanded;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 'b' || pattern[i + 1] == 'B') {
        return absl::InvalidArgumentError(
            "\\b and \\B know only ASCII letters; entries match whole words without them");
      }
      absl::StrAppend(&expanded, pattern.substr(i, 2));
      ++i;
      continue;
    }
    re2::StringPiece rest = Piece(pattern.substr(i));
    std::string name;
    if (RE2::Consume(&rest, kReference, &name)) {
      auto definition = defines.find(name);
      if (definition == defines.end()) {
        return absl::InvalidArgumentError(absl::StrCat("{", name, "} is not defined above"));
      }
      absl::StrAppend(&expanded, "(?:", definition->second, ")");
      i = rest.data() - pattern.data() - 1;
      continue;
    }
    expanded += pattern[i];
  }
  return expanded;
}

}  // namespace

struct MinorLexicon::Entries : Compiled {};

absl::StatusOr<MinorLexicon> MinorLexicon::Parse(std::string_view text,
                                                 std::string_view source_name) {
  static const RE2 kDefineName("[A-Z][A-Z0-9_]*");
  static const RE2 kLanguage("[a-z]{2,3}");
  static const RE2 kEntryName("[a-z0-9]+(?:-[a-z0-9]+)*");
  const absl::string_view source(source_name.data(), source_name.size());
  auto entries = std::make_shared<Entries>();
  absl::flat_hash_map<std::string, std::string> defines;
  absl::flat_hash_map<std::string, int> first_line;  // of each define and "<lang> <name>"
  int number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    auto error = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", number, ": ", problem));
    };
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    if (rest.empty() || rest.front() == '#') continue;
    const absl::string_view head = Token(rest);
    const bool define = head == "define";
    absl::string_view language;
    if (!define) {
      if (head != "strong" && head != "weak" && head != "context" && head != "exclude") {
        return error(absl::StrCat("unknown strength '", head,
                                  "' (strong, weak, context, exclude or define)"));
      }
      language = Token(rest);
      if (!RE2::FullMatch(Piece(language), kLanguage)) {
        return error(absl::StrCat("language '", language, "' is not a 2- or 3-letter code"));
      }
    }
    const absl::string_view name = Token(rest);
    if (!RE2::FullMatch(Piece(name), define ? kDefineName : kEntryName)) {
      return error(absl::StrCat("bad name '", name, "' (", define ? "[A-Z][A-Z0-9_]*" : "[a-z0-9-]+",
                                ")"));
    }
    const std::string key = define ? std::string(name) : absl::StrCat(language, " ", name);
    if (rest.empty()) return error(absl::StrCat(key, ": missing pattern"));
    if (auto [earlier, inserted] = first_line.try_emplace(key, number); !inserted) {
      return error(absl::StrCat("'", key, "' is already on line ", earlier->second));
    }
    absl::StatusOr<std::string> pattern = Expand(rest, defines);
    if (!pattern.ok()) return error(absl::StrCat(key, ": ", pattern.status().message()));
    const RE2 plain(*pattern, PatternOptions());
    if (!plain.ok()) return error(absl::StrCat(key, ": bad pattern: ", plain.error()));
    if (define) {
      defines.emplace(name, *std::move(pattern));
      continue;
    }
    if (RE2::FullMatch("", plain)) return error(absl::StrCat(key, ": pattern matches the empty string"));
    auto wrapped = std::make_unique<const RE2>(
        absl::StrCat("(?:^|", kNotWordChar, ")(", *pattern, ")(?:", kNotWordChar, "|$)"),
        PatternOptions());
    if (!wrapped->ok()) return error(absl::StrCat(key, ": bad pattern: ", wrapped->error()));
    Rule rule{.label = absl::StrCat(language, " ", head, " ", name),
              .strength = std::string(head),
              .pattern = std::move(wrapped)};
    if (head == "exclude") {
      entries->excludes.push_back(std::move(rule));
    } else {
      entries->cue_set.Add(Piece(*pattern), nullptr);  // compiles, as `plain` did
      entries->cues.push_back(std::move(rule));
    }
  }
  if (entries->cues.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no strong, weak or context entry"));
  }
  entries->cue_set_compiled = entries->cue_set.Compile();
  return MinorLexicon(std::move(entries));
}

absl::StatusOr<MinorLexicon> MinorLexicon::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read lexicon '", path, "'"));
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

MinorTextSignals MinorLexicon::Match(const ImageTextContext& context) const {
  MinorTextSignals signals;
  auto judge = [&](absl::string_view field, std::vector<std::string> texts,
                   std::optional<Hit> extra = std::nullopt) {
    std::erase(texts, "");
    std::vector<Hit> hits = FindHits(*entries_, field, texts);
    if (extra) hits.push_back(*std::move(extra));
    if (!signals.fires) {
      signals.reason = Decide(hits, field);
      signals.fires = !signals.reason.empty();
    }
    for (Hit& hit : hits) signals.evidence.push_back(std::move(hit.evidence));
  };
  judge("alt", {context.alt});
  judge("title", {context.title});
  judge("caption", {context.caption});
  judge("link_text", {context.link_text});
  judge("nearby_text", {context.nearby_text});
  // Paths start with '/'; an unparsable URL gives "", and npos + 1 == 0.
  const std::string image_path = PathOf(context.image_url);
  const size_t slash = image_path.rfind('/');
  judge("file_name", {UrlWords(absl::string_view(image_path).substr(slash + 1))});
  judge("url_path", {UrlWords(absl::string_view(image_path).substr(0, slash + 1))});
  judge("page_path", {UrlWords(PathOf(context.page_url))});
  std::vector<std::string> schema = context.schema.audience_types;
  for (const std::string& type : context.schema.types) {
    schema.push_back(UrlWords(absl::string_view(type).substr(type.find_last_of("/#:") + 1)));
  }
  judge("schema", schema, AgeRangeHit(context.schema, static_cast<int>(schema.size())));
  return signals;
}

std::string FindMinorLexicon(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  // The install prefix's copy, then the source tree's, for runs from a build.
  return FindDataFile("", std::string("lexicons/") + kMinorLexiconFileName,
                      {SCRAPEWATCH_INSTALLED_LEXICON, SCRAPEWATCH_SOURCE_LEXICON});
}

}  // namespace scrapewatch::detectors
