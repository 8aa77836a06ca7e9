// `scrapewatch status` and `scrapewatch merge`: looking at and combining
// stores, for unattended and sharded runs.
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crawler/frontier.h"
#include "store/record_codec.h"
#include "store/store.h"
#include "tools/scrapewatch/commands.h"

namespace scrapewatch::cli {

int RunStatus(const std::string& store_dir) {
  absl::StatusOr<std::optional<std::string>> holder = store::Store::LockHolder(store_dir);
  if (!holder.ok()) {
    std::cerr << "scrapewatch: " << holder.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::OpenReadOnly(store_dir);
  if (!store.ok()) {
    std::cerr << "scrapewatch: " << store.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::vector<store::RunRecord>> runs = (*store)->ListRuns("");
  if (!runs.ok()) {
    std::cerr << "scrapewatch: " << runs.status().message() << "\n";
    return 1;
  }
  std::map<std::string, std::vector<const store::RunRecord*>> by_site;
  for (const store::RunRecord& run : *runs) by_site[run.site].push_back(&run);
  std::cout << absl::StrFormat("store %s: %d sites, %d runs; %s\n", store_dir, by_site.size(),
                               runs->size(), holder->value_or("not in use"));
  for (const auto& [site, site_runs] : by_site) {
    const store::RunRecord* last_finished = nullptr;
    for (const store::RunRecord* run : site_runs) {
      if (run->finished_at) last_finished = run;
    }
    std::cout << absl::StrFormat("%s  %d run%s", site, site_runs.size(),
                                 site_runs.size() == 1 ? "" : "s");
    if (last_finished) {
      std::cout << absl::StrFormat("; last finished %s (run %s, %d pages fetched)",
                                   store::FormatTimestamp(*last_finished->finished_at),
                                   last_finished->id, last_finished->pages_fetched);
    }
    std::cout << "\n";
    const store::RunRecord& latest = *site_runs.back();
    if (latest.finished_at) continue;
    std::unique_ptr<crawler::FrontierStorage> frontier = (*store)->Frontier(latest);
    absl::StatusOr<crawler::FrontierCounts> counts = crawler::Frontier::Count(*frontier);
    if (!counts.ok()) {
      std::cerr << "scrapewatch: " << counts.status().message() << "\n";
      return 1;
    }
    // What is already stored for good: pages done, images fetched and analysed.
    int64_t pages = 0, images = 0;
    absl::Status stored = (*store)->VisitPages(latest, [&pages](const store::PageRecord&) { ++pages; });
    if (stored.ok()) {
      stored = (*store)->VisitImages(latest, [&images](const store::ImageRecord&) { ++images; });
    }
    if (!stored.ok()) {
      std::cerr << "scrapewatch: " << stored.message() << "\n";
      return 1;
    }
    std::cout << absl::StrFormat(
        "  unfinished run %s, started %s: %d URLs seen, %d queued, %d in flight; "
        "%d pages and %d images stored (the same audit command resumes it)\n",
        latest.id, store::FormatTimestamp(latest.started_at), counts->seen, counts->queued,
        counts->in_flight, pages, images);
  }
  return 0;
}

int RunMerge(const std::string& into, const std::vector<std::string>& sources) {
  absl::StatusOr<std::unique_ptr<store::Store>> target = store::Store::Open(into);
  if (!target.ok()) {
    std::cerr << "scrapewatch: " << target.status().message() << "\n";
    return 1;
  }
  for (const std::string& source : sources) {
    absl::StatusOr<std::unique_ptr<store::Store>> other = store::Store::OpenReadOnly(source);
    absl::Status merged = other.ok() ? (*target)->MergeFrom(**other) : other.status();
    if (!merged.ok()) {
      std::cerr << "scrapewatch: merging " << source << ": " << merged.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace scrapewatch::cli
