// Where scrapewatch finds the data files it does not build in: face and age
// models, lexicons. One search for all of them, so a file installed in one
// standard place is found by every component the same way.
//
// Thread safety: pure functions of the environment and the file system.
#ifndef SCRAPEWATCH_DETECTORS_DATA_FILES_H_
#define SCRAPEWATCH_DETECTORS_DATA_FILES_H_

#include <string>
#include <vector>

namespace scrapewatch::detectors {

// Directory of the running executable; "" when /proc/self/exe is unreadable.
std::string ExecutableDirectory();

// The first regular file among: `explicit_path` (when not empty), then
// <dir>/scrapewatch/<relative> for dir in $XDG_DATA_HOME (unset or empty:
// $HOME/.local/share), /usr/local/share and /usr/share, then `extra` paths
// in order. "" when none exists.
std::string FindDataFile(const std::string& explicit_path, const std::string& relative,
                         const std::vector<std::string>& extra = {});

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_DATA_FILES_H_
