// The body of libscrapewatch-analysis.so: the detectors behind the
// AnalysisModule interface (see analysis_module.h for why it is a module).
#include "detectors/analysis_module.h"
#include "detectors/analysis_pool.h"

namespace scrapewatch::detectors {
namespace {

class Detectors : public AnalysisModule {
 public:
  absl::Status CheckConfig(const DetectConfig& config) override {
    if (absl::Status faces = MakeFaceDetector(config).status(); !faces.ok()) return faces;
    return MakeAgeEstimator(config).status();
  }

  std::unique_ptr<ImageAnalysisPool> NewPool(const AnalysisPoolOptions& options) override {
    return std::make_unique<AnalysisPool>(options);
  }

  ImageFindings Analyze(std::string_view bytes, const DetectConfig& config,
                        int64_t max_image_bytes) override {
    return ImageAnalyzer(config, max_image_bytes).Analyze(bytes);
  }
};

}  // namespace
}  // namespace scrapewatch::detectors

extern "C" __attribute__((visibility("default"))) scrapewatch::detectors::AnalysisModule*
scrapewatch_analysis_module_v1() {
  static auto* module = new scrapewatch::detectors::Detectors;
  return module;
}
