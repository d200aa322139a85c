// Word shingles: every run of k consecutive words, hashed to 64 bits.
//
// A shingle's hash is made from its k word hashes (ShingleHash below), so each word's bytes are
// hashed once no matter how many shingles contain it. A text with fewer than k words (but at
// least one) yields one shingle of all its words.
// Thread-safety: pure functions.
#ifndef DEDUP_TEXT_SHINGLE_H_
#define DEDUP_TEXT_SHINGLE_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dedup/base/hash.h"

namespace dedup {

// How a shingle's word hashes w[0..k-1] become its hash.
enum class ShingleHash {
  // XXH3-64 over the k word hashes as 8k bytes (little-endian): signature version 1, the lead
  // shingles (LeadShingles) and the exact shingle sets of the eval tool.
  kXxh3,
  // rotl(w[0], 21(k-1)) ^ ... ^ rotl(w[k-2], 21) ^ w[k-1]: signature version 3, whose sketch
  // mixes every shingle hash through fmix64 before use. The word hashes are XXH3 values, so
  // this linear fold keeps distinct shingles distinct (two collide with probability 2^-64: the
  // rotations by 21j mod 64, j < 64, are all different) at a few instructions a shingle instead
  // of XXH3's ~25 (-6% of file mode's instructions an article, docs/BENCHMARKS.md).
  kFold,
};

// The hash of the shingle w[0..k-1]. REQUIRES: k >= 1.
inline uint64_t HashShingle(const uint64_t* w, size_t k, ShingleHash kind) {
  if (kind == ShingleHash::kXxh3) return Hash64(w, k * sizeof(uint64_t));
  uint64_t h = w[0];
  for (size_t i = 1; i < k; ++i) h = std::rotl(h, 21) ^ w[i];
  return h;
}

// The shingle set, sorted and free of repeats (for set operations). REQUIRES: k >= 1.
// Replaces the contents of `out`.
void ShingleSet(std::span<const uint64_t> word_hashes, int k, ShingleHash kind,
                std::vector<uint64_t>& out);

// The same shingles, each once, in order of first occurrence (no sort: deduplicated through a
// hash table). What MinHash needs. REQUIRES: k >= 1. Replaces the contents of `out`.
void DistinctShingles(std::span<const uint64_t> word_hashes, int k, ShingleHash kind,
                      std::vector<uint64_t>& out);

// The article's lead: 16-bit hashes of its first (up to) kLeadShingles shingles in text order,
// sorted. A truncated copy keeps the lead of its story; a story glued under another does not
// share that page's lead. Returns the number of values written to `out`.
inline constexpr int kLeadShingles = 24;
int LeadShingles(std::span<const uint64_t> word_hashes, int k, uint16_t* out);

// Hash of one word's bytes, as used in Document::word_hashes.
inline uint64_t HashWord(std::string_view word) { return Hash64(word.data(), word.size()); }

}  // namespace dedup

#endif  // DEDUP_TEXT_SHINGLE_H_
