#include "detectors/data_files.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

namespace scrapewatch::detectors {

std::string ExecutableDirectory() {
  char path[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) return "";
  return std::filesystem::path(std::string(path, length)).parent_path().string();
}

std::string FindDataFile(const std::string& explicit_path, const std::string& relative,
                         const std::vector<std::string>& extra) {
  std::vector<std::filesystem::path> candidates;
  if (!explicit_path.empty()) candidates.emplace_back(explicit_path);
  const std::filesystem::path under = std::filesystem::path("scrapewatch") / relative;
  // XDG Base Directory: an unset or empty XDG_DATA_HOME means ~/.local/share.
  const char* data_home = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (data_home != nullptr && *data_home != '\0') {
    candidates.push_back(std::filesystem::path(data_home) / under);
  } else if (home != nullptr && *home != '\0') {
    candidates.push_back(std::filesystem::path(home) / ".local" / "share" / under);
  }
  candidates.push_back(std::filesystem::path("/usr/local/share") / under);
  candidates.push_back(std::filesystem::path("/usr/share") / under);
  for (const std::string& path : extra) candidates.emplace_back(path);
  for (const std::filesystem::path& candidate : candidates) {
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate.string();
  }
  return "";
}

}  // namespace scrapewatch::detectors
