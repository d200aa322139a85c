// Tokenize's loop, for the text module's own use: calls on_word(view) for each word of
// normalised text in order (see normalize.h for what a word is) and returns whether the text
// holds an ASCII digit. AnalyzeText hashes words as they are found and skips number extraction
// on lines without digits; Tokenize collects the views.
#ifndef DEDUP_TEXT_FOR_EACH_WORD_H_
#define DEDUP_TEXT_FOR_EACH_WORD_H_

#include <utf8proc.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dedup/base/block16.h"

namespace dedup {

// The character `s` starts with (a non-ASCII byte): returns its length in bytes (1 for a byte
// that starts no valid character) and sets word_char if it is a letter, digit or mark of any
// script, what a word is made of.
inline size_t NonAsciiChar(std::string_view s, bool& word_char) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                                static_cast<utf8proc_ssize_t>(s.size()), &cp);
  word_char = false;
  if (len <= 0) return 1;
  const utf8proc_category_t cat = utf8proc_category(cp);
  word_char = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ND) ||
              cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
  return static_cast<size_t>(len);
}

template <typename OnWord>
bool ForEachWord(std::string_view s, OnWord&& on_word) {
  bool digits = false;
  size_t start = std::string_view::npos;  // where the word being read began
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // Up to 64 bytes at a time: a bit mask of ASCII word bytes, then one step per word boundary
    // (a byte loop takes a mispredicted branch at every boundary). A line's last < 64 bytes are
    // copied to a zero-padded block first (zeros are not word bytes).
    const size_t avail = n - i;
    const char* p = s.data() + i;
    char padded[64];
    if (avail < 64) {
      std::memcpy(padded, p, avail);
      std::memset(padded + avail, 0, 64 - avail);
      p = padded;
    }
    uint64_t word = 0, high = 0, digit = 0;
    for (size_t k = 0; k < 4; ++k) {
      const Block16 b = Block16::Load(p + 16 * k);
      word |= uint64_t{b.AsciiWordChars()} << (16 * k);
      digit |= uint64_t{b.InRange('0', '9')} << (16 * k);
      high |= uint64_t{b.NonAscii()} << (16 * k);
    }
    // The block's ASCII prefix (all of it, usually); a non-ASCII character ending it goes to
    // utf8proc below, and the next block starts after that character.
    const size_t len = std::min<size_t>(
        avail, high == 0 ? 64 : static_cast<size_t>(std::countr_zero(high)));
    if (len > 0) {
      const uint64_t valid = len == 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
      word &= valid;
      digits |= (digit & valid) != 0;
      const uint64_t before = start != std::string_view::npos ? 1 : 0;  // in a word already?
      const uint64_t shifted = (word << 1) | before;
      const uint64_t starts = word & ~shifted;
      const uint64_t ends = ~word & shifted & valid;
      for (uint64_t events = starts | ends; events != 0; events &= events - 1) {
        const int b = std::countr_zero(events);
        if ((ends >> b) & 1) {
          on_word(s.substr(start, i + static_cast<size_t>(b) - start));
          start = std::string_view::npos;
        } else {
          start = i + static_cast<size_t>(b);
        }
      }
      i += len;
      if (i == n || len == 64) continue;
    }
    // A non-ASCII byte: letters, digits and marks (any script) are word characters.
    bool word_char = false;
    const size_t char_len = NonAsciiChar(s.substr(i), word_char);
    if (word_char) {
      if (start == std::string_view::npos) start = i;
    } else if (start != std::string_view::npos) {
      on_word(s.substr(start, i - start));
      start = std::string_view::npos;
    }
    i += char_len;
  }
  if (start != std::string_view::npos) on_word(s.substr(start));
  return digits;
}

}  // namespace dedup

#endif  // DEDUP_TEXT_FOR_EACH_WORD_H_
