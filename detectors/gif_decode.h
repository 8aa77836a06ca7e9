// The first frame of a GIF, decoded with giflib (OpenCV 4.6 has no GIF reader).
//
// Only the first frame is read; the rest of an animation is never touched, so
// a thousand-frame file costs no more than its first frame. The frame is drawn
// on the canvas a browser gives it (see ComputeGifCanvas in image_header.h),
// whose other pixels, and the frame's transparent ones, take the background
// colour of the global colour table (black without one).
//
// The canvas is checked against `limits` before it is allocated. Errors:
// ResourceExhausted for a limit; InvalidArgument ("gif: ...") with giflib's
// reason for a file that is corrupt or ends before the frame does.
//
// Thread safety: no shared state; safe from any thread. Used by DecodeImage,
// which is the entry point for callers.
#ifndef SCRAPEWATCH_DETECTORS_GIF_DECODE_H_
#define SCRAPEWATCH_DETECTORS_GIF_DECODE_H_

#include <string_view>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "detectors/image_decoder.h"

namespace scrapewatch::detectors {

// An 8-bit BGR image of the canvas with the first frame drawn on it.
absl::StatusOr<cv::Mat> DecodeGifFirstFrame(std::string_view bytes, const DecodeLimits& limits);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_GIF_DECODE_H_
