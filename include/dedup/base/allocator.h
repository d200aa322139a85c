// Process-wide allocator settings for a long-running process that holds a large, growing window.
// Thread-safety: call once, at start-up, before other threads allocate.
#ifndef DEDUP_BASE_ALLOCATOR_H_
#define DEDUP_BASE_ALLOCATOR_H_

#include <cstddef>

namespace dedup {

// Allocations of at least this size get pages of their own (glibc: mmap), returned to the
// system when freed.
inline constexpr size_t kOwnPagesBytes = size_t{4} << 20;

// Fixes glibc's mmap threshold at kOwnPagesBytes. By default glibc raises the threshold (up to
// 32 MiB) each time a large block is freed, after which the window's growing arrays (document
// slots, signatures, LSH tables, cluster and member arrays: 1 to 32 MiB each at a million
// articles) come from the heap, and each array's old buffer, freed when it doubles, stays
// resident. Does nothing on other C libraries.
void ConfigureAllocator();

}  // namespace dedup

#endif  // DEDUP_BASE_ALLOCATOR_H_
