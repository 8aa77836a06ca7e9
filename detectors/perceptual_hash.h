// Perceptual hashes of decoded images: a 64-bit DCT hash (OpenCV img_hash's
// PHash: 32x32 grey, DCT, the 8x8 low frequencies against their median) that
// survives resizing and re-compression. Comparing hashes is
// detectors/near_duplicates.h.
//
// Thread safety: pure function.
#ifndef SCRAPEWATCH_DETECTORS_PERCEPTUAL_HASH_H_
#define SCRAPEWATCH_DETECTORS_PERCEPTUAL_HASH_H_

#include <string>

#include <opencv2/core.hpp>

#include "detectors/near_duplicates.h"

namespace scrapewatch::detectors {

// pHash of a decoded image, as 16 lower-case hex digits.
std::string PerceptualHash(const cv::Mat& bgr);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_PERCEPTUAL_HASH_H_
