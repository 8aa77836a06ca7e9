// Apparent age and gender of a detected face, from face-api's AgeGenderNet
// (npm @vladmandic/face-api 1.7.15, MIT), so a report can point out photos
// that probably show minors.
//
// The network (TinyXception with two main blocks, two dense heads) is built
// layer by layer on OpenCV DNN from the package's weights: the manifest
// age_gender_model-weights_manifest.json (shapes, uint8 quantization) and
// age_gender_model.bin beside it. Neither file is shipped with scrapewatch;
// FindAgeModel looks in the standard places. Load accepts only the two files
// whose SHA-256 are pinned below: other weights, or another manifest's
// quantization, would change what the reports mean without saying so.
//
// The input is prepared as face-api prepares it (crop clipped to the image,
// zero-padded to a centred square, TF's legacy bilinear resize to 112x112,
// RGB mean subtracted, /255), so one crop gives what face-api gives for the
// same box and pixels; tests/age_estimator_test.cc holds the two together.
// The age output moves by years when the crop moves by a pixel, so by default
// Estimate averages five crops of each face: the box, the box shifted by 4%
// of its size up-left and down-right, and the box scaled by 0.95 and 1.05
// about its centre. On the demo faces a one-pixel change of the box moved one
// crop's age by 1.7 years on average (6.2 at most) and the five-crop mean by
// 0.6 (1.3 at most), for five times the cost (tools/bench/age_bench.cc).
//
// What the numbers are worth: the model's author reports a mean absolute
// error of 1.5 years for ages 0-3, 3.1 for 4-8 and 4.8 for 9-18; it has not
// been measured here. face-api's full pipeline feeds it crops aligned on
// facial landmarks; a detector's box is looser or tighter, which shifts the
// estimate. Treat a band as a reason for a human to look, not as a finding.
//
// Thread safety: Load and FindAgeModel may run on any thread. An estimator is
// used by one thread at a time (cv::dnn::Net::forward keeps per-network
// buffers), so give each worker its own; loading takes a few milliseconds.
#ifndef SCRAPEWATCH_DETECTORS_AGE_ESTIMATOR_H_
#define SCRAPEWATCH_DETECTORS_AGE_ESTIMATOR_H_

#include <memory>
#include <string>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "absl/status/statusor.h"
#include "detectors/face_detector.h"

namespace scrapewatch::detectors {

inline constexpr char kAgeModelManifestFileName[] = "age_gender_model-weights_manifest.json";
inline constexpr char kAgeModelWeightsFileName[] = "age_gender_model.bin";
inline constexpr char kAgeModelManifestSha256[] =
    "74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f";
inline constexpr char kAgeModelWeightsSha256[] =
    "49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa";

// Bands, in years of estimated age. 21 rather than 18: the model's mean error
// for ages 9-18 is 4.8 years, so a 17-year-old estimated at 20 is an ordinary
// error.
inline constexpr double kChildLikelyBelowYears = 13;
inline constexpr double kPossibleMinorBelowYears = 21;
inline constexpr char kBandChildLikely[] = "child likely";
inline constexpr char kBandPossibleMinor[] = "possible minor";
inline constexpr char kBandAdult[] = "adult";

// kBandChildLikely below kChildLikelyBelowYears, kBandPossibleMinor below
// kPossibleMinorBelowYears, kBandAdult from there on.
std::string AgeBand(double years);

struct AgeEstimate {
  double years = 0;
  double male_probability = 0;  // face-api's softmax; 1 - this is female
  std::string band;             // AgeBand(years)
};

struct AgeEstimatorOptions {
  // The manifest; the weights file must be beside it.
  std::string manifest_path;
  // Average five crops per face (see above); false runs the box alone, which
  // is what face-api itself does.
  bool jitter = true;
};

class AgeEstimator {
 public:
  // Checks both files' SHA-256 before parsing either, then builds the
  // network. Errors, each naming the path: NotFound when a file cannot be
  // opened; FailedPrecondition when its SHA-256 is not the pinned one;
  // InvalidArgument when the manifest does not describe the network (not
  // reachable with the pinned files) or OpenCV rejects it.
  static absl::StatusOr<std::unique_ptr<AgeEstimator>> Load(const AgeEstimatorOptions& options);

  // Model and crop policy, for reports: "face-api-age-gender-1.7.15(crops=5)".
  std::string name() const;

  // `bgr` is the 8-bit 3-channel image `face` was found in. Parts of the box
  // outside the image are clipped off, as face-api does. InvalidArgument when
  // the image is not 8-bit BGR or the box has no pixel inside it.
  absl::StatusOr<AgeEstimate> Estimate(const cv::Mat& bgr, const FaceBox& face);

 private:
  AgeEstimator(const AgeEstimatorOptions& options, cv::dnn::Net net)
      : options_(options), net_(std::move(net)) {}

  AgeEstimatorOptions options_;
  cv::dnn::Net net_;
};

// The manifest's path, from the first existing of: `explicit_path` (when not
// empty); $XDG_DATA_HOME/scrapewatch/models/<kAgeModelManifestFileName>
// ($XDG_DATA_HOME defaulting to $HOME/.local/share); share/scrapewatch/models/
// under the prefix the running executable is installed in (<bin>/..); and
// third_party/face-api/model/ in the build tree the executable was built in
// (<build>/tools or <build>/tests), where tools/fetch-demo-photos unpacks the
// package. Empty when none exists. Only existence is checked here: Load
// verifies the bytes, so a fallback can only ever find the same model.
std::string FindAgeModel(const std::string& explicit_path);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_AGE_ESTIMATOR_H_
