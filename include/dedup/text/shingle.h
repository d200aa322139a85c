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

// The shingles of a whole text (every line kept), hashed once, ahead of the engine and on any
// thread: the engine drops some lines (boilerplate) and takes the shingles of the lines it keeps
// from these. A shingle inside a run of kept lines is the whole text's; only the (up to) k - 1
// across each gap between two kept runs are new.
struct TextShingles {
  int k = 0;
  std::vector<uint64_t> hashes;    // hashes[i]: words i .. i+k-1 (a text of 1..k words: one,
                                   // of all its words), as DistinctShingles hashes them
  std::vector<uint8_t> repeated;   // 1 where hashes[i] occurs more than once in `hashes`
  size_t distinct = 0;             // distinct values in `hashes`
  std::vector<uint32_t> table;     // open addressing over `hashes`: 1 + index, 0 empty

  bool Contains(uint64_t h) const;
};

// REQUIRES: k >= 1. Reuses out's capacity.
void ShingleText(std::span<const uint64_t> word_hashes, int k, TextShingles& out);

// Words [begin, end) of a text's word hashes.
struct WordRun {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// The shingles of the text's words that `runs` keep (ascending, disjoint, non-empty), i.e. of
// `kept_words` (those runs' word hashes, joined): shingles[p] is the hash of kept words p .. p+k-1
// exactly as DistinctShingles(kept_words) hashes them, repeats included, in that order (a kept
// text of 1..k words: one value), and `distinct` the number of distinct values among them.
// `text` is ShingleText of the whole text with the same k. `shingles` views `text` (every word
// kept) or `scratch`.
struct KeptShingleSet {
  std::span<const uint64_t> shingles;
  size_t distinct = 0;
};
KeptShingleSet KeptShingles(const TextShingles& text, std::span<const uint64_t> kept_words,
                            std::span<const WordRun> runs, std::vector<uint64_t>& scratch);

// LeadShingles from shingle hashes already made: `shingles` are the text's shingles from the
// lead on, in order (REQUIRES: more than k words from the lead on, so each is a k-word one).
int LeadFromShingles(std::span<const uint64_t> shingles, uint16_t* out);

// Hash of one word's bytes, as used in Document::word_hashes.
inline uint64_t HashWord(std::string_view word) { return Hash64(word.data(), word.size()); }

}  // namespace dedup

#endif  // DEDUP_TEXT_SHINGLE_H_
