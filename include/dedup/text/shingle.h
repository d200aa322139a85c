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
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "dedup/base/hash.h"

namespace dedup {

// How a shingle's word hashes w[0..k-1] become its hash.
enum class ShingleHash {
  // XXH3-64 over the k word hashes as 8k bytes (little-endian): signature version 4, the lead
  // shingles (LeadShingles) and the exact shingle sets of the eval tool.
  kXxh3,
  // rotl(w[0], 21(k-1)) ^ ... ^ rotl(w[k-2], 21) ^ w[k-1]: signature version 5, whose sketch
  // mixes every shingle hash through fmix64 before use. The word hashes are 64-bit hashes, so
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

// Hash of one word's bytes, as used in Document::word_hashes (signature versions 4 and 5). A
// word of n <= 16 bytes: lo and hi are its bytes 0-7 and 8-15 as little-endian integers (zero
// past the end), and with K0 = 0x1CAD21F72C81017C, K1 = 0xDB979083E96DD4DE (XXH3's first secret
// words) and all arithmetic mod 2^64,
//     m = (lo ^ K0) * (hi ^ (K1 + n))   as a 128-bit product,   h = lo64(m) ^ hi64(m),
//     h ^= h >> 37;  h *= 0x165667919E3779F9;  h ^= h >> 32
// (XXH3's 9-16-byte step and its avalanche). A longer word: XXH3-64 of its bytes. Nearly every
// word takes the one fixed path: XXH3's dispatch on the length (1-3, 4-8, 9-16 bytes) varies
// from word to word and so mispredicts, which cost ~15% of file mode's time on wire-dev
// (docs/BENCHMARKS.md).
//
// HashWordPadded(p, len) == HashWord({p, len}) when 16 bytes at `p` may be read (the bytes after
// the word are ignored); the text scan reads words from a zero-padded buffer.
inline uint64_t HashWordPadded(const char* p, size_t len) {
  if (len > 16) [[unlikely]] {
    return Hash64(p, len);
  }
  struct Masks {
    uint64_t lo[17], hi[17];
  };
  static constexpr Masks kMasks = [] {
    Masks m{};
    for (size_t n = 0; n <= 16; ++n) {
      m.lo[n] = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
      m.hi[n] = n <= 8 ? 0 : n == 16 ? ~uint64_t{0} : (uint64_t{1} << (8 * (n - 8))) - 1;
    }
    return m;
  }();
  uint64_t lo, hi;
  std::memcpy(&lo, p, 8);
  std::memcpy(&hi, p + 8, 8);
  lo = (lo & kMasks.lo[len]) ^ 0x1CAD21F72C81017CULL;
  hi = (hi & kMasks.hi[len]) ^ (0xDB979083E96DD4DEULL + len);
  const unsigned __int128 m = static_cast<unsigned __int128>(lo) * hi;
  uint64_t h = static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  h ^= h >> 37;
  h *= 0x165667919E3779F9ULL;
  return h ^ (h >> 32);
}

inline uint64_t HashWord(std::string_view word) {
  if (word.size() > 16) return Hash64(word.data(), word.size());
  char padded[16] = {};
  std::memcpy(padded, word.data(), word.size());
  return HashWordPadded(padded, word.size());
}

}  // namespace dedup

#endif  // DEDUP_TEXT_SHINGLE_H_
