#include "detectors/image_decoder.h"

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"

namespace scrapewatch::detectors {
namespace {

absl::Status CheckSize(int64_t width, int64_t height, const DecodeLimits& limits,
                       const char* which) {
  if (width > limits.max_dimension || height > limits.max_dimension) {
    return absl::ResourceExhaustedError(absl::StrCat(which, " size ", width, "x", height,
                                                     " exceeds the per-side limit of ",
                                                     limits.max_dimension, " px"));
  }
  if (width * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(absl::StrCat(which, " size ", width, "x", height,
                                                     " exceeds the limit of ",
                                                     limits.max_pixels, " pixels"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SniffImageFormat(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xD8\xFF")) return "jpeg";
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return "png";
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return "gif";
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
    return "webp";
  }
  if (bytes.starts_with(std::string_view("II*\0", 4)) ||
      bytes.starts_with(std::string_view("MM\0*", 4))) {
    return "tiff";
  }
  if (bytes.starts_with("BM")) return "bmp";
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") return "isobmff";
  return "unknown";
}

absl::StatusOr<DecodedImage> DecodeImage(std::string_view bytes, const DecodeLimits& limits,
                                         std::optional<DeclaredSize> declared) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("image of ", bytes.size(),
                                                     " bytes exceeds the limit of ",
                                                     limits.max_bytes, " bytes"));
  }
  if (declared) {
    if (absl::Status s = CheckSize(declared->width, declared->height, limits, "declared");
        !s.ok()) {
      return s;
    }
  }
  DecodedImage image;
  image.format = SniffImageFormat(bytes);
  if (image.format == "unknown" || image.format == "isobmff") {
    return absl::InvalidArgumentError(absl::StrCat("unsupported image format (", image.format,
                                                   ")"));
  }
  // imdecode does not copy: the Mat header only wraps the caller's bytes.
  cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  try {
    image.bgr = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot decode ", image.format, ": ", e.what()));
  }
  if (image.bgr.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot decode ", image.format,
                                                   " (corrupt or truncated)"));
  }
  if (absl::Status s = CheckSize(image.bgr.cols, image.bgr.rows, limits, "decoded"); !s.ok()) {
    return s;
  }
  return image;
}

}  // namespace scrapewatch::detectors
