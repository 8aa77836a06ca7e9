// Reading what a scraper learns about a photo without looking at its pixels:
// where it was taken (GPS), with what camera, when, and by whom.
//
// Input is the raw bytes of a downloaded image: JPEG, TIFF, PNG (eXIf chunk),
// WebP (EXIF chunk, tolerating a stray "Exif\0\0" prefix) or HEIC/HEIF/AVIF.
// The format is sniffed from the content, never from a file name. Parsing is
// done by Exiv2, reading straight from `image_bytes` without a copy.
//
// GPS comes from the EXIF GPS IFD; when that lacks a numeric latitude and
// longitude, from XMP exif:GPSLatitude/GPSLongitude. Implausible fixes, such as
// the (0,0) "null island" placeholder or a latitude beyond 90 degrees, are still
// reported, with `valid` false: the raw value is evidence of what leaked.
// Text fields are trimmed, cut at the first NUL, and made valid UTF-8 by
// replacing each stray byte with '?', so they are safe to put in a report.
//
// Errors: never throws. Bytes that are no supported image, or whose metadata
// Exiv2 cannot parse (truncated, fuzzed), yield InvalidArgumentError with the
// reason; so do images declaring hundreds of XML namespaces, which Exiv2
// would take quadratic time over. An image that simply carries no metadata
// yields an empty result.
//
// Thread safety: safe to call from any thread, but calls run one at a time:
// Exiv2 0.27 loses XMP when two threads decode it at once (see metadata.cc).
// A read typically takes under a millisecond (Exiv2 skips the pixels). The
// first call sets Exiv2 up process-wide: logging to stderr muted, XMP toolkit
// initialised, ISO BMFF (HEIF/AVIF) reader enabled; each call resets Exiv2's
// XMP namespace tables. Other code must not use Exiv2 concurrently.
#ifndef SCRAPEWATCH_DETECTORS_METADATA_H_
#define SCRAPEWATCH_DETECTORS_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace scrapewatch::detectors {

struct GeoLocation {
  double latitude = 0, longitude = 0;  // signed decimal degrees, S and W negative
  std::optional<double> altitude_m;    // negative below sea level (GPSAltitudeRef=1)
  bool valid = false;           // false for (0,0) and for |lat|>90 or |lon|>180
  std::string invalid_reason;   // when !valid
  std::string source;           // "exif", "xmp" or "exif+xmp": which carried lat and lon
  std::string gps_timestamp;    // "YYYY:MM:DD HH:MM:SS" UTC from the EXIF GPS IFD, else empty
};

struct ImageMetadata {
  std::optional<GeoLocation> gps;  // nullopt unless a numeric latitude AND longitude exist
  // EXIF first, then XMP (and IPTC for artist and copyright). Empty when absent.
  std::string make, model, datetime_original, body_serial_number, artist, copyright,
      owner_name;
  // Textual location: IPTC, else XMP photoshop / Iptc4xmpCore.
  std::string city, sublocation, state, country;
  // Size the container declares, for checking before decoding pixels; 0 if unknown.
  int64_t pixel_width = 0, pixel_height = 0;
};

// See the header comment for the formats, the sources and the errors.
absl::StatusOr<ImageMetadata> ReadImageMetadata(std::string_view image_bytes);

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_METADATA_H_
