#include "detectors/analysis_pool.h"

#include <algorithm>

namespace scrapewatch::detectors {

AnalysisPool::AnalysisPool(const AnalysisPoolOptions& options) {
  int workers = options.workers > 0
                    ? options.workers
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  max_queued_ = options.max_queued > 0 ? options.max_queued : 2 * static_cast<size_t>(workers);
  for (int i = 0; i < workers; ++i) {
    threads_.emplace_back(&AnalysisPool::Work, this,
                          ImageAnalyzer(options.detect, options.max_image_bytes));
  }
}

AnalysisPool::~AnalysisPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void AnalysisPool::Submit(uint64_t tag, std::string bytes) {
  std::unique_lock<std::mutex> lock(mutex_);
  space_ready_.wait(lock, [this] { return queue_.size() < max_queued_; });
  queue_.emplace_back(tag, std::move(bytes));
  work_ready_.notify_one();
}

AnalysisPool::Finished AnalysisPool::TakeFinished() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(finished_, {});
}

AnalysisPool::Finished AnalysisPool::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  space_ready_.wait(lock, [this] { return queue_.empty() && in_progress_ == 0; });
  return std::exchange(finished_, {});
}

void AnalysisPool::Work(ImageAnalyzer analyzer) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    auto [tag, bytes] = std::move(queue_.front());
    queue_.pop_front();
    ++in_progress_;
    space_ready_.notify_all();
    lock.unlock();
    ImageFindings findings = analyzer.Analyze(bytes);
    lock.lock();
    --in_progress_;
    finished_.emplace_back(tag, std::move(findings));
    space_ready_.notify_all();
  }
}

}  // namespace scrapewatch::detectors
