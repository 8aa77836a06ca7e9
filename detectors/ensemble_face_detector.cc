#include "detectors/ensemble_face_detector.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace scrapewatch::detectors {
namespace {

double IoU(const FaceBox& a, const FaceBox& b) {
  cv::Rect ra(a.x, a.y, a.w, a.h), rb(b.x, b.y, b.w, b.h);
  double inter = (ra & rb).area();
  double uni = ra.area() + rb.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

class EnsembleFaceDetector : public FaceDetector {
 public:
  EnsembleFaceDetector(std::unique_ptr<FaceDetector> yunet, std::unique_ptr<FaceDetector> hog)
      : yunet_(std::move(yunet)), hog_(std::move(hog)) {}

  std::string name() const override {
    return absl::StrCat("ensemble(", yunet_->name(), "+", hog_->name(),
                        ",fuse-iou=", kEnsembleFuseIoU, ")");
  }

  std::vector<FaceBox> Detect(const cv::Mat& bgr) override {
    std::vector<FaceBox> faces = yunet_->Detect(bgr);
    for (FaceBox& face : faces) face.backend = "yunet";
    const size_t yunet_faces = faces.size();
    for (FaceBox& face : hog_->Detect(bgr)) {
      auto same_face = [&](const FaceBox& y) { return IoU(y, face) >= kEnsembleFuseIoU; };
      if (std::any_of(faces.begin(), faces.begin() + yunet_faces, same_face)) continue;
      face.backend = "hog";
      faces.push_back(std::move(face));
    }
    return faces;
  }

 private:
  std::unique_ptr<FaceDetector> yunet_;
  std::unique_ptr<FaceDetector> hog_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FaceDetector>> MakeEnsembleFaceDetector(
    const EnsembleOptions& options) {
  absl::StatusOr<std::unique_ptr<FaceDetector>> yunet = MakeYuNetFaceDetector(options.yunet);
  if (!yunet.ok()) return yunet.status();
  return std::make_unique<EnsembleFaceDetector>(*std::move(yunet),
                                                MakeHogFaceDetector(options.hog));
}

}  // namespace scrapewatch::detectors
