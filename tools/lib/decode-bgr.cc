// For tools/make-age-fixtures: decodes each image with OpenCV, as
// scrapewatch's decoder does (cv::imdecode, IMREAD_COLOR), and writes its
// pixels raw to OUT_DIR/<file name>.bgr, so face-api in Node.js sees exactly
// the pixels the C++ estimator sees. Prints "<file name> <width> <height>".
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: decode-bgr OUT_DIR IMAGE...\n");
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::vector<char> bytes(std::istreambuf_iterator<char>(in), {});
    cv::Mat bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (bgr.empty() || !bgr.isContinuous()) {
      std::fprintf(stderr, "decode-bgr: cannot decode %s\n", argv[i]);
      return 1;
    }
    std::string name = std::string(argv[i]).substr(std::string(argv[i]).rfind('/') + 1);
    std::ofstream out(std::string(argv[1]) + "/" + name + ".bgr", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bgr.data),
              static_cast<std::streamsize>(bgr.total() * 3));
    std::printf("%s %d %d\n", name.c_str(), bgr.cols, bgr.rows);
  }
  return 0;
}
