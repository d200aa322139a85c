#include "dedup/index/verify.h"

#include <algorithm>

#include "dedup/base/sorted.h"
#include "dedup/sketch/minhash.h"

namespace dedup {

int LeadOverlap(std::span<const uint16_t> a, std::span<const uint16_t> b) {
  return static_cast<int>(CountCommonSorted(a, b));
}

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
  if (s.jaccard >= config.jaccard_threshold) {
    s.match = true;
  } else if (s.containment >= config.containment_threshold &&
             smaller >= static_cast<double>(config.min_containment_shingles) &&
             s.jaccard >= config.min_containment_jaccard) {
    s.match = config.min_lead_overlap <= 0 || a.lead.empty() || b.lead.empty() ||
              LeadOverlap(a.lead, b.lead) >= config.min_lead_overlap;
  }
  if (s.match && a.numbers != nullptr && b.numbers != nullptr &&
      a.numbers->count >= config.min_numbers && b.numbers->count >= config.min_numbers) {
    s.number_containment = NumberContainment(*a.numbers, *b.numbers);
    s.match = s.number_containment >= config.number_containment_threshold;
  }
  return s;
}

}  // namespace dedup
