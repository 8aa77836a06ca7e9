#include "reports/report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "reports/renderers.h"

namespace scrapewatch::reports {

std::string ThumbnailDataUri(const detectors::ImageFindings& findings) {
  if (findings.thumbnail_jpeg.empty()) return "";
  return absl::StrCat("data:image/jpeg;base64,", absl::Base64Escape(findings.thumbnail_jpeg));
}

absl::StatusOr<Format> ParseFormat(const std::string& name) {
  if (name == "json") return Format::kJson;
  if (name == "html") return Format::kHtml;
  if (name == "csv") return Format::kCsv;
  if (name == "md") return Format::kMarkdown;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown report format '", name, "' (expected json, html, csv or md)"));
}

std::string Render(const store::RunContents& contents, Format format,
                   const ReportOptions& options) {
  SiteExposure exposure = BuildExposure(contents, options);
  switch (format) {
    case Format::kJson: return RenderJson(exposure);
    case Format::kHtml: return RenderHtml(exposure);
    case Format::kCsv: return RenderCsv(exposure);
    case Format::kMarkdown: return RenderMarkdown(exposure);
  }
  return {};
}

std::string SiteDirectoryName(const std::string& site) {
  std::string_view rest = site;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  std::string name;
  for (char c : rest) {
    name += absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  }
  // "." and ".." (which libcurl accepts as hosts) would escape the report folder.
  if (name.find_first_not_of('.') == std::string::npos) return "site";
  return name;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::error_code error;
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create directory for '", path, "': ", error.message()));
  }
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write '", temporary, "'"));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename '", temporary, "' to '", path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace scrapewatch::reports
