// What an audit tells the person (or cron job) that started it.
//
// Results go to standard output, one block per site, unless --quiet.
// Everything else — errors, warnings, notices such as "resuming run X" —
// goes to standard error as log lines: "scrapewatch: <site>: <message>"
// with --log-format text, or one JSON object per line with --log-format json
// ({"time","level","event","site","message"}), which log collectors read.
// A progress line is drawn on standard error only when it is a terminal,
// and never with --quiet, NO_COLOR set, or JSON logs.
//
// Thread safety: every method may be called from any thread; lines are never
// interleaved.
#ifndef SCRAPEWATCH_TOOLS_SCRAPEWATCH_CONSOLE_H_
#define SCRAPEWATCH_TOOLS_SCRAPEWATCH_CONSOLE_H_

#include <mutex>
#include <string>

namespace scrapewatch::cli {

struct ConsoleOptions {
  bool quiet = false;
  bool json_logs = false;
};

class Console {
 public:
  explicit Console(const ConsoleOptions& options);

  // A site's result block, on standard output (not with --quiet).
  void Result(const std::string& text);
  // level: "error", "warning" or "info"; info lines are dropped with --quiet.
  void Log(const std::string& level, const std::string& event, const std::string& site,
           const std::string& message);
  // "[done/total sites] text", redrawn in place; a no-op off a terminal.
  void Progress(int done, int total, const std::string& text);

 private:
  void ClearProgress();  // with mutex_ held

  ConsoleOptions options_;
  bool progress_enabled_;
  bool progress_shown_ = false;
  std::mutex mutex_;
};

}  // namespace scrapewatch::cli

#endif  // SCRAPEWATCH_TOOLS_SCRAPEWATCH_CONSOLE_H_
