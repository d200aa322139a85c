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

namespace dedup {

struct PairScore {
  double jaccard = 0;
  double containment = 0;
  bool match = false;
};

// A pair matches when J >= jaccard_threshold, or when containment >= containment_threshold and
// the smaller set has at least min_containment_shingles shingles (a tiny text is "contained" in
// almost anything).
PairScore ScorePair(std::span<const uint32_t> sig_a, uint32_t shingles_a,
                    std::span<const uint32_t> sig_b, uint32_t shingles_b,
                    const MatchConfig& config);

}  // namespace dedup

#endif  // DEDUP_INDEX_VERIFY_H_
