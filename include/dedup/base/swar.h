// Eight bytes at a time ("SWAR": SIMD within a register), for byte scans (text normalisation,
// tokenising, JSON escaping). Portable (plain 64-bit arithmetic), so every target gets it; the
// byte loops it replaces were most of the text path's time.
//
// Thread-safety: pure functions.
//
// Each predicate sets the high bit of the bytes that match. Only the lowest flagged byte is
// exact where a subtraction is involved (a borrow can flag a byte above a match), which is all
// the scans use: they stop at the first match. The range predicates are exact in every byte.
#ifndef DEDUP_BASE_SWAR_H_
#define DEDUP_BASE_SWAR_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace dedup::swar {

static_assert(std::endian::native == std::endian::little,
              "the scans read bytes as little-endian words");
inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kHighBits = 0x8080808080808080ULL;

inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void Store8(char* p, uint64_t v) { std::memcpy(p, &v, sizeof v); }

inline uint64_t BytesEqual(uint64_t v, uint8_t b) {
  const uint64_t x = v ^ (kOnes * b);
  return (x - kOnes) & ~x & kHighBits;
}

// Bytes below n; REQUIRES: n <= 128.
inline uint64_t BytesBelow(uint64_t v, uint8_t n) { return (v - kOnes * n) & ~v & kHighBits; }

// ASCII bytes in [lo, hi]; exact in every byte (no carries: each low 7 bits + at most 0x7F
// stays below 0x100). REQUIRES: 0 < lo <= hi < 0x80.
inline uint64_t BytesInRange(uint64_t v, uint8_t lo, uint8_t hi) {
  const uint64_t low7 = v & ~kHighBits;
  const uint64_t at_least_lo = low7 + kOnes * static_cast<uint8_t>(0x80 - lo);
  const uint64_t above_hi = low7 + kOnes * static_cast<uint8_t>(0x80 - hi - 1);
  return at_least_lo & ~above_hi & ~v & kHighBits;
}

inline size_t FirstFlagged(uint64_t mask) {
  return static_cast<size_t>(std::countr_zero(mask)) / 8;
}

// ASCII 'A'..'Z' to lower case in all eight bytes; other bytes (UTF-8 ones too) unchanged.
inline uint64_t FoldAscii8(uint64_t v) {
  return v | (BytesInRange(v, 'A', 'Z') >> 2);  // 0x80 >> 2 = 0x20, the case bit
}

// The length of the prefix of s before the first byte that word_stop flags (eight at a time)
// or byte_stop accepts (the same predicate on one byte, for the tail).
template <typename WordStop, typename ByteStop>
size_t RunLength(std::string_view s, WordStop word_stop, ByteStop byte_stop) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t mask = word_stop(Load8(s.data() + i));
    if (mask != 0) return i + FirstFlagged(mask);
  }
  while (i < s.size() && !byte_stop(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace dedup::swar

#endif  // DEDUP_BASE_SWAR_H_
