// The primary image of a HEIF file (HEIC, AVIF), decoded with libheif.
//
// libheif parses the boxes and sizes the primary image (after its clap crop
// and irot/imir turns) without decoding pixels; that size is checked against
// `limits` before decoding. libheif also refuses, while parsing, any item
// (thumbnail, alpha plane, grid tile) wider or taller than the per-side
// limit. Pixels are converted to 8-bit RGB (10- and 12-bit images included),
// with libheif applying the transforms, then to BGR. Alpha is dropped.
//
// libheif 1.15 does not show the output size of a grid image before decoding
// it; it checks that size per side only, so a grid whose declared output is
// larger than its image size can cost up to max_dimension² pixels before the
// decoded size is checked. Real files declare the same size twice.
//
// Errors: ResourceExhausted for a limit (libheif's "security limit" included);
// InvalidArgument ("heic: ...", "avif: ...") with libheif's reason otherwise,
// for example when no decoder for the codec is installed.
//
// Thread safety: libheif is initialised once per process, on first use, and
// never torn down; calls are independent and safe from any thread. Each call
// decodes on the calling thread: callers already run one decode per core.
#ifndef SCRAPEWATCH_DETECTORS_HEIF_DECODE_H_
#define SCRAPEWATCH_DETECTORS_HEIF_DECODE_H_

#include <string_view>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "detectors/image_decoder.h"

namespace scrapewatch::detectors {

// `format` ("heic" or "avif") names the file in error messages.
absl::StatusOr<cv::Mat> DecodeHeifPrimaryImage(std::string_view bytes, const DecodeLimits& limits,
                                               std::string_view format);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_HEIF_DECODE_H_
