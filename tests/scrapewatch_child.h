// Runs the real scrapewatch binary as a child process and reads back the
// store it wrote: the harness of the end-to-end crawl tests (faults,
// politeness, resume after kill -9).
//
// Contract:
//  - ScrapewatchBinary() is the binary this build made.
//  - ScratchDir creates a fresh directory under the test temp directory and
//    removes it, recursively, when destroyed.
//  - ScrapewatchChild starts the binary with posix_spawn and an argument
//    vector (no shell: arguments reach it exactly as given), stdin from
//    /dev/null, stdout and stderr appended to one log file. A child never
//    outlives its object: the destructor kills (SIGKILL) and reaps it.
//  - RunScrapewatch runs the binary to completion, or kills it at a deadline.
//  - ReadOnlyRun opens a store, which must be free (the child has exited:
//    a store is locked by one process at a time), and reads the site's run,
//    failing unless the site has exactly one.
#ifndef SCRAPEWATCH_TESTS_SCRAPEWATCH_CHILD_H_
#define SCRAPEWATCH_TESTS_SCRAPEWATCH_CHILD_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "store/records.h"
#include "store/store.h"

namespace scrapewatch::test {

inline std::string ScrapewatchBinary() { return SCRAPEWATCH_BINARY_DIR "/tools/scrapewatch"; }

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir();
    if (!pattern.empty() && pattern.back() != '/') pattern += '/';
    pattern += "scrapewatch-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), pattern);
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;  // a leftover temp directory is no reason to fail a test
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// "exit status 0", "killed by signal 9".
inline std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "wait status " + std::to_string(wait_status);
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ScrapewatchChild {
 public:
  // When a kill happened, as the test's steady_clock saw it: just before
  // SIGKILL was sent, and once the child had been reaped (no later request
  // can come from it; the next child is spawned after this).
  struct Killed {
    std::chrono::steady_clock::time_point signalled;
    std::chrono::steady_clock::time_point reaped;
  };

  ScrapewatchChild(const std::vector<std::string>& args, const std::string& log_path) {
    std::vector<std::string> words = {ScrapewatchBinary()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::system_error(error, std::generic_category(), words[0]);
  }

  ~ScrapewatchChild() {
    if (!wait_status_) Kill();
  }

  ScrapewatchChild(const ScrapewatchChild&) = delete;
  ScrapewatchChild& operator=(const ScrapewatchChild&) = delete;

  // The child's wait status once it has ended, or nullopt if it is still
  // running after `timeout`.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!wait_status_) {
      int status = 0;
      rusage usage{};
      if (wait4(pid_, &status, WNOHANG, &usage) == pid_) {
        wait_status_ = status;
        usage_ = usage;
      } else if (std::chrono::steady_clock::now() >= deadline) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    return wait_status_;
  }

  // User and system CPU time the child used; 0 until it has been reaped.
  double cpu_seconds() const {
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage_.ru_utime) + seconds(usage_.ru_stime);
  }

  Killed Kill() {
    Killed killed{.signalled = std::chrono::steady_clock::now()};
    kill(pid_, SIGKILL);
    int status = 0;
    wait4(pid_, &status, 0, &usage_);
    killed.reaped = std::chrono::steady_clock::now();
    wait_status_ = status;
    return killed;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
  rusage usage_{};
};

struct ScrapewatchRun {
  int exit_code = -1;      // -1 unless the child exited by itself
  std::string how;         // "exit status 0", "still running after 25 s, killed", ...
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // user and system time of the child
  std::string output;      // stdout and stderr
};

// Runs `scrapewatch args...` to completion, killing it after `deadline`.
inline ScrapewatchRun RunScrapewatch(const std::vector<std::string>& args,
                                     const std::string& log_path,
                                     std::chrono::seconds deadline) {
  ScrapewatchRun run;
  auto start = std::chrono::steady_clock::now();
  {
    ScrapewatchChild child(args, log_path);
    std::optional<int> status = child.WaitFor(deadline);
    if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
    run.how = status ? DescribeWaitStatus(*status)
                     : "still running after " + std::to_string(deadline.count()) +
                           " s, killed";
    if (!status) child.Kill();
    run.cpu_seconds = child.cpu_seconds();
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.output = ReadWholeFile(log_path);
  return run;
}

// The only run of `site` in the store at `store_dir`, with everything in it.
inline absl::StatusOr<store::RunContents> ReadOnlyRun(const std::string& store_dir,
                                                      const std::string& site) {
  absl::StatusOr<std::unique_ptr<store::Store>> opened = store::Store::Open(store_dir);
  if (!opened.ok()) return opened.status();
  absl::StatusOr<std::vector<store::RunRecord>> runs = (*opened)->ListRuns(site);
  if (!runs.ok()) return runs.status();
  if (runs->size() != 1) {
    std::string ids;
    for (const store::RunRecord& run : *runs) ids += " " + run.id;
    return absl::FailedPreconditionError("site " + site + " has " + std::to_string(runs->size()) +
                                         " runs, not one:" + ids);
  }
  return (*opened)->ReadRun(site, runs->front().id);
}

inline const store::PageRecord* FindPage(const store::RunContents& run, const std::string& url) {
  for (const store::PageRecord& page : run.pages) {
    if (page.fetch.url == url) return &page;
  }
  return nullptr;
}

inline const store::ImageRecord* FindImage(const store::RunContents& run, const std::string& url) {
  for (const store::ImageRecord& image : run.images) {
    if (image.fetch.url == url) return &image;
  }
  return nullptr;
}

// One line per record, for failure messages.
inline std::string DescribeRecords(const store::RunContents& run) {
  auto line = [](const char* kind, const store::FetchEvidence& fetch, const std::string& skipped) {
    return std::string(kind) + " " + fetch.url + " status=" + std::to_string(fetch.http_status) +
           " bytes=" + std::to_string(fetch.body_bytes) + " error='" + fetch.error +
           "' skipped='" + skipped + "'\n";
  };
  std::string text;
  for (const store::PageRecord& page : run.pages) text += line("page", page.fetch, page.skipped_reason);
  for (const store::ImageRecord& image : run.images) {
    text += line("image", image.fetch, image.skipped_reason);
  }
  return text;
}

}  // namespace scrapewatch::test

#endif  // SCRAPEWATCH_TESTS_SCRAPEWATCH_CHILD_H_
