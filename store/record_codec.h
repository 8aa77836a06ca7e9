// JSON encoding of store records (internal to store/). Decoding checks the
// schema version and the presence and types of fields, returning
// DataLossError naming the problem for anything unexpected.
#ifndef SCRAPEWATCH_STORE_RECORD_CODEC_H_
#define SCRAPEWATCH_STORE_RECORD_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "store/records.h"

namespace scrapewatch::store {

std::string EncodeRun(const RunRecord& run);
std::string EncodePage(const PageRecord& page);
std::string EncodeImage(const ImageRecord& image);  // without findings
std::string EncodeFindings(const detectors::ImageFindings& findings);
std::string EncodeRobots(const RobotsRecord& robots);
std::string EncodeResource(const ResourceRecord& sitemap);
std::string EncodeBatch(const BatchRecord& batch);

absl::StatusOr<RunRecord> DecodeRun(const std::string& value);
absl::StatusOr<PageRecord> DecodePage(const std::string& value);
absl::StatusOr<ImageRecord> DecodeImage(const std::string& value);
absl::StatusOr<detectors::ImageFindings> DecodeFindings(const std::string& value);
absl::StatusOr<RobotsRecord> DecodeRobots(const std::string& value);
absl::StatusOr<ResourceRecord> DecodeResource(const std::string& value);
absl::StatusOr<BatchRecord> DecodeBatch(const std::string& value);

// RFC 3339 UTC with milliseconds, the format used in the store and reports.
std::string FormatTimestamp(absl::Time time);
absl::StatusOr<absl::Time> ParseTimestamp(const std::string& text);

}  // namespace scrapewatch::store

#endif  // SCRAPEWATCH_STORE_RECORD_CODEC_H_
