// Image analysis as a module loaded at run time.
//
// Decoding and detection need OpenCV, dlib, Exiv2 and libheif: some 150
// shared libraries, which cost about 35 MiB of resident memory and a
// noticeable start-up once mapped. The command-line tool therefore links
// only this interface and loads the analysers from the shared module
// libscrapewatch-analysis.so when a command actually analyses images, so a
// crawl with --analysis none, a report or a diff never maps them.
//
// LoadAnalysisModule() looks for the module in $SCRAPEWATCH_ANALYSIS_MODULE
// (a file path) if set, else beside the running executable (the build tree),
// else in ../<libdir>/scrapewatch relative to it (an installed tree).
//
// Thread safety: LoadAnalysisModule may be called from any thread; it loads
// once and returns the same module for the life of the process. A pool is
// used from one thread (see AnalysisPool).
// Errors: a missing or unloadable module is FailedPreconditionError naming
// every path tried and the loader's message.
#ifndef SCRAPEWATCH_DETECTORS_ANALYSIS_MODULE_H_
#define SCRAPEWATCH_DETECTORS_ANALYSIS_MODULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "detectors/image_analyzer.h"

namespace scrapewatch::detectors {

struct AnalysisPoolOptions {
  int workers = 0;        // 0: one per core
  size_t max_queued = 0;  // 0: twice the number of workers
  DetectConfig detect;
  int64_t max_image_bytes = 20 << 20;
};

// Analyses images on worker threads; see detectors/analysis_pool.h.
class ImageAnalysisPool {
 public:
  using Finished = std::vector<std::pair<uint64_t, ImageFindings>>;

  virtual ~ImageAnalysisPool() = default;
  // Queues `bytes` for analysis; blocks while the queue is full.
  virtual void Submit(uint64_t tag, std::string bytes) = 0;
  // Analyses finished so far, without waiting.
  virtual Finished TakeFinished() = 0;
  // Waits for every submitted image and returns the rest of the results.
  virtual Finished Drain() = 0;
};

class AnalysisModule {
 public:
  virtual ~AnalysisModule() = default;
  // Whether the detectors `config` names can run (the face model is there and
  // is the expected file), checked before a crawl makes any request.
  virtual absl::Status CheckConfig(const DetectConfig& config) = 0;
  virtual std::unique_ptr<ImageAnalysisPool> NewPool(const AnalysisPoolOptions& options) = 0;
  // Analyses one image on the calling thread.
  virtual ImageFindings Analyze(std::string_view bytes, const DetectConfig& config,
                                int64_t max_image_bytes) = 0;
};

absl::StatusOr<AnalysisModule*> LoadAnalysisModule();

// The symbol the module exports, returning its process-wide instance.
inline constexpr char kAnalysisModuleEntryPoint[] = "scrapewatch_analysis_module_v1";

}  // namespace scrapewatch::detectors

#endif  // SCRAPEWATCH_DETECTORS_ANALYSIS_MODULE_H_
