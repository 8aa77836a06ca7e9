// YuNet face detection (Shiqi Yu et al., OpenCV model zoo, MIT), run through
// OpenCV 4.6's cv::FaceDetectorYN.
//
// The model is a file scrapewatch does not ship: Debian and npm do not package
// it, so the user supplies face_detection_yunet_2022mar.onnx (345,478 bytes)
// by path or in a standard location (FindYuNetModel). The factory accepts only
// the file whose SHA-256 is kYuNetModelSha256: another file, even another
// YuNet version, would change what the reports mean without saying so (and
// OpenCV 4.6 cannot read the 2023mar format anyway).
//
// Detect() downscales images whose long side exceeds kYuNetMaxLongSide, which
// bounds time and memory; boxes come back in the original image's pixels,
// clamped to it. Smaller images are used as they are: YuNet finds faces of
// 37 px (the smallest annotated) at their own size, and enlarging made it miss
// larger ones. On images above the cap the smallest face found grows with the
// downscale (a 40-px face in a 4000-px photo is 13 px at the working scale).
//
// Scores are YuNet's confidences in [0, 1]. Every face has its five landmarks
// (FaceBox::landmarks), scaled back to the original image as its box is.
//
// Thread safety: MakeYuNetFaceDetector and FindYuNetModel may run on any
// thread; a detector is used by one thread at a time (cv::FaceDetectorYN keeps
// its input size and network buffers between calls), so give each worker its
// own.
#ifndef SCRAPEWATCH_DETECTORS_YUNET_FACE_DETECTOR_H_
#define SCRAPEWATCH_DETECTORS_YUNET_FACE_DETECTOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "detectors/face_detector.h"

namespace scrapewatch::detectors {

inline constexpr char kYuNetModelFileName[] = "face_detection_yunet_2022mar.onnx";
inline constexpr char kYuNetModelSha256[] =
    "50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7";
inline constexpr int kYuNetMaxLongSide = 1280;

struct YuNetOptions {
  std::string model_path;
  // Minimum confidence of a face; 0.9 is the model zoo's operating point.
  float score_threshold = 0.9f;
  // IoU above which the weaker of two overlapping boxes is dropped.
  float nms_threshold = 0.3f;
  // Boxes kept before NMS.
  int top_k = 5000;
};

// Checks the file's SHA-256 before handing it to OpenCV, then loads it.
// Errors, each naming the path: NotFound when the file cannot be opened;
// FailedPrecondition when its SHA-256 is not kYuNetModelSha256;
// InvalidArgument when OpenCV cannot load it or an option is out of range
// (thresholds in [0, 1], top_k > 0).
absl::StatusOr<std::unique_ptr<FaceDetector>> MakeYuNetFaceDetector(const YuNetOptions& options);

// The first existing file of: `explicit_path` (when not empty);
// $XDG_DATA_HOME/scrapewatch/models/<kYuNetModelFileName> ($XDG_DATA_HOME
// defaulting to $HOME/.local/share); /usr/local/share/scrapewatch/models/...;
// /usr/share/scrapewatch/models/.... Empty when none exists. Only existence
// is checked here: MakeYuNetFaceDetector verifies the bytes, so a fallback can
// only ever find the same model.
std::string FindYuNetModel(const std::string& explicit_path);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_YUNET_FACE_DETECTOR_H_
