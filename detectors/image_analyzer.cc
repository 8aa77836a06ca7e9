#include "detectors/image_analyzer.h"

#include "absl/strings/str_cat.h"

#include "detectors/ensemble_face_detector.h"
#include "detectors/image_decoder.h"
#include "detectors/perceptual_hash.h"
#include "detectors/thumbnail.h"
#include "detectors/yunet_face_detector.h"

namespace scrapewatch::detectors {

absl::StatusOr<std::unique_ptr<FaceDetector>> MakeFaceDetector(const DetectConfig& config) {
  HogOptions hog{.score_threshold = config.face_score_threshold};
  bool yunet = config.face_backend == "yunet" || config.face_backend == "ensemble" ||
               (config.face_backend == "auto" && !FindYuNetModel(config.face_model).empty());
  if (!yunet) return MakeHogFaceDetector(hog);
  // A path the user gave is used as given, so a typo is an error rather than
  // a silent fall back to another copy.
  std::string model = config.face_model.empty() ? FindYuNetModel("") : config.face_model;
  if (model.empty()) {
    return absl::NotFoundError(
        "no YuNet model in the standard locations; give one with --face-model");
  }
  YuNetOptions options{.model_path = model,
                       .score_threshold = static_cast<float>(config.yunet_score_threshold)};
  if (config.face_backend == "ensemble") {
    return MakeEnsembleFaceDetector({.yunet = options, .hog = hog});
  }
  return MakeYuNetFaceDetector(options);
}

absl::StatusOr<std::unique_ptr<AgeEstimator>> MakeAgeEstimator(const DetectConfig& config) {
  if (config.age_model == "none") return nullptr;
  std::string manifest = FindAgeModel(config.age_model);
  if (manifest.empty()) {
    if (config.age_model.empty()) return nullptr;
    return absl::NotFoundError(absl::StrCat("no age model at '", config.age_model, "'"));
  }
  return AgeEstimator::Load({.manifest_path = manifest});
}

namespace {

std::unique_ptr<FaceDetector> DetectorOrHog(const DetectConfig& config) {
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector = MakeFaceDetector(config);
  if (detector.ok()) return *std::move(detector);
  return MakeHogFaceDetector({.score_threshold = config.face_score_threshold});
}

}  // namespace

ImageAnalyzer::ImageAnalyzer(const DetectConfig& config, int64_t max_image_bytes)
    : config_(config),
      max_image_bytes_(max_image_bytes),
      face_detector_(DetectorOrHog(config)) {
  // Callers checked MakeAgeEstimator(config) first; a failure here leaves
  // the findings without ages, and age_model empty says so.
  absl::StatusOr<std::unique_ptr<AgeEstimator>> ages = MakeAgeEstimator(config);
  if (ages.ok()) age_estimator_ = *std::move(ages);
}

ImageFindings ImageAnalyzer::Analyze(std::string_view bytes) {
  ImageFindings findings;
  findings.sha256 = Sha256Hex(bytes);
  findings.byte_size = static_cast<int64_t>(bytes.size());
  findings.format = SniffImageFormat(bytes);

  absl::StatusOr<ImageMetadata> metadata = ReadImageMetadata(bytes);
  std::optional<DeclaredSize> declared;
  if (metadata.ok()) {
    findings.metadata = *metadata;
    if (metadata->pixel_width > 0 && metadata->pixel_height > 0) {
      declared = DeclaredSize{metadata->pixel_width, metadata->pixel_height};
    }
  } else {
    findings.metadata_error = std::string(metadata.status().message());
  }

  DecodeLimits limits{.max_bytes = max_image_bytes_,
                      .max_pixels = config_.max_image_pixels,
                      .max_dimension = config_.max_image_dimension};
  absl::StatusOr<DecodedImage> decoded = DecodeImage(bytes, limits, declared);
  if (!decoded.ok()) {
    findings.decode_error = std::string(decoded.status().message());
    return findings;
  }
  findings.width = decoded->bgr.cols;
  findings.height = decoded->bgr.rows;
  findings.phash = PerceptualHash(decoded->bgr);
  findings.face_backend = face_detector_->name();
  findings.faces = face_detector_->Detect(decoded->bgr);
  if (age_estimator_ && !findings.faces.empty()) {
    findings.age_model = age_estimator_->name();
    for (FaceBox& face : findings.faces) {
      absl::StatusOr<AgeEstimate> age = age_estimator_->Estimate(decoded->bgr, face);
      if (!age.ok()) continue;
      face.age_years = age->years;
      face.age_band = age->band;
    }
  }
  bool located = findings.metadata.gps && findings.metadata.gps->valid;
  if (config_.thumbnails != "none" && (!findings.faces.empty() || located)) {
    findings.thumbnail_blurred = config_.thumbnails != "clear";
    findings.thumbnail_jpeg = MakeThumbnailJpeg(decoded->bgr, findings.thumbnail_blurred);
  }
  return findings;
}

}  // namespace scrapewatch::detectors
