// Sixteen bytes at a time, as bit masks (bit k for byte k): the text path's scans over whole
// blocks of prose (space collapsing with case folding, tokenising). Block16 is the SSE2 version
// where the target has SSE2 (every x86-64), else the portable one (two SWAR words, swar.h); both
// give the same results (tests/base/block16_test.cc checks both against one-byte definitions).
//
// Thread-safety: pure functions on values.
#ifndef DEDUP_BASE_BLOCK16_H_
#define DEDUP_BASE_BLOCK16_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dedup/base/swar.h"

namespace dedup {

class PortableBlock16 {
 public:
  static PortableBlock16 Load(const char* p) {
    PortableBlock16 b;
    b.lo_ = swar::Load8(p);
    b.hi_ = swar::Load8(p + 8);
    return b;
  }
  // Bytes equal to c.
  uint32_t Equal(uint8_t c) const {
    return Pack([c](uint64_t w) { return ZeroBytes(w ^ (swar::kOnes * c)); });
  }
  // Bytes in [lo, hi]. REQUIRES: 0 < lo <= hi < 0x80.
  uint32_t InRange(uint8_t lo, uint8_t hi) const {
    return Pack([lo, hi](uint64_t w) { return swar::BytesInRange(w, lo, hi); });
  }
  // Bytes below 0x20 (ASCII control characters) or equal to 0x7F (DEL).
  uint32_t ControlOrDel() const {
    return Pack([](uint64_t w) {
      return ZeroBytes(w & (swar::kOnes * 0xE0)) | ZeroBytes(w ^ (swar::kOnes * 0x7F));
    });
  }
  // Bytes >= 0x80 (parts of UTF-8 sequences).
  uint32_t NonAscii() const { return Pack([](uint64_t w) { return w; }); }
  // ASCII letters and digits.
  uint32_t AsciiWordChars() const {
    return Pack([](uint64_t w) {
      return swar::BytesInRange(w, '0', '9') | swar::BytesInRange(w, 'a', 'z') |
             swar::BytesInRange(w, 'A', 'Z');
    });
  }
  // Stores the sixteen bytes at p with 'A'..'Z' lower-cased, other bytes unchanged.
  void StoreFolded(char* p) const {
    swar::Store8(p, swar::FoldAscii8(lo_));
    swar::Store8(p + 8, swar::FoldAscii8(hi_));
  }

 private:
  // The high bit of each zero byte, exactly (no borrows between bytes).
  static uint64_t ZeroBytes(uint64_t x) {
    const uint64_t low7 = ~swar::kHighBits;
    return ~(((x & low7) + low7) | x) & swar::kHighBits;
  }
  // One bit a byte from the high bits of eight bytes.
  static uint32_t PackHighBits(uint64_t flags) {
    return static_cast<uint32_t>((((flags & swar::kHighBits) >> 7) * 0x0102040810204080ULL) >> 56);
  }
  template <typename F>
  uint32_t Pack(F f) const {
    return PackHighBits(f(lo_)) | (PackHighBits(f(hi_)) << 8);
  }
  uint64_t lo_ = 0, hi_ = 0;
};

#if defined(__SSE2__)
class Sse2Block16 {
 public:
  static Sse2Block16 Load(const char* p) {
    Sse2Block16 b;
    b.v_ = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return b;
  }
  uint32_t Equal(uint8_t c) const {
    return Mask(_mm_cmpeq_epi8(v_, _mm_set1_epi8(static_cast<char>(c))));
  }
  uint32_t InRange(uint8_t lo, uint8_t hi) const { return Mask(InRangeFlags(v_, lo, hi)); }
  uint32_t ControlOrDel() const {
    const __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(v_, _mm_set1_epi8(0x1F)), v_);
    return Mask(_mm_or_si128(below, _mm_cmpeq_epi8(v_, _mm_set1_epi8(0x7F))));
  }
  uint32_t NonAscii() const { return Mask(v_); }
  uint32_t AsciiWordChars() const {
    return Mask(_mm_or_si128(_mm_or_si128(InRangeFlags(v_, '0', '9'), InRangeFlags(v_, 'a', 'z')),
                             InRangeFlags(v_, 'A', 'Z')));
  }
  void StoreFolded(char* p) const {
    const __m128i upper = InRangeFlags(v_, 'A', 'Z');
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                     _mm_or_si128(v_, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
  }

 private:
  static uint32_t Mask(__m128i flags) { return static_cast<uint32_t>(_mm_movemask_epi8(flags)); }
  // 0xFF in the bytes in [lo, hi]: shifted so that lo lands on -128, one signed comparison tests
  // both ends. REQUIRES: lo <= hi.
  static __m128i InRangeFlags(__m128i v, uint8_t lo, uint8_t hi) {
    const __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(-128 + (hi - lo) + 1)));
  }
  __m128i v_;
};
using Block16 = Sse2Block16;
#else
using Block16 = PortableBlock16;
#endif

// The length of the prefix of `s` before the first byte a predicate flags: block_stop on
// sixteen bytes at a time (a Block16 to a bit mask), then word_stop on eight and byte_stop on one
// (as swar::RunLength). The three are one predicate in three forms.
template <typename BlockStop, typename WordStop, typename ByteStop>
size_t BlockRunLength(std::string_view s, BlockStop block_stop, WordStop word_stop,
                      ByteStop byte_stop) {
  size_t i = 0;
  for (; i + 16 <= s.size(); i += 16) {
    if (const uint32_t stop = block_stop(Block16::Load(s.data() + i)); stop != 0) {
      return i + static_cast<size_t>(std::countr_zero(stop));
    }
  }
  return i + swar::RunLength(s.substr(i), word_stop, byte_stop);
}

}  // namespace dedup

#endif  // DEDUP_BASE_BLOCK16_H_
