// Perceptual hashes: resized and re-encoded copies of real photos stay within
// kNearDuplicateDistance of the original, distinct photos stay apart, and
// grouping joins exactly the copies. The photos are the shared face corpus
// and its no-face hard negatives (dogs, textures), which are real and varied.
#include "detectors/perceptual_hash.h"

#include <algorithm>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch::detectors {
namespace {

std::vector<cv::Mat> CorpusPhotos() {
  std::vector<std::string> paths;
  for (const char* folder : {"/corpus/faces", "/corpus/faces/no_faces"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SCRAPEWATCH_SHARED_DIR) + folder)) {
      std::string extension = entry.path().extension();
      if (extension == ".jpg" || extension == ".png") paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<cv::Mat> photos;
  for (const std::string& path : paths) photos.push_back(cv::imread(path, cv::IMREAD_COLOR));
  return photos;
}

// The copies a site or CDN typically serves of one photo.
std::vector<cv::Mat> Copies(const cv::Mat& photo) {
  std::vector<cv::Mat> copies;
  for (double scale : {0.25, 0.5, 2.0}) {
    cv::Mat resized;
    cv::resize(photo, resized, cv::Size(), scale, scale, cv::INTER_AREA);
    copies.push_back(resized);
  }
  for (int quality : {30, 95}) {
    std::vector<uint8_t> jpeg;
    cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality});
    copies.push_back(cv::imdecode(jpeg, cv::IMREAD_COLOR));
  }
  std::vector<uint8_t> png;
  cv::imencode(".png", photo, png);
  copies.push_back(cv::imdecode(png, cv::IMREAD_COLOR));
  return copies;
}

TEST(PerceptualHashTest, CopiesStayCloseAndDistinctPhotosApart) {
  std::vector<cv::Mat> photos = CorpusPhotos();
  ASSERT_GE(photos.size(), 30u) << "the shared face corpus is missing";
  std::vector<std::string> hashes;
  int worst_copy = 0;
  for (const cv::Mat& photo : photos) {
    ASSERT_FALSE(photo.empty());
    hashes.push_back(PerceptualHash(photo));
    for (const cv::Mat& copy : Copies(photo)) {
      worst_copy = std::max(worst_copy, HammingDistance(hashes.back(), PerceptualHash(copy)));
    }
  }
  int closest_distinct = 64;
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      closest_distinct = std::min(closest_distinct, HammingDistance(hashes[i], hashes[j]));
    }
  }
  RecordProperty("worst_copy_distance", worst_copy);
  RecordProperty("closest_distinct_distance", closest_distinct);
  std::cout << "pHash distance: copies <= " << worst_copy << ", distinct photos >= "
            << closest_distinct << " (threshold " << kNearDuplicateDistance << ")\n";
  EXPECT_LE(worst_copy, kNearDuplicateDistance);
  EXPECT_GT(closest_distinct, kNearDuplicateDistance);
}

TEST(PerceptualHashTest, HashIsSixteenHexDigits) {
  cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(10, 20, 30));
  EXPECT_THAT(PerceptualHash(grey), ::testing::MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(HammingDistance("0000000000000000", "000000000000000f"), 4);
  EXPECT_EQ(HammingDistance("ffffffffffffffff", "0000000000000000"), 64);
  EXPECT_EQ(HammingDistance("", "0000000000000000"), 64);
  EXPECT_EQ(HammingDistance("not hex at all!!", "0000000000000000"), 64);
}

TEST(PerceptualHashTest, GroupsCopiesAndIdenticalBytesTransitively) {
  std::vector<HashedImage> images = {
      {"sha-a", "ff00ff00ff00ff00"},  // 0
      {"sha-b", "ff00ff00ff00ff01"},  // 1 bit from 0
      {"sha-c", "00ff00ff00ff00ff"},  // far from everything
      {"sha-a", ""},                  // same bytes as 0, undecoded
      {"sha-d", "ff00ff00ff00ff0f"},  // 3 bits from 1, 4 from 0
      {"sha-e", ""},                  // undecoded, unique
  };
  EXPECT_THAT(GroupNearDuplicates(images, 3), ::testing::ElementsAre(0, 0, 1, 0, 0, 2));
  EXPECT_THAT(GroupNearDuplicates(images, 0), ::testing::ElementsAre(0, 1, 2, 0, 3, 4));
}

}  // namespace
}  // namespace scrapewatch::detectors
