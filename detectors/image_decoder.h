// Decoding untrusted image bytes, once, for every detector.
//
// The decoder is the front door for hostile input. DecodeImage is the single
// entry point: it sniffs the format from the bytes (never from a name or a
// Content-Type), refuses what is too large before allocating any pixels, and
// decodes to an 8-bit BGR cv::Mat the way a browser shows the picture.
//
// Formats: JPEG, PNG, WebP, TIFF and BMP through OpenCV; the first frame of a
// GIF through giflib; the primary image of HEIC and AVIF through libheif.
// Nothing else reaches a codec: OpenCV's other readers (JPEG 2000, OpenEXR,
// PxM, ...) never see hostile bytes.
//
// Limits, all checked before decoding, each refusal a ResourceExhausted whose
// message names the limit and the size found:
//   - the byte count;
//   - the size the caller declares (from the metadata reader), if any;
//   - the size the file's own headers declare, read by image_header.h for the
//     formats OpenCV and giflib decode, and by libheif for HEIC and AVIF, so
//     the limits hold even when the metadata reader found nothing;
//   - for TIFF, also the tile or strip OpenCV buffers; for JPEG, the number of
//     scans, since a progressive file costs a pass over the image per scan.
// OpenCV has limits of its own (OPENCV_IO_MAX_IMAGE_PIXELS, 2^30 pixels by
// default), but 4.6 reads them from the environment once, when the library
// loads, and offers no API to change them: they are only a backstop.
//
// Orientation: the result is turned as the file says. OpenCV applies EXIF
// orientation to JPEG, PNG and TIFF; the decoder applies it to WebP, whose
// EXIF OpenCV 4.6 ignores; libheif applies HEIF's irot and imir (and the EXIF
// orientation of a HEIF file is informational, so it is not applied again).
//
// Errors: ResourceExhausted for a limit, and InvalidArgument, naming the
// format and the problem, for bytes that do not decode (unknown format,
// corrupt, truncated). No exception escapes, OpenCV's included.
//
// Thread safety: stateless functions, safe from any thread at once. The
// result owns its pixels; `bytes` is not referenced after the call returns.
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
  // libjpeg-turbo's own guard against scan-flooded progressive JPEGs
  // (TJFLAG_LIMITSCANS) stops at 500; real encoders write about 10.
  int64_t max_jpeg_scans = 500;
};

struct DecodedImage {
  cv::Mat bgr;  // 8-bit, 3 channels, orientation applied
  // "jpeg", "png", "gif", "webp", "tiff", "bmp", "heic" or "avif".
  std::string format;
};

// Format from the leading bytes: one of the DecodedImage formats; "isobmff"
// for another ISO base media file (an MP4 video, say); "unknown" otherwise.
std::string SniffImageFormat(std::string_view bytes);

// Width and height the file declares, when the caller knows them (from the
// metadata reader); checked against `limits` before any pixel is allocated.
struct DeclaredSize {
  int64_t width = 0;
  int64_t height = 0;
};

// Decodes `bytes`; see the header comment for the limits and the errors.
absl::StatusOr<DecodedImage> DecodeImage(std::string_view bytes, const DecodeLimits& limits,
                                         std::optional<DeclaredSize> declared = std::nullopt);

// The size check every decoder makes before allocating: ResourceExhausted when
// a side or the pixel count is over its limit, with a message starting with
// `what` ("png header size 100000x100000 exceeds ...").
absl::Status CheckImageSize(int64_t width, int64_t height, const DecodeLimits& limits,
                            std::string_view what);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_IMAGE_DECODER_H_
