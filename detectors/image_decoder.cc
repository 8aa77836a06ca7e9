#include "detectors/image_decoder.h"

#include <algorithm>
#include <exception>
#include <new>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "detectors/gif_decode.h"
#include "detectors/heif_decode.h"
#include "detectors/image_header.h"

namespace scrapewatch::detectors {
namespace {

uint32_t BigEndian32(std::string_view bytes) {
  uint32_t value = 0;
  for (char c : bytes.substr(0, 4)) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// The brands of an ISO BMFF 'ftyp' box: major brand at 8, then compatible
// brands from 16 to the end of the box. AVIF wins over HEIC: AVIF files often
// also list the generic HEIF brand "mif1".
std::string SniffIsobmffBrand(std::string_view bytes) {
  const size_t box_end = std::min<size_t>(bytes.size(), std::max<uint32_t>(BigEndian32(bytes), 12));
  bool heic = false;
  for (size_t pos = 8; pos + 4 <= box_end; pos += (pos == 8 ? 8 : 4)) {
    const std::string_view brand = bytes.substr(pos, 4);
    if (brand == "avif" || brand == "avis") return "avif";
    for (std::string_view heif_brand :
         {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}) {
      heic = heic || brand == heif_brand;
    }
  }
  return heic ? "heic" : "isobmff";
}

// As OpenCV's ExifTransform does for the formats it orients itself.
void ApplyExifOrientation(int orientation, cv::Mat& image) {
  if (orientation >= 5) cv::transpose(image, image);
  switch (orientation) {
    case 2:
    case 6:
      cv::flip(image, image, 1);
      break;
    case 3:
    case 7:
      cv::flip(image, image, -1);
      break;
    case 4:
    case 8:
      cv::flip(image, image, 0);
      break;
  }
}

absl::Status CheckHeader(std::string_view format, const ImageHeader& header,
                         const DecodeLimits& limits) {
  const std::string name(format);
  if (absl::Status s = CheckImageSize(header.width, header.height, limits, name + " header size");
      !s.ok()) {
    return s;
  }
  // A block is only ever a buffer: its pixel count matters, not its sides (a
  // strip may well be taller than the image it belongs to).
  if (header.block_width > 0 &&
      header.block_width > limits.max_pixels / std::max<int64_t>(header.block_height, 1)) {
    return absl::ResourceExhaustedError(
        absl::StrCat(name, " tile or strip size ", header.block_width, "x", header.block_height,
                     " exceeds the limit of ", limits.max_pixels, " pixels"));
  }
  if (header.jpeg_scans > limits.max_jpeg_scans) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "jpeg has ", header.jpeg_scans, " scans, over the limit of ", limits.max_jpeg_scans));
  }
  return absl::OkStatus();
}

absl::StatusOr<cv::Mat> DecodeWithOpenCv(std::string_view format, std::string_view bytes,
                                         int orientation) {
  // imdecode does not copy: the Mat header only wraps the caller's bytes.
  const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  cv::Mat bgr = cv::imdecode(raw, cv::IMREAD_COLOR);
  if (bgr.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(format), ": cannot decode (corrupt or truncated)"));
  }
  ApplyExifOrientation(orientation, bgr);
  return bgr;
}

absl::StatusOr<cv::Mat> DecodeByFormat(std::string_view format, std::string_view bytes,
                                       const DecodeLimits& limits) {
  if (format == "heic" || format == "avif") return DecodeHeifPrimaryImage(bytes, limits, format);
  if (format == "unknown" || format == "isobmff") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported image format (", std::string(format), ")"));
  }
  absl::StatusOr<ImageHeader> header = ReadImageHeader(format, bytes);
  if (!header.ok()) return header.status();
  if (absl::Status s = CheckHeader(format, *header, limits); !s.ok()) return s;
  if (format == "gif") return DecodeGifFirstFrame(bytes, limits);
  // Only WebP carries an orientation here: OpenCV orients JPEG, PNG and TIFF.
  return DecodeWithOpenCv(format, bytes, header->orientation);
}

}  // namespace

absl::Status CheckImageSize(int64_t width, int64_t height, const DecodeLimits& limits,
                            std::string_view what) {
  if (width > limits.max_dimension || height > limits.max_dimension) {
    return absl::ResourceExhaustedError(absl::StrCat(std::string(what), " ", width, "x", height,
                                                     " exceeds the per-side limit of ",
                                                     limits.max_dimension, " px"));
  }
  // Divided rather than multiplied: a caller's declared size can be anything.
  if (width > 0 && height > 0 && width > limits.max_pixels / height) {
    return absl::ResourceExhaustedError(absl::StrCat(std::string(what), " ", width, "x", height,
                                                     " exceeds the limit of ", limits.max_pixels,
                                                     " pixels"));
  }
  return absl::OkStatus();
}

std::string SniffImageFormat(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xD8\xFF")) return "jpeg";
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return "png";
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return "gif";
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
    return "webp";
  }
  // Classic TIFF (42) and BigTIFF (43), in either byte order.
  for (std::string_view magic : {std::string_view("II*\0", 4), std::string_view("MM\0*", 4),
                                 std::string_view("II+\0", 4), std::string_view("MM\0+", 4)}) {
    if (bytes.starts_with(magic)) return "tiff";
  }
  if (bytes.starts_with("BM")) return "bmp";
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") return SniffIsobmffBrand(bytes);
  return "unknown";
}

absl::StatusOr<DecodedImage> DecodeImage(std::string_view bytes, const DecodeLimits& limits,
                                         std::optional<DeclaredSize> declared) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "image of ", bytes.size(), " bytes exceeds the limit of ", limits.max_bytes, " bytes"));
  }
  if (declared) {
    if (absl::Status s = CheckImageSize(declared->width, declared->height, limits, "declared size");
        !s.ok()) {
      return s;
    }
  }
  DecodedImage image{.format = SniffImageFormat(bytes)};
  try {
    absl::StatusOr<cv::Mat> bgr = DecodeByFormat(image.format, bytes, limits);
    if (!bgr.ok()) return bgr.status();
    image.bgr = *std::move(bgr);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(image.format, ": out of memory while decoding"));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(image.format, ": cannot decode: ", e.what()));
  } catch (...) {
    return absl::InvalidArgumentError(absl::StrCat(image.format, ": cannot decode"));
  }
  if (absl::Status s = CheckImageSize(image.bgr.cols, image.bgr.rows, limits, "decoded size");
      !s.ok()) {
    return s;
  }
  return image;
}

}  // namespace scrapewatch::detectors
