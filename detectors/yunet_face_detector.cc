#include "detectors/data_files.h"
#include "detectors/yunet_face_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect/face.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "detectors/image_analyzer.h"

namespace scrapewatch::detectors {
namespace {

// Row layout of cv::FaceDetectorYN::detect's output: x, y, w, h, five landmark
// (x, y) pairs in FaceBox::landmarks' order, score.
constexpr int kFirstLandmarkColumn = 4;
constexpr int kLandmarks = 5;
constexpr int kScoreColumn = 14;

// Small images are not enlarged: at their own size YuNet finds the corpus's
// 37-px faces, and enlarging 500-px photos 1.3x lost four of its 43 faces
// (tools/bench/faces).
double WorkingScale(const cv::Mat& image) {
  int long_side = std::max(image.cols, image.rows);
  return long_side > kYuNetMaxLongSide ? static_cast<double>(kYuNetMaxLongSide) / long_side : 1.0;
}

class YuNetFaceDetector : public FaceDetector {
 public:
  YuNetFaceDetector(const YuNetOptions& options, cv::Ptr<cv::FaceDetectorYN> net)
      : options_(options), net_(std::move(net)) {}

  std::string name() const override {
    return absl::StrCat("yunet-2022mar(score=", options_.score_threshold,
                        ",nms=", options_.nms_threshold, ")");
  }

  static constexpr int kMinInputSide = 64;

  std::vector<FaceBox> Detect(const cv::Mat& bgr) override {
    if (bgr.empty()) return {};
    double scale = WorkingScale(bgr);
    cv::Mat input = bgr;
    if (scale != 1.0) {
      cv::resize(bgr, input, cv::Size(), scale, scale,
                 scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    // The network pools five times: a side under 32 px leaves it nothing to
    // pool and OpenCV throws. Padding at the bottom and right keeps box
    // coordinates as they are.
    if (input.cols < kMinInputSide || input.rows < kMinInputSide) {
      cv::copyMakeBorder(input, input, 0, std::max(0, kMinInputSide - input.rows), 0,
                         std::max(0, kMinInputSide - input.cols), cv::BORDER_CONSTANT);
    }
    // The network's priors depend on the input size, so it is set per image;
    // FaceDetectorYN recomputes them only when the size changes.
    cv::Mat rows;
    try {
      net_->setInputSize(input.size());
      net_->detect(input, rows);
    } catch (const cv::Exception&) {
      return {};  // an image the network cannot take has no face it can find
    }
    std::vector<FaceBox> faces;
    for (int i = 0; i < rows.rows; ++i) {
      const float* r = rows.ptr<float>(i);
      auto clamp = [](double v, int hi) {
        return std::clamp(static_cast<int>(std::lround(v)), 0, hi);
      };
      int left = clamp(r[0] / scale, bgr.cols);
      int top = clamp(r[1] / scale, bgr.rows);
      int right = clamp((r[0] + r[2]) / scale, bgr.cols);
      int bottom = clamp((r[1] + r[3]) / scale, bgr.rows);
      // A box wholly outside the image (YuNet's regression can overshoot at
      // the border) says nothing about the picture.
      if (right <= left || bottom <= top) continue;
      FaceBox face{left, top, right - left, bottom - top, r[kScoreColumn]};
      // Scaled back like the box, but not clamped: a point the network places
      // just outside the image (a face cut by the border) is where it thinks
      // the feature is.
      for (int p = 0; p < kLandmarks; ++p) {
        const float* point = r + kFirstLandmarkColumn + 2 * p;
        face.landmarks.push_back({static_cast<float>(point[0] / scale),
                                  static_cast<float>(point[1] / scale)});
      }
      faces.push_back(std::move(face));
    }
    return faces;
  }

 private:
  YuNetOptions options_;
  cv::Ptr<cv::FaceDetectorYN> net_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FaceDetector>> MakeYuNetFaceDetector(const YuNetOptions& options) {
  const std::string& path = options.model_path;
  if (!(options.score_threshold >= 0 && options.score_threshold <= 1) ||
      !(options.nms_threshold >= 0 && options.nms_threshold <= 1) || options.top_k <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("YuNet options for ", path, ": score_threshold ", options.score_threshold,
                     " and nms_threshold ", options.nms_threshold,
                     " must be in [0, 1] and top_k ", options.top_k, " positive"));
  }
  std::error_code error;
  if (path.empty() || !std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat("YuNet model file not found: '", path, "'"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("YuNet model file cannot be opened: '", path, "'"));
  }
  std::string bytes(std::istreambuf_iterator<char>(file), {});
  // OpenCV 4.6 can load the model from a path only, so the file is read twice;
  // one that changes in between is the user's own doing, not hostile input.
  std::string sha256 = Sha256Hex(bytes);
  if (sha256 != kYuNetModelSha256) {
    return absl::FailedPreconditionError(
        absl::StrCat("YuNet model '", path, "' has SHA-256 ", sha256, ", expected ",
                     kYuNetModelSha256, " (", kYuNetModelFileName, ")"));
  }
  try {
    // The input size is a placeholder: Detect sets it for every image.
    cv::Ptr<cv::FaceDetectorYN> net =
        cv::FaceDetectorYN::create(path, "", cv::Size(320, 320), options.score_threshold,
                                   options.nms_threshold, options.top_k);
    if (net.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("OpenCV could not load YuNet model '", path, "'"));
    }
    return std::make_unique<YuNetFaceDetector>(options, std::move(net));
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("OpenCV could not load YuNet model '", path, "': ", e.what()));
  }
}

std::string FindYuNetModel(const std::string& explicit_path) {
  return FindDataFile(explicit_path, std::string("models/") + kYuNetModelFileName);
}

}  // namespace scrapewatch::detectors
