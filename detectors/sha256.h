// SHA-256 of bytes, as lower-case hex: the identity of fetched bodies in the
// store and in evidence bundles. Thread safety: pure function.
#ifndef SCRAPEWATCH_DETECTORS_SHA256_H_
#define SCRAPEWATCH_DETECTORS_SHA256_H_

#include <string>
#include <string_view>

namespace scrapewatch::detectors {

std::string Sha256Hex(std::string_view bytes);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_SHA256_H_
