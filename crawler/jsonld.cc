#include "crawler/jsonld.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/markup_text.h"
#include "nlohmann/json.hpp"

namespace scrapewatch::crawler {
namespace {

// Keeps keys in document order, so images are found in the order written.
using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 64;
constexpr std::string_view kImageKeys[] = {"image", "thumbnailUrl", "logo"};
// Longest first, so "//<![CDATA[" is not left with a "//" in front.
constexpr std::string_view kOpeningWrappers[] = {"/*<![CDATA[*/", "//<![CDATA[", "<![CDATA[",
                                                 "<!--"};
constexpr std::string_view kClosingWrappers[] = {"/*]]>*/", "//]]>", "]]>", "//-->", "-->"};

std::string_view StripWrappers(std::string_view text) {
  bool stripped = true;
  while (stripped) {
    stripped = false;
    text = markup::StripHtmlSpace(text);
    for (std::string_view opening : kOpeningWrappers) {
      if (text.starts_with(opening)) {
        text.remove_prefix(opening.size());
        stripped = true;
        break;
      }
    }
    for (std::string_view closing : kClosingWrappers) {
      if (text.ends_with(closing)) {
        text.remove_suffix(closing.size());
        stripped = true;
        break;
      }
    }
  }
  return text;
}

// "Person", "schema:Person" and "http://schema.org/Person" all name the type.
bool NamesType(const Json& value, std::string_view type) {
  const std::string* text = value.get_ptr<const std::string*>();
  if (text == nullptr) return false;
  std::string_view name = *text;
  return name == type || (name.ends_with(type) && name.size() > type.size() &&
                          (name[name.size() - type.size() - 1] == '/' ||
                           name[name.size() - type.size() - 1] == ':'));
}

bool HasType(const Json& object, std::string_view type) {
  auto it = object.find("@type");
  if (it == object.end()) return false;
  if (it->is_array()) {
    return std::any_of(it->begin(), it->end(), [&](const Json& t) { return NamesType(t, type); });
  }
  return NamesType(*it, type);
}

// The first string of `value`, itself or the first of an array of them.
std::string FirstString(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return "";
  const Json& value = it->is_array() && !it->empty() ? it->front() : *it;
  const std::string* text = value.get_ptr<const std::string*>();
  return text == nullptr ? "" : *text;
}

std::string PersonName(const Json& person) {
  std::string name(markup::StripHtmlSpace(FirstString(person, "name")));
  if (!name.empty()) return name;
  std::string given = FirstString(person, "givenName");
  std::string family = FirstString(person, "familyName");
  return std::string(markup::StripHtmlSpace(given + " " + family));
}

// A JSON string as itself, a number as its JSON text; anything else empty.
std::string ScalarText(const Json& value) {
  if (const std::string* text = value.get_ptr<const std::string*>()) return *text;
  return value.is_number() ? value.dump() : "";
}

bool IsImageKey(const std::string& key) {
  return std::find(std::begin(kImageKeys), std::end(kImageKeys), key) != std::end(kImageKeys);
}

class Walker {
 public:
  explicit Walker(JsonLdFacts& facts) : facts_(facts) {}

  // `image_value`: `node` is the value of an image key. `person`: the name of
  // the innermost Person around `node`, or null.
  void Walk(const Json& node, bool image_value, const std::string* person, int depth) {
    if (depth > kMaxDepth) return;
    if (node.is_string()) {
      if (image_value) AddImage(node, person);
    } else if (node.is_array()) {
      for (const Json& item : node) Walk(item, image_value, person, depth + 1);
    } else if (node.is_object()) {
      WalkObject(node, image_value, person, depth);
    }
  }

 private:
  void WalkObject(const Json& object, bool image_value, const std::string* person, int depth) {
    NoteAudience(object);
    std::string name;
    if (HasType(object, "Person") && !(name = PersonName(object)).empty()) {
      facts_.people.push_back(name);
      person = &name;
    }
    bool image_object = image_value || HasType(object, "ImageObject");
    for (const auto& [key, value] : object.items()) {
      if (IsImageKey(key)) {
        Walk(value, /*image_value=*/true, person, depth + 1);
      } else if (image_object && (key == "url" || key == "contentUrl")) {
        AddImage(value, person);
      } else {
        Walk(value, /*image_value=*/false, person, depth + 1);
      }
    }
  }

  void NoteAudience(const Json& object) {
    SchemaHints& schema = facts_.schema;
    auto note_strings = [&object](const char* key, std::vector<std::string>& into) {
      auto it = object.find(key);
      if (it == object.end()) return;
      if (it->is_array()) {
        for (const Json& item : *it) {
          if (const std::string* text = item.get_ptr<const std::string*>()) into.push_back(*text);
        }
      } else if (const std::string* text = it->get_ptr<const std::string*>()) {
        into.push_back(*text);
      }
    };
    auto note_first = [&object](const char* key, std::string& into) {
      auto it = object.find(key);
      if (it != object.end() && into.empty()) into = ScalarText(*it);
    };
    note_strings("@type", schema.types);
    note_strings("audienceType", schema.audience_types);
    note_first("typicalAgeRange", schema.typical_age_range);
    note_first("suggestedMinAge", schema.suggested_min_age);
    note_first("suggestedMaxAge", schema.suggested_max_age);
  }

  void AddImage(const Json& value, const std::string* person) {
    const std::string* url = value.get_ptr<const std::string*>();
    if (url == nullptr) return;
    JsonLdImage image{*url, {}};
    if (person != nullptr) image.names.push_back(*person);
    facts_.images.push_back(std::move(image));
  }

  JsonLdFacts& facts_;
};

}  // namespace

JsonLdFacts ParseJsonLd(std::string_view script_text) {
  std::string_view text = StripWrappers(script_text);
  Json json = Json::parse(text.data(), text.data() + text.size(), /*cb=*/nullptr,
                          /*allow_exceptions=*/false, /*ignore_comments=*/true);
  JsonLdFacts facts;
  if (json.is_discarded()) return facts;
  facts.valid = true;
  Walker(facts).Walk(json, /*image_value=*/false, /*person=*/nullptr, 0);
  return facts;
}

}  // namespace scrapewatch::crawler
