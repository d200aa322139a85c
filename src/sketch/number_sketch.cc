#include "dedup/sketch/number_sketch.h"

#include <algorithm>
#include <vector>

namespace dedup {

NumberSketch MakeNumberSketch(std::span<const uint64_t> number_hashes) {
  thread_local std::vector<uint32_t> h;  // reused: one article after another
  h.clear();
  for (uint64_t x : number_hashes) h.push_back(static_cast<uint32_t>(x ^ (x >> 32)));
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  NumberSketch s;
  s.count = static_cast<uint16_t>(std::min<size_t>(h.size(), 65535));
  for (size_t i = 0; i < h.size() && i < NumberSketch::kSize; ++i) s.bottom[i] = h[i];
  return s;
}

double NumberContainment(const NumberSketch& a, const NumberSketch& b) {
  const size_t na = std::min<size_t>(a.count, NumberSketch::kSize);
  const size_t nb = std::min<size_t>(b.count, NumberSketch::kSize);
  size_t i = 0, j = 0, both = 0, seen = 0;
  // Walk the union of the two bottom-k lists in order, up to k values: the union's bottom-k.
  // While neither list is truncated this is the exact intersection.
  const bool exact = a.count <= NumberSketch::kSize && b.count <= NumberSketch::kSize;
  while (i < na && j < nb && (exact || seen < NumberSketch::kSize)) {
    if (a.bottom[i] == b.bottom[j]) {
      ++both;
      ++i;
      ++j;
    } else if (a.bottom[i] < b.bottom[j]) {
      ++i;
    } else {
      ++j;
    }
    ++seen;
  }
  if (exact) return static_cast<double>(both) / static_cast<double>(std::min(a.count, b.count));
  // Jaccard from the union's bottom-k, then containment from the set sizes.
  const double jac = seen ? static_cast<double>(both) / static_cast<double>(seen) : 0.0;
  const double inter = jac * (a.count + b.count) / (1.0 + jac);
  return std::min(1.0, inter / std::min(a.count, b.count));
}

}  // namespace dedup
