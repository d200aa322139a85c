// The eight-bytes-at-a-time predicates against their one-byte definitions: every byte value at
// every position of a word, among filler bytes that match nothing and that match everything.
#include "dedup/base/swar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>

namespace dedup::swar {
namespace {

uint64_t WordWith(uint8_t filler, size_t pos, uint8_t b) {
  char bytes[8];
  for (char& c : bytes) c = static_cast<char>(filler);
  bytes[pos] = static_cast<char>(b);
  return Load8(bytes);
}

// For a predicate flagging the first match exactly: with a filler that does not match, the
// first flagged byte is `pos` iff b matches.
void CheckFirstMatch(const std::function<uint64_t(uint64_t)>& word,
                     const std::function<bool(uint8_t)>& byte, uint8_t non_matching_filler) {
  ASSERT_FALSE(byte(non_matching_filler));
  for (int b = 0; b < 256; ++b) {
    for (size_t pos = 0; pos < 8; ++pos) {
      const uint64_t mask = word(WordWith(non_matching_filler, pos, static_cast<uint8_t>(b)));
      if (byte(static_cast<uint8_t>(b))) {
        ASSERT_NE(mask, 0u) << "byte " << b << " at " << pos;
        ASSERT_EQ(FirstFlagged(mask), pos) << "byte " << b << " at " << pos;
      } else {
        ASSERT_EQ(mask, 0u) << "byte " << b << " at " << pos;
      }
    }
  }
}

TEST(Swar, BytesEqualAndBelowFlagTheFirstMatch) {
  CheckFirstMatch([](uint64_t v) { return BytesEqual(v, '&'); },
                  [](uint8_t c) { return c == '&'; }, 'x');
  CheckFirstMatch([](uint64_t v) { return BytesEqual(v, 0x7F); },
                  [](uint8_t c) { return c == 0x7F; }, 0xC3);
  CheckFirstMatch([](uint64_t v) { return BytesBelow(v, 0x21); },
                  [](uint8_t c) { return c < 0x21; }, 0xE2);
  CheckFirstMatch([](uint64_t v) { return v & kHighBits; },
                  [](uint8_t c) { return c >= 0x80; }, 'a');
}

TEST(Swar, RangesAreExactInEveryByte) {
  for (uint8_t filler : {uint8_t{'5'}, uint8_t{'m'}, uint8_t{0xFF}, uint8_t{0x80}, uint8_t{0}}) {
    for (int b = 0; b < 256; ++b) {
      for (size_t pos = 0; pos < 8; ++pos) {
        const uint64_t v = WordWith(filler, pos, static_cast<uint8_t>(b));
        const uint64_t digits = BytesInRange(v, '0', '9');
        const uint64_t folded = FoldAscii8(v);
        for (size_t k = 0; k < 8; ++k) {
          const uint8_t c = static_cast<uint8_t>(v >> (8 * k));
          ASSERT_EQ((digits >> (8 * k + 7)) & 1, (c >= '0' && c <= '9') ? 1u : 0u);
          const uint8_t want = (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
          ASSERT_EQ(static_cast<uint8_t>(folded >> (8 * k)), want) << "byte " << int{c};
        }
      }
    }
  }
}

TEST(Swar, RunLengthStopsAtTheFirstMatchOrTheEnd) {
  const auto digit_word = [](uint64_t v) { return BytesInRange(v, '0', '9'); };
  const auto digit_byte = [](unsigned char c) { return c >= '0' && c <= '9'; };
  EXPECT_EQ(RunLength("", digit_word, digit_byte), 0u);
  EXPECT_EQ(RunLength("abc", digit_word, digit_byte), 3u);
  EXPECT_EQ(RunLength("abcdefgh", digit_word, digit_byte), 8u);
  EXPECT_EQ(RunLength("abcdefghij7", digit_word, digit_byte), 10u);
  EXPECT_EQ(RunLength("abcdefg7ij", digit_word, digit_byte), 7u);
  EXPECT_EQ(RunLength("1bcdefghij", digit_word, digit_byte), 0u);
}

}  // namespace
}  // namespace dedup::swar
