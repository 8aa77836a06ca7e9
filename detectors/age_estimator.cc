#include "detectors/data_files.h"
#include "detectors/age_estimator.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "detectors/age_gender_net.h"
#include "detectors/sha256.h"

namespace scrapewatch::detectors {
namespace {

namespace fs = std::filesystem;

constexpr int kInputSize = kAgeGenderInputSize;
// face-api's TinyXception normalisation, applied in float32 as tfjs does.
constexpr float kMeanRgb[3] = {122.782f, 117.001f, 104.298f};

absl::StatusOr<std::string> ReadPinned(const std::string& path, const char* expected_sha256) {
  std::error_code error;
  if (path.empty() || !fs::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat("age model file not found: '", path, "'"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("age model file cannot be opened: '", path, "'"));
  }
  std::string bytes(std::istreambuf_iterator<char>(file), {});
  std::string sha256 = Sha256Hex(bytes);
  if (sha256 != expected_sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        "age model file '", path, "' has SHA-256 ", sha256, ", expected ", expected_sha256,
        " (@vladmandic/face-api 1.7.15 model/", fs::path(path).filename().string(), ")"));
  }
  return bytes;
}

// The box, shifted by 4% of its size up-left and down-right, and scaled by
// 0.95 and 1.05 about its centre (see the header for why).
std::vector<cv::Rect> Crops(const FaceBox& face, bool jitter) {
  cv::Rect box(face.x, face.y, face.w, face.h);
  if (!jitter) return {box};
  int dx = static_cast<int>(std::lround(0.04 * face.w));
  int dy = static_cast<int>(std::lround(0.04 * face.h));
  auto scaled = [&](double factor) {
    int w = static_cast<int>(std::lround(face.w * factor));
    int h = static_cast<int>(std::lround(face.h * factor));
    return cv::Rect(face.x + (face.w - w) / 2, face.y + (face.h - h) / 2, w, h);
  };
  return {box, box - cv::Point(dx, dy), box + cv::Point(dx, dy), scaled(0.95), scaled(1.05)};
}

// face-api's NetInput.toBatchTensor(112, centred): the crop is padded with
// zeros to a square, centred (an odd difference puts the extra pixel after
// the crop), then resized with TF's legacy bilinear (align_corners and
// half_pixel_centers both false), which no cv::resize mode reproduces.
// Writes 3 x 112 x 112 floats, RGB planes, normalised.
void FillInput(const cv::Mat& bgr, const cv::Rect& crop, float* planes) {
  const int side = std::max(crop.width, crop.height);
  const int left = (side - crop.width) / 2;
  const int top = (side - crop.height) / 2;
  auto pixel = [&](int y, int x, int channel) -> double {
    y -= top;
    x -= left;
    if (y < 0 || y >= crop.height || x < 0 || x >= crop.width) return 0;
    return bgr.at<cv::Vec3b>(crop.y + y, crop.x + x)[2 - channel];
  };
  const double ratio = static_cast<double>(side) / kInputSize;
  for (int row = 0; row < kInputSize; ++row) {
    double fy = ratio * row;
    int y0 = static_cast<int>(std::floor(fy));
    int y1 = std::min(side - 1, static_cast<int>(std::ceil(fy)));
    double wy = fy - y0;
    for (int col = 0; col < kInputSize; ++col) {
      double fx = ratio * col;
      int x0 = static_cast<int>(std::floor(fx));
      int x1 = std::min(side - 1, static_cast<int>(std::ceil(fx)));
      double wx = fx - x0;
      for (int c = 0; c < 3; ++c) {
        double upper = pixel(y0, x0, c) + (pixel(y0, x1, c) - pixel(y0, x0, c)) * wx;
        double lower = pixel(y1, x0, c) + (pixel(y1, x1, c) - pixel(y1, x0, c)) * wx;
        float value = static_cast<float>(upper + (lower - upper) * wy);
        planes[(c * kInputSize + row) * kInputSize + col] = (value - kMeanRgb[c]) / 255.0f;
      }
    }
  }
}


}  // namespace

std::string AgeBand(double years) {
  if (years < kChildLikelyBelowYears) return kBandChildLikely;
  if (years < kPossibleMinorBelowYears) return kBandPossibleMinor;
  return kBandAdult;
}

absl::StatusOr<std::unique_ptr<AgeEstimator>> AgeEstimator::Load(
    const AgeEstimatorOptions& options) {
  const std::string& manifest_path = options.manifest_path;
  absl::StatusOr<std::string> manifest = ReadPinned(manifest_path, kAgeModelManifestSha256);
  if (!manifest.ok()) return manifest.status();
  std::string weights_path =
      (fs::path(manifest_path).parent_path() / kAgeModelWeightsFileName).string();
  absl::StatusOr<std::string> weights = ReadPinned(weights_path, kAgeModelWeightsSha256);
  if (!weights.ok()) return weights.status();
  absl::StatusOr<cv::dnn::Net> net = BuildAgeGenderNet(manifest_path, *manifest, *weights);
  if (!net.ok()) return net.status();
  return std::unique_ptr<AgeEstimator>(new AgeEstimator(options, *std::move(net)));
}

std::string AgeEstimator::name() const {
  return absl::StrCat("face-api-age-gender-1.7.15(crops=", options_.jitter ? 5 : 1, ")");
}

absl::StatusOr<AgeEstimate> AgeEstimator::Estimate(const cv::Mat& bgr, const FaceBox& face) {
  if (bgr.type() != CV_8UC3) {
    return absl::InvalidArgumentError("age estimate: the image is not 8-bit BGR");
  }
  const cv::Rect image(0, 0, bgr.cols, bgr.rows);
  if (face.w <= 0 || face.h <= 0 || (cv::Rect(face.x, face.y, face.w, face.h) & image).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("age estimate: box ", face.x, ",", face.y, " ",
                                                   face.w, "x", face.h, " has no pixel in the ",
                                                   bgr.cols, "x", bgr.rows, " image"));
  }
  std::vector<cv::Rect> crops;
  for (const cv::Rect& crop : Crops(face, options_.jitter)) {
    // A shifted copy of a box at the border can fall outside; the others count.
    if (cv::Rect clipped = crop & image; !clipped.empty()) crops.push_back(clipped);
  }
  const int sizes[] = {static_cast<int>(crops.size()), 3, kInputSize, kInputSize};
  cv::Mat batch(4, sizes, CV_32F);
  for (size_t i = 0; i < crops.size(); ++i) {
    FillInput(bgr, crops[i], batch.ptr<float>(static_cast<int>(i)));
  }
  std::vector<cv::Mat> outputs;
  try {
    net_.setInput(batch);
    net_.forward(outputs, std::vector<cv::String>{kAgeOutput, kGenderOutput});
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("age estimate: OpenCV failed: ", e.what()));
  }
  AgeEstimate estimate;
  for (size_t i = 0; i < crops.size(); ++i) {
    const float* logits = outputs[1].ptr<float>(static_cast<int>(i));
    estimate.years += outputs[0].ptr<float>(static_cast<int>(i))[0];
    estimate.male_probability += 1.0 / (1.0 + std::exp(logits[1] - logits[0]));
  }
  estimate.years /= crops.size();
  estimate.male_probability /= crops.size();
  estimate.band = AgeBand(estimate.years);
  return estimate;
}

std::string FindAgeModel(const std::string& explicit_path) {
  // Beyond the standard places: an installed tree's share/, and the build
  // tree's copy unpacked by tools/fetch-demo-photos.
  std::vector<std::string> extra;
  if (std::string directory = ExecutableDirectory(); !directory.empty()) {
    fs::path parent = fs::path(directory).parent_path();
    extra.push_back((parent / "share" / "scrapewatch" / "models" / kAgeModelManifestFileName).string());
    extra.push_back((parent / "third_party" / "face-api" / "model" / kAgeModelManifestFileName).string());
  }
  return FindDataFile(explicit_path, (fs::path("models") / kAgeModelManifestFileName).string(), extra);
}

}  // namespace scrapewatch::detectors
