// Reading what an image file declares about itself, from its headers only.
//
// The decoder checks sizes before a single pixel is allocated, and must not
// depend on the metadata reader for that: a hostile file can break Exiv2 yet
// still decode. So each format the decoder hands to a codec (PNG, GIF, JPEG,
// WebP, TIFF, BMP) has a small reader here that walks its headers the way the
// codec will, and reports the canvas the codec would allocate. HEIC and AVIF
// are checked through libheif instead (see heif_decode.h).
//
// Every read is bounds-checked against `bytes` and nothing is copied; no input
// makes a reader read outside it, loop without consuming bytes, or allocate.
//
// Errors: InvalidArgument, prefixed with the format ("jpeg: no frame header
// before the image data"), when the headers are truncated or malformed in a
// way the codec would reject too. A reader never accepts what the codec would
// size differently: where it cannot be sure, it fails.
//
// Thread safety: stateless functions; safe from any thread.
#ifndef SCRAPEWATCH_DETECTORS_IMAGE_HEADER_H_
#define SCRAPEWATCH_DETECTORS_IMAGE_HEADER_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace scrapewatch::detectors {

struct ImageHeader {
  // The canvas the codec allocates, as stored (before any orientation).
  int64_t width = 0;
  int64_t height = 0;
  // The largest block the codec buffers besides the canvas, which can exceed
  // it: a TIFF tile, or a strip of RowsPerStrip rows. 0 for other formats.
  int64_t block_width = 0;
  int64_t block_height = 0;
  // EXIF orientation (1..8) the caller must apply itself. Read only for WebP,
  // the one format whose EXIF OpenCV 4.6 ignores: OpenCV applies JPEG, PNG
  // and TIFF orientation itself, and HEIF rotates with its own irot/imir.
  int orientation = 1;
  // Start-of-scan markers in a JPEG: libjpeg makes a pass over the whole
  // image for each scan of a progressive file, so the count bounds the time.
  int64_t jpeg_scans = 0;
};

// `format` is a name from SniffImageFormat: "png", "gif", "jpeg", "webp",
// "tiff" or "bmp". Any other format is an InvalidArgument error.
absl::StatusOr<ImageHeader> ReadImageHeader(std::string_view format, std::string_view bytes);

// The canvas a browser gives a GIF, from the logical screen and the first
// frame: the screen, unless the frame does not fit in it, in which case the
// frame's own size (broken encoders write 0x0 or too small screens).
struct GifCanvas {
  int64_t width = 0;
  int64_t height = 0;
  int64_t frame_left = 0;  // where the first frame goes on the canvas
  int64_t frame_top = 0;
};
GifCanvas ComputeGifCanvas(int64_t screen_width, int64_t screen_height, int64_t frame_left,
                           int64_t frame_top, int64_t frame_width, int64_t frame_height);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_IMAGE_HEADER_H_
