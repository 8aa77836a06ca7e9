#include "tools/scrapewatch/console.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/record_codec.h"

namespace scrapewatch::cli {

Console::Console(const ConsoleOptions& options)
    : options_(options),
      progress_enabled_(!options.quiet && !options.json_logs && isatty(STDERR_FILENO) == 1 &&
                        std::getenv("NO_COLOR") == nullptr) {}

void Console::ClearProgress() {
  if (!progress_shown_) return;
  std::cerr << "\r\033[K" << std::flush;
  progress_shown_ = false;
}

void Console::Result(const std::string& text) {
  if (options_.quiet) return;
  std::lock_guard<std::mutex> lock(mutex_);
  ClearProgress();
  std::cout << text << std::flush;
}

void Console::Log(const std::string& level, const std::string& event, const std::string& site,
                  const std::string& message) {
  if (options_.quiet && level == "info") return;
  std::string line;
  if (options_.json_logs) {
    line = nlohmann::json{{"time", store::FormatTimestamp(absl::Now())},
                          {"level", level},
                          {"event", event},
                          {"site", site},
                          {"message", message}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = absl::StrCat("scrapewatch: ", site.empty() ? "" : site + ": ",
                        level == "info" ? "" : level + ": ", message);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ClearProgress();
  std::cerr << line << "\n" << std::flush;
}

void Console::Progress(int done, int total, const std::string& text) {
  if (!progress_enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::cerr << "\r\033[K[" << done << "/" << total << " sites] " << text.substr(0, 70)
            << std::flush;
  progress_shown_ = true;
}

}  // namespace scrapewatch::cli
