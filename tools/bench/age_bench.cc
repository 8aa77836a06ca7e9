// scrapewatch_age_bench: milliseconds per face of the age estimator, on the
// 22 faces face-api's detector found in the six demo photos (the boxes of
// tests/fixtures/age_gender).
//
//   scrapewatch_age_bench --model MANIFEST --photos DIR --fixtures DIR [--runs N]
//
// One crop per face and the default five, each with one OpenCV thread (as in
// one AnalysisPool worker) and with all cores: the whole Estimate call (crop,
// resize, network), decoding excluded; the median of --runs passes over the
// faces after a warm-up pass.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>

#include "detectors/age_estimator.h"
#include "detectors/image_decoder.h"

namespace {

using namespace scrapewatch::detectors;

struct Photo {
  cv::Mat bgr;
  std::vector<FaceBox> faces;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// Median milliseconds per face over `runs` passes.
double MsPerFace(AgeEstimator& estimator, const std::vector<Photo>& photos, int runs) {
  int faces = 0;
  for (const Photo& p : photos) faces += static_cast<int>(p.faces.size());
  std::vector<double> per_face;
  for (int run = 0; run <= runs; ++run) {
    auto start = std::chrono::steady_clock::now();
    for (const Photo& p : photos) {
      for (const FaceBox& f : p.faces) {
        if (!estimator.Estimate(p.bgr, f).ok()) std::fprintf(stderr, "estimate failed\n");
      }
    }
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    if (run > 0) per_face.push_back(elapsed.count() / faces);  // run 0 warms up
  }
  std::sort(per_face.begin(), per_face.end());
  return per_face[per_face.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Milliseconds per face of the age estimator");
  std::string model, photos_dir, fixtures_dir;
  int runs = 5;
  app.add_option("--model", model, "age_gender_model-weights_manifest.json")->required();
  app.add_option("--photos", photos_dir, "the demo photos sample1..6.jpg")->required();
  app.add_option("--fixtures", fixtures_dir, "tests/fixtures/age_gender")->required();
  app.add_option("--runs", runs, "timed passes")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::vector<Photo> photos;
  for (int i = 1; i <= 6; ++i) {
    std::string name = "sample" + std::to_string(i);
    absl::StatusOr<DecodedImage> image =
        DecodeImage(ReadFile(photos_dir + "/" + name + ".jpg"), DecodeLimits{});
    if (!image.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), image.status().ToString().c_str());
      return 1;
    }
    Photo photo{image->bgr, {}};
    nlohmann::json fixture = nlohmann::json::parse(ReadFile(fixtures_dir + "/" + name + ".json"));
    for (const nlohmann::json& f : fixture.at("faces")) {
      if (f.at("detection").is_null()) continue;  // boxes past a corner are not faces
      const nlohmann::json& b = f.at("box");
      photo.faces.push_back(
          FaceBox{b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()});
    }
    photos.push_back(std::move(photo));
  }

  const int cores = cv::getNumThreads();
  std::printf("crops  ms/face (1 thread)  ms/face (%d threads)\n", cores);
  for (bool jitter : {false, true}) {
    absl::StatusOr<std::unique_ptr<AgeEstimator>> estimator =
        AgeEstimator::Load(AgeEstimatorOptions{.manifest_path = model, .jitter = jitter});
    if (!estimator.ok()) {
      std::fprintf(stderr, "%s\n", estimator.status().ToString().c_str());
      return 1;
    }
    cv::setNumThreads(1);
    double single = MsPerFace(**estimator, photos, runs);
    cv::setNumThreads(cores);
    double all = MsPerFace(**estimator, photos, runs);
    std::printf("%5d  %18.1f  %18.1f\n", jitter ? 5 : 1, single, all);
  }
  return 0;
}
