// YuNet backend on the shared face corpus (../shared/corpus/faces) with the
// verified model copy in ../shared/models: annotated faces found at IoU >= 0.4
// with their five landmarks where a face has them, no-face photos left alone,
// and the factory's refusals of a missing or foreign model file.
#include "detectors/yunet_face_detector.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "tests/face_corpus.h"
#include "tests/scoped_env.h"

namespace scrapewatch::detectors {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::unique_ptr<FaceDetector> Detector() {
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeYuNetFaceDetector(YuNetOptions{.model_path = kModel});
  EXPECT_TRUE(detector.ok()) << detector.status();
  return detector.ok() ? *std::move(detector) : nullptr;
}

TEST(YuNetFaceDetector, NameShowsBackendAndThresholds) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->name(), "yunet-2022mar(score=0.9,nms=0.3)");
}

// Two photos with large faces, one crowd of 37-px faces.
TEST(YuNetFaceDetector, FindsAnnotatedFaces) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  for (const std::string name : {"2008_001322.jpg", "2009_004587.jpg", "2007_007763.jpg"}) {
    cv::Mat image = Decode(kFaces + name);
    std::vector<FaceBox> faces = detector->Detect(image);
    for (const cv::Rect& truth : Annotations(name)) {
      double best = 0;
      for (const FaceBox& f : faces) {
        EXPECT_GE(f.x, 0);
        EXPECT_GE(f.y, 0);
        EXPECT_LE(f.x + f.w, image.cols);
        EXPECT_LE(f.y + f.h, image.rows);
        best = std::max(best, IoU(truth, Rect(f)));
      }
      EXPECT_GE(best, 0.4) << name << " face at " << truth;
    }
  }
}

// Landmarks: five per face, in YuNet's order (right eye, left eye, nose tip,
// right and left mouth corner), on the face and where a face has them; on a
// 2000-px copy, which Detect downscales, scaled back as the boxes are.
TEST(YuNetFaceDetector, LandmarksAreOnTheirFaceInAFacesOrder) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  auto expect_on_their_faces = [](const std::vector<FaceBox>& faces, const char* image) {
    ASSERT_FALSE(faces.empty()) << image;
    for (const FaceBox& f : faces) {
      ASSERT_EQ(f.landmarks.size(), 5u) << image;
      for (const FacePoint& p : f.landmarks) {
        EXPECT_TRUE(Rect(f).contains(cv::Point(static_cast<int>(p.x), static_cast<int>(p.y))))
            << image << ": (" << p.x << ", " << p.y << ") outside " << Rect(f);
      }
    }
  };
  cv::Mat image = Decode(kFaces + "2008_002506.jpg");
  cv::Mat large;
  cv::resize(image, large, cv::Size(), 4.0, 4.0, cv::INTER_CUBIC);
  expect_on_their_faces(detector->Detect(large), "2000-px copy");
  std::vector<FaceBox> faces = detector->Detect(image);
  expect_on_their_faces(faces, "original");
  ASSERT_FALSE(faces.empty());
  // The largest face is upright and frontal: eyes above the nose above the
  // mouth, the person's right eye and mouth corner on the image's left.
  const FaceBox& face = *std::max_element(
      faces.begin(), faces.end(), [](const FaceBox& a, const FaceBox& b) { return a.w < b.w; });
  const std::vector<FacePoint>& p = face.landmarks;
  const FacePoint &right_eye = p[0], &left_eye = p[1], &nose = p[2], &mouth_right = p[3],
                  &mouth_left = p[4];
  EXPECT_LT(std::max(right_eye.y, left_eye.y), nose.y);
  EXPECT_LT(nose.y, std::min(mouth_right.y, mouth_left.y));
  EXPECT_LT(right_eye.x, left_eye.x);
  EXPECT_LT(mouth_right.x, mouth_left.x);
  EXPECT_GT(nose.x, right_eye.x);
  EXPECT_LT(nose.x, left_eye.x);
}

// Hard negatives (a mandrill, a painting, a cartoon fish, a squirrel) and plain
// scenes; research/face-models.md lists the no-face photos YuNet does fire on
// (dogs, a plant, a black notebook), which these are not.
TEST(YuNetFaceDetector, FindsNoFacesWhereThereAreNone) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  for (const std::string name : {"ocv_baboon.jpg", "ocv_starry_night.jpg", "ocv_HappyFish.jpg",
                                 "ocv_squirrel_cls.jpg", "ocv_building.jpg", "ocv_fruits.jpg"}) {
    EXPECT_THAT(detector->Detect(Decode(kFaces + "no_faces/" + name)), ::testing::IsEmpty())
        << name;
  }
}

// The network pools down by 32: smaller images (favicons, tracking pixels)
// once made OpenCV throw and abort the analysis.
TEST(YuNetFaceDetector, TinyImagesHaveNoFacesAndDoNotThrow) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  for (cv::Size size : {cv::Size(1, 1), cv::Size(2, 2), cv::Size(16, 300), cv::Size(300, 31)}) {
    EXPECT_THAT(detector->Detect(cv::Mat(size, CV_8UC3, cv::Scalar(128, 128, 128))),
                ::testing::IsEmpty())
        << size;
  }
}

// Large photos go through the downscale; boxes must come back in the
// original's coordinates, so a resized copy gives proportional boxes.
TEST(YuNetFaceDetector, BoxesAreInOriginalCoordinatesAfterScaling) {
  std::unique_ptr<FaceDetector> detector = Detector();
  ASSERT_NE(detector, nullptr);
  cv::Mat small = Decode(kFaces + "2008_002506.jpg");
  cv::Mat large;
  cv::resize(small, large, cv::Size(), 4.0, 4.0, cv::INTER_CUBIC);  // 2000 px long side
  std::vector<FaceBox> large_faces = detector->Detect(large);
  std::vector<cv::Rect> truth = Annotations("2008_002506.jpg");
  ASSERT_EQ(large_faces.size(), truth.size());
  for (const cv::Rect& t : truth) {
    cv::Rect scaled(t.x * 4, t.y * 4, t.width * 4, t.height * 4);
    double best = 0;
    for (const FaceBox& f : large_faces) best = std::max(best, IoU(scaled, Rect(f)));
    EXPECT_GE(best, 0.4) << "face at " << t;
  }
}

class YuNetModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yunet_face_detector_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(YuNetModelFileTest, MissingFileIsNotFoundNamingIt) {
  std::string path = (dir_ / "absent.onnx").string();
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeYuNetFaceDetector(YuNetOptions{.model_path = path});
  EXPECT_EQ(detector.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(detector.status().message(), HasSubstr(path));
}

// The model with one bit flipped stands in for any other file: a foreign model
// must be refused before OpenCV parses it.
TEST_F(YuNetModelFileTest, WrongHashIsFailedPreconditionNamingIt) {
  std::ifstream in(kModel, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  ASSERT_FALSE(bytes.empty());
  bytes.back() ^= 1;
  std::string path = (dir_ / kYuNetModelFileName).string();
  std::ofstream(path, std::ios::binary) << bytes;
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeYuNetFaceDetector(YuNetOptions{.model_path = path});
  EXPECT_EQ(detector.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(detector.status().message(), HasSubstr(path));
}

TEST_F(YuNetModelFileTest, OutOfRangeOptionsAreInvalidArgument) {
  absl::StatusOr<std::unique_ptr<FaceDetector>> detector =
      MakeYuNetFaceDetector(YuNetOptions{.model_path = kModel, .score_threshold = 1.5f});
  EXPECT_EQ(detector.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(detector.status().message(), HasSubstr(kModel));
}

TEST_F(YuNetModelFileTest, FindPrefersExplicitPathThenXdgDataHome) {
  fs::path xdg_model = dir_ / "scrapewatch" / "models" / kYuNetModelFileName;
  fs::create_directories(xdg_model.parent_path());
  fs::copy_file(kModel, xdg_model);
  scrapewatch::testing::ScopedEnv xdg("XDG_DATA_HOME", dir_.string());
  EXPECT_EQ(FindYuNetModel(kModel), kModel);
  EXPECT_EQ(FindYuNetModel((dir_ / "absent.onnx").string()), xdg_model.string());
  EXPECT_EQ(FindYuNetModel(""), xdg_model.string());
}

}  // namespace
}  // namespace scrapewatch::detectors
