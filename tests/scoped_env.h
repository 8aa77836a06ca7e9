// Sets an environment variable for one test and puts back what was there
// (or its absence) when the test's scope ends, whatever assertion fails.
// Tests of the data-file search (detectors/data_files.h) point
// XDG_DATA_HOME at a folder of their own with it.
#ifndef SCRAPEWATCH_TESTS_SCOPED_ENV_H_
#define SCRAPEWATCH_TESTS_SCOPED_ENV_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace scrapewatch::testing {

class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* saved = std::getenv(name_.c_str())) saved_ = saved;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (saved_) {
      ::setenv(name_.c_str(), saved_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

}  // namespace scrapewatch::testing

#endif  // SCRAPEWATCH_TESTS_SCOPED_ENV_H_
