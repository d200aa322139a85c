#include "dedup/text/shingle.h"

#include <xxhash.h>

#include <algorithm>
#include <string_view>

namespace dedup {

uint64_t HashWord(std::string_view word) { return XXH3_64bits(word.data(), word.size()); }

void ShingleSet(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out) {
  out.clear();
  const size_t n = word_hashes.size();
  if (n == 0) return;
  const size_t kk = static_cast<size_t>(k);
  if (n <= kk) {
    out.push_back(XXH3_64bits(word_hashes.data(), n * sizeof(uint64_t)));
    return;
  }
  out.reserve(n - kk + 1);
  for (size_t i = 0; i + kk <= n; ++i) {
    out.push_back(XXH3_64bits(word_hashes.data() + i, kk * sizeof(uint64_t)));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace dedup
