// AVX-512 MinHash kernel: 16 hash functions per 512-bit vector, 4 vectors (64 functions) per
// pass. Must equal MinHashScalar bit for bit (tests/sketch/minhash_test.cc).
#include "minhash_kernels.h"

#ifdef DEDUP_X86_KERNELS
// GCC 12 reports a bogus -Wmaybe-uninitialized inside its own AVX-512 headers (GCC PR 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace dedup::internal {
namespace {

__attribute__((target("avx512f"))) inline __m512i Fmix32x16(__m512i h) {
  const __m512i c1 = _mm512_set1_epi32(static_cast<int>(0x85ebca6bU));
  const __m512i c2 = _mm512_set1_epi32(static_cast<int>(0xc2b2ae35U));
  h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 16));
  h = _mm512_mullo_epi32(h, c1);
  h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 13));
  h = _mm512_mullo_epi32(h, c2);
  return _mm512_xor_si512(h, _mm512_srli_epi32(h, 16));
}

}  // namespace

__attribute__((target("avx512f"))) void MinHashAvx512(const uint64_t* shingles, size_t n,
                                                     const uint32_t* seeds, size_t k,
                                                     uint32_t* out) {
  const __m512i ones = _mm512_set1_epi32(-1);
  size_t b = 0;
  for (; b + 64 <= k; b += 64) {
    const __m512i s0 = _mm512_loadu_si512(seeds + b);
    const __m512i s1 = _mm512_loadu_si512(seeds + b + 16);
    const __m512i s2 = _mm512_loadu_si512(seeds + b + 32);
    const __m512i s3 = _mm512_loadu_si512(seeds + b + 48);
    __m512i a0 = ones, a1 = ones, a2 = ones, a3 = ones;
    for (size_t j = 0; j < n; ++j) {
      const __m512i x = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(shingles[j])));
      a0 = _mm512_min_epu32(a0, Fmix32x16(_mm512_xor_si512(x, s0)));
      a1 = _mm512_min_epu32(a1, Fmix32x16(_mm512_xor_si512(x, s1)));
      a2 = _mm512_min_epu32(a2, Fmix32x16(_mm512_xor_si512(x, s2)));
      a3 = _mm512_min_epu32(a3, Fmix32x16(_mm512_xor_si512(x, s3)));
    }
    _mm512_storeu_si512(out + b, a0);
    _mm512_storeu_si512(out + b + 16, a1);
    _mm512_storeu_si512(out + b + 32, a2);
    _mm512_storeu_si512(out + b + 48, a3);
  }
  for (; b + 16 <= k; b += 16) {
    const __m512i s = _mm512_loadu_si512(seeds + b);
    __m512i a = ones;
    for (size_t j = 0; j < n; ++j) {
      const __m512i x = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(shingles[j])));
      a = _mm512_min_epu32(a, Fmix32x16(_mm512_xor_si512(x, s)));
    }
    _mm512_storeu_si512(out + b, a);
  }
  if (b < k) MinHashAvx2(shingles, n, seeds + b, k - b, out + b);  // a last 8
}

}  // namespace dedup::internal
#endif  // DEDUP_X86_KERNELS
