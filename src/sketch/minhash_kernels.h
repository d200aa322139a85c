// Private: the SIMD MinHash kernels. Each is compiled with a function-level target attribute
// (never -mavx2 for the whole project), so the binary runs on any x86-64 host and uses a kernel
// only after the CPU (and OS) support for it was confirmed at run time.
#ifndef DEDUP_SRC_SKETCH_MINHASH_KERNELS_H_
#define DEDUP_SRC_SKETCH_MINHASH_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace dedup::internal {

#if defined(__x86_64__) || defined(_M_X64)
#define DEDUP_X86_KERNELS 1
void MinHashAvx2(const uint64_t* shingles, size_t num_shingles, const uint32_t* seeds,
                 size_t num_hashes, uint32_t* out);
void MinHashAvx512(const uint64_t* shingles, size_t num_shingles, const uint32_t* seeds,
                   size_t num_hashes, uint32_t* out);
#endif

}  // namespace dedup::internal

#endif  // DEDUP_SRC_SKETCH_MINHASH_KERNELS_H_
