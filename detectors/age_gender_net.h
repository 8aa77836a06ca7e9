// face-api's AgeGenderNet as an OpenCV DNN network, built from a tfjs weights
// manifest and its weights: the part of age_estimator.h that knows the
// architecture and the tfjs file format.
//
// The network takes N x 3 x kAgeGenderInputSize^2 float RGB, already
// normalised, and has two outputs: kAgeOutput (N x 1, years) and
// kGenderOutput (N x 2, logits; index 0 is male, before the softmax face-api
// applies).
//
// The bytes are trusted to be the pinned files (age_estimator.h checks them
// first), but are still read within bounds: any inconsistency between the
// manifest, the weights and the architecture is an InvalidArgument naming
// `manifest_path`.
//
// Thread safety: a pure function; the returned network is used by one thread
// at a time.
#ifndef SCRAPEWATCH_DETECTORS_AGE_GENDER_NET_H_
#define SCRAPEWATCH_DETECTORS_AGE_GENDER_NET_H_

#include <string>

#include <opencv2/dnn.hpp>

#include "absl/status/statusor.h"

namespace scrapewatch::detectors {

inline constexpr int kAgeGenderInputSize = 112;
inline constexpr char kAgeOutput[] = "fc/age";
inline constexpr char kGenderOutput[] = "fc/gender";

// `manifest_json` is the weights manifest's text, `weights` the bytes of its
// one weights file; `manifest_path` only names them in errors.
absl::StatusOr<cv::dnn::Net> BuildAgeGenderNet(const std::string& manifest_path,
                                               const std::string& manifest_json,
                                               const std::string& weights);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_AGE_GENDER_NET_H_
