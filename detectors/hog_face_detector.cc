#include <algorithm>
#include <cmath>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "detectors/face_detector.h"

namespace scrapewatch::detectors {
namespace {

// Up to this long side one 2x upsample lets HOG's 80 px window see faces of
// 40 px (tools/bench/faces: scaling 500 px photos only to 800 px missed 7 of
// the corpus's 22 faces under 40 px); above kMaxLongSide we downscale to bound
// time and memory.
constexpr int kUpsampleUpToLongSide = 1000;
constexpr int kMaxLongSide = 2048;

double WorkingScale(const cv::Mat& image) {
  int long_side = std::max(image.cols, image.rows);
  if (long_side <= kUpsampleUpToLongSide) return 2.0;
  if (long_side > kMaxLongSide) return static_cast<double>(kMaxLongSide) / long_side;
  return 1.0;
}

class HogFaceDetector : public FaceDetector {
 public:
  explicit HogFaceDetector(const HogOptions& options)
      : options_(options), detector_(dlib::get_frontal_face_detector()) {}

  std::string name() const override {
    return absl::StrCat("dlib-hog(threshold=", options_.score_threshold, ")");
  }

  std::vector<FaceBox> Detect(const cv::Mat& bgr) override {
    double scale = WorkingScale(bgr);
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    if (scale != 1.0) {
      cv::resize(gray, gray, cv::Size(), scale, scale,
                 scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    dlib::cv_image<unsigned char> view(gray);
    std::vector<dlib::rect_detection> detections;
    detector_(view, detections, options_.score_threshold);
    std::vector<FaceBox> faces;
    for (const dlib::rect_detection& d : detections) {
      faces.push_back(ToOriginal(d, scale, bgr));
    }
    return faces;
  }

 private:
  static FaceBox ToOriginal(const dlib::rect_detection& d, double scale, const cv::Mat& image) {
    auto clamp = [](double v, int hi) { return std::clamp(static_cast<int>(std::lround(v)), 0, hi); };
    int left = clamp(d.rect.left() / scale, image.cols);
    int top = clamp(d.rect.top() / scale, image.rows);
    int right = clamp((d.rect.right() + 1) / scale, image.cols);
    int bottom = clamp((d.rect.bottom() + 1) / scale, image.rows);
    return FaceBox{left, top, right - left, bottom - top, d.detection_confidence};
  }

  HogOptions options_;
  dlib::frontal_face_detector detector_;
};

}  // namespace

std::unique_ptr<FaceDetector> MakeHogFaceDetector(const HogOptions& options) {
  return std::make_unique<HogFaceDetector>(options);
}

}  // namespace scrapewatch::detectors
