// Banded locality-sensitive hashing over MinHash signatures.
//
// A signature of b*r values is cut into b bands of r rows; two articles become candidates when
// any band is equal. A pair with Jaccard similarity s becomes a candidate with probability
// 1 - (1 - s^r)^b: an S-curve whose midpoint sits near the configured threshold.
//
// Thread-safety: OptimalLshParams and CandidateProbability are pure. LshIndex is not
// thread-safe; one owner (the engine) calls it.
#ifndef DEDUP_INDEX_LSH_H_
#define DEDUP_INDEX_LSH_H_

#include <cstdint>
#include <cstddef>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace dedup {

struct LshParams {
  int bands = 0;
  int rows = 0;
  double false_positive_mass = 0;  // integral of P(candidate) over s in [0, threshold]
  double false_negative_mass = 0;  // integral of P(not candidate) over s in [threshold, 1]
};

// Chooses bands and rows (bands * rows <= num_hashes) minimising
//   fp_weight * false_positive_mass + fn_weight * false_negative_mass,
// as datasketch's _optimal_param does. REQUIRES: 0 < threshold < 1, num_hashes >= 1.
LshParams OptimalLshParams(double threshold, int num_hashes, double fp_weight, double fn_weight);

// P(a pair with Jaccard similarity s becomes a candidate).
double CandidateProbability(double s, int bands, int rows);

// Handles are small integers chosen by the caller (the engine's slot numbers).
using DocHandle = uint32_t;

class LshIndex {
 public:
  explicit LshIndex(LshParams params);

  const LshParams& params() const { return params_; }

  // REQUIRES: sig.size() >= bands * rows; `doc` not already inserted.
  void Insert(DocHandle doc, std::span<const uint32_t> sig);
  // REQUIRES: `doc` was inserted with this same signature.
  void Remove(DocHandle doc, std::span<const uint32_t> sig);
  // Appends each document sharing at least one band with `sig` once, in no particular order.
  // From each bucket only the `max_per_bucket` most recently inserted documents are read, so a
  // flood of near-identical articles costs bounded work per query.
  void Query(std::span<const uint32_t> sig, std::vector<DocHandle>& out,
             size_t max_per_bucket = SIZE_MAX) const;

  size_t num_buckets() const;

 private:
  uint64_t BandKey(int band, std::span<const uint32_t> sig) const;

  LshParams params_;
  // One table per band: band hash -> documents in that bucket.
  std::vector<absl::flat_hash_map<uint64_t, absl::InlinedVector<DocHandle, 2>>> tables_;
};

}  // namespace dedup

#endif  // DEDUP_INDEX_LSH_H_
