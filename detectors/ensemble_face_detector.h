// YuNet and dlib HOG on every image, their boxes fused (detect.face_backend =
// "ensemble"): for the faces one of them misses, at the cost of both run times.
//
// A HOG box whose IoU with a YuNet box is at least kEnsembleFuseIoU is the
// same face, and YuNet's box, score and landmarks are kept; any other HOG box
// is a face YuNet missed and is added as HOG gave it. YuNet's faces come
// first, in YuNet's order, then HOG's additions.
//
// Every box names its backend (FaceBox::backend "yunet" or "hog") and keeps
// that backend's own score, a YuNet confidence in [0, 1] or a HOG SVM margin:
// the two are not put on one scale, which would need calibration data the
// project lacks.
//
// HOG's additions need no stricter margin than HOG alone: at margin 0 HOG has
// no false detection on the face corpus, and margins of 0.5 and 1 left the
// ensemble's recall, precision and false detections as they were and only lost
// a face on the demo photos (tools/bench/faces --hog-score). README's accuracy
// section has what the ensemble gains and costs, and why "auto" is not it.
//
// Thread safety: as for its two backends, one thread at a time per detector.
#ifndef SCRAPEWATCH_DETECTORS_ENSEMBLE_FACE_DETECTOR_H_
#define SCRAPEWATCH_DETECTORS_ENSEMBLE_FACE_DETECTOR_H_

#include <memory>

#include "absl/status/statusor.h"
#include "detectors/face_detector.h"
#include "detectors/yunet_face_detector.h"

namespace scrapewatch::detectors {

// On the face corpus one face's YuNet and HOG boxes overlap at IoU 0.57 to
// 0.82 and two neighbouring faces' boxes at 0.12 at most, so 0.3 separates
// them with room on both sides; it is also YuNet's own NMS threshold.
inline constexpr double kEnsembleFuseIoU = 0.3;

struct EnsembleOptions {
  YuNetOptions yunet;
  HogOptions hog;
};

// Errors: those of MakeYuNetFaceDetector(options.yunet), which loads the model.
absl::StatusOr<std::unique_ptr<FaceDetector>> MakeEnsembleFaceDetector(
    const EnsembleOptions& options);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_ENSEMBLE_FACE_DETECTOR_H_
