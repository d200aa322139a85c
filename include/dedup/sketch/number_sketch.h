// A small sketch of the set of numbers in an article: the 14 smallest distinct 32-bit number
// hashes (bottom-k) and the count of distinct numbers.
//
// Reprints of a story keep its numbers (a truncated copy keeps a subset); two briefs written
// from one template (earnings, dividends, results) share their wording and differ in their
// numbers. NumberContainment estimates the share of the smaller number set found in the
// larger: exact while both sets have at most 14 numbers.
// Thread-safety: plain values and pure functions.
#ifndef DEDUP_SKETCH_NUMBER_SKETCH_H_
#define DEDUP_SKETCH_NUMBER_SKETCH_H_

#include <array>
#include <cstdint>
#include <span>

namespace dedup {

struct NumberSketch {
  static constexpr int kSize = 14;
  std::array<uint32_t, kSize> bottom{};  // ascending; the first min(count, kSize) are used
  uint16_t count = 0;                    // distinct numbers (saturates at 65535)
};

NumberSketch MakeNumberSketch(std::span<const uint64_t> number_hashes);

// |A ∩ B| / min(|A|, |B|), estimated. REQUIRES: both counts > 0.
double NumberContainment(const NumberSketch& a, const NumberSketch& b);

}  // namespace dedup

#endif  // DEDUP_SKETCH_NUMBER_SKETCH_H_
