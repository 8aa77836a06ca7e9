// AnalysisPool: every submitted image comes back once, under its own tag, with
// the same findings a single analyzer produces, whatever the pool size.
#include "detectors/analysis_pool.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"

namespace scrapewatch::detectors {
namespace {

std::vector<std::string> CorpusImages() {
  std::vector<std::string> images;
  for (const char* name : {"exiftool_GPS.jpg", "ianare_DSCN0010.jpg", "exifr_noexif.jpg",
                           "exiv2_ReaganSmallPng.png", "mei_HTC_Desire.webp",
                           "exiv2_2018-01-09-exiv2-crash-001.tiff"}) {
    std::ifstream file(std::string(SCRAPEWATCH_SHARED_DIR "/corpus/exif/") + name,
                       std::ios::binary);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    images.push_back(bytes.str());
  }
  return images;
}

TEST(AnalysisPoolTest, ReturnsEveryImageOnceWithItsOwnFindings) {
  std::vector<std::string> images = CorpusImages();
  ASSERT_EQ(images.size(), 6u);
  for (const std::string& image : images) ASSERT_FALSE(image.empty());

  ImageAnalyzer reference(DetectConfig{}, 20 << 20);
  for (int workers : {1, 3}) {
    AnalysisPool pool({.workers = workers, .max_queued = 1});
    EXPECT_EQ(pool.workers(), workers);
    for (uint64_t round = 0; round < 2; ++round) {
      for (size_t i = 0; i < images.size(); ++i) pool.Submit(round * 100 + i, images[i]);
    }
    std::map<uint64_t, ImageFindings> results;
    for (auto& [tag, findings] : pool.Drain()) {
      EXPECT_TRUE(results.emplace(tag, std::move(findings)).second) << "tag twice: " << tag;
    }
    ASSERT_EQ(results.size(), 2 * images.size());
    for (size_t i = 0; i < images.size(); ++i) {
      ImageFindings expected = reference.Analyze(images[i]);
      for (uint64_t round = 0; round < 2; ++round) {
        const ImageFindings& got = results[round * 100 + i];
        EXPECT_EQ(got.sha256, expected.sha256);
        EXPECT_EQ(got.faces.size(), expected.faces.size());
        EXPECT_EQ(got.decode_error, expected.decode_error);
        EXPECT_EQ(got.metadata.gps.has_value(), expected.metadata.gps.has_value());
      }
    }
    EXPECT_TRUE(pool.TakeFinished().empty());
  }
}

}  // namespace
}  // namespace scrapewatch::detectors
