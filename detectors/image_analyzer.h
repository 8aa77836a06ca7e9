// Everything scrapewatch learns from one image's bytes, in one pass.
//
// ImageAnalyzer hashes the bytes, reads the metadata (GPS and identifying
// fields), decodes once within the configured limits, and runs the face
// detector on the decoded pixels. It never fails as a whole: a part that
// cannot be done (corrupt file, decompression bomb, no metadata) is recorded
// in the findings with its reason, because a bad image is itself a finding.
//
// Minimisation: findings hold boxes and metadata only (YuNet's landmarks too,
// but the store drops them); the analyzer keeps no pixels and computes no face
// templates.
//
// Thread safety: an ImageAnalyzer is used by one thread at a time (it owns a
// face detector with scratch state); create one per worker.
#ifndef SCRAPEWATCH_DETECTORS_IMAGE_ANALYZER_H_
#define SCRAPEWATCH_DETECTORS_IMAGE_ANALYZER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "detectors/age_estimator.h"
#include "detectors/face_detector.h"
#include "detectors/metadata.h"
#include "detectors/sha256.h"

namespace scrapewatch::detectors {

struct ImageFindings {
  std::string sha256;     // hex, of the bytes as fetched
  std::string phash;      // 64-bit perceptual hash (hex) of the pixels; empty if not decoded
  int64_t byte_size = 0;
  std::string format;     // sniffed from the bytes
  int width = 0;          // after orientation; 0 when not decoded
  int height = 0;
  std::string decode_error;    // empty when the image decoded
  std::vector<FaceBox> faces;
  std::string face_backend;    // detector name and thresholds
  std::string age_model;       // age estimator name; empty when it did not run
  ImageMetadata metadata;
  std::string metadata_error;  // empty when metadata was read (or absent)
  // JPEG for reports (detectors/thumbnail.h), only for images with a face or
  // a location; empty otherwise or with detect.thumbnails = "none".
  std::string thumbnail_jpeg;
  bool thumbnail_blurred = true;
};

// The face detector `config` names ("auto": YuNet when its model is in a
// standard location, else HOG; "ensemble": both, fused). Errors, for every
// backend but HOG: the YuNet model missing, not the expected file, or
// unloadable — named with its path.
absl::StatusOr<std::unique_ptr<FaceDetector>> MakeFaceDetector(const DetectConfig& config);

// The age estimator `config` names: detect.age_model "none" → nullptr; a
// path → that model; "" → the standard locations, nullptr when none has it.
// Errors: a model that is there but not the pinned file, named with its path.
absl::StatusOr<std::unique_ptr<AgeEstimator>> MakeAgeEstimator(const DetectConfig& config);

class ImageAnalyzer {
 public:
  // Uses the detector `config` names. Callers check MakeFaceDetector(config)
  // once first; should it still fail here, the analyzer falls back to HOG,
  // whose name every finding's face_backend then carries.
  explicit ImageAnalyzer(const DetectConfig& config, int64_t max_image_bytes);

  ImageFindings Analyze(std::string_view bytes);

 private:
  DetectConfig config_;
  int64_t max_image_bytes_;
  std::unique_ptr<FaceDetector> face_detector_;
  std::unique_ptr<AgeEstimator> age_estimator_;  // null without a model
};

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_IMAGE_ANALYZER_H_
