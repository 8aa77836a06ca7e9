// Small thumbnails for reports, blurred unless asked otherwise.
//
// A report must let a site owner recognise which photo a finding is about
// without itself republishing identifiable faces: the default thumbnail is
// at most 160 px on its long side and blurred so strongly (Gaussian, sigma
// = long side / 16) that faces cannot be recognised, but the scene can.
// "clear" keeps it sharp, for an owner auditing their own photos.
//
// Thread safety: pure function. The result is JPEG bytes ("" if encoding failed).
#ifndef SCRAPEWATCH_DETECTORS_THUMBNAIL_H_
#define SCRAPEWATCH_DETECTORS_THUMBNAIL_H_

#include <string>

#include <opencv2/core.hpp>

namespace scrapewatch::detectors {

inline constexpr int kThumbnailSide = 160;

std::string MakeThumbnailJpeg(const cv::Mat& bgr, bool blurred);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_THUMBNAIL_H_
