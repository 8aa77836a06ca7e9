// Fuzzes the decoder front end, DecodeImage (detectors/image_decoder.h), the
// way ImageAnalyzer::Analyze drives it: with the size the metadata reader
// declares, when it can read one, and otherwise none. Its header promises to
// turn every bad image into a Status and to refuse decompression bombs before
// allocating pixels. The limits are small (4 megapixels), so large legitimate
// photos are refused rather than decoded, which keeps runs fast and memory
// low; an input that gets past them and allocates gigabytes anyway exceeds
// libFuzzer's memory limit and is reported. A decoded image must be 8-bit BGR
// within the limits.
//
// OpenCV (with its codec libraries), giflib and libheif are Debian's builds,
// not instrumented, so coverage feedback comes from our code only, the header
// readers included; the seeds (the shared exif/ corpus, plus a tiny BMP and
// GIF from tools/fuzz) carry the format variety.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "detectors/image_decoder.h"
#include "detectors/metadata.h"
#include "fuzz/fuzz_checks.h"

namespace sd = scrapewatch::detectors;
using scrapewatch::fuzz::Require;

constexpr sd::DecodeLimits kLimits{
    .max_bytes = 20 << 20, .max_pixels = 4'000'000, .max_dimension = 20'000};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::optional<sd::DeclaredSize> declared;
  if (const absl::StatusOr<sd::ImageMetadata> metadata = sd::ReadImageMetadata(bytes);
      metadata.ok() && metadata->pixel_width > 0 && metadata->pixel_height > 0) {
    declared = sd::DeclaredSize{metadata->pixel_width, metadata->pixel_height};
  }
  const absl::StatusOr<sd::DecodedImage> image = sd::DecodeImage(bytes, kLimits, declared);
  if (!image.ok()) {
    Require(absl::IsInvalidArgument(image.status()) || absl::IsResourceExhausted(image.status()),
            "errors are InvalidArgument or ResourceExhausted");
    return 0;
  }
  const cv::Mat& bgr = image->bgr;
  Require(!bgr.empty() && bgr.type() == CV_8UC3, "a decoded image is 8-bit BGR");
  Require(bgr.cols <= kLimits.max_dimension && bgr.rows <= kLimits.max_dimension &&
              int64_t{bgr.cols} * bgr.rows <= kLimits.max_pixels,
          "a decoded image is within the limits");
  return 0;
}
