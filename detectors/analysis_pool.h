// Image analysis on a fixed pool of worker threads.
//
// The crawl thread hands over image bytes with Submit(); each worker owns an
// ImageAnalyzer (one decode per image, shared by every detector) and returns
// ImageFindings tagged with the caller's id. The queue is bounded: Submit()
// blocks while it is full, which slows the crawl down to the speed of analysis
// instead of letting fetched bytes pile up in memory.
//
// Thread safety: Submit, TakeFinished and Drain are called from one thread
// (the crawl thread); the workers are internal.
#ifndef SCRAPEWATCH_DETECTORS_ANALYSIS_POOL_H_
#define SCRAPEWATCH_DETECTORS_ANALYSIS_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "detectors/analysis_module.h"
#include "detectors/image_analyzer.h"

namespace scrapewatch::detectors {

class AnalysisPool : public ImageAnalysisPool {
 public:
  explicit AnalysisPool(const AnalysisPoolOptions& options);
  // Finishes the queued work, then stops the workers.
  ~AnalysisPool() override;
  AnalysisPool(const AnalysisPool&) = delete;
  AnalysisPool& operator=(const AnalysisPool&) = delete;

  // Queues `bytes` for analysis; blocks while the queue is full.
  void Submit(uint64_t tag, std::string bytes) override;
  // Analyses finished so far, without waiting.
  Finished TakeFinished() override;
  // Waits for every submitted image and returns the rest of the results.
  Finished Drain() override;

  int workers() const { return static_cast<int>(threads_.size()); }

 private:
  void Work(ImageAnalyzer analyzer);

  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable work_ready_;   // a job was queued, or stopping
  std::condition_variable space_ready_;  // a job was taken, or a result is in
  std::deque<std::pair<uint64_t, std::string>> queue_;
  Finished finished_;
  size_t in_progress_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_ANALYSIS_POOL_H_
