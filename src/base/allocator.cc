#include "dedup/base/allocator.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dedup {

void ConfigureAllocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kOwnPagesBytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(kKeepFreeBytes));
#endif
}

void PrefaultHeap(size_t bytes, bool one_arena) {
#if defined(__GLIBC__)
  constexpr size_t kMaxBytes = size_t{1} << 30;
  bytes = std::min(bytes, kMaxBytes);
  if (one_arena) mallopt(M_ARENA_MAX, 1);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes + kKeepFreeBytes));
  constexpr size_t kBlock = size_t{1} << 20;  // below the mmap threshold: from the heap
  static_assert(kBlock < kOwnPagesBytes);
  std::vector<void*> blocks;
  blocks.reserve(bytes / kBlock + 1);
  for (size_t done = 0; done < bytes; done += kBlock) {
    void* p = std::malloc(kBlock);
    if (p == nullptr) break;
    std::memset(p, 1, kBlock);
    blocks.push_back(p);
  }
  for (void* p : blocks) std::free(p);
#else
  (void)bytes;
  (void)one_arena;
#endif
}

}  // namespace dedup
