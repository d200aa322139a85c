// AVX2 MinHash kernel: 8 hash functions per 256-bit vector, 4 vectors (32 functions) per pass
// over the shingles so that four independent multiply chains hide the multiply latency.
// Must equal MinHashScalar bit for bit (tests/sketch/minhash_test.cc).
#include "minhash_kernels.h"

#ifdef DEDUP_X86_KERNELS
#include <immintrin.h>

namespace dedup::internal {
namespace {

__attribute__((target("avx2"))) inline __m256i Fmix32x8(__m256i h) {
  const __m256i c1 = _mm256_set1_epi32(static_cast<int>(0x85ebca6bU));
  const __m256i c2 = _mm256_set1_epi32(static_cast<int>(0xc2b2ae35U));
  h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
  h = _mm256_mullo_epi32(h, c1);
  h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 13));
  h = _mm256_mullo_epi32(h, c2);
  return _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
}

}  // namespace

__attribute__((target("avx2"))) void MinHashAvx2(const uint64_t* shingles, size_t n,
                                                 const uint32_t* seeds, size_t k, uint32_t* out) {
  const __m256i ones = _mm256_set1_epi32(-1);
  size_t b = 0;
  for (; b + 32 <= k; b += 32) {
    const __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(seeds + b));
    const __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(seeds + b + 8));
    const __m256i s2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(seeds + b + 16));
    const __m256i s3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(seeds + b + 24));
    __m256i a0 = ones, a1 = ones, a2 = ones, a3 = ones;
    for (size_t j = 0; j < n; ++j) {
      const __m256i x = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(shingles[j])));
      a0 = _mm256_min_epu32(a0, Fmix32x8(_mm256_xor_si256(x, s0)));
      a1 = _mm256_min_epu32(a1, Fmix32x8(_mm256_xor_si256(x, s1)));
      a2 = _mm256_min_epu32(a2, Fmix32x8(_mm256_xor_si256(x, s2)));
      a3 = _mm256_min_epu32(a3, Fmix32x8(_mm256_xor_si256(x, s3)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + b), a0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + b + 8), a1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + b + 16), a2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + b + 24), a3);
  }
  for (; b < k; b += 8) {  // the rest, 8 at a time (num_hashes is a multiple of 8)
    const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(seeds + b));
    __m256i a = ones;
    for (size_t j = 0; j < n; ++j) {
      const __m256i x = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(shingles[j])));
      a = _mm256_min_epu32(a, Fmix32x8(_mm256_xor_si256(x, s)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + b), a);
  }
}

}  // namespace dedup::internal
#endif  // DEDUP_X86_KERNELS
