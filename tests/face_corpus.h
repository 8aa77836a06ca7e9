// The shared face corpus (../shared/corpus/faces) and YuNet model for the face
// detector tests: photos decoded as the analyzer decodes them, the annotated
// boxes of annotations.json, and IoU. A photo that does not decode or is not
// annotated fails the calling test.
#ifndef SCRAPEWATCH_TESTS_FACE_CORPUS_H_
#define SCRAPEWATCH_TESTS_FACE_CORPUS_H_

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "detectors/face_detector.h"
#include "detectors/image_decoder.h"

namespace scrapewatch::detectors {

inline const std::string kFaces = SCRAPEWATCH_SHARED_DIR "/corpus/faces/";
inline const std::string kModel =
    SCRAPEWATCH_SHARED_DIR "/models/face_detection_yunet_2022mar.onnx";

inline cv::Mat Decode(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(file), {});
  absl::StatusOr<DecodedImage> image = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(image.ok()) << path << ": " << image.status();
  return image.ok() ? image->bgr : cv::Mat();
}

inline cv::Rect Rect(const FaceBox& face) { return {face.x, face.y, face.w, face.h}; }

inline double IoU(const cv::Rect& a, const cv::Rect& b) {
  double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

// The annotated boxes of one corpus file.
inline std::vector<cv::Rect> Annotations(const std::string& name) {
  std::ifstream file(kFaces + "annotations.json");
  nlohmann::json json = nlohmann::json::parse(file);
  for (const nlohmann::json& image : json.at("images")) {
    if (image.at("file") != name) continue;
    std::vector<cv::Rect> boxes;
    for (const nlohmann::json& b : image.at("faces")) {
      boxes.emplace_back(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>());
    }
    return boxes;
  }
  ADD_FAILURE() << name << " is not in annotations.json";
  return {};
}

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_TESTS_FACE_CORPUS_H_
