// Runs a fuzz target's LLVMFuzzerTestOneInput once on each input file,
// without libFuzzer: how the normal (GCC) build compiles the targets and
// replays their seeds and past crashes in ctest, so a target that no longer
// builds, or an input that breaks a promise its fuzz_checks make, fails CI
// and not only a later fuzzing session.
//
//   <target>_replay PATH...   # files, or folders of them (not recursive)
//
// Exits 1 when no input was found (a missing corpus must not pass); a broken
// promise aborts, as under libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path = argv[i];
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(path)) {
      inputs.push_back(path);
    } else {
      std::cerr << argv[0] << ": no such file or folder: " << path << "\n";
      return 1;
    }
  }
  if (inputs.empty()) {
    std::cerr << argv[0] << ": no inputs\n";
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());
  for (const std::filesystem::path& input : inputs) {
    std::ifstream file(input, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::cerr << input.filename().string() << "\n";
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << inputs.size() << " inputs replayed\n";
  return 0;
}
