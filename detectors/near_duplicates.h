// Recognising the same photo across URLs and pages, from hashes alone.
//
// The SHA-256 of the bytes catches exact copies; the 64-bit perceptual hash
// of the pixels (detectors/perceptual_hash.h) survives resizing and
// re-compression. Grouping joins images whose hashes are within
// kNearDuplicateDistance bits, so a report can say "this photo appears on
// these N pages" even when each page serves its own resized copy. Needs no
// image library: reports use it on stored hashes.
//
// Thread safety: pure functions.
#ifndef SCRAPEWATCH_DETECTORS_NEAR_DUPLICATES_H_
#define SCRAPEWATCH_DETECTORS_NEAR_DUPLICATES_H_

#include <string>
#include <vector>

namespace scrapewatch::detectors {

// Hamming distance at or below which two pHashes are the same photo.
// Measured on the 40 photos of ../shared/corpus/faces (people, dogs,
// textures) by tests/perceptual_hash_test.cc: resized (25-200%) and re-encoded
// (JPEG quality 30 and 95, PNG) copies stay within 3 bits of the original;
// distinct photos are 19 or more bits apart. 10 sits between the two.
inline constexpr int kNearDuplicateDistance = 10;

// Bits that differ between two hex pHashes; 64 when either is malformed.
int HammingDistance(const std::string& a, const std::string& b);

struct HashedImage {
  std::string sha256;
  std::string phash;  // empty when the image was not decoded
};

// Group ids, one per input, numbered from 0 in order of first appearance:
// images share a group when their sha256 is equal or their pHashes are within
// `max_distance` bits, transitively.
std::vector<int> GroupNearDuplicates(const std::vector<HashedImage>& images,
                                     int max_distance = kNearDuplicateDistance);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_NEAR_DUPLICATES_H_
