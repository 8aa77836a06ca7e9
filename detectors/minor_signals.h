// Context-text signals that an image may show a minor: the words a scraper
// keeps beside an image, matched against a multilingual lexicon of child cues
// (config/lexicons/minors.txt; its header documents the format).
//
// Matched fields, each on its own: "alt", "title", "caption", "link_text",
// "nearby_text"; "file_name" (the last segment of the image URL's path),
// "url_path" (the image URL's directories), "page_path" (the page URL's path);
// "schema" (the page's schema.org hints, all one field). URL parts are percent-decoded (read
// as Latin-1 when the escapes do not form UTF-8) and made words: every ASCII
// character other than a letter or digit becomes a space, and camelCase is
// split ("U12Team_2024.jpg" -> "U12 Team 2024 jpg"); letters and digits stay
// together, so "u12" and "kita2024" are one word each. Queries are ignored.
// Schema types are read after their last '/', '#' or ':' and split the same
// way ("https://schema.org/ElementarySchool" -> "Elementary School").
//
// The decision is precision-oriented: a page about a school board, a "junior
// developer" or a "25-year-old" must not mark its photos. The signal fires
// when, after exclude entries have voided the cues they overlap ("baby blue",
// "il y a 7 ans", "Class of 2019"):
//   - any field holds a strong cue ("kids", "7-year-old", "U12", a schema
//     age range that lies below 18), or
//   - one field holds a weak cue (child-ish but ambiguous alone: "junior",
//     "girls", "grade 3", "primary school") and another weak or context cue
//     ("school", "class", "camp", "team", "family") of a different lexicon
//     entry that does not overlap it ("junior football team"). A match inside
//     a longer one takes no part in a pair: "primary school" is one cue, not
//     also "school".
// Two context cues never fire ("school class", "family camp"), nor do cues
// spread over different fields. Schema age ranges (typicalAgeRange, or
// suggestedMinAge..suggestedMaxAge) are strong when they end below 18 ("5-11",
// max 12) and weak when they start below 18 but reach adulthood or are open
// ("16-25", "12-").
//
// Thread safety: a MinorLexicon is immutable once built; Match may run on any
// number of threads at once. Copies share the compiled patterns.
// Errors: Parse and Load return InvalidArgumentError "<source>:<line>:
// <problem>" for a bad line (a bad or empty-matching pattern, an unknown
// strength or {NAME}, a duplicate entry), "<source>: ..." for a lexicon
// without cues; Load returns NotFoundError naming a file it cannot read.
// Match never fails: text it cannot read (an unparsable URL) gives no words.
#ifndef SCRAPEWATCH_DETECTORS_MINOR_SIGNALS_H_
#define SCRAPEWATCH_DETECTORS_MINOR_SIGNALS_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/extracted_page.h"

namespace scrapewatch::detectors {

inline constexpr char kMinorLexiconFileName[] = "minors.txt";

// The page's schema.org statements about who it is for, as extraction
// found them; values that do not parse as ages are ignored.
using SchemaHints = crawler::SchemaHints;

// The text around one image on one page (crawler::ImageRef plus the page).
struct ImageTextContext {
  std::string alt;
  std::string title;
  std::string caption;
  std::string link_text;
  std::string nearby_text;
  std::string image_url;  // absolute http(s); other URLs (data:) give no words
  std::string page_url;   // absolute http(s)
  SchemaHints schema;
};

// One lexicon match, as a report shows it.
struct TextEvidence {
  std::string field;     // "alt", "caption", "file_name", "url_path", "page_path", "schema", ...
  std::string matched;   // the words that matched, as the field spells them
  std::string rule;      // "<lang> <strength> <name>", e.g. "en strong kid"; schema
                         // ages are "schema strong age-range" / "schema weak age-range"
  std::string strength;  // "strong", "weak" or "context"
  // The exclude entry ("en exclude baby-idiom") whose match overlaps this one
  // in the same text; such a match does not count. Empty otherwise.
  std::string excluded_by;
};

struct MinorTextSignals {
  bool fires = false;
  // What the decision rests on, e.g. `strong cue "kids" (en strong kid) in
  // alt`; empty when it does not fire.
  std::string reason;
  // Every cue match, voided ones included, by field (in the order listed
  // above), then position. Two entries matching the same words keep one
  // record: the stronger, else the earlier in the lexicon.
  std::vector<TextEvidence> evidence;
};

class MinorLexicon {
 public:
  // Reads and parses a lexicon file; `path` names it in errors.
  static absl::StatusOr<MinorLexicon> Load(const std::string& path);
  // Parses lexicon text; `source_name` names it in errors.
  static absl::StatusOr<MinorLexicon> Parse(std::string_view text, std::string_view source_name);

  MinorTextSignals Match(const ImageTextContext& context) const;

 private:
  struct Entries;  // the compiled lexicon (minor_signals.cc)

  explicit MinorLexicon(std::shared_ptr<const Entries> entries) : entries_(std::move(entries)) {}

  std::shared_ptr<const Entries> entries_;
};

// The lexicon to load: `explicit_path` itself when not empty (a file the user
// names is never swapped for another; Load reports it if missing), else the
// first existing lexicons/minors.txt under $XDG_DATA_HOME/scrapewatch
// ($XDG_DATA_HOME defaulting to $HOME/.local/share), the install prefix's
// share/scrapewatch, /usr/share/scrapewatch, then the source tree's
// config/lexicons (for runs from a build). Empty when none exists.
std::string FindMinorLexicon(const std::string& explicit_path);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_MINOR_SIGNALS_H_
