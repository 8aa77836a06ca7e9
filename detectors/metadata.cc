#include "detectors/metadata.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <mutex>
#include <vector>

#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace scrapewatch::detectors {
namespace {

// Exiv2's logger, XMP toolkit and BMFF switch are process-wide; set them up once.
void InitExiv2Once() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();
    Exiv2::enableBMFF(true);
  });
}

// Serialises all use of Exiv2. Even after initialize(), Exiv2 0.27 re-registers
// XMP namespaces while decoding, deleting and re-adding them in the toolkit's
// global table; a concurrent decode then fails ("Schema namespace URI and
// prefix mismatch") and silently loses that image's XMP, GPS included.
std::mutex& Exiv2Mutex() {
  static std::mutex mutex;
  return mutex;
}

// Exiv2 keeps each XMP namespace it decodes in tables that only grow and are
// searched linearly, so memory and the cost of every later read would grow
// with each new URI met on the web; start each read from the built-ins.
void ForgetCustomNamespaces() {
  if (Exiv2::XmpProperties::nsRegistry_.empty()) return;
  Exiv2::XmpParser::terminate();
  Exiv2::XmpParser::initialize();
}

// Even within one image, Exiv2 0.27 decodes XMP in time quadratic in the
// namespaces declared (0.4 s for 4,000; minutes for 50,000), a cheap way to
// stall a crawler. Real photos declare a few dozen.
constexpr int kMaxNamespaceDeclarations = 500;

// Counts "xmlns" in the raw bytes: in UTF-8, and with NULs between the
// letters, as in the UTF-16 and UTF-32 encodings XMP also allows.
bool DeclaresTooManyNamespaces(std::string_view bytes) {
  constexpr std::string_view kWord = "xmlns";
  int count = 0;
  for (size_t at = bytes.find('x'); at != std::string_view::npos; at = bytes.find('x', at + 1)) {
    size_t next = at + 1;
    size_t matched = 1;
    while (matched < kWord.size()) {
      for (int nuls = 0; nuls < 3 && next < bytes.size() && bytes[next] == '\0'; ++nuls) ++next;
      if (next == bytes.size() || bytes[next] != kWord[matched]) break;
      ++next;
      ++matched;
    }
    if (matched == kWord.size() && ++count > kMaxNamespaceDeclarations) return true;
  }
  return false;
}

// Exiv2 also detects camera raws and video containers. No web page serves
// those as images, so their parsers need not face hostile input.
bool IsWebImageType(int type) {
  using namespace Exiv2::ImageType;
  return type == jpeg || type == tiff || type == png || type == webp || type == bmff;
}

// GIF is a common web image with no EXIF, XMP or IPTC; Exiv2 0.27 rejects
// most real GIFs as corrupt, so they are answered here, as images without
// metadata (the decoder reads their size from the header).
bool IsGif(std::string_view bytes) {
  return bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a");
}

// Debian's Abseil has its own absl::string_view, which std::string_view does
// not convert to, so the string helpers here work on std::string_view directly.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(s.back())) s.remove_suffix(1);
  return s;
}

// A finite decimal number filling `text`, allowing the spaces and '+' that XMP writers add.
std::optional<double> ParseDecimal(std::string_view text) {
  text = Trim(text);
  if (text.starts_with('+')) text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Length of the well-formed UTF-8 sequence that starts `s`, or 0 if none does.
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [s](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (byte(0) < 0x80) return 1;
  const size_t length = byte(0) >= 0xF0 ? 4 : byte(0) >= 0xE0 ? 3 : byte(0) >= 0xC2 ? 2 : 0;
  if (length == 0 || byte(0) > 0xF4 || s.size() < length) return 0;
  uint32_t code_point = byte(0) & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  const bool overlong =
      (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  return overlong || surrogate || code_point > 0x10FFFF ? 0 : length;
}

// EXIF strings are NUL-terminated and space-padded, and any tag may hold
// Latin-1 or binary junk; reports need clean UTF-8.
std::string CleanText(std::string_view raw) {
  raw = Trim(raw.substr(0, raw.find('\0')));
  std::string clean;
  while (!raw.empty()) {
    const size_t length = Utf8SequenceLength(raw);
    clean.append(length == 0 ? "?" : raw.substr(0, length));
    raw.remove_prefix(std::max<size_t>(length, 1));
  }
  return clean;
}

// XMP arrays and language alternatives print with `type="Seq"` and
// `lang="x-default"` tags; only the text is wanted.
std::string PlainText(const Exiv2::Value& value) {
  switch (value.typeId()) {
    case Exiv2::langAlt:
      return value.toString(0);
    case Exiv2::xmpBag:
    case Exiv2::xmpSeq:
    case Exiv2::xmpAlt: {
      std::vector<std::string> items;
      for (long i = 0; i < value.count(); ++i) items.push_back(value.toString(i));
      return absl::StrJoin(items, ", ");
    }
    default:
      return value.toString();
  }
}

template <typename Data, typename Key>
std::string TextOf(const Data& data, const std::string& key) {
  const auto it = data.findKey(Key(key));
  return it == data.end() ? "" : CleanText(PlainText(it->value()));
}

// The first non-empty text among `keys` ("Exif.*", "Xmp.*" or "Iptc.*").
std::string FirstText(const Exiv2::Image& image, std::initializer_list<std::string> keys) {
  for (const std::string& key : keys) {
    std::string text;
    if (key.starts_with("Exif.")) {
      text = TextOf<Exiv2::ExifData, Exiv2::ExifKey>(image.exifData(), key);
    } else if (key.starts_with("Xmp.")) {
      text = TextOf<Exiv2::XmpData, Exiv2::XmpKey>(image.xmpData(), key);
    } else {
      text = TextOf<Exiv2::IptcData, Exiv2::IptcKey>(image.iptcData(), key);
    }
    if (!text.empty()) return text;
  }
  return "";
}

// ExifTool's rendering of an XMP date ("2002-07-13T15:58:28Z" becomes
// "2002:07:13 15:58:28Z"), so that EXIF and XMP dates read alike.
std::string ExifStyleDate(std::string date) {
  if (date.size() < 10 || date[4] != '-' || date[7] != '-') return date;
  date[4] = date[7] = ':';
  if (date.size() > 10 && date[10] == 'T') date[10] = ' ';
  return date;
}

template <typename Pair>
std::optional<double> Ratio(const Pair& rational) {
  if (rational.second == 0) return std::nullopt;
  return static_cast<double>(rational.first) / static_cast<double>(rational.second);
}

// Component `i` of a numeric EXIF value, or nullopt (x/0 included). Rationals
// are read from the raw pair: Value::toFloat rounds to float, too coarse for
// 1e-6 degrees, and toRational wraps unsigned numerators above 2^31.
std::optional<double> NumberAt(const Exiv2::Value& value, size_t i) {
  if (const auto* u = dynamic_cast<const Exiv2::URationalValue*>(&value)) {
    return i < u->value_.size() ? Ratio(u->value_[i]) : std::nullopt;
  }
  if (const auto* s = dynamic_cast<const Exiv2::RationalValue*>(&value)) {
    return i < s->value_.size() ? Ratio(s->value_[i]) : std::nullopt;
  }
  switch (value.typeId()) {
    case Exiv2::unsignedByte:
    case Exiv2::unsignedShort:
    case Exiv2::unsignedLong:
    case Exiv2::signedByte:
    case Exiv2::signedShort:
    case Exiv2::signedLong:
      if (i < static_cast<size_t>(value.count())) return value.toLong(static_cast<long>(i));
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Degrees from up to three components (degrees, minutes, seconds); like
// ExifTool, missing minutes or seconds count as zero.
std::optional<double> ExifDegrees(const Exiv2::Value& value) {
  const size_t count = std::min<size_t>(std::max(value.count(), 0L), 3);
  if (count == 0) return std::nullopt;
  double degrees = 0;
  double unit = 1;
  for (size_t i = 0; i < count; ++i, unit *= 60) {
    const std::optional<double> part = NumberAt(value, i);
    if (!part) return std::nullopt;
    degrees += *part / unit;
  }
  return degrees;
}

std::optional<double> FindNumber(const Exiv2::ExifData& exif, const char* key, size_t i) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  return it == exif.end() ? std::nullopt : NumberAt(it->value(), i);
}

bool IsSouthOrWest(std::string_view ref) {
  return !ref.empty() && (absl::ascii_toupper(ref[0]) == 'S' || absl::ascii_toupper(ref[0]) == 'W');
}

struct LatLon {
  double latitude = 0, longitude = 0;
};

std::optional<double> ExifCoordinate(const Exiv2::Image& image, const char* key,
                                     const std::string& ref_key) {
  const auto it = image.exifData().findKey(Exiv2::ExifKey(key));
  if (it == image.exifData().end()) return std::nullopt;
  const std::optional<double> degrees = ExifDegrees(it->value());
  // A missing ref is read as N or E: the fix leaks even if the hemisphere is a guess.
  if (!degrees || !IsSouthOrWest(FirstText(image, {ref_key}))) return degrees;
  return -*degrees;
}

std::optional<LatLon> ExifLatLon(const Exiv2::Image& image) {
  const std::optional<double> latitude =
      ExifCoordinate(image, "Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLatitudeRef");
  const std::optional<double> longitude =
      ExifCoordinate(image, "Exif.GPSInfo.GPSLongitude", "Exif.GPSInfo.GPSLongitudeRef");
  if (!latitude || !longitude) return std::nullopt;
  return LatLon{*latitude, *longitude};
}

// XMP GPSCoordinate text: "DDD,MM,SSk" or "DDD,MM.mmk", k one of NSEW. As in
// ExifTool, bare (signed) decimal degrees are accepted too.
std::optional<double> XmpDegrees(std::string_view text) {
  bool negative = false;
  if (!text.empty() && absl::ascii_isalpha(text.back())) {
    const char hemisphere = absl::ascii_toupper(text.back());
    if (hemisphere != 'N' && hemisphere != 'S' && hemisphere != 'E' && hemisphere != 'W') {
      return std::nullopt;
    }
    negative = IsSouthOrWest(std::string_view(&hemisphere, 1));
    text.remove_suffix(1);
  }
  double degrees = 0;
  double unit = 1;
  for (int part = 0; part < 3; ++part, unit *= 60) {
    const size_t comma = text.find(',');
    const std::optional<double> value = ParseDecimal(text.substr(0, comma));
    if (!value) return std::nullopt;
    degrees += *value / unit;
    if (comma == std::string_view::npos) return negative ? -degrees : degrees;
    text.remove_prefix(comma + 1);
  }
  return std::nullopt;  // more than three parts
}

std::optional<LatLon> XmpLatLon(const Exiv2::Image& image) {
  const std::optional<double> latitude = XmpDegrees(FirstText(image, {"Xmp.exif.GPSLatitude"}));
  const std::optional<double> longitude = XmpDegrees(FirstText(image, {"Xmp.exif.GPSLongitude"}));
  if (!latitude || !longitude) return std::nullopt;
  return LatLon{*latitude, *longitude};
}

// XMP stores rationals as text, "7923/65116".
std::optional<double> XmpNumber(std::string_view text) {
  const size_t slash = text.find('/');
  const std::optional<double> numerator = ParseDecimal(text.substr(0, slash));
  if (!numerator || slash == std::string_view::npos) return numerator;
  const std::optional<double> denominator = ParseDecimal(text.substr(slash + 1));
  if (!denominator || *denominator == 0) return std::nullopt;
  return *numerator / *denominator;
}

std::optional<double> Altitude(const Exiv2::Image& image) {
  if (std::optional<double> metres = FindNumber(image.exifData(), "Exif.GPSInfo.GPSAltitude", 0)) {
    const bool below = FindNumber(image.exifData(), "Exif.GPSInfo.GPSAltitudeRef", 0) == 1.0;
    return below ? -*metres : *metres;
  }
  const std::optional<double> metres = XmpNumber(FirstText(image, {"Xmp.exif.GPSAltitude"}));
  if (metres && FirstText(image, {"Xmp.exif.GPSAltitudeRef"}) == "1") return -*metres;
  return metres;
}

bool IsExifDate(std::string_view date) {
  if (date.size() < 10 || date[4] != ':' || date[7] != ':') return false;
  return std::all_of(date.begin(), date.begin() + 10,
                     [](char c) { return c == ':' || absl::ascii_isdigit(c); });
}

// "YYYY:MM:DD HH:MM:SS", or "" unless both stamps are plausible: fuzzed and
// buggy files put garbage here, and a wrong time is worse than none.
std::string GpsTimestamp(const Exiv2::Image& image) {
  const std::string date = FirstText(image, {"Exif.GPSInfo.GPSDateStamp"});
  const auto time = image.exifData().findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSTimeStamp"));
  if (!IsExifDate(date) || time == image.exifData().end()) return "";
  const std::optional<double> h = NumberAt(time->value(), 0);
  const std::optional<double> m = NumberAt(time->value(), 1);
  const std::optional<double> s = NumberAt(time->value(), 2);
  if (!h || !m || !s || !(*h >= 0 && *h < 24 && *m >= 0 && *m < 60 && *s >= 0 && *s < 61)) {
    return "";
  }
  return absl::StrFormat("%s %02d:%02d:%02d", date.substr(0, 10), static_cast<int>(*h),
                         static_cast<int>(*m), static_cast<int>(*s));
}

// Why a fix is not a real location, or "" if it may be one.
std::string Implausibility(double latitude, double longitude) {
  if (latitude == 0 && longitude == 0) return "0,0 is a placeholder (\"null island\"), not a fix";
  if (std::abs(latitude) > 90) return absl::StrCat("latitude ", latitude, " is beyond 90 degrees");
  if (std::abs(longitude) > 180) {
    return absl::StrCat("longitude ", longitude, " is beyond 180 degrees");
  }
  return "";
}

std::optional<GeoLocation> ReadGps(const Exiv2::Image& image) {
  const std::optional<LatLon> exif = ExifLatLon(image);
  const std::optional<LatLon> xmp = XmpLatLon(image);
  if (!exif && !xmp) return std::nullopt;
  const LatLon& chosen = exif ? *exif : *xmp;
  GeoLocation gps;
  gps.latitude = chosen.latitude;
  gps.longitude = chosen.longitude;
  gps.altitude_m = Altitude(image);
  gps.invalid_reason = Implausibility(gps.latitude, gps.longitude);
  gps.valid = gps.invalid_reason.empty();
  gps.source = exif && xmp ? "exif+xmp" : exif ? "exif" : "xmp";
  gps.gps_timestamp = GpsTimestamp(image);
  return gps;
}

ImageMetadata Collect(const Exiv2::Image& image) {
  ImageMetadata m;
  m.gps = ReadGps(image);
  m.make = FirstText(image, {"Exif.Image.Make", "Xmp.tiff.Make"});
  m.model = FirstText(image, {"Exif.Image.Model", "Xmp.tiff.Model"});
  m.datetime_original = ExifStyleDate(
      FirstText(image, {"Exif.Photo.DateTimeOriginal", "Xmp.exif.DateTimeOriginal"}));
  m.body_serial_number = FirstText(
      image, {"Exif.Photo.BodySerialNumber", "Xmp.exifEX.BodySerialNumber", "Xmp.aux.SerialNumber",
              "Exif.Canon.SerialNumber", "Exif.Nikon3.SerialNumber"});
  m.artist = FirstText(image, {"Exif.Image.Artist", "Xmp.dc.creator", "Xmp.tiff.Artist",
                               "Iptc.Application2.Byline"});
  m.copyright = FirstText(image, {"Exif.Image.Copyright", "Xmp.dc.rights", "Xmp.tiff.Copyright",
                                  "Iptc.Application2.Copyright"});
  m.owner_name = FirstText(image, {"Exif.Photo.CameraOwnerName", "Xmp.exifEX.CameraOwnerName",
                                   "Xmp.aux.OwnerName", "Exif.Canon.OwnerName"});
  m.city = FirstText(image, {"Iptc.Application2.City", "Xmp.photoshop.City"});
  m.sublocation = FirstText(image, {"Iptc.Application2.SubLocation", "Xmp.iptc.Location"});
  m.state = FirstText(image, {"Iptc.Application2.ProvinceState", "Xmp.photoshop.State"});
  m.country = FirstText(image, {"Iptc.Application2.CountryName", "Xmp.photoshop.Country"});
  // A hostile TIFF can declare a negative size; the contract says 0 for unknown.
  m.pixel_width = std::max(image.pixelWidth(), 0);
  m.pixel_height = std::max(image.pixelHeight(), 0);
  return m;
}

absl::StatusOr<ImageMetadata> Read(std::string_view bytes) {
  if (IsGif(bytes)) return ImageMetadata{};
  if (DeclaresTooManyNamespaces(bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more than ", kMaxNamespaceDeclarations, " XML namespace declarations (an XMP bomb)"));
  }
  // Exiv2 reads the caller's buffer in place (MemIo does not copy on read).
  const auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()),
                                               static_cast<long>(bytes.size()));
  if (!IsWebImageType(image->imageType())) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported image format (", image->mimeType(), ")"));
  }
  image->readMetadata();
  return Collect(*image);
}

}  // namespace

absl::StatusOr<ImageMetadata> ReadImageMetadata(std::string_view image_bytes) {
  InitExiv2Once();
  const std::lock_guard<std::mutex> lock(Exiv2Mutex());
  try {
    ForgetCustomNamespaces();
    return Read(image_bytes);
  } catch (const Exiv2::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat("unreadable image metadata: ", e.what()));
  } catch (const std::exception& e) {  // e.g. bad_alloc for a size field that lies
    return absl::InvalidArgumentError(absl::StrCat("unreadable image metadata: ", e.what()));
  }
}

}  // namespace scrapewatch::detectors
