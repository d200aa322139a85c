// Process-wide allocator settings for a long-running process that holds a large, growing window.
// Thread-safety: call once, at start-up, before other threads allocate.
#ifndef DEDUP_BASE_ALLOCATOR_H_
#define DEDUP_BASE_ALLOCATOR_H_

#include <cstddef>

namespace dedup {

// Allocations of at least this size get pages of their own (glibc: mmap), returned to the
// system when freed.
inline constexpr size_t kOwnPagesBytes = size_t{4} << 20;

// Free memory at the top of a heap is kept up to this size rather than returned to the system.
inline constexpr size_t kKeepFreeBytes = size_t{32} << 20;

// Fixes glibc's mmap threshold at kOwnPagesBytes. By default glibc raises the threshold (up to
// 32 MiB) each time a large block is freed, after which the window's growing arrays (document
// slots, signatures, LSH tables, cluster and member arrays: 1 to 32 MiB each at a million
// articles) come from the heap, and each array's old buffer, freed when it doubles, stays
// resident.
// Fixing the mmap threshold also fixes the trim threshold, at glibc's 128 KiB unless set: a
// heap whose top is that much free gives it back, and the next allocation there faults its pages
// in again. librdkafka reads each fetch response (up to a MiB) into a new buffer and frees it
// once its messages are consumed, so at 128 KiB the daemon took a page fault for every 4 KiB it
// received; the trim threshold is kKeepFreeBytes. Does nothing on other C libraries.
void ConfigureAllocator();

// For the load-test tools (the load generator, the devbroker), which on a shared machine must
// cost the measured daemon as little CPU as they can: touches `bytes` of heap (at most 1 GiB)
// and keeps them (the trim threshold above them), so that memory the process fills later (the
// producer's queue, the mock broker's logs) finds its pages already there instead of taking a
// page fault every 4 KiB. The calling thread's allocations use that memory; with `one_arena`,
// every thread's do (glibc otherwise gives other threads arenas of their own), for which the call
// must come before other threads allocate. Call after ConfigureAllocator. Does nothing on other
// C libraries.
void PrefaultHeap(size_t bytes, bool one_arena);

}  // namespace dedup

#endif  // DEDUP_BASE_ALLOCATOR_H_
