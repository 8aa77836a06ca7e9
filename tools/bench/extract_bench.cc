// scrapewatch_extract_bench: single-thread throughput of HTML extraction
// (crawler::ExtractPage), for tools/bench/extract.
//
//   scrapewatch_extract_bench time [--repeat R] [--rounds K] FILE_OR_DIR...
//   scrapewatch_extract_bench hostile FILE_OR_DIR...
//
// `time` reads every *.html file given (directories are searched, not
// recursively) into memory, then runs R passes; a pass extracts every page K
// times, one after the other, on this thread. It prints one line of
// key=value pairs: the pages and bytes of one round, the best and the median
// pass in seconds, and from the best pass the throughput in MB/s (10^6 bytes
// of HTML per second) and pages/s. The best pass is the figure to quote:
// other load on the machine only ever adds time. Pages are extracted as
// fetched from http://fakehost/test/page.html, the corpus oracle's page URL.
//
// `hostile` times pages built to be slow, one line each: a 10 MB page of real
// markup (the corpus pages given, concatenated), a 12 MB one (cut to the
// 10 MB limit), and nesting bombs, with the nesting limit and without it
// (max_nesting_depth raised out of the way; only for sizes Gumbo survives in
// seconds). Each line gives the seconds, the images found and the warnings.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "crawler/html_extractor.h"

namespace {

namespace fs = std::filesystem;
namespace sc = scrapewatch::crawler;

constexpr char kPageUrl[] = "http://fakehost/test/page.html";

struct Page {
  std::string name;
  std::string html;
};

std::vector<Page> ReadPages(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& path : paths) {
    if (fs::is_directory(path)) {
      for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
        if (entry.path().extension() == ".html") files.push_back(entry.path());
      }
    } else {
      files.emplace_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Page> pages;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    pages.push_back({file.filename().string(),
                     std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
  }
  return pages;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Extracts `html` and returns the seconds it took; the result goes to `out`.
double TimeExtract(std::string_view html, const sc::ExtractOptions& options, sc::ExtractedPage& out) {
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<sc::ExtractedPage> page = sc::ExtractPage(html, kPageUrl, options);
  double seconds = Seconds(std::chrono::steady_clock::now() - start);
  out = page.ok() ? *std::move(page) : sc::ExtractedPage{};
  return seconds;
}

int RunTime(const std::vector<std::string>& paths, int repeat, int rounds) {
  std::vector<Page> pages = ReadPages(paths);
  if (pages.empty()) {
    std::fprintf(stderr, "no .html files in the paths given\n");
    return 1;
  }
  size_t bytes = 0;
  for (const Page& page : pages) bytes += page.html.size();
  std::vector<double> passes;
  size_t images = 0;
  for (int pass = 0; pass < repeat; ++pass) {
    auto start = std::chrono::steady_clock::now();
    images = 0;
    for (int round = 0; round < rounds; ++round) {
      for (const Page& page : pages) {
        absl::StatusOr<sc::ExtractedPage> extracted = sc::ExtractPage(page.html, kPageUrl);
        if (extracted.ok()) images += extracted->images.size();
      }
    }
    passes.push_back(Seconds(std::chrono::steady_clock::now() - start));
  }
  std::sort(passes.begin(), passes.end());
  double best = passes.front();
  double work_bytes = static_cast<double>(bytes) * rounds;
  double work_pages = static_cast<double>(pages.size()) * rounds;
  std::printf(
      "pages=%zu bytes=%zu images=%zu rounds=%d passes=%d best_s=%.4f median_s=%.4f "
      "mb_per_s=%.2f pages_per_s=%.1f\n",
      pages.size(), bytes, images / rounds, rounds, repeat, best, passes[passes.size() / 2],
      work_bytes / best / 1e6, work_pages / best);
  return 0;
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// Real markup of about `size` bytes: the corpus pages, repeated as needed.
std::string RealMarkup(const std::vector<Page>& pages, size_t size) {
  std::string html;
  while (html.size() < size) {
    for (const Page& page : pages) {
      html += page.html;
      if (html.size() >= size) break;
    }
  }
  html.resize(size);
  return html;
}

void ReportHostile(const char* label, std::string_view html, const sc::ExtractOptions& options) {
  sc::ExtractedPage page;
  double seconds = TimeExtract(html, options, page);
  std::printf("%-40s bytes=%-9zu seconds=%.3f images=%zu warnings=%zu%s%s\n", label, html.size(),
              seconds, page.images.size(), page.warnings.size(),
              page.warnings.empty() ? "" : " first: ",
              page.warnings.empty() ? "" : page.warnings.front().substr(0, 60).c_str());
}

int RunHostile(const std::vector<std::string>& paths) {
  std::vector<Page> pages = ReadPages(paths);
  if (pages.empty()) {
    std::fprintf(stderr, "no .html files in the paths given\n");
    return 1;
  }
  sc::ExtractOptions limited;
  sc::ExtractOptions unlimited;
  unlimited.max_nesting_depth = std::numeric_limits<size_t>::max();
  ReportHostile("real markup, 10 MB", RealMarkup(pages, size_t{10} << 20), limited);
  ReportHostile("real markup, 12 MB (cut to 10 MB)", RealMarkup(pages, size_t{12} << 20), limited);
  const std::string divs_20k = Repeat("<div>", 20000) + "<img src=a.jpg>";
  const std::string divs_1m = Repeat("<div>", 1000000) + "<img src=a.jpg>";
  const std::string formatting_20k = Repeat("<i><b>x", 20000);
  const std::string reopened_3k = [] {
    std::string html;
    for (int i = 0; i < 3000; ++i) html += "<div><b id=" + std::to_string(i) + ">x</div>";
    return html;
  }();
  ReportHostile("20,000 nested <div>", divs_20k, limited);
  ReportHostile("20,000 nested <div>, no limit", divs_20k, unlimited);
  ReportHostile("1,000,000 nested <div>", divs_1m, limited);
  ReportHostile("20,000 x <i><b>x", formatting_20k, limited);
  ReportHostile("3,000 x <div><b id=N>x</div>", reopened_3k, limited);
  ReportHostile("3,000 x <div><b id=N>x</div>, no limit", reopened_3k, unlimited);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Single-thread throughput of scrapewatch's HTML extraction");
  app.require_subcommand(1);
  std::vector<std::string> paths;
  int repeat = 5;
  int rounds = 1;
  CLI::App* time = app.add_subcommand("time", "extract every page, R passes of K rounds");
  time->add_option("--repeat", repeat, "passes; the best is reported")->check(CLI::PositiveNumber);
  time->add_option("--rounds", rounds, "rounds over the pages per pass")->check(CLI::PositiveNumber);
  time->add_option("paths", paths, "HTML files or directories of them")->required();
  CLI::App* hostile = app.add_subcommand("hostile", "time pages built to be slow");
  hostile->add_option("paths", paths, "HTML files or directories to build real markup from")
      ->required();
  CLI11_PARSE(app, argc, argv);
  return time->parsed() ? RunTime(paths, repeat, rounds) : RunHostile(paths);
}
