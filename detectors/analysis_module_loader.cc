#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "detectors/analysis_module.h"
#include "detectors/data_files.h"

namespace scrapewatch::detectors {
namespace {

constexpr char kModuleFile[] = "libscrapewatch-analysis.so";


std::vector<std::string> Candidates() {
  if (const char* chosen = std::getenv("SCRAPEWATCH_ANALYSIS_MODULE"); chosen && *chosen) {
    return {chosen};
  }
  std::string directory = ExecutableDirectory();
  return {absl::StrCat(directory, "/", kModuleFile),
          absl::StrCat(directory, "/", SCRAPEWATCH_MODULE_INSTALL_DIR, "/", kModuleFile)};
}

absl::StatusOr<AnalysisModule*> Load() {
  std::vector<std::string> failures;
  for (const std::string& path : Candidates()) {
    if (access(path.c_str(), R_OK) != 0) {
      failures.push_back(absl::StrCat(path, " (absent)"));
      continue;
    }
    // Never unloaded: the module's objects live as long as the process.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      failures.push_back(absl::StrCat(path, " (", dlerror(), ")"));
      continue;
    }
    using EntryPoint = AnalysisModule* (*)();
    auto entry = reinterpret_cast<EntryPoint>(dlsym(handle, kAnalysisModuleEntryPoint));
    if (entry == nullptr) {
      failures.push_back(absl::StrCat(path, " (no ", kAnalysisModuleEntryPoint, ")"));
      continue;
    }
    return entry();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot load the image analysis module: ", absl::StrJoin(failures, "; ")));
}

}  // namespace

absl::StatusOr<AnalysisModule*> LoadAnalysisModule() {
  static const absl::StatusOr<AnalysisModule*>* module = new absl::StatusOr<AnalysisModule*>(Load());
  return *module;
}

}  // namespace scrapewatch::detectors
