// Fuzzes ReadImageMetadata (detectors/metadata.h): Exiv2 parsing the raw bytes
// of every image a crawled site serves, the parser most exposed to hostile
// input. Besides crashes, leaks and hangs, it checks the header's promises:
// errors are InvalidArgument, text fields are valid UTF-8, and an implausible
// GPS fix says why.
//
// Exiv2 itself is the Debian build, not instrumented, so coverage feedback
// comes from metadata.cc only; the seeds (the shared exif/ corpus) carry the
// format variety.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "detectors/metadata.h"
#include "fuzz/fuzz_checks.h"

using scrapewatch::detectors::ImageMetadata;
using scrapewatch::fuzz::IsValidUtf8;
using scrapewatch::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::StatusOr<ImageMetadata> metadata = scrapewatch::detectors::ReadImageMetadata(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!metadata.ok()) {
    Require(absl::IsInvalidArgument(metadata.status()), "errors are InvalidArgument");
    return 0;
  }
  for (const std::string* text :
       {&metadata->make, &metadata->model, &metadata->datetime_original,
        &metadata->body_serial_number, &metadata->artist, &metadata->copyright,
        &metadata->owner_name, &metadata->city, &metadata->sublocation, &metadata->state,
        &metadata->country}) {
    Require(IsValidUtf8(*text), "text fields are valid UTF-8");
  }
  if (metadata->gps) {
    Require(metadata->gps->valid == metadata->gps->invalid_reason.empty(),
            "a GPS fix is invalid exactly when it has a reason");
  }
  Require(metadata->pixel_width >= 0 && metadata->pixel_height >= 0,
          "declared pixel sizes are not negative");
  return 0;
}
