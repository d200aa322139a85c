#include "dedup/text/shingle.h"

#include <algorithm>
#include <string_view>

#include "dedup/base/hash.h"

namespace dedup {

int LeadShingles(std::span<const uint64_t> word_hashes, int k, uint16_t* out) {
  const size_t n = word_hashes.size();
  const size_t kk = static_cast<size_t>(k);
  if (n == 0) return 0;
  int count = 0;
  if (n <= kk) {
    const uint64_t h = Hash64(word_hashes.data(), n * sizeof(uint64_t));
    out[count++] = static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
  } else {
    for (size_t i = 0; i + kk <= n && count < kLeadShingles; ++i) {
      const uint64_t h = Hash64(word_hashes.data() + i, kk * sizeof(uint64_t));
      out[count++] = static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
    }
  }
  std::sort(out, out + count);
  return count;
}

void DistinctShingles(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out) {
  out.clear();
  const size_t n = word_hashes.size();
  if (n == 0) return;
  const size_t kk = static_cast<size_t>(k);
  if (n <= kk) {
    out.push_back(Hash64(word_hashes.data(), n * sizeof(uint64_t)));
    return;
  }
  const size_t m = n - kk + 1;
  size_t cap = 64;
  while (cap < 2 * m) cap *= 2;
  // The table is all zeros between calls (0 marks an empty slot; a shingle hash of 0 is tracked
  // apart): a call empties just the slots it filled, not the whole table (which cost more than
  // the lookups when the table was cleared on every call).
  thread_local std::vector<uint64_t> table;
  thread_local std::vector<uint32_t> filled;
  if (table.size() < cap) table.resize(cap, 0);
  filled.clear();
  bool have_zero = false;
  out.reserve(m);
  for (size_t i = 0; i < m; ++i) {
    const uint64_t h = Hash64(word_hashes.data() + i, kk * sizeof(uint64_t));
    if (h == 0) {
      if (!have_zero) out.push_back(0);
      have_zero = true;
      continue;
    }
    size_t s = static_cast<size_t>(h >> 32) & (cap - 1);
    while (table[s] != 0 && table[s] != h) s = (s + 1) & (cap - 1);
    if (table[s] == h) continue;
    table[s] = h;
    filled.push_back(static_cast<uint32_t>(s));
    out.push_back(h);
  }
  for (const uint32_t s : filled) table[s] = 0;
}

void ShingleSet(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out) {
  DistinctShingles(word_hashes, k, out);
  std::sort(out.begin(), out.end());
}

}  // namespace dedup
