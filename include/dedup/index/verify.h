// Verification of an LSH candidate pair from the two signatures and shingle-set sizes.
//
// Jaccard J is estimated from the signatures. Containment is the share of the smaller set that
// lies in the larger one, |A ∩ B| / min(|A|, |B|), with |A ∩ B| = J (|A| + |B|) / (1 + J). A
// truncated reprint is contained in the full story; a page with a second story glued on contains
// the first: both have low J and high containment.
// Thread-safety: pure functions.
#ifndef DEDUP_INDEX_VERIFY_H_
#define DEDUP_INDEX_VERIFY_H_

#include <cstdint>
#include <span>

#include "dedup/config/config.h"
#include "dedup/sketch/number_sketch.h"

namespace dedup {

struct PairScore {
  double jaccard = 0;
  double containment = 0;
  double number_containment = -1;  // -1: not checked (too few numbers on one side)
  bool match = false;
};

// What verification knows of one article.
struct PairSide {
  std::span<const uint16_t> signature;  // low 16 bits of each MinHash value
  uint32_t shingles = 0;
  const NumberSketch* numbers = nullptr;  // may be null: no number check
  std::span<const uint16_t> lead;         // sorted lead shingle hashes; empty: no lead check
};

// How many values the two sorted lead lists share.
int LeadOverlap(std::span<const uint16_t> a, std::span<const uint16_t> b);

// A pair matches when J >= jaccard_threshold, or when containment >= containment_threshold, the
// smaller set has at least min_containment_shingles shingles (a tiny text is "contained" in
// almost anything), J >= min_containment_jaccard (containment derived from fewer agreeing
// signature values is noise), and the two leads share at least min_lead_overlap shingles (a
// truncated copy starts where its story starts; a story glued under another does not); and, when both sides carry at least min_numbers distinct numbers, when the
// smaller number set is contained in the other at least number_containment_threshold.
PairScore ScorePair(const PairSide& a, const PairSide& b, const MatchConfig& config);

}  // namespace dedup

#endif  // DEDUP_INDEX_VERIFY_H_
