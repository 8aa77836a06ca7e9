// DecodeImage, the one decode every detector shares: which real files decode,
// GIF first frames, EXIF orientation applied exactly once, decompression bombs
// refused from their headers before any pixel is allocated, and damaged files
// turned into clean errors.
#include "detectors/image_decoder.h"

#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <exiv2/exiv2.hpp>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "detectors/image_header.h"

namespace scrapewatch::detectors {
namespace {

const std::string kCorpus = SCRAPEWATCH_SHARED_DIR "/corpus/exif/";

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

std::string Corpus(const std::string& name) { return ReadFile(kCorpus + name); }

// The corpus' images: every file but its notes, tables and script.
std::vector<std::string> CorpusImageNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".md" || extension == ".tsv" || extension == ".json" || extension == ".py") {
      continue;
    }
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Encode(const std::string& extension, const cv::Mat& image,
                   const std::vector<int>& params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes, params));
  return std::string(bytes.begin(), bytes.end());
}

// A 64x32 picture whose four 16-pixel-aligned blocks of colour show any turn
// or mirror, and survive JPEG compression.
cv::Mat Quadrants() {
  cv::Mat image(32, 64, CV_8UC3, cv::Scalar(0, 0, 255));            // red
  image(cv::Rect(0, 0, 32, 16)).setTo(cv::Scalar(255, 0, 0));       // blue
  image(cv::Rect(32, 0, 32, 16)).setTo(cv::Scalar(0, 255, 0));      // green
  image(cv::Rect(0, 16, 32, 16)).setTo(cv::Scalar(255, 255, 255));  // white
  return image;
}

bool IsCleanError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

// What every decode must give: a usable image or a clean error, and for an
// image, one within the limits.
void ExpectDecodedOrCleanError(const absl::StatusOr<DecodedImage>& result,
                               const DecodeLimits& limits, const std::string& label) {
  if (!result.ok()) {
    EXPECT_TRUE(IsCleanError(result.status())) << label << ": " << result.status();
    return;
  }
  EXPECT_EQ(result->bgr.type(), CV_8UC3) << label;
  EXPECT_FALSE(result->bgr.empty()) << label;
  EXPECT_LE(result->bgr.cols, limits.max_dimension) << label;
  EXPECT_LE(result->bgr.rows, limits.max_dimension) << label;
}

// --- Real files -------------------------------------------------------------

// Corpus files that no decoder reads, and why (ExifTool and raw OpenCV agree).
const std::set<std::string> kUndecodable = {
    "derived_DSCN0010_first4096.jpg",                // cut inside APP1, before the frame header
    "exifreader_truncated-exif-tiff-dos.jpg",        // 32 bytes: no frame header
    "exiv2_issue_1881_coverage.jpg",                 // fuzzed: ends before a frame header
    "exiv2_issue_1912_poc.jpg",                      // fuzzed: ends before a frame header
    "exiv2_issue_3455_sigma_print0x0009_empty.jpg",  // libjpeg rejects the scan
    "exiv2_issue_428_poc1.png",                      // libpng: integer out of range
    "exiv2_issue_791_poc1.webp",                     // 28 bytes: no bitstream chunk
    "exiv2_2018-01-09-exiv2-crash-001.tiff",         // BigTIFF whose IFD0 is past the end
    "exiv2_issue_1793_poc.heic",                     // 100 bytes: no 'meta' box
};

// HEIF sizes as ExifTool reads them from the boxes. Debian's libheif 1.15 has
// libde265 for HEVC and dav1d for AV1, so all decode, the 10-bit Sony HEIF
// included (to 8 bits, in about 2 s); only the 100-byte fuzzed file does not.
const std::map<std::string, cv::Size> kHeifSizes = {
    {"exifreader_test-no-meta-data.heic", {128, 128}},
    {"exiv2_Stonehenge.heic", {300, 200}},
    {"ianare_IMG_5195.HEIC", {2566, 3313}},
    {"ianare_HMD_Nokia_8.3_5G_hdr.heif", {4608, 3456}},
    {"exiv2_Sony.HIF", {8640, 5760}},
    {"exiv2_avif_exif_xmp.avif", {120, 120}},
    {"exiv2_avif_metadata2.avif", {120, 120}},
};

TEST(ImageDecoderTest, EveryCorpusImageDecodesOrFailsCleanly) {
  const std::vector<std::string> names = CorpusImageNames();
  ASSERT_EQ(names.size(), 61u);
  std::map<std::string, int> decoded_per_format;
  for (const std::string& name : names) {
    const std::string bytes = Corpus(name);
    absl::StatusOr<DecodedImage> result = DecodeImage(bytes, DecodeLimits{});
    const std::string format = SniffImageFormat(bytes);
    if (kUndecodable.contains(name)) {
      ASSERT_FALSE(result.ok()) << name;
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << name;
      EXPECT_TRUE(std::string(result.status().message()).starts_with(format + ":"))
          << result.status();
      continue;
    }
    ASSERT_TRUE(result.ok()) << name << ": " << result.status();
    EXPECT_EQ(result->format, format);
    EXPECT_EQ(result->bgr.type(), CV_8UC3) << name;
    EXPECT_FALSE(result->bgr.empty()) << name;
    if (format == "heic" || format == "avif") {
      EXPECT_EQ(result->bgr.size(), kHeifSizes.at(name)) << name;
    }
    ++decoded_per_format[format];
  }
  const std::map<std::string, int> expected = {{"jpeg", 37}, {"png", 2},  {"webp", 4},
                                               {"tiff", 2},  {"heic", 5}, {"avif", 2}};
  EXPECT_EQ(decoded_per_format, expected);
}

// The header reader must size images exactly as the codecs do, or the
// limits would be checked against the wrong numbers.
TEST(ImageDecoderTest, HeaderSizeMatchesTheDecodedSize) {
  int compared = 0;
  for (const std::string& name : CorpusImageNames()) {
    const std::string bytes = Corpus(name);
    const std::string format = SniffImageFormat(bytes);
    if (kUndecodable.contains(name) || format == "heic" || format == "avif") continue;
    absl::StatusOr<ImageHeader> header = ReadImageHeader(format, bytes);
    ASSERT_TRUE(header.ok()) << name << ": " << header.status();
    absl::StatusOr<DecodedImage> decoded = DecodeImage(bytes, DecodeLimits{});
    ASSERT_TRUE(decoded.ok()) << name;
    // Orientation may have swapped the sides.
    EXPECT_EQ(std::minmax({header->width, header->height}),
              std::minmax({int64_t{decoded->bgr.cols}, int64_t{decoded->bgr.rows}}))
        << name;
    ++compared;
  }
  EXPECT_EQ(compared, 45);
}

TEST(ImageDecoderTest, SniffsTheFormatFromTheBytesNotTheName) {
  EXPECT_EQ(SniffImageFormat(Corpus("photoprism_this-is-a-jpeg.png")), "jpeg");
  EXPECT_EQ(SniffImageFormat(Corpus("exiv2_Sony.HIF")), "heic");
  EXPECT_EQ(SniffImageFormat(Corpus("exiv2_avif_metadata2.avif")), "avif");
  EXPECT_EQ(SniffImageFormat(Corpus("exiv2_2018-01-09-exiv2-crash-001.tiff")), "tiff");  // BigTIFF
  const std::string mp4(
      "\0\0\0\x18"
      "ftypisom\0\0\x02\0"
      "isomiso2",
      24);
  EXPECT_EQ(SniffImageFormat(mp4), "isobmff");
  EXPECT_EQ(DecodeImage(mp4, DecodeLimits{}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SniffImageFormat("<html>"), "unknown");
}

// --- GIF --------------------------------------------------------------------

struct GifFrame {
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<GifPixelType> pixels;  // palette indices, row by row
  bool interlaced = false;
  int transparent = NO_TRANSPARENT_COLOR;
};

// Black, red, green, blue.
const std::array<GifColorType, 4> kPalette = {{{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}}};

int AppendToString(GifFileType* gif, const GifByteType* data, int length) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data), length);
  return length;
}

// A GIF89a written with giflib's encoder: a global palette and `frames`.
std::string EncodeGif(int screen_width, int screen_height, int background,
                      const std::vector<GifFrame>& frames) {
  std::string out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, AppendToString, &error);
  EXPECT_NE(gif, nullptr);
  EGifSetGifVersion(gif, true);
  ColorMapObject* palette = GifMakeMapObject(kPalette.size(), kPalette.data());
  EXPECT_EQ(EGifPutScreenDesc(gif, screen_width, screen_height, 8, background, palette), GIF_OK);
  for (const GifFrame& frame : frames) {
    GraphicsControlBlock control{.DisposalMode = DISPOSAL_UNSPECIFIED,
                                 .UserInputFlag = false,
                                 .DelayTime = 10,
                                 .TransparentColor = frame.transparent};
    GifByteType extension[4];
    EGifGCBToExtension(&control, extension);
    EXPECT_EQ(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension), GIF_OK);
    EXPECT_EQ(EGifPutImageDesc(gif, frame.left, frame.top, frame.width, frame.height,
                               frame.interlaced, nullptr),
              GIF_OK);
    // An interlaced frame's rows are stored in four passes; the encoder
    // writes them in the order given.
    std::vector<int> rows;
    for (auto [start, step] : frame.interlaced
                                  ? std::vector<std::pair<int, int>>{{0, 8}, {4, 8}, {2, 4}, {1, 2}}
                                  : std::vector<std::pair<int, int>>{{0, 1}}) {
      for (int y = start; y < frame.height; y += step) rows.push_back(y);
    }
    for (int y : rows) {
      std::vector<GifPixelType> row(frame.pixels.begin() + y * frame.width,
                                    frame.pixels.begin() + (y + 1) * frame.width);
      EXPECT_EQ(EGifPutLine(gif, row.data(), frame.width), GIF_OK);
    }
  }
  EXPECT_EQ(EGifCloseFile(gif, &error), GIF_OK);
  GifFreeMapObject(palette);
  return out;
}

cv::Vec3b PaletteBgr(int index) {
  return {kPalette[index].Blue, kPalette[index].Green, kPalette[index].Red};
}

GifFrame PatternFrame(int width, int height) {
  GifFrame frame{.width = width, .height = height};
  for (int i = 0; i < width * height; ++i) frame.pixels.push_back((i * 7 / 3) % 4);
  return frame;
}

void ExpectShowsFrame(const cv::Mat& image, const GifFrame& frame) {
  ASSERT_EQ(image.size(), cv::Size(frame.width, frame.height));
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      EXPECT_EQ(image.at<cv::Vec3b>(y, x), PaletteBgr(frame.pixels[y * frame.width + x]))
          << x << "," << y;
    }
  }
}

TEST(ImageDecoderTest, AnimatedGifGivesItsFirstFrame) {
  const GifFrame first = PatternFrame(5, 3);
  GifFrame second = PatternFrame(5, 3);
  std::fill(second.pixels.begin(), second.pixels.end(), 3);
  absl::StatusOr<DecodedImage> result =
      DecodeImage(EncodeGif(5, 3, 0, {first, second}), DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->format, "gif");
  ExpectShowsFrame(result->bgr, first);
}

TEST(ImageDecoderTest, InterlacedGifRowsGoBackInPlace) {
  GifFrame frame = PatternFrame(3, 11);
  frame.interlaced = true;
  absl::StatusOr<DecodedImage> result = DecodeImage(EncodeGif(3, 11, 0, {frame}), DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  ExpectShowsFrame(result->bgr, frame);
}

TEST(ImageDecoderTest, GifFrameIsPlacedOnTheScreenAndTransparencyShowsTheBackground) {
  GifFrame frame{
      .left = 3, .top = 1, .width = 2, .height = 2, .pixels = {1, 0, 3, 1}, .transparent = 0};
  absl::StatusOr<DecodedImage> result = DecodeImage(EncodeGif(6, 4, 2, {frame}), DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->bgr.size(), cv::Size(6, 4));
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) {
      cv::Vec3b expected = PaletteBgr(2);  // the background colour
      if (x == 3 && y == 1) expected = PaletteBgr(1);
      if (x == 3 && y == 2) expected = PaletteBgr(3);
      if (x == 4 && y == 2) expected = PaletteBgr(1);
      EXPECT_EQ(result->bgr.at<cv::Vec3b>(y, x), expected) << x << "," << y;
    }
  }
}

TEST(ImageDecoderTest, GifFrameLargerThanItsScreenSizesTheCanvas) {
  const GifFrame frame = PatternFrame(4, 4);
  absl::StatusOr<DecodedImage> result = DecodeImage(EncodeGif(0, 0, 0, {frame}), DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  ExpectShowsFrame(result->bgr, frame);
}

// --- Orientation ------------------------------------------------------------

// `bytes` with EXIF Orientation set by Exiv2.
std::string WithOrientationByExiv2(const std::string& bytes, int orientation) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()),
                                         static_cast<long>(bytes.size()));
  image->readMetadata();
  image->exifData()["Exif.Image.Orientation"] = static_cast<uint16_t>(orientation);
  image->writeMetadata();
  Exiv2::BasicIo& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  const Exiv2::DataBuf data = io.read(io.size());
  return std::string(reinterpret_cast<const char*>(data.pData_), data.size_);
}

TEST(ImageDecoderTest, JpegWithOrientationSixIsTurnedClockwiseOnce) {
  const std::string jpeg =
      WithOrientationByExiv2(Encode(".jpg", Quadrants(), {cv::IMWRITE_JPEG_QUALITY, 100}), 6);
  absl::StatusOr<DecodedImage> result = DecodeImage(jpeg, DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->bgr.size(), cv::Size(32, 64));
  // Turned 90 degrees clockwise, the left column becomes the top row: white
  // then blue along the top; turned twice (180) or not at all, it would not.
  const cv::Vec3b top_left = result->bgr.at<cv::Vec3b>(4, 4);
  const cv::Vec3b top_right = result->bgr.at<cv::Vec3b>(4, 28);
  EXPECT_GT(top_left[0], 240);  // white
  EXPECT_GT(top_left[1], 240);
  EXPECT_GT(top_right[0], 240);  // blue
  EXPECT_LT(top_right[1], 16);
}

// EXIF in PNG's eXIf chunk and WebP's EXIF chunk: a big-endian TIFF header
// and an IFD0 holding only Orientation.
std::string ExifWithOrientation(int orientation) {
  return std::string("MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0", 19) +
         static_cast<char>(orientation) + std::string(6, '\0');
}

void AppendBe32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
void AppendLe32(std::string& out, uint32_t value) {
  for (int shift = 0; shift <= 24; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

// The PNG with an eXIf chunk inserted after IHDR, where PNG wants it.
std::string PngWithOrientation(const std::string& png, int orientation) {
  const std::string body = "eXIf" + ExifWithOrientation(orientation);
  std::string chunk;
  AppendBe32(chunk, static_cast<uint32_t>(body.size() - 4));
  chunk += body;
  AppendBe32(chunk, Crc32(body));
  return png.substr(0, 33) + chunk + png.substr(33);
}

// A simple (VP8L) WebP remade as an extended one: VP8X with the EXIF flag,
// the bitstream, then an EXIF chunk with the "Exif\0\0" prefix some writers add.
std::string WebpWithOrientation(const std::string& webp, int width, int height, int orientation) {
  std::string vp8x("VP8X\x0A\0\0\0\x08\0\0\0", 12);
  for (int side : {width - 1, height - 1}) {
    for (int shift = 0; shift <= 16; shift += 8) vp8x.push_back(static_cast<char>(side >> shift));
  }
  std::string exif = std::string("Exif\0\0", 6) + ExifWithOrientation(orientation);
  std::string chunks = vp8x + webp.substr(12) + "EXIF";
  AppendLe32(chunks, static_cast<uint32_t>(exif.size()));
  chunks += exif;
  std::string out = "RIFF";
  AppendLe32(out, static_cast<uint32_t>(chunks.size() + 4));
  return out + "WEBP" + chunks;
}

// OpenCV orients JPEG, PNG and TIFF; the decoder orients WebP. Each of the
// eight orientations must give the same picture in all four formats: exactly
// for the lossless ones, closely for JPEG.
TEST(ImageDecoderTest, EveryOrientationIsAppliedOnceInEveryFormat) {
  const cv::Mat picture = Quadrants();
  const std::string png = Encode(".png", picture);
  const std::string webp = Encode(".webp", picture, {cv::IMWRITE_WEBP_QUALITY, 101});  // lossless
  const std::string tiff = Encode(".tiff", picture);
  const std::string jpeg = Encode(".jpg", picture, {cv::IMWRITE_JPEG_QUALITY, 100});
  ASSERT_EQ(webp.substr(12, 4), "VP8L");
  for (int orientation = 1; orientation <= 8; ++orientation) {
    absl::StatusOr<DecodedImage> reference =
        DecodeImage(PngWithOrientation(png, orientation), DecodeLimits{});
    ASSERT_TRUE(reference.ok()) << reference.status();
    EXPECT_EQ(reference->bgr.size(), orientation >= 5 ? cv::Size(32, 64) : cv::Size(64, 32));
    const std::map<std::string, std::pair<std::string, double>> others = {
        {"webp", {WebpWithOrientation(webp, 64, 32, orientation), 0.0}},
        {"tiff", {WithOrientationByExiv2(tiff, orientation), 0.0}},
        {"jpeg", {WithOrientationByExiv2(jpeg, orientation), 16.0}}};
    for (const auto& [format, bytes_and_tolerance] : others) {
      const auto& [bytes, tolerance] = bytes_and_tolerance;
      absl::StatusOr<DecodedImage> result = DecodeImage(bytes, DecodeLimits{});
      ASSERT_TRUE(result.ok()) << format << " " << orientation << ": " << result.status();
      ASSERT_EQ(result->bgr.size(), reference->bgr.size()) << format << " " << orientation;
      EXPECT_LE(cv::norm(result->bgr, reference->bgr, cv::NORM_L1) / result->bgr.total(), tolerance)
          << format << " " << orientation;
    }
  }
}

TEST(ImageDecoderTest, CorpusWebpWithOrientationSixIsTurned) {
  absl::StatusOr<DecodedImage> result =
      DecodeImage(Corpus("mei_Issue_473_Java.webp"), DecodeLimits{});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->bgr.size(), cv::Size(240, 320));  // stored 320x240
}

// --- Limits -----------------------------------------------------------------

void ExpectRefused(const std::string& bytes, const DecodeLimits& limits, const std::string& reason,
                   std::optional<DeclaredSize> declared = std::nullopt) {
  absl::StatusOr<DecodedImage> result = DecodeImage(bytes, limits, declared);
  ASSERT_FALSE(result.ok()) << reason;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted) << result.status();
  EXPECT_NE(std::string(result.status().message()).find(reason), std::string::npos)
      << result.status();
}

// Each file below is a few dozen bytes declaring a canvas of tens of
// gigabytes. Refused from the headers, they never reach a codec: run this
// test under `ulimit -v 2000000` to see that nothing large is allocated.
std::string PngHeaderOnly(uint32_t width, uint32_t height) {
  std::string ihdr = "IHDR";
  AppendBe32(ihdr, width);
  AppendBe32(ihdr, height);
  ihdr += std::string("\x08\x02\0\0\0", 5);
  std::string png = "\x89PNG\r\n\x1A\n";
  AppendBe32(png, 13);
  png += ihdr;
  AppendBe32(png, Crc32(ihdr));
  return png + std::string("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
}

TEST(ImageDecoderTest, PngBombIsRefusedFromItsHeader) {
  ExpectRefused(PngHeaderOnly(100000, 100000), DecodeLimits{}, "png header size 100000x100000");
  // Under OpenCV's own limit of 2^30 pixels, this one would get its 2.7 GB.
  ExpectRefused(PngHeaderOnly(30000, 30000), DecodeLimits{}, "png header size 30000x30000");
}

// GIF and JPEG store sizes in 16 bits: 65535 is as large as they go.
TEST(ImageDecoderTest, GifBombIsRefusedFromItsHeader) {
  const std::string gif(
      "GIF89a\xFF\xFF\xFF\xFF\x80\0\0"
      "\0\0\0\xFF\xFF\xFF"
      ",\0\0\0\0\xFF\xFF\xFF\xFF\0"
      "\x02\x02\x44\x01\0;",
      35);
  ExpectRefused(gif, DecodeLimits{}, "gif header size 65535x65535");
}

TEST(ImageDecoderTest, JpegBombIsRefusedFromItsHeader) {
  // SOI, a comment to skip, then SOF0: 8-bit, 65535x65535, one component.
  const std::string jpeg(
      "\xFF\xD8"
      "\xFF\xFE\0\x04hi"
      "\xFF\xC0\0\x0B\x08\xFF\xFF\xFF\xFF\x01\x01\x11\0"
      "\xFF\xD9",
      23);
  ExpectRefused(jpeg, DecodeLimits{}, "jpeg header size 65535x65535");
}

TEST(ImageDecoderTest, WebpBombIsRefusedFromItsHeader) {
  // VP8X's canvas has 24-bit sides; VP8 and VP8L stop at 16383.
  const std::string webp(
      "RIFF\x24\0\0\0WEBP"
      "VP8X\x0A\0\0\0\0\0\0\0\x9F\x86\x01\x9F\x86\x01"
      "VP8L\x05\0\0\0\x2F\0\0\0\0\0",
      44);
  ExpectRefused(webp, DecodeLimits{}, "webp header size 100000x100000");
}

// A little-endian TIFF whose IFD0 holds the given (tag, LONG value) entries.
std::string TiffWithLongs(const std::vector<std::pair<uint16_t, uint32_t>>& entries) {
  std::string tiff("II*\0\x08\0\0\0", 8);
  tiff.push_back(static_cast<char>(entries.size()));
  tiff.push_back('\0');
  for (auto [tag, value] : entries) {
    tiff +=
        std::string{static_cast<char>(tag & 0xFF), static_cast<char>(tag >> 8), 4, 0, 1, 0, 0, 0};
    AppendLe32(tiff, value);
  }
  return tiff + std::string(4, '\0');
}

TEST(ImageDecoderTest, TiffBombsAreRefusedFromIfd0) {
  ExpectRefused(TiffWithLongs({{256, 100000}, {257, 100000}}), DecodeLimits{},
                "tiff header size 100000x100000");
  // A small image whose tiles, or strips, OpenCV would buffer at full size.
  ExpectRefused(TiffWithLongs({{256, 64}, {257, 64}, {322, 16384}, {323, 16384}}), DecodeLimits{},
                "tiff tile or strip size 16384x16384");
  ExpectRefused(TiffWithLongs({{256, 10000}, {257, 64}, {278, 1000000}}), DecodeLimits{},
                "tiff tile or strip size 10000x1000000");
  // A strip taller than a small image is common and costs little: not refused
  // (this file then fails for want of pixel data).
  EXPECT_EQ(DecodeImage(TiffWithLongs({{256, 64}, {257, 64}, {278, 65536}}), DecodeLimits{})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImageDecoderTest, BmpBombIsRefusedFromItsHeader) {
  std::string bmp("BM\0\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18);
  AppendLe32(bmp, 100000);
  AppendLe32(bmp, static_cast<uint32_t>(-100000));  // top-down rows
  bmp += std::string("\x01\0\x18\0", 4) + std::string(24, '\0');
  ExpectRefused(bmp, DecodeLimits{}, "bmp header size 100000x100000");
}

// The image size ('ispe') of a real HEIC rewritten: libheif refuses it while
// parsing, before any decode.
TEST(ImageDecoderTest, HeifBombIsRefusedBeforeDecoding) {
  std::string heic = Corpus("exiv2_Stonehenge.heic");
  size_t ispe = heic.find("ispe");
  ASSERT_NE(ispe, std::string::npos);
  std::string size;
  AppendBe32(size, 100000);
  AppendBe32(size, 100000);
  heic.replace(ispe + 8, 8, size);
  ExpectRefused(heic, DecodeLimits{}, "100000x100000");
  // Within libheif's limit but over ours: checked on the handle, pre-decode.
  ExpectRefused(Corpus("exiv2_Stonehenge.heic"), DecodeLimits{.max_pixels = 50000},
                "heic primary image size 300x200 exceeds the limit of 50000 pixels");
  ExpectRefused(Corpus("exiv2_avif_metadata2.avif"), DecodeLimits{.max_dimension = 100},
                "avif: cannot parse the file");
  // libheif refuses sides of its limit and over, ours only those over it.
  EXPECT_TRUE(
      DecodeImage(Corpus("exiv2_Stonehenge.heic"), DecodeLimits{.max_dimension = 300}).ok());
}

TEST(ImageDecoderTest, ProgressiveJpegWithTooManyScansIsRefused) {
  cv::Mat picture(64, 64, CV_8UC3);
  cv::randu(picture, 0, 255);
  const std::string jpeg = Encode(".jpg", picture, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  absl::StatusOr<ImageHeader> header = ReadImageHeader("jpeg", jpeg);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_GT(header->jpeg_scans, 1);
  EXPECT_TRUE(DecodeImage(jpeg, DecodeLimits{}).ok());
  // The last scan repeated until the file has more scans than allowed.
  const size_t last_scan = jpeg.rfind("\xFF\xDA");
  const std::string scan = jpeg.substr(last_scan, jpeg.size() - 2 - last_scan);
  std::string flooded = jpeg.substr(0, jpeg.size() - 2);
  for (int64_t i = header->jpeg_scans; i <= DecodeLimits{}.max_jpeg_scans; ++i) flooded += scan;
  flooded += "\xFF\xD9";
  ExpectRefused(flooded, DecodeLimits{}, "jpeg has 501 scans, over the limit of 500");
}

TEST(ImageDecoderTest, DeclaredSizeAndByteCountAreChecked) {
  const std::string png = Corpus("exiv2_ReaganSmallPng.png");
  ExpectRefused(png, DecodeLimits{}, "declared size 100000x100000",
                DeclaredSize{.width = 100000, .height = 100000});
  ExpectRefused(png, DecodeLimits{.max_pixels = 1000}, "declared size 200x130 exceeds the limit",
                DeclaredSize{.width = 200, .height = 130});
  // A caller's size can be anything; the product must not overflow.
  ExpectRefused(png, DecodeLimits{.max_dimension = INT64_MAX}, "exceeds the limit",
                DeclaredSize{.width = INT64_MAX / 2, .height = INT64_MAX / 2});
  ExpectRefused(png, DecodeLimits{.max_bytes = 1000}, "56736 bytes exceeds the limit of 1000");
  // Within limits, the header's size rules (the caller's may be wrong).
  ExpectRefused(png, DecodeLimits{.max_dimension = 199}, "png header size 200x130");
  EXPECT_TRUE(DecodeImage(png, DecodeLimits{}, DeclaredSize{.width = 200, .height = 130}).ok());
}

// --- Damaged files ----------------------------------------------------------

TEST(ImageDecoderTest, TruncatedCorpusImagesDecodeOrFailCleanly) {
  int cases = 0;
  for (const std::string& name : CorpusImageNames()) {
    const std::string bytes = Corpus(name);
    const std::string format = SniffImageFormat(bytes);
    // The large HEIFs take a second each to decode whole; their cuts add little.
    if (bytes.size() > 100'000 && (format == "heic" || format == "avif")) continue;
    for (size_t cut : {size_t{3}, size_t{20}, size_t{200}, bytes.size() / 3, bytes.size() / 2,
                       bytes.size() - 2}) {
      if (cut >= bytes.size()) continue;
      absl::StatusOr<DecodedImage> result = DecodeImage(bytes.substr(0, cut), DecodeLimits{});
      const std::string label = name + " cut at " + std::to_string(cut);
      ExpectDecodedOrCleanError(result, DecodeLimits{}, label);
      if (!result.ok() && cut >= 12) {
        EXPECT_TRUE(std::string(result.status().message()).starts_with(format + ":"))
            << label << ": " << result.status();
      }
      ++cases;
    }
  }
  EXPECT_GT(cases, 250);
}

TEST(ImageDecoderTest, RandomByteFlipsDecodeOrFailCleanly) {
  std::map<std::string, std::string> files;
  for (const char* name :
       {"exifr_noexif.jpg", "photoprism_beach_wood.jpg", "exiv2_ReaganSmallPng.png",
        "mei_Issue_473_Java.webp", "exiv2_exiv2-bug1199.webp", "ianare_Arbitro.tiff",
        "photoprism_example.tif", "exiv2_Stonehenge.heic", "exiv2_avif_metadata2.avif"}) {
    files[name] = Corpus(name);
  }
  files["interlaced.gif"] = [] {
    GifFrame frame = PatternFrame(40, 30);
    frame.interlaced = true;
    return EncodeGif(40, 30, 1, {frame, PatternFrame(40, 30)});
  }();
  std::mt19937 random(20260601);
  int cases = 0;
  for (const auto& [name, original] : files) {
    for (int round = 0; round < 30; ++round) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(random() % 8);
      for (int i = 0; i < flips; ++i) {
        bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
      }
      ExpectDecodedOrCleanError(DecodeImage(bytes, DecodeLimits{}), DecodeLimits{},
                                name + " round " + std::to_string(round));
      ++cases;
    }
  }
  EXPECT_EQ(cases, 300);
}

}  // namespace
}  // namespace scrapewatch::detectors
