#include "dedup/text/shingle.h"

#include <algorithm>
#include <string_view>
#include <type_traits>

#include "dedup/base/hash.h"

namespace dedup {

namespace {

// Sorts up to kLeadShingles values without a branch on them: each goes to its rank, the number
// of values before it in (value, position) order. std::sort mispredicts on random values:
// ~290 ns for 24 against ~140 here (-O3), about 1% of file mode's time an article.
void SortLead(uint16_t* values, int count) {
  uint16_t in[kLeadShingles];
  std::copy(values, values + count, in);
  for (int i = 0; i < count; ++i) {
    const uint16_t x = in[i];
    int rank = 0;
    for (int j = 0; j < count; ++j) rank += (in[j] < x) | ((in[j] == x) & (j < i));
    values[rank] = x;
  }
}

}  // namespace

int LeadShingles(std::span<const uint64_t> word_hashes, int k, uint16_t* out) {
  const size_t n = word_hashes.size();
  const size_t kk = static_cast<size_t>(k);
  if (n == 0) return 0;
  int count = 0;
  if (n <= kk) {
    const uint64_t h = HashShingle(word_hashes.data(), n, ShingleHash::kXxh3);
    out[count++] = static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
  } else {
    for (size_t i = 0; i + kk <= n && count < kLeadShingles; ++i) {
      const uint64_t h = HashShingle(word_hashes.data() + i, kk, ShingleHash::kXxh3);
      out[count++] = static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
    }
  }
  SortLead(out, count);
  return count;
}

void DistinctShingles(std::span<const uint64_t> word_hashes, int k, ShingleHash kind,
                      std::vector<uint64_t>& out) {
  out.clear();
  const size_t n = word_hashes.size();
  if (n == 0) return;
  const size_t kk = static_cast<size_t>(k);
  if (n <= kk) {
    out.push_back(HashShingle(word_hashes.data(), n, kind));
    return;
  }
  const size_t m = n - kk + 1;
  // At most one slot in 8 used: whether a shingle's first slot is taken is a branch the
  // predictor cannot learn, so fewer taken slots mean fewer mispredictions (at most half used:
  // 2.3 us more an article on varied text, engine_bench BM_AnalyzeAndShingle/2).
  size_t cap = 64;
  while (cap < 8 * m) cap *= 2;
  // Open addressing over positions in `out` (1 + the index; 0 marks an empty slot): 4 bytes a
  // slot instead of the 8 of a hash, so the table of a long article stays in the L1 cache
  // (16 KiB for 500 shingles).
  thread_local std::vector<uint32_t> table;
  table.assign(cap, 0);
  // Written through a local pointer and count: push_back would load and store the vector's end
  // through memory for every shingle, a dependency from one shingle to the next.
  out.resize(m);
  const auto run = [&](auto shingle_hash) {
    uint64_t* const o = out.data();
    uint32_t* const t = table.data();
    uint32_t count = 0;
    for (size_t i = 0; i < m; ++i) {
      const uint64_t h = shingle_hash(word_hashes.data() + i);
      size_t s = static_cast<size_t>(h >> 32) & (cap - 1);
      while (t[s] != 0 && o[t[s] - 1] != h) s = (s + 1) & (cap - 1);
      if (t[s] != 0) continue;
      o[count++] = h;
      t[s] = count;
    }
    out.resize(count);
  };
  // The usual shingle lengths with the length known at compile time (XXH3 then goes straight
  // to its code for that length; the fold is unrolled).
  const auto with_kind = [&](auto length) {
    if (kind == ShingleHash::kXxh3) {
      return run([length](const uint64_t* w) {
        return HashShingle(w, length, ShingleHash::kXxh3);
      });
    }
    return run(
        [length](const uint64_t* w) { return HashShingle(w, length, ShingleHash::kFold); });
  };
  switch (kk) {
    case 3: return with_kind(std::integral_constant<size_t, 3>{});
    case 5: return with_kind(std::integral_constant<size_t, 5>{});
    default: return with_kind(kk);
  }
}

void ShingleSet(std::span<const uint64_t> word_hashes, int k, ShingleHash kind,
                std::vector<uint64_t>& out) {
  DistinctShingles(word_hashes, k, kind, out);
  std::sort(out.begin(), out.end());
}

}  // namespace dedup
