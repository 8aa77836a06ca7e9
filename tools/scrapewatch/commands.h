// The scrapewatch subcommands. main.cc parses flags into these option structs;
// each Run* function wires the libraries together and returns the process
// exit status (0 success, 1 runtime failure; usage errors never get here).
#ifndef SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_
#define SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_

#include <string>
#include <vector>

#include "config/config.h"

namespace scrapewatch::cli {

// A command-line flag that sets a config key, as one line of TOML
// ("crawl.delay = 0.5"), applied over the config file in command-line order.
struct ConfigOverride {
  std::string flag;  // e.g. "--delay", named in error messages
  std::string toml;
};

struct AuditFlags {
  std::vector<std::string> urls;
  std::string config_file;
  std::vector<ConfigOverride> overrides;
  bool precise_locations = false;
  bool quiet = false;
};
int RunAudit(const AuditFlags& flags);

struct ReportFlags {
  std::string store_dir;
  std::string site;
  std::string run_id;  // empty: the latest run
  std::string format;
  std::string out_file;  // empty: standard output
  bool precise_locations = false;
};
int RunReport(const ReportFlags& flags);

int RunExtract(const std::string& html_file, const std::string& base_url);
int RunInspect(const std::string& image_file);
int RunRobots(const std::string& robots_file, const std::string& user_agent,
              const std::vector<std::string>& urls);

// Reads a whole file; false (with a message on stderr naming it) on failure.
bool ReadFile(const std::string& path, std::string* contents);

}  // namespace scrapewatch::cli

#endif  // SCRAPEWATCH_TOOLS_SCRAPEWATCH_COMMANDS_H_
