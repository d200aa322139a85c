// The sixteen-bytes-at-a-time masks against their one-byte definitions: every byte value at
// every position, among filler bytes of every value; the portable and (where built) the SSE2
// versions both.
#include "dedup/base/block16.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace dedup {
namespace {

template <typename Block>
class Block16Test : public ::testing::Test {};

#if defined(__SSE2__)
using Implementations = ::testing::Types<PortableBlock16, Sse2Block16>;
#else
using Implementations = ::testing::Types<PortableBlock16>;
#endif
TYPED_TEST_SUITE(Block16Test, Implementations);

bool Upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

// Calls check(block, bytes) on every block of one filler byte with one other byte somewhere.
template <typename Block>
void ForEveryBlock(const std::function<void(const Block&, const uint8_t*)>& check) {
  for (int filler = 0; filler < 256; filler += 3) {  // a third of the fillers keeps it quick
    for (int b = 0; b < 256; ++b) {
      for (int pos = 0; pos < 16; ++pos) {
        uint8_t bytes[16];
        std::memset(bytes, filler, sizeof bytes);
        bytes[pos] = static_cast<uint8_t>(b);
        check(Block::Load(reinterpret_cast<const char*>(bytes)), bytes);
      }
    }
  }
}

// The mask a one-byte predicate gives.
uint32_t Expected(const uint8_t* bytes, const std::function<bool(uint8_t)>& pred) {
  uint32_t m = 0;
  for (int k = 0; k < 16; ++k) m |= pred(bytes[k]) ? (1u << k) : 0u;
  return m;
}

TYPED_TEST(Block16Test, MasksEqualTheirOneByteDefinitions) {
  ForEveryBlock<TypeParam>([](const TypeParam& block, const uint8_t* bytes) {
    for (uint8_t c : {uint8_t{0}, uint8_t{' '}, uint8_t{'\n'}, uint8_t{0x7F}, uint8_t{0x80},
                      uint8_t{0xFF}}) {
      ASSERT_EQ(block.Equal(c), Expected(bytes, [c](uint8_t x) { return x == c; }));
    }
    ASSERT_EQ(block.InRange('a', 'z'), Expected(bytes, [](uint8_t x) { return x >= 'a' && x <= 'z'; }));
    ASSERT_EQ(block.InRange(1, 0x7F), Expected(bytes, [](uint8_t x) { return x >= 1 && x <= 0x7F; }));
    ASSERT_EQ(block.ControlOrDel(), Expected(bytes, [](uint8_t x) { return x < 0x20 || x == 0x7F; }));
    ASSERT_EQ(block.NonAscii(), Expected(bytes, [](uint8_t x) { return x >= 0x80; }));
    ASSERT_EQ(block.AsciiWordChars(), Expected(bytes, [](uint8_t x) {
                return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'z') || Upper(x);
              }));
    char folded[16];
    block.StoreFolded(folded);
    for (int k = 0; k < 16; ++k) {
      const uint8_t want = Upper(bytes[k]) ? static_cast<uint8_t>(bytes[k] + 32) : bytes[k];
      ASSERT_EQ(static_cast<uint8_t>(folded[k]), want) << "byte " << int{bytes[k]};
    }
  });
}

// BlockRunLength stops at the first flagged byte wherever it falls: in a sixteen-byte block, in
// the eight-byte tail or in the last few bytes, and runs to the end when none is flagged.
TEST(BlockRunLength, StopsAtTheFirstFlaggedByteAtEveryOffset) {
  const auto run = [](std::string_view s) {
    return BlockRunLength(
        s, [](const Block16& b) { return b.Equal('#'); },
        [](uint64_t v) { return swar::BytesEqual(v, '#'); },
        [](unsigned char c) { return c == '#'; });
  };
  for (size_t n = 0; n <= 40; ++n) {
    const std::string plain(n, 'a');
    ASSERT_EQ(run(plain), n);
    for (size_t at = 0; at < n; ++at) {
      std::string s = plain;
      s[at] = '#';
      if (at + 3 < n) s[at + 3] = '#';  // a later one does not count
      ASSERT_EQ(run(s), at) << "length " << n;
    }
  }
}

}  // namespace
}  // namespace dedup
