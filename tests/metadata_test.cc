// ReadImageMetadata against ExifTool's reading of the shared exif/ corpus
// (expected.json, described in corpus/README.md), one test case per file, and
// against images whose metadata is written here with Exiv2.
#include "detectors/metadata.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <exiv2/exiv2.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"

namespace scrapewatch::detectors {
namespace {

using nlohmann::json;

const std::string kCorpus = SCRAPEWATCH_SHARED_DIR "/corpus/exif/";

// README, "Known places where a correct tool may differ from ExifTool":
//  * derived_DSCN0010_first4096.jpg: ExifTool gives up on the cut APP1 segment,
//    but the GPS IFD lies inside the prefix. A reader may report nothing (Exiv2
//    0.27.6 refuses the segment, so this one returns an error) or, if it is
//    lenient, what the whole file holds; either passes.
//  * photoprism_buggy_panorama.jpg: latitude 213.64. ExifTool counts it as GPS;
//    the reader reports it with valid=false, which counts as no location here,
//    as does the 0,0 placeholder of photoprism_image-2011.jpg. The raw
//    coordinates are still compared for both (see LocationIsPlausible).
//  * exifr_issue-exifr-13.jpg needs no exception: like ExifTool, the reader
//    ignores DJI's drone-dji XMP strings and reports gps source "exif".
const std::map<std::string, std::string> kTruncatedCopyOf = {
    {"derived_DSCN0010_first4096.jpg", "ianare_DSCN0010.jpg"}};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const json& Expected() {
  static const json expected = [] {
    json parsed = json::parse(ReadFile(kCorpus + "expected.json"), nullptr, false);
    return parsed.is_object() ? parsed : json::object();
  }();
  return expected;
}

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> names;
  for (const auto& [name, unused] : Expected().items()) names.push_back(name);
  return names;
}

// ExifTool's text with the padding the README says to ignore removed.
std::string Text(const json& value) {
  if (!value.is_string()) return "";
  const std::string text = value.get<std::string>();
  const std::string padding(" \0", 2);
  const size_t first = text.find_first_not_of(padding);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(padding) - first + 1);
}

// Whether `text` starts with `shape`, in which 'd' stands for any digit.
bool HasShape(std::string_view text, std::string_view shape) {
  if (text.size() < shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !absl::ascii_isdigit(text[i]) : text[i] != shape[i]) return false;
  }
  return true;
}

// ExifTool's two GPS stamps in the reader's format: "" unless they form a time.
std::string ExpectedTimestamp(const json& want) {
  const std::string date = Text(want["gps_datestamp"]);
  const std::string time = Text(want["gps_timestamp"]);
  const bool clock_time = HasShape(time, "dd:dd:dd") && (time.size() == 8 || time[8] == '.') &&
                          time.substr(0, 2) < "24" && time[3] < '6' && time[6] < '6';
  if (!HasShape(date, "dddd:dd:dd") || !clock_time) return "";
  return date.substr(0, 10) + " " + time.substr(0, 8);
}

bool LocationIsPlausible(const json& want) {
  return want["has_gps"].get<bool>() && want["gps_in_range"].get<bool>() &&
         !(want["lat"] == 0 && want["lon"] == 0);
}

TEST(ExifCorpus, EveryFileIsListedAndEveryListedFileIsReadable) {
  ASSERT_TRUE(std::filesystem::is_directory(kCorpus)) << kCorpus;
  ASSERT_FALSE(Expected().empty()) << "no usable expected.json in " << kCorpus;
  size_t images = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".json" || extension == ".md" || extension == ".tsv" || extension == ".py") {
      continue;
    }
    ++images;
    EXPECT_TRUE(Expected().contains(entry.path().filename().string())) << entry.path();
  }
  size_t readable = 0;
  for (const std::string& name : CorpusFiles()) readable += !ReadFile(kCorpus + name).empty();
  EXPECT_EQ(readable, Expected().size());
  EXPECT_EQ(images, Expected().size());
}

class ExifCorpusTest : public testing::TestWithParam<std::string> {};

TEST_P(ExifCorpusTest, MatchesExifTool) {
  const std::string& name = GetParam();
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(ReadFile(kCorpus + name));
  if (!got.ok()) {
    // Refusing a file is fine only if ExifTool found it broken too and lost no location.
    EXPECT_TRUE(absl::IsInvalidArgument(got.status())) << got.status();
    EXPECT_FALSE(Expected().at(name)["exiftool_warnings"].empty()) << got.status();
    EXPECT_FALSE(Expected().at(name)["has_gps"].get<bool>()) << got.status();
    return;
  }
  const auto copy = kTruncatedCopyOf.find(name);
  const bool lenient = copy != kTruncatedCopyOf.end() && got->gps.has_value();
  const json& want = Expected().at(lenient ? copy->second : name);

  EXPECT_EQ(got->make, Text(want["make"]));
  EXPECT_EQ(got->model, Text(want["model"]));
  EXPECT_EQ(got->datetime_original, Text(want["datetime_original"]));
  EXPECT_EQ(got->gps.has_value(), want["has_gps"].get<bool>());
  EXPECT_EQ(got->gps.has_value() && got->gps->valid, LocationIsPlausible(want));
  if (!got->gps.has_value() || !want["has_gps"].get<bool>()) return;

  const GeoLocation& gps = *got->gps;
  EXPECT_NEAR(gps.latitude, want["lat"].get<double>(), 1e-6);
  EXPECT_NEAR(gps.longitude, want["lon"].get<double>(), 1e-6);
  if (want["alt"].is_number()) {
    ASSERT_TRUE(gps.altitude_m.has_value());
    EXPECT_NEAR(*gps.altitude_m, want["alt"].get<double>(), 1e-3);
  } else {
    EXPECT_FALSE(gps.altitude_m.has_value()) << *gps.altitude_m;
  }
  EXPECT_EQ(gps.source, want["gps_source"].get<std::string>());
  EXPECT_EQ(gps.gps_timestamp, ExpectedTimestamp(want));
  EXPECT_EQ(gps.valid, gps.invalid_reason.empty()) << gps.invalid_reason;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, ExifCorpusTest, testing::ValuesIn(CorpusFiles()), TestName);

// Hostile input: every corpus file cut short and with bytes flipped. Each
// variant lives in its own exactly-sized heap buffer, so a sanitizer build
// (SCRAPEWATCH_SANITIZE) sees any read past the end.
TEST(ExifCorpus, DamagedCopiesReturnCleanly) {
  std::mt19937 random(20240229);
  for (const std::string& name : CorpusFiles()) {
    const std::string bytes = ReadFile(kCorpus + name);
    std::vector<std::string> variants;
    for (size_t cut = 1; cut < bytes.size(); cut = cut * 2 + 1) {
      variants.push_back(bytes.substr(0, cut));
    }
    for (int i = 0; i < 8; ++i) {
      std::string flipped = bytes.substr(0, std::min<size_t>(bytes.size(), 64 << 10));
      for (int j = 0; j < 16 && !flipped.empty(); ++j) {
        flipped[random() % flipped.size()] ^= static_cast<char>(random());
      }
      variants.push_back(flipped);
    }
    for (const std::string& variant : variants) {
      const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(variant);
      EXPECT_TRUE(got.ok() || absl::IsInvalidArgument(got.status()))
          << name << ": " << got.status();
    }
  }
}

// What a read found, in one string, to compare reads of the whole corpus.
std::vector<std::string> ReadCorpus() {
  std::vector<std::string> found;
  for (const std::string& name : CorpusFiles()) {
    const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(ReadFile(kCorpus + name));
    found.push_back(!got.ok() ? got.status().ToString()
                              : got->make + got->artist + got->city +
                                    (got->gps ? got->gps->source : "no gps"));
  }
  return found;
}

// Exiv2 0.27 drops XMP under concurrent decoding (exifr_iptc-agency-*.jpg then
// loses its XMP GPS); the reader must prevent that.
TEST(ExifCorpus, ConcurrentReadsAgreeWithSequentialOnes) {
  const std::vector<std::string> sequential = ReadCorpus();
  std::vector<std::vector<std::string>> concurrent(4 * 5);  // 4 threads, 5 rounds each
  std::vector<std::thread> threads;
  for (size_t first = 0; first < 4; ++first) {
    threads.emplace_back([&concurrent, first] {
      for (size_t round = first; round < concurrent.size(); round += 4) {
        concurrent[round] = ReadCorpus();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::vector<std::string>& found : concurrent) EXPECT_EQ(found, sequential);
}

// `bytes` with its metadata changed by `edit`, written by Exiv2.
std::string Edited(const std::string& bytes, const std::function<void(Exiv2::Image&)>& edit) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()),
                                         static_cast<long>(bytes.size()));
  image->readMetadata();
  edit(*image);
  image->writeMetadata();
  Exiv2::BasicIo& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  const Exiv2::DataBuf data = io.read(io.size());
  return std::string(reinterpret_cast<const char*>(data.pData_), data.size_);
}

// A JPEG with no metadata at all, to write into.
std::string PlainJpeg() { return ReadFile(kCorpus + "exifr_noexif.jpg"); }

void SetExifGps(Exiv2::ExifData& exif, const char* lat_ref, const char* lat, const char* lon_ref,
                const char* lon) {
  exif["Exif.GPSInfo.GPSLatitudeRef"] = std::string(lat_ref);
  exif["Exif.GPSInfo.GPSLatitude"] = std::string(lat);
  exif["Exif.GPSInfo.GPSLongitudeRef"] = std::string(lon_ref);
  exif["Exif.GPSInfo.GPSLongitude"] = std::string(lon);
}

// 34°36'12" S, 58°22'54" W: Buenos Aires, the hemisphere pair the corpus lacks.
constexpr double kBuenosAiresLat = -(34 + 36 / 60.0 + 12 / 3600.0);
constexpr double kBuenosAiresLon = -(58 + 22 / 60.0 + 54 / 3600.0);

TEST(ReadImageMetadata, ExifGpsSouthAndWestAreNegative) {
  const std::string jpeg = Edited(PlainJpeg(), [](Exiv2::Image& image) {
    SetExifGps(image.exifData(), "S", "34/1 36/1 12/1", "W", "58/1 22/1 54/1");
    image.exifData()["Exif.GPSInfo.GPSAltitudeRef"] = std::string("1");
    image.exifData()["Exif.GPSInfo.GPSAltitude"] = std::string("25/1");
    image.exifData()["Exif.GPSInfo.GPSDateStamp"] = std::string("2024:02:29");
    image.exifData()["Exif.GPSInfo.GPSTimeStamp"] = std::string("23/1 59/1 5999/100");
  });
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(jpeg);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->gps.has_value());
  EXPECT_NEAR(got->gps->latitude, kBuenosAiresLat, 1e-9);
  EXPECT_NEAR(got->gps->longitude, kBuenosAiresLon, 1e-9);
  EXPECT_EQ(got->gps->altitude_m, -25.0);
  EXPECT_TRUE(got->gps->valid);
  EXPECT_EQ(got->gps->source, "exif");
  EXPECT_EQ(got->gps->gps_timestamp, "2024:02:29 23:59:59");
}

TEST(ReadImageMetadata, XmpGpsInDecimalMinutesAndDmsForms) {
  const std::string jpeg = Edited(PlainJpeg(), [](Exiv2::Image& image) {
    image.xmpData()["Xmp.exif.GPSLatitude"] = std::string("34,36.2S");
    image.xmpData()["Xmp.exif.GPSLongitude"] = std::string("58,22,54W");
    image.xmpData()["Xmp.exif.GPSAltitude"] = std::string("251/10");
    image.xmpData()["Xmp.exif.GPSAltitudeRef"] = std::string("1");
  });
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(jpeg);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->gps.has_value());
  EXPECT_NEAR(got->gps->latitude, kBuenosAiresLat, 1e-9);
  EXPECT_NEAR(got->gps->longitude, kBuenosAiresLon, 1e-9);
  EXPECT_NEAR(got->gps->altitude_m.value_or(0), -25.1, 1e-9);
  EXPECT_EQ(got->gps->source, "xmp");
  EXPECT_EQ(got->gps->gps_timestamp, "");
}

TEST(ReadImageMetadata, ExifWinsWhenXmpAlsoHasGps) {
  const std::string jpeg = Edited(PlainJpeg(), [](Exiv2::Image& image) {
    SetExifGps(image.exifData(), "S", "34/1 36/1 12/1", "W", "58/1 22/1 54/1");
    image.xmpData()["Xmp.exif.GPSLatitude"] = std::string("10,0,0N");
    image.xmpData()["Xmp.exif.GPSLongitude"] = std::string("20,0,0E");
  });
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(jpeg);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->gps.has_value());
  EXPECT_NEAR(got->gps->latitude, kBuenosAiresLat, 1e-9);
  EXPECT_EQ(got->gps->source, "exif+xmp");
}

TEST(ReadImageMetadata, ImplausibleFixesAreReportedAsInvalid) {
  const auto read = [](const char* lat, const char* lon) {
    return ReadImageMetadata(Edited(PlainJpeg(), [&](Exiv2::Image& image) {
      SetExifGps(image.exifData(), "N", lat, "E", lon);
    }));
  };
  const absl::StatusOr<ImageMetadata> null_island = read("0/1 0/1 0/1", "0/1 0/1 0/1");
  ASSERT_TRUE(null_island.ok() && null_island->gps.has_value()) << null_island.status();
  EXPECT_FALSE(null_island->gps->valid);
  EXPECT_NE(null_island->gps->invalid_reason, "");

  const absl::StatusOr<ImageMetadata> too_far = read("10/1 0/1 0/1", "181/1 0/1 0/1");
  ASSERT_TRUE(too_far.ok() && too_far->gps.has_value()) << too_far.status();
  EXPECT_FALSE(too_far->gps->valid);
  EXPECT_EQ(too_far->gps->longitude, 181);

  const absl::StatusOr<ImageMetadata> undefined = read("0/0 0/0 0/0", "0/0 0/0 0/0");
  ASSERT_TRUE(undefined.ok()) << undefined.status();
  EXPECT_FALSE(undefined->gps.has_value());
}

TEST(ReadImageMetadata, IdentifyingFieldsAreCleanText) {
  const std::string jpeg = Edited(PlainJpeg(), [](Exiv2::Image& image) {
    image.exifData()["Exif.Image.Make"] = std::string("Acme\xE9   ");  // Latin-1, padded
    image.xmpData()["Xmp.dc.creator"] = std::string("Jane Roe");  // an XMP Seq
    image.exifData()["Exif.Photo.BodySerialNumber"] = std::string("SN-0042");
    image.exifData()["Exif.Photo.CameraOwnerName"] = std::string("J. Roe");
    image.xmpData()["Xmp.dc.rights"] = std::string("lang=\"x-default\" (c) Jane Roe");
    image.xmpData()["Xmp.photoshop.City"] = std::string("S\xC3\xA3o Paulo");
    image.iptcData()["Iptc.Application2.CountryName"] = std::string("Brazil");
  });
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(jpeg);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->make, "Acme?");
  EXPECT_EQ(got->artist, "Jane Roe");
  EXPECT_EQ(got->body_serial_number, "SN-0042");
  EXPECT_EQ(got->owner_name, "J. Roe");
  EXPECT_EQ(got->copyright, "(c) Jane Roe");
  EXPECT_EQ(got->city, "S\xC3\xA3o Paulo");
  EXPECT_EQ(got->country, "Brazil");
  EXPECT_FALSE(got->gps.has_value());
  EXPECT_GT(got->pixel_width, 0);
  EXPECT_GT(got->pixel_height, 0);
}

TEST(ReadImageMetadata, NoMetadataIsAnEmptyResult) {
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(PlainJpeg());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->gps.has_value());
  EXPECT_EQ(got->make + got->model + got->artist + got->copyright, "");
}

TEST(ReadImageMetadata, GifIsAnImageWithoutMetadata) {
  // A 3x2 GIF89a: header, logical screen, no global colour table, trailer.
  const std::string gif = std::string("GIF89a\x03\0\x02\0\0\0\0;", 14);
  const absl::StatusOr<ImageMetadata> got = ReadImageMetadata(gif);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->gps.has_value());
  EXPECT_EQ(got->make + got->model + got->artist + got->copyright, "");
}

TEST(ReadImageMetadata, UnsupportedInputIsInvalidArgument) {
  // Exiv2 would parse this with its video reader; only web image formats are let through.
  const std::string avi = std::string("RIFF\x40\0\0\0AVI LIST\x20\0\0\0hdrlavih", 28) +
                          std::string(60, '\0');
  for (const std::string& bytes : {std::string(), std::string("<html>not an image</html>"),
                                   std::string("\xFF\xD8\xFF"), avi}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ReadImageMetadata(bytes).status())) << bytes;
  }
}

// A JPEG whose XMP packet declares `count` namespaces, in UTF-8 or UTF-16LE.
std::string NamespaceBomb(int count, bool utf16) {
  std::string xmp = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
                    "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description";
  for (int i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    xmp += " xmlns:p" + n + "='http://example.com/" + n + "/' p" + n + ":T='v'";
  }
  xmp += "/></rdf:RDF></x:xmpmeta>";
  if (utf16) {
    std::string wide;
    for (char c : xmp) wide += std::string{c, '\0'};
    xmp = "\xFF\xFE" + wide;
  }
  const std::string payload = std::string("http://ns.adobe.com/xap/1.0/\0", 29) + xmp;
  const size_t length = payload.size() + 2;
  const std::string app1 = {'\xFF', '\xE1', static_cast<char>(length >> 8),
                            static_cast<char>(length & 0xFF)};
  const std::string jpeg = PlainJpeg();
  return jpeg.substr(0, 2) + app1 + payload + jpeg.substr(2);
}

TEST(ReadImageMetadata, NamespaceBombsAreRefused) {
  const absl::StatusOr<ImageMetadata> modest = ReadImageMetadata(NamespaceBomb(100, false));
  EXPECT_TRUE(modest.ok()) << modest.status();
  EXPECT_TRUE(absl::IsInvalidArgument(ReadImageMetadata(NamespaceBomb(600, false)).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ReadImageMetadata(NamespaceBomb(600, true)).status()));
}

// Left alone, Exiv2's namespace table grows with every new URI, and each read slows down.
TEST(ReadImageMetadata, ForgetsTheXmpNamespacesOfEarlierImages) {
  ASSERT_TRUE(ReadImageMetadata(NamespaceBomb(100, false)).ok());
  EXPECT_GE(Exiv2::XmpProperties::nsRegistry_.size(), 100u);
  ASSERT_TRUE(ReadImageMetadata(PlainJpeg()).ok());
  EXPECT_TRUE(Exiv2::XmpProperties::nsRegistry_.empty());
}

}  // namespace
}  // namespace scrapewatch::detectors
