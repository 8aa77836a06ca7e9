// Decoding untrusted image bytes, once, for every detector.
//
// The decoder is the front door for hostile input: it refuses oversized
// payloads and decompression bombs before allocating pixels, and turns every
// failure into a Status naming the reason, never a crash. EXIF orientation is
// applied, so detectors see the picture the way a browser shows it.
//
// Thread safety: stateless functions; safe from any thread.
#ifndef SCRAPEWATCH_DETECTORS_IMAGE_DECODER_H_
#define SCRAPEWATCH_DETECTORS_IMAGE_DECODER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace scrapewatch::detectors {

struct DecodeLimits {
  int64_t max_bytes = 20 << 20;
  int64_t max_pixels = 50'000'000;
  int64_t max_dimension = 20'000;
};

struct DecodedImage {
  cv::Mat bgr;          // 8-bit, 3 channels, orientation applied
  std::string format;   // "jpeg", "png", "gif", "webp", "tiff", "bmp" or "unknown"
};

// Format from the leading magic bytes; "unknown" when none matches.
std::string SniffImageFormat(std::string_view bytes);

// Width and height the file declares, when the caller knows them (from the
// metadata reader); checked against `limits` before any pixel is allocated.
struct DeclaredSize {
  int64_t width = 0;
  int64_t height = 0;
};

// Errors: ResourceExhausted for a limit (the message says which), and
// InvalidArgument for bytes that do not decode.
absl::StatusOr<DecodedImage> DecodeImage(std::string_view bytes, const DecodeLimits& limits,
                                         std::optional<DeclaredSize> declared = std::nullopt);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_IMAGE_DECODER_H_
