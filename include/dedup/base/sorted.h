// Small algorithms on sorted ranges. Thread-safety: pure functions.
#ifndef DEDUP_BASE_SORTED_H_
#define DEDUP_BASE_SORTED_H_

#include <cstddef>
#include <span>

namespace dedup {

// How many values two ascending ranges share (each value counted once per matching pair).
template <typename T>
size_t CountCommonSorted(std::span<const T> a, std::span<const T> b) {
  size_t i = 0, j = 0, both = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++both;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return both;
}

}  // namespace dedup

#endif  // DEDUP_BASE_SORTED_H_
