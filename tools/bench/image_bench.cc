// scrapewatch_image_bench: throughput of the image analysis core, for
// tools/bench/images, which compares it with ExifTool.
//
//   scrapewatch_image_bench time --stage STAGE [--threads N] [--repeat R] [--rounds K]
//                                FILE_OR_DIR...
//   scrapewatch_image_bench make-large OUT_DIR --count 40 PHOTO...
//
// `time` runs one stage over every file in R passes, and prints one line of
// key=value pairs, among them the best and the median pass in seconds and the
// least CPU time a pass took. A pass goes over the files K times, so that a
// fast stage runs about as long as ExifTool does: a pass of a few milliseconds
// can slip between other processes' time slices, and its best would flatter.
// The stages:
//   metadata       ReadImageMetadata alone
//   metadata+hash  Sha256Hex + ReadImageMetadata: what ExifTool is compared
//                  with, since scrapewatch hashes every image it reads
//   decode         the above + DecodeImage with default DecodeLimits, given the
//                  size the metadata declares, as ImageAnalyzer does; no faces
//   analyze        ImageAnalyzer::Analyze: the above + HOG face detection
// Files are read into memory before timing, so the figures exclude disk I/O
// (ExifTool's cannot; the script warms the page cache so that neither side
// pays for a cold disk). A pass is timed by wall clock (steady_clock), and by
// the process's CPU time (std::clock), which other load on a busy machine
// disturbs less; with several threads that is their sum. With
// --threads N, N workers share each pass, pulling the next file as
// AnalysisPool's workers do; analyzers are built before the clock starts, as
// the pool builds them once.
//
// `make-large` writes COUNT JPEGs resized from the photos (round-robin) to a
// long side spread evenly over 3000-4000 px, named STEM_NN.jpg so the script
// can copy each photo's metadata onto its copies (OpenCV writes pixels only).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "detectors/image_analyzer.h"
#include "detectors/image_decoder.h"
#include "detectors/metadata.h"

namespace {

namespace fs = std::filesystem;
using namespace scrapewatch::detectors;

// Processes one image; false when the stage's last part failed (corrupt files
// are part of the corpus, so failures are counted, not fatal).
using Step = std::function<bool(std::string_view bytes)>;

Step MakeStep(const std::string& stage) {
  if (stage == "metadata") {
    return [](std::string_view bytes) { return ReadImageMetadata(bytes).ok(); };
  }
  if (stage == "metadata+hash") {
    return [](std::string_view bytes) {
      Sha256Hex(bytes);
      return ReadImageMetadata(bytes).ok();
    };
  }
  if (stage == "decode") {
    return [](std::string_view bytes) {
      Sha256Hex(bytes);
      absl::StatusOr<ImageMetadata> metadata = ReadImageMetadata(bytes);
      std::optional<DeclaredSize> declared;
      if (metadata.ok() && metadata->pixel_width > 0 && metadata->pixel_height > 0) {
        declared = DeclaredSize{metadata->pixel_width, metadata->pixel_height};
      }
      return DecodeImage(bytes, DecodeLimits{}, declared).ok();
    };
  }
  auto analyzer =
      std::make_shared<ImageAnalyzer>(scrapewatch::DetectConfig{}, DecodeLimits{}.max_bytes);
  return [analyzer](std::string_view bytes) {
    return analyzer->Analyze(bytes).decode_error.empty();
  };
}

std::vector<fs::path> ExpandPaths(const std::vector<std::string>& args) {
  std::vector<fs::path> files;
  for (const std::string& arg : args) {
    if (!fs::is_directory(arg)) {
      files.emplace_back(arg);
      continue;
    }
    std::vector<fs::path> in_dir;
    for (const fs::directory_entry& entry : fs::directory_iterator(arg)) {
      if (entry.is_regular_file()) in_dir.push_back(entry.path());
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

// Goes `rounds` times over the images; returns how many failed (in a round).
int RunPass(const std::vector<std::string>& images, int rounds, std::vector<Step>& steps) {
  std::atomic<size_t> next = 0;
  std::atomic<int> failed = 0;
  {
    std::vector<std::jthread> workers;
    for (Step& step : steps) {
      workers.emplace_back([&] {
        for (size_t i; (i = next++) < images.size() * rounds;) {
          if (!step(images[i % images.size()]) && i < images.size()) ++failed;
        }
      });
    }
  }
  return failed;
}

int Time(const std::string& stage, int threads, int repeat, int rounds,
         const std::vector<std::string>& args) {
  std::vector<std::string> images;
  size_t total_bytes = 0;
  for (const fs::path& file : ExpandPaths(args)) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 1;
    }
    total_bytes += bytes.size();
    images.push_back(std::move(bytes));
  }
  if (images.empty()) {
    std::fprintf(stderr, "no files to time\n");
    return 1;
  }
  std::vector<Step> steps;
  for (int i = 0; i < threads; ++i) steps.push_back(MakeStep(stage));

  std::vector<double> seconds, cpu_seconds;
  int failed = 0;
  for (int pass = 0; pass < repeat; ++pass) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    failed = RunPass(images, rounds, steps);
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    seconds.push_back(elapsed.count());
    cpu_seconds.push_back(static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
  }
  std::sort(seconds.begin(), seconds.end());
  std::sort(cpu_seconds.begin(), cpu_seconds.end());
  std::printf("stage=%s threads=%d files=%zu failed=%d bytes=%zu repeat=%d rounds=%d "
              "best_s=%.6f median_s=%.6f best_cpu_s=%.6f\n",
              stage.c_str(), threads, images.size(), failed, total_bytes, repeat, rounds,
              seconds.front(), seconds[seconds.size() / 2], cpu_seconds.front());
  return 0;
}

int MakeLarge(const std::string& out_dir, int count, const std::vector<std::string>& photos) {
  fs::create_directories(out_dir);
  for (int i = 0; i < count; ++i) {
    const fs::path photo = photos[i % photos.size()];
    cv::Mat image = cv::imread(photo.string(), cv::IMREAD_COLOR);
    if (image.empty()) {
      std::fprintf(stderr, "cannot decode %s\n", photo.c_str());
      return 1;
    }
    int long_side = 3000 + 1000 * i / std::max(1, count - 1);
    double scale = static_cast<double>(long_side) / std::max(image.cols, image.rows);
    cv::Mat large;
    cv::resize(image, large, cv::Size(), scale, scale, cv::INTER_CUBIC);
    char name[64];
    std::snprintf(name, sizeof name, "%s_%02d.jpg", photo.stem().c_str(), i);
    if (!cv::imwrite((fs::path(out_dir) / name).string(), large, {cv::IMWRITE_JPEG_QUALITY, 95})) {
      std::fprintf(stderr, "cannot write %s in %s\n", name, out_dir.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Throughput of scrapewatch's image analysis core; see tools/bench/images."};
  app.require_subcommand(1);

  std::string stage;
  int threads = 1, repeat = 5, rounds = 1;
  std::vector<std::string> paths;
  CLI::App* time = app.add_subcommand("time", "Time one stage over files (or directories)");
  time->add_option("--stage", stage, "metadata, metadata+hash, decode or analyze")
      ->required()
      ->check(CLI::IsMember({"metadata", "metadata+hash", "decode", "analyze"}));
  time->add_option("--threads", threads, "Workers sharing each pass")->check(CLI::Range(1, 256));
  time->add_option("--repeat", repeat, "Timed passes")->check(CLI::Range(1, 1000));
  time->add_option("--rounds", rounds, "Times a pass goes over the files")
      ->check(CLI::Range(1, 1000));
  time->add_option("paths", paths)->required();

  std::string out_dir;
  int count = 40;
  std::vector<std::string> photos;
  CLI::App* make_large = app.add_subcommand("make-large", "Write large JPEGs made from photos");
  make_large->add_option("out_dir", out_dir)->required();
  make_large->add_option("--count", count)->check(CLI::Range(1, 1000));
  make_large->add_option("photos", photos)->required();

  CLI11_PARSE(app, argc, argv);
  return time->parsed() ? Time(stage, threads, repeat, rounds, paths)
                        : MakeLarge(out_dir, count, photos);
}
