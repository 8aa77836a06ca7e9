// The ensemble backend (YuNet ∪ HOG) on the shared face corpus: it keeps every
// face YuNet finds with YuNet's box, score and landmarks, adds the ones only
// HOG finds, returns no face twice, and is what detect.face_backend =
// "ensemble" makes, with the YuNet model's errors.
#include "detectors/ensemble_face_detector.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "detectors/image_analyzer.h"
#include "tests/face_corpus.h"

namespace scrapewatch::detectors {
namespace {

using ::testing::HasSubstr;

// YuNet at the audit's threshold (0.97), HOG at its own (0).
constexpr float kYuNetScore = 0.97f;

std::unique_ptr<FaceDetector> Ensemble() {
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector = MakeEnsembleFaceDetector(
      {.yunet = {.model_path = kModel, .score_threshold = kYuNetScore}, .hog = {}});
  EXPECT_TRUE(detector.ok()) << detector.status();
  return detector.ok() ? *std::move(detector) : nullptr;
}

TEST(EnsembleFaceDetector, NameShowsBothBackendsAndThresholds) {
  std::unique_ptr<FaceDetector> detector = Ensemble();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->name(),
            "ensemble(yunet-2022mar(score=0.97,nms=0.3)+dlib-hog(threshold=0),fuse-iou=0.3)");
}

// 2008_004176.jpg: seven 37-px faces, two of which YuNet scores under 0.97
// and only HOG finds; 2008_002506.jpg: three large faces both find.
TEST(EnsembleFaceDetector, KeepsYuNetsFacesAndAddsHogsOthers) {
  std::unique_ptr<FaceDetector> ensemble = Ensemble();
  ASSERT_NE(ensemble, nullptr);
  absl::StatusOr<std::unique_ptr<FaceDetector>> yunet =
      MakeYuNetFaceDetector({.model_path = kModel, .score_threshold = kYuNetScore});
  ASSERT_TRUE(yunet.ok()) << yunet.status();
  std::unique_ptr<FaceDetector> hog = MakeHogFaceDetector({});
  for (const std::string name : {"2008_004176.jpg", "2008_002506.jpg"}) {
    cv::Mat image = Decode(kFaces + name);
    std::vector<FaceBox> faces = ensemble->Detect(image);
    std::vector<FaceBox> yunet_faces = (*yunet)->Detect(image);
    ASSERT_GE(faces.size(), yunet_faces.size()) << name;
    for (size_t i = 0; i < yunet_faces.size(); ++i) {
      EXPECT_EQ(Rect(faces[i]), Rect(yunet_faces[i])) << name;
      EXPECT_EQ(faces[i].score, yunet_faces[i].score) << name;
      EXPECT_EQ(faces[i].backend, "yunet") << name;
      EXPECT_EQ(faces[i].landmarks.size(), 5u) << name;
    }
    for (size_t i = yunet_faces.size(); i < faces.size(); ++i) {
      EXPECT_EQ(faces[i].backend, "hog") << name;
      EXPECT_TRUE(faces[i].landmarks.empty()) << name;
    }
    // Every face either backend found is there.
    for (const FaceBox& h : hog->Detect(image)) {
      double best = 0;
      for (const FaceBox& f : faces) best = std::max(best, IoU(Rect(h), Rect(f)));
      EXPECT_GE(best, kEnsembleFuseIoU) << name << " HOG face at " << Rect(h);
    }
    // And each annotated face once.
    for (const cv::Rect& truth : Annotations(name)) {
      int found = 0;
      for (const FaceBox& f : faces) found += IoU(truth, Rect(f)) >= 0.4;
      EXPECT_EQ(found, 1) << name << " face at " << truth;
    }
  }
}

TEST(EnsembleFaceDetector, ReturnsNoFaceTwice) {
  std::unique_ptr<FaceDetector> detector = Ensemble();
  ASSERT_NE(detector, nullptr);
  for (const std::string name : {"2007_007763.jpg", "2008_002079.jpg", "2008_004176.jpg",
                                 "2008_007676.jpg", "unannotated/dlib_bald_guys.jpg"}) {
    std::vector<FaceBox> faces = detector->Detect(Decode(kFaces + name));
    for (size_t i = 0; i < faces.size(); ++i) {
      for (size_t j = i + 1; j < faces.size(); ++j) {
        EXPECT_LT(IoU(Rect(faces[i]), Rect(faces[j])), kEnsembleFuseIoU)
            << name << ": " << Rect(faces[i]) << " and " << Rect(faces[j]);
      }
    }
  }
}

TEST(EnsembleFaceDetector, IsTheBackendTheConfigNames) {
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeFaceDetector({.face_backend = "ensemble", .face_model = kModel});
  ASSERT_TRUE(detector.ok()) << detector.status();
  EXPECT_THAT((*detector)->name(), ::testing::StartsWith("ensemble(yunet-2022mar(score=0.97,"));
}

// As with "yunet": a model path that is not there is an error naming it, never
// a quiet HOG-only run.
TEST(EnsembleFaceDetector, MissingModelIsNotFoundNamingIt) {
  std::string path = kFaces + "absent.onnx";
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeFaceDetector({.face_backend = "ensemble", .face_model = path});
  EXPECT_EQ(detector.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(detector.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace scrapewatch::detectors
