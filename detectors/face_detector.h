// Face detection on a decoded image.
//
// FaceDetector is the seam for backends (dlib HOG here; YuNet in
// yunet_face_detector.h; both fused in ensemble_face_detector.h). Boxes and
// landmarks are in the pixel coordinates of the image passed in, i.e. after
// EXIF orientation.
//
// Thread safety: a FaceDetector instance is used by one thread at a time;
// give each worker its own (they are cheap to create).
#ifndef SCRAPEWATCH_DETECTORS_FACE_DETECTOR_H_
#define SCRAPEWATCH_DETECTORS_FACE_DETECTOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace scrapewatch::detectors {

struct FacePoint {
  float x = 0;
  float y = 0;
};

struct FaceBox {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
  double score = 0;  // backend-specific confidence; see FaceDetector::name()
  // Empty from a single backend, whose name() the findings carry. The
  // ensemble sets "yunet" or "hog": the backend whose box and score these are,
  // since a YuNet confidence and a HOG margin are on different scales.
  std::string backend;
  // YuNet's five points, in its order: right eye, left eye, nose tip, right
  // mouth corner, left mouth corner (the person's right and left: on a frontal
  // face the right eye has the smaller x). Empty from HOG. Never stored or
  // reported (store/record_codec.cc skips them): face geometry is biometric
  // data the report does not need, so it lives only as long as the findings.
  std::vector<FacePoint> landmarks;
  // Set when the age model ran on this face (detectors/age_estimator.h).
  std::optional<double> age_years;
  std::string age_band;  // "child likely", "possible minor" or "adult"
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  // Backend and thresholds, as shown in reports next to each finding.
  virtual std::string name() const = 0;
  virtual std::vector<FaceBox> Detect(const cv::Mat& bgr) = 0;
};

struct HogOptions {
  // SVM margin a window must exceed; 0 is dlib's default operating point.
  double score_threshold = 0.0;
};

// dlib's HOG + linear SVM frontal face detector; its model is built into dlib,
// so it needs no file. It finds faces of about 80 px and larger in its input,
// so small images are upsampled and very large ones downscaled first.
std::unique_ptr<FaceDetector> MakeHogFaceDetector(const HogOptions& options);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_FACE_DETECTOR_H_
