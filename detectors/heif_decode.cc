#include "detectors/heif_decode.h"

#include <libheif/heif.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace scrapewatch::detectors {
namespace {

// heif_init is reference counted and loads the codec plugins; one reference
// for the life of the process avoids reloading them per image.
void InitLibheifOnce() {
  static const heif_error result = heif_init(nullptr);
  (void)result;  // A failed init shows up as a decode error on each file.
}

struct ContextFree {
  void operator()(heif_context* context) const { heif_context_free(context); }
};
struct HandleRelease {
  void operator()(heif_image_handle* handle) const { heif_image_handle_release(handle); }
};
struct ImageRelease {
  void operator()(heif_image* image) const { heif_image_release(image); }
};
struct OptionsFree {
  void operator()(heif_decoding_options* options) const { heif_decoding_options_free(options); }
};

absl::Status HeifError(std::string_view format, std::string_view step, const heif_error& error) {
  std::string message = absl::StrCat(std::string(format), ": ", std::string(step), ": ",
                                     error.message != nullptr ? error.message : "unknown error");
  if (error.subcode == heif_suberror_Security_limit_exceeded) {
    return absl::ResourceExhaustedError(message);
  }
  return absl::InvalidArgumentError(message);
}

// Copies libheif's interleaved RGB plane, whose rows may be padded, into BGR.
absl::StatusOr<cv::Mat> ToBgr(const heif_image& image, std::string_view format) {
  int stride = 0;
  const uint8_t* plane = heif_image_get_plane_readonly(&image, heif_channel_interleaved, &stride);
  const int width = heif_image_get_width(&image, heif_channel_interleaved);
  const int height = heif_image_get_height(&image, heif_channel_interleaved);
  if (plane == nullptr || width <= 0 || height <= 0 || stride < 3 * width) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(format), ": decoded image has no 8-bit RGB plane"));
  }
  const cv::Mat rgb(height, width, CV_8UC3, const_cast<uint8_t*>(plane),
                    static_cast<size_t>(stride));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeHeifPrimaryImage(std::string_view bytes, const DecodeLimits& limits,
                                               std::string_view format) {
  InitLibheifOnce();
  std::unique_ptr<heif_context, ContextFree> context(heif_context_alloc());
  if (!context) return absl::ResourceExhaustedError("libheif cannot allocate a context");
  // libheif refuses items whose side is >= this limit while it parses.
  heif_context_set_maximum_image_size_limit(
      context.get(), static_cast<int>(std::clamp<int64_t>(limits.max_dimension + 1, 1, INT_MAX)));
  heif_context_set_max_decoding_threads(context.get(), 0);
  heif_error error = heif_context_read_from_memory_without_copy(context.get(), bytes.data(),
                                                                bytes.size(), nullptr);
  if (error.code != heif_error_Ok) return HeifError(format, "cannot parse the file", error);

  heif_image_handle* raw_handle = nullptr;
  error = heif_context_get_primary_image_handle(context.get(), &raw_handle);
  if (error.code != heif_error_Ok) return HeifError(format, "no primary image", error);
  std::unique_ptr<heif_image_handle, HandleRelease> handle(raw_handle);
  if (absl::Status s = CheckImageSize(heif_image_handle_get_width(handle.get()),
                                      heif_image_handle_get_height(handle.get()), limits,
                                      absl::StrCat(std::string(format), " primary image size"));
      !s.ok()) {
    return s;
  }

  std::unique_ptr<heif_decoding_options, OptionsFree> options(heif_decoding_options_alloc());
  options->convert_hdr_to_8bit = 1;
  heif_image* raw_image = nullptr;
  error = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                            heif_chroma_interleaved_RGB, options.get());
  std::unique_ptr<heif_image, ImageRelease> image(raw_image);
  if (error.code != heif_error_Ok) {
    return HeifError(format, "cannot decode the primary image", error);
  }
  return ToBgr(*image, format);
}

}  // namespace scrapewatch::detectors
