// Word shingles: every run of k consecutive words, hashed to 64 bits.
//
// A shingle's hash is XXH3-64 over its k word hashes, so each word's bytes are hashed once no
// matter how many shingles contain it. A text with fewer than k words (but at least one) yields
// one shingle of all its words. The output is sorted and free of repeats: a shingle set.
// Thread-safety: pure functions.
#ifndef DEDUP_TEXT_SHINGLE_H_
#define DEDUP_TEXT_SHINGLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dedup/base/hash.h"

namespace dedup {

// REQUIRES: k >= 1. Replaces the contents of `out`.
void ShingleSet(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out);

// The same shingles, each once, in order of first occurrence (no sort: deduplicated through a
// hash table). What MinHash needs; ShingleSet's sorted order is for set operations.
void DistinctShingles(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out);

// The article's lead: 16-bit hashes of its first (up to) kLeadShingles shingles in text order,
// sorted. A truncated copy keeps the lead of its story; a story glued under another does not
// share that page's lead. Returns the number of values written to `out`.
inline constexpr int kLeadShingles = 24;
int LeadShingles(std::span<const uint64_t> word_hashes, int k, uint16_t* out);

// Hash of one word's bytes, as used in Document::word_hashes.
inline uint64_t HashWord(std::string_view word) { return Hash64(word.data(), word.size()); }

}  // namespace dedup

#endif  // DEDUP_TEXT_SHINGLE_H_
