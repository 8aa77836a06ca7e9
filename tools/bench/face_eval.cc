// scrapewatch_face_eval: accuracy and speed of the face detectors on the shared
// face corpus, for tools/bench/faces.
//
//   scrapewatch_face_eval --corpus DIR --model YUNET.onnx [--yunet-score S]...
//                         [--hog-score S]... [--runs N]
//
// DIR is ../shared/corpus/faces: annotations.json lists, per image, its boxes
// [x, y, w, h] (dlib's training.xml/testing.xml boxes, square, brow to chin;
// no "difficult" or "ignore" flags and no minimum size, so every box counts).
// Configurations: dlib HOG at each margin given; YuNet at each score
// threshold given (default options otherwise); and the ensemble backend
// (detectors/ensemble_face_detector.h) for each pair of the two.
//
// Matching, per annotated image: detections in decreasing confidence each take
// the unmatched annotated box they overlap most, if that IoU is >= 0.4; the
// rest are false positives, even a real face the annotators left out.
// Confidence is the backend's score; in the ensemble, YuNet's boxes rank
// before HOG's, whose margins are on another scale. Recall = matched boxes /
// annotated boxes; precision = matched detections / detections.
//
// Also: detections (and images with any) on the no-face photos, where every
// detection is false; detections on the six face-api demo photos (22 faces
// counted by eye, no boxes: a sanity figure only); and milliseconds per image
// at a long side of 500 and 1920 px, on the demo photos resized to those
// sizes: detection only (decoding excluded), one OpenCV thread as in one
// AnalysisPool worker, the median of --runs runs per photo after a warm-up
// run, averaged over the photos.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "config/config.h"
#include "detectors/ensemble_face_detector.h"
#include "detectors/face_detector.h"
#include "detectors/image_decoder.h"
#include "detectors/yunet_face_detector.h"

namespace {

using namespace scrapewatch::detectors;

constexpr double kMatchIoU = 0.4;
constexpr int kSmallFace = 40;

struct Detection {
  cv::Rect box;
  // Sorted descending: (tier, score); tier only matters for the ensemble.
  int tier = 0;
  double score = 0;
};

using DetectFn = std::function<std::vector<Detection>(const cv::Mat&)>;

struct Config {
  std::string label;
  DetectFn detect;
  // Which of the targets apply: "hog" (its own), or "yunet" (the
  // default configuration's, which the ensemble must meet too).
  std::string target;
};

struct Image {
  std::string file;
  cv::Mat bgr;
  std::vector<cv::Rect> faces;
};

double IoU(const cv::Rect& a, const cv::Rect& b) {
  double inter = (a & b).area();
  double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

cv::Mat Decode(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(file), {});
  absl::StatusOr<DecodedImage> image = DecodeImage(bytes, DecodeLimits{});
  if (!image.ok()) {
    std::fprintf(stderr, "face_eval: %s: %s\n", path.c_str(), image.status().ToString().c_str());
    std::exit(1);
  }
  return image->bgr;
}

std::vector<Detection> FromFaceBoxes(const std::vector<FaceBox>& faces) {
  std::vector<Detection> out;
  for (const FaceBox& f : faces) {
    out.push_back({cv::Rect(f.x, f.y, f.w, f.h), f.backend == "yunet" ? 1 : 0, f.score});
  }
  return out;
}

DetectFn Wrap(std::shared_ptr<FaceDetector> detector) {
  return [detector](const cv::Mat& bgr) { return FromFaceBoxes(detector->Detect(bgr)); };
}

struct Scores {
  int annotated = 0, matched = 0, detections = 0;
  int small_annotated = 0, small_matched = 0;
  int negative_detections = 0, negative_images = 0;
  int demo_detections = 0;
  double ms_500 = 0, ms_1920 = 0;
};

void Match(std::vector<Detection> detections, const std::vector<cv::Rect>& truth, Scores& s) {
  std::sort(detections.begin(), detections.end(), [](const Detection& a, const Detection& b) {
    return std::tie(a.tier, a.score) > std::tie(b.tier, b.score);
  });
  std::vector<bool> taken(truth.size(), false);
  for (const Detection& d : detections) {
    int best = -1;
    double best_iou = kMatchIoU;
    for (size_t i = 0; i < truth.size(); ++i) {
      double iou = IoU(d.box, truth[i]);
      if (!taken[i] && iou >= best_iou) best = static_cast<int>(i), best_iou = iou;
    }
    if (best >= 0) taken[best] = true;
  }
  s.annotated += static_cast<int>(truth.size());
  s.detections += static_cast<int>(detections.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    bool small = truth[i].width < kSmallFace;
    s.matched += taken[i];
    s.small_annotated += small;
    s.small_matched += small && taken[i];
  }
}

// Mean over the photos of the median of `runs` timed runs, in milliseconds.
double MsPerImage(const DetectFn& detect, const std::vector<cv::Mat>& photos, int runs) {
  double total = 0;
  for (const cv::Mat& photo : photos) {
    detect(photo);  // warm-up: first-call allocations, priors for this size
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
      auto start = std::chrono::steady_clock::now();
      detect(photo);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                       .count());
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    total += ms[ms.size() / 2];
  }
  return total / photos.size();
}

cv::Mat ResizeLongSide(const cv::Mat& image, int long_side) {
  double scale = static_cast<double>(long_side) / std::max(image.cols, image.rows);
  cv::Mat out;
  cv::resize(image, out, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Face detectors on the shared face corpus"};
  std::string corpus;
  std::string model;
  // The audit's default threshold first, then the detector's own.
  std::vector<float> yunet_scores = {static_cast<float>(scrapewatch::DetectConfig{}.yunet_score_threshold),
                                     YuNetOptions{}.score_threshold};
  std::vector<double> hog_scores = {HogOptions{}.score_threshold};
  int runs = 5;
  app.add_option("--corpus", corpus, "../shared/corpus/faces")->required();
  app.add_option("--model", model, "face_detection_yunet_2022mar.onnx")->required();
  app.add_option("--yunet-score", yunet_scores, "YuNet score thresholds to evaluate");
  app.add_option("--hog-score", hog_scores, "HOG margins to evaluate");
  app.add_option("--runs", runs, "timed runs per photo and size")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  cv::setNumThreads(1);

  std::ifstream annotations_file(corpus + "/annotations.json");
  nlohmann::json annotations = nlohmann::json::parse(annotations_file);
  std::vector<Image> annotated, negatives;
  for (const nlohmann::json& entry : annotations.at("images")) {
    Image image{entry.at("file"), Decode(corpus + "/" + entry.at("file").get<std::string>()), {}};
    for (const nlohmann::json& b : entry.at("faces")) {
      image.faces.emplace_back(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>());
    }
    (image.faces.empty() ? negatives : annotated).push_back(std::move(image));
  }
  std::vector<cv::Mat> demo, demo_500, demo_1920;
  for (const nlohmann::json& entry : annotations.at("unannotated")) {
    std::string file = entry.at("file");
    if (file.find("faceapi_") == std::string::npos) continue;
    demo.push_back(Decode(corpus + "/" + file));
    demo_500.push_back(ResizeLongSide(demo.back(), 500));
    demo_1920.push_back(ResizeLongSide(demo.back(), 1920));
  }

  std::vector<Config> configs;
  for (double hog_score : hog_scores) {
    std::shared_ptr<FaceDetector> hog = MakeHogFaceDetector({.score_threshold = hog_score});
    configs.push_back({hog->name(), Wrap(hog), "hog"});
  }
  for (float score : yunet_scores) {
    YuNetOptions yunet{.model_path = model, .score_threshold = score};
    std::vector<absl::StatusOr<std::unique_ptr<FaceDetector>>> made;
    made.push_back(MakeYuNetFaceDetector(yunet));
    for (double hog_score : hog_scores) {
      made.push_back(MakeEnsembleFaceDetector({.yunet = yunet, .hog = {hog_score}}));
    }
    for (absl::StatusOr<std::unique_ptr<FaceDetector>>& detector : made) {
      if (!detector.ok()) {
        std::fprintf(stderr, "face_eval: %s\n", detector.status().ToString().c_str());
        return 1;
      }
      std::shared_ptr<FaceDetector> shared = *std::move(detector);
      configs.push_back({shared->name(), Wrap(shared), "yunet"});
    }
  }

  std::printf("Face corpus %s: %zu annotated photos, %zu no-face photos, %zu demo photos\n",
              corpus.c_str(), annotated.size(), negatives.size(), demo.size());
  std::printf("Match: greedy by confidence at IoU >= %.1f; single OpenCV thread; ms = mean of "
              "per-photo medians of %d runs\n\n",
              kMatchIoU, runs);
  int width = 6;
  for (const Config& config : configs) {
    width = std::max(width, static_cast<int>(config.label.size()));
  }
  std::printf("%-*s %6s %6s %8s %7s %10s %7s %8s %8s  %s\n", width, "config", "recall", "prec",
              "<40px", "TP/det", "noface FP", "demo22", "ms@500", "ms@1920", "issue target");
  for (const Config& config : configs) {
    Scores s;
    for (const Image& image : annotated) Match(config.detect(image.bgr), image.faces, s);
    for (const Image& image : negatives) {
      int n = static_cast<int>(config.detect(image.bgr).size());
      s.negative_detections += n;
      s.negative_images += n > 0;
    }
    for (const cv::Mat& photo : demo) s.demo_detections += config.detect(photo).size();
    s.ms_500 = MsPerImage(config.detect, demo_500, runs);
    s.ms_1920 = MsPerImage(config.detect, demo_1920, runs);
    double recall = static_cast<double>(s.matched) / s.annotated;
    double precision = s.detections > 0 ? static_cast<double>(s.matched) / s.detections : 1.0;
    std::string verdict;
    if (config.target == "hog") {
      bool met = recall >= 0.95 && s.negative_detections == 0;
      verdict = met ? "MET (R>=0.95, 0 FP)" : "NOT MET (R>=0.95, 0 FP)";
    } else {
      bool met = recall >= 0.95 && precision >= 0.95 && s.negative_detections <= 2;
      verdict = met ? "MET (R,P>=0.95, <=2 FP)" : "NOT MET (R,P>=0.95, <=2 FP)";
    }
    std::printf("%-*s %6.3f %6.3f %3d/%-4d %3d/%-3d %4d in %-3d %7d %8.1f %8.1f  %s\n",
                width, config.label.c_str(), recall, precision, s.small_matched, s.small_annotated,
                s.matched, s.detections, s.negative_detections, s.negative_images,
                s.demo_detections, s.ms_500, s.ms_1920, verdict.c_str());
  }
  return 0;
}
