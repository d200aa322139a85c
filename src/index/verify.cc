#include "dedup/index/verify.h"

#include <algorithm>

#include "dedup/sketch/minhash.h"

namespace dedup {

PairScore ScorePair(std::span<const uint32_t> sig_a, uint32_t shingles_a,
                    std::span<const uint32_t> sig_b, uint32_t shingles_b,
                    const MatchConfig& config) {
  PairScore s;
  s.jaccard = EstimateJaccard(sig_a, sig_b);
  const double na = shingles_a;
  const double nb = shingles_b;
  const double smaller = std::min(na, nb);
  if (smaller > 0) {
    const double inter = s.jaccard * (na + nb) / (1.0 + s.jaccard);
    s.containment = std::min(1.0, inter / smaller);
  }
  s.match = s.jaccard >= config.jaccard_threshold ||
            (s.containment >= config.containment_threshold &&
             smaller >= static_cast<double>(config.min_containment_shingles));
  return s;
}

}  // namespace dedup
