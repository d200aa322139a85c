#include "dedup/index/verify.h"

#include <algorithm>

#include "dedup/sketch/minhash.h"

namespace dedup {

PairScore ScorePair(const PairSide& a, const PairSide& b, const MatchConfig& config) {
  PairScore s;
  s.jaccard = EstimateJaccard(a.signature, b.signature);
  const double na = a.shingles;
  const double nb = b.shingles;
  const double smaller = std::min(na, nb);
  if (smaller > 0) {
    const double inter = s.jaccard * (na + nb) / (1.0 + s.jaccard);
    s.containment = std::min(1.0, inter / smaller);
  }
  s.match = s.jaccard >= config.jaccard_threshold ||
            (s.containment >= config.containment_threshold &&
             smaller >= static_cast<double>(config.min_containment_shingles));
  if (s.match && a.numbers != nullptr && b.numbers != nullptr &&
      a.numbers->count >= config.min_numbers && b.numbers->count >= config.min_numbers) {
    s.number_containment = NumberContainment(*a.numbers, *b.numbers);
    s.match = s.number_containment >= config.number_containment_threshold;
  }
  return s;
}

}  // namespace dedup
