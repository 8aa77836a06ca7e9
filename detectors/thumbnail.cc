#include "detectors/thumbnail.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace scrapewatch::detectors {

std::string MakeThumbnailJpeg(const cv::Mat& bgr, bool blurred) {
  if (bgr.empty()) return "";
  double scale = std::min(1.0, static_cast<double>(kThumbnailSide) / std::max(bgr.cols, bgr.rows));
  cv::Mat small;
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  if (blurred) {
    double sigma = std::max(small.cols, small.rows) / 16.0;
    cv::GaussianBlur(small, small, cv::Size(), sigma, sigma);
  }
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 70})) return "";
  return std::string(jpeg.begin(), jpeg.end());
}

}  // namespace scrapewatch::detectors
