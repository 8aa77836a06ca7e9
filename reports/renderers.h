// The per-format renderers behind Render() (internal to reports/).
#ifndef SCRAPEWATCH_REPORTS_RENDERERS_H_
#define SCRAPEWATCH_REPORTS_RENDERERS_H_

#include <string>

#include "reports/exposure.h"

namespace scrapewatch::reports {

// "data:image/jpeg;base64,..." of the image's thumbnail; "" when it has none.
std::string ThumbnailDataUri(const detectors::ImageFindings& findings);

std::string RenderJson(const SiteExposure& exposure);
std::string RenderHtml(const SiteExposure& exposure);
std::string RenderCsv(const SiteExposure& exposure);
std::string RenderMarkdown(const SiteExposure& exposure);

}  // namespace scrapewatch::reports

#endif  // SCRAPEWATCH_REPORTS_RENDERERS_H_
