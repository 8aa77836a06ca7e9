#include "detectors/near_duplicates.h"

#include <bit>
#include <cstdint>
#include <map>
#include <numeric>

#include "absl/strings/numbers.h"

namespace scrapewatch::detectors {
namespace {

bool ParseHash(const std::string& hex, uint64_t* value) {
  return hex.size() == 16 && absl::SimpleHexAtoi(hex, value);
}

// Union-find with path halving; groups are small and few.
int Find(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

int HammingDistance(const std::string& a, const std::string& b) {
  uint64_t x = 0, y = 0;
  if (!ParseHash(a, &x) || !ParseHash(b, &y)) return 64;
  return std::popcount(x ^ y);
}

std::vector<int> GroupNearDuplicates(const std::vector<HashedImage>& images, int max_distance) {
  int n = static_cast<int>(images.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<uint64_t> hashes(n);
  std::vector<bool> hashed(n);
  for (int i = 0; i < n; ++i) hashed[i] = ParseHash(images[i].phash, &hashes[i]);
  std::map<std::string, int> by_sha256;
  for (int i = 0; i < n; ++i) {
    auto [it, inserted] = by_sha256.emplace(images[i].sha256, i);
    if (!inserted && !images[i].sha256.empty()) parent[Find(parent, i)] = Find(parent, it->second);
    if (!hashed[i]) continue;
    for (int j = 0; j < i; ++j) {
      if (hashed[j] && std::popcount(hashes[i] ^ hashes[j]) <= max_distance) {
        parent[Find(parent, i)] = Find(parent, j);
      }
    }
  }
  std::vector<int> groups(n);
  std::map<int, int> numbering;
  for (int i = 0; i < n; ++i) {
    groups[i] = numbering.emplace(Find(parent, i), static_cast<int>(numbering.size())).first->second;
  }
  return groups;
}

}  // namespace scrapewatch::detectors
