#include "detectors/perceptual_hash.h"

#include <cstdint>

#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"

namespace scrapewatch::detectors {

std::string PerceptualHash(const cv::Mat& bgr) {
  // img_hash shrinks to 32x32 with plain linear interpolation, which aliases
  // fine texture differently at each source size; averaging first (INTER_AREA)
  // makes thumbnails and originals agree.
  cv::Mat small, hash;
  cv::resize(bgr, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::img_hash::pHash(small, hash);  // 1x8 bytes
  uint64_t value = 0;
  for (int i = 0; i < hash.cols; ++i) value = (value << 8) | hash.at<uint8_t>(0, i);
  return absl::StrFormat("%016x", value);
}

}  // namespace scrapewatch::detectors
