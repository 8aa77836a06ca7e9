// The age estimator against face-api's own JavaScript: on the six demo
// photos, one crop per box gives what face-api 1.7.15 gave for the same
// pixels and box (tests/fixtures/age_gender, made by tools/make-age-fixtures:
// 22 faces found by face-api's SSD detector, and two boxes per photo hanging
// past its corners). Also the bands, the jitter's use, bad boxes, and the
// refusal of a missing or altered model file.
//
// The weights and photos come from the npm package that tools/fetch-demo-photos
// unpacks into build/third_party/face-api; without the weights the tests that
// need them are skipped.
#include "detectors/age_estimator.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "detectors/image_decoder.h"
#include "detectors/sha256.h"
#include "tests/scoped_env.h"

namespace scrapewatch::detectors {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kFaceApi = SCRAPEWATCH_SOURCE_DIR "/build/third_party/face-api/";
const std::string kManifest = kFaceApi + "model/" + kAgeModelManifestFileName;
const std::string kFixtures = SCRAPEWATCH_SOURCE_DIR "/tests/fixtures/age_gender/";

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

struct Face {
  FaceBox box;
  double age = 0;
  double male_probability = 0;
  bool detected = false;  // false: a synthetic box past the image's corner
};

struct Photo {
  std::string name;
  cv::Mat bgr;
  std::vector<Face> faces;
};

// The fixtures with their photos, decoded by scrapewatch's own decoder; the
// pixels must be the ones face-api was given.
std::vector<Photo> Photos() {
  std::vector<Photo> photos;
  for (int i = 1; i <= 6; ++i) {
    std::string name = "sample" + std::to_string(i);
    nlohmann::json fixture = nlohmann::json::parse(ReadFile(kFixtures + name + ".json"));
    absl::StatusOr<DecodedImage> image =
        DecodeImage(ReadFile(kFaceApi + "demo/" + name + ".jpg"), DecodeLimits{});
    EXPECT_TRUE(image.ok()) << name << ": " << image.status();
    if (!image.ok()) continue;
    cv::Mat bgr = image->bgr;
    EXPECT_EQ(Sha256Hex(std::string_view(reinterpret_cast<const char*>(bgr.data), bgr.total() * 3)),
              fixture.at("decoded_bgr_sha256"))
        << name << " decodes to other pixels than tools/make-age-fixtures saw";
    Photo photo{name, bgr, {}};
    for (const nlohmann::json& f : fixture.at("faces")) {
      const nlohmann::json& b = f.at("box");
      photo.faces.push_back(Face{
          .box = FaceBox{b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()},
          .age = f.at("age").get<double>(),
          .male_probability = f.at("male_probability").get<double>(),
          .detected = !f.at("detection").is_null()});
    }
    photos.push_back(std::move(photo));
  }
  return photos;
}

class AgeEstimatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kManifest)) {
      GTEST_SKIP() << kManifest << " is absent: tools/fetch-demo-photos unpacks it from "
                   << "@vladmandic/face-api";
    }
  }

  static std::unique_ptr<AgeEstimator> Load(bool jitter) {
    absl::StatusOr<std::unique_ptr<AgeEstimator>> estimator =
        AgeEstimator::Load(AgeEstimatorOptions{.manifest_path = kManifest, .jitter = jitter});
    EXPECT_TRUE(estimator.ok()) << estimator.status();
    return estimator.ok() ? *std::move(estimator) : nullptr;
  }
};

TEST(AgeBand, ThresholdsAt13And21) {
  EXPECT_EQ(AgeBand(0), kBandChildLikely);
  EXPECT_EQ(AgeBand(12.99), kBandChildLikely);
  EXPECT_EQ(AgeBand(13), kBandPossibleMinor);
  EXPECT_EQ(AgeBand(20.99), kBandPossibleMinor);
  EXPECT_EQ(AgeBand(21), kBandAdult);
  EXPECT_EQ(AgeBand(70), kBandAdult);
}

TEST_F(AgeEstimatorTest, OneCropMatchesFaceApi) {
  std::unique_ptr<AgeEstimator> estimator = Load(false);
  ASSERT_NE(estimator, nullptr);
  EXPECT_EQ(estimator->name(), "face-api-age-gender-1.7.15(crops=1)");
  int compared = 0;
  for (const Photo& photo : Photos()) {
    for (const Face& face : photo.faces) {
      absl::StatusOr<AgeEstimate> estimate = estimator->Estimate(photo.bgr, face.box);
      ASSERT_TRUE(estimate.ok()) << estimate.status();
      std::string where = photo.name + " box " + std::to_string(face.box.x) + "," +
                          std::to_string(face.box.y);
      EXPECT_NEAR(estimate->years, face.age, 0.5) << where;
      EXPECT_NEAR(estimate->male_probability, face.male_probability, 0.02) << where;
      EXPECT_EQ(estimate->band, AgeBand(estimate->years));
      ++compared;
    }
  }
  EXPECT_EQ(compared, 34);  // 22 detected faces, 12 boxes past a corner
}

// Moving the box by a pixel moves a single crop's age by 1.7 years on average
// over these faces (6 at most); the average of five crops moves far less.
TEST_F(AgeEstimatorTest, JitterSteadiesTheEstimate) {
  std::unique_ptr<AgeEstimator> single = Load(false);
  std::unique_ptr<AgeEstimator> jittered = Load(true);
  ASSERT_NE(single, nullptr);
  ASSERT_NE(jittered, nullptr);
  EXPECT_EQ(jittered->name(), "face-api-age-gender-1.7.15(crops=5)");
  double single_change = 0, jittered_change = 0;
  for (const Photo& photo : Photos()) {
    for (const Face& face : photo.faces) {
      if (!face.detected) continue;
      FaceBox moved{face.box.x + 1, face.box.y + 1, face.box.w - 1, face.box.h};
      auto change = [&](AgeEstimator& estimator) {
        absl::StatusOr<AgeEstimate> a = estimator.Estimate(photo.bgr, face.box);
        absl::StatusOr<AgeEstimate> b = estimator.Estimate(photo.bgr, moved);
        EXPECT_TRUE(a.ok() && b.ok());
        return a.ok() && b.ok() ? std::abs(a->years - b->years) : 0.0;
      };
      single_change += change(*single);
      jittered_change += change(*jittered);
    }
  }
  EXPECT_GT(single_change, 0);
  EXPECT_LT(jittered_change, single_change / 2);
}

// The demo photos show adults (by eye); none may read as a child.
TEST_F(AgeEstimatorTest, NoDemoFaceIsAChild) {
  std::unique_ptr<AgeEstimator> estimator = Load(true);
  ASSERT_NE(estimator, nullptr);
  for (const Photo& photo : Photos()) {
    for (const Face& face : photo.faces) {
      if (!face.detected) continue;
      absl::StatusOr<AgeEstimate> estimate = estimator->Estimate(photo.bgr, face.box);
      ASSERT_TRUE(estimate.ok()) << estimate.status();
      EXPECT_NE(estimate->band, kBandChildLikely) << photo.name << " " << estimate->years;
    }
  }
}

TEST_F(AgeEstimatorTest, BoxWithoutPixelsOrWrongImageIsInvalidArgument) {
  std::unique_ptr<AgeEstimator> estimator = Load(true);
  ASSERT_NE(estimator, nullptr);
  cv::Mat image(100, 80, CV_8UC3, cv::Scalar(90, 120, 200));
  for (const FaceBox& box : {FaceBox{80, 10, 20, 20}, FaceBox{-30, 10, 30, 20},
                             FaceBox{10, 10, 0, 20}, FaceBox{10, 10, 20, -5}}) {
    absl::StatusOr<AgeEstimate> estimate = estimator->Estimate(image, box);
    EXPECT_EQ(estimate.status().code(), absl::StatusCode::kInvalidArgument)
        << box.x << "," << box.y << " " << box.w << "x" << box.h;
  }
  cv::Mat gray(100, 80, CV_8UC1, cv::Scalar(128));
  EXPECT_EQ(estimator->Estimate(gray, FaceBox{10, 10, 20, 20}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A box that only just reaches into the image still gets an estimate.
  EXPECT_TRUE(estimator->Estimate(image, FaceBox{79, 99, 30, 30}).ok());
}

class AgeModelFileTest : public AgeEstimatorTest {
 protected:
  void SetUp() override {
    AgeEstimatorTest::SetUp();
    dir_ = fs::temp_directory_path() / ("age_estimator_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Copies the model into dir_, flipping one bit of `altered` if given.
  void CopyModel(const std::string& altered = "") {
    for (const char* name : {kAgeModelManifestFileName, kAgeModelWeightsFileName}) {
      std::string bytes = ReadFile(kFaceApi + "model/" + name);
      ASSERT_FALSE(bytes.empty());
      if (altered == name) bytes[bytes.size() / 2] ^= 1;
      std::ofstream(dir_ / name, std::ios::binary) << bytes;
    }
  }

  absl::Status LoadFrom(const fs::path& manifest) {
    return AgeEstimator::Load(AgeEstimatorOptions{.manifest_path = manifest.string()}).status();
  }

  fs::path dir_;
};

TEST_F(AgeModelFileTest, MissingManifestOrWeightsIsNotFoundNamingIt) {
  absl::Status status = LoadFrom(dir_ / kAgeModelManifestFileName);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr((dir_ / kAgeModelManifestFileName).string()));

  CopyModel();
  fs::remove(dir_ / kAgeModelWeightsFileName);
  status = LoadFrom(dir_ / kAgeModelManifestFileName);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr((dir_ / kAgeModelWeightsFileName).string()));
}

// One flipped bit stands in for any other file: another model, other
// quantization constants, a truncated download.
TEST_F(AgeModelFileTest, AlteredFileIsFailedPreconditionNamingIt) {
  for (const char* name : {kAgeModelManifestFileName, kAgeModelWeightsFileName}) {
    CopyModel(name);
    absl::Status status = LoadFrom(dir_ / kAgeModelManifestFileName);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << name;
    EXPECT_THAT(status.message(), HasSubstr((dir_ / name).string()));
  }
  CopyModel();
  EXPECT_TRUE(LoadFrom(dir_ / kAgeModelManifestFileName).ok());
}

TEST_F(AgeModelFileTest, NotAModelIsFailedPrecondition) {
  std::ofstream(dir_ / kAgeModelManifestFileName) << "[{\"weights\": []}]";
  absl::Status status = LoadFrom(dir_ / kAgeModelManifestFileName);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr(kAgeModelManifestSha256));
}

TEST_F(AgeModelFileTest, FindPrefersExplicitPathThenXdgDataHome) {
  fs::path xdg_manifest = dir_ / "scrapewatch" / "models" / kAgeModelManifestFileName;
  fs::create_directories(xdg_manifest.parent_path());
  fs::copy_file(kManifest, xdg_manifest);
  scrapewatch::testing::ScopedEnv xdg("XDG_DATA_HOME", dir_.string());
  EXPECT_EQ(FindAgeModel(kManifest), kManifest);
  EXPECT_EQ(FindAgeModel((dir_ / "absent.json").string()), xdg_manifest.string());
  EXPECT_EQ(FindAgeModel(""), xdg_manifest.string());
}

}  // namespace
}  // namespace scrapewatch::detectors
