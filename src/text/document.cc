#include "dedup/text/document.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>

#include "dedup/base/block16.h"
#include "dedup/base/hash.h"
#include "dedup/base/swar.h"
#include "dedup/text/normalize.h"
#include "dedup/text/shingle.h"
#include "text/for_each_word.h"
#include "text/map_non_ascii.h"

namespace dedup {

namespace {
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

bool IsMonth(std::string_view w) {
  // Most words before and after numbers are not months: out at the length or the first letter.
  if (w.size() < 3 || w.size() > 9) return false;
  switch (w[0]) {
    case 'j': return w == "jan" || w == "january" || w == "jun" || w == "june" || w == "jul" ||
                     w == "july";
    case 'f': return w == "feb" || w == "february";
    case 'm': return w == "mar" || w == "march" || w == "may";
    case 'a': return w == "apr" || w == "april" || w == "aug" || w == "august";
    case 's': return w == "sep" || w == "sept" || w == "september";
    case 'o': return w == "oct" || w == "october";
    case 'n': return w == "nov" || w == "november";
    case 'd': return w == "dec" || w == "december";
    default: return false;
  }
}

// The lower-case word ending just before `end` (skipping spaces and punctuation other than
// digits), or empty.
std::string_view WordBefore(std::string_view text, size_t end) {
  size_t e = end;
  while (e > 0 && !IsLower(text[e - 1]) && !IsDigit(text[e - 1])) --e;
  size_t b = e;
  while (b > 0 && IsLower(text[b - 1])) --b;
  return text.substr(b, e - b);
}

std::string_view WordAfter(std::string_view text, size_t start) {
  size_t b = start;
  while (b < text.size() && !IsLower(text[b]) && !IsDigit(text[b])) ++b;
  size_t e = b;
  while (e < text.size() && IsLower(text[e])) ++e;
  return text.substr(b, e - b);
}

// Whether `between` (the text between a date's number and the next number) is, once
// normalised, at most two characters, each a comma or a space ("16, 2005"). Spaces and control
// characters count as one character per run: what NormalizeText collapses them to, so the text
// need not be normalised first (AnalyzeText hands over lines that are not).
bool CommaOrSpaceOnly(std::string_view between) {
  size_t normalized = 0;
  bool in_space = false;
  for (const char ch : between) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == ',') {
      in_space = false;
    } else if (c == ' ' || c < 0x20 || c == 0x7F) {
      if (in_space) continue;
      in_space = true;
    } else {
      return false;
    }
    if (++normalized > 2) return false;
  }
  return true;
}

// Bytes before the first ASCII digit.
size_t DigitlessRun(std::string_view s) {
  return BlockRunLength(
      s, [](const Block16& b) { return b.InRange('0', '9'); },
      [](uint64_t v) { return swar::BytesInRange(v, '0', '9'); },
      [](unsigned char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void HashNumbers(std::string_view text, std::vector<uint64_t>& out) {
  std::string number;
  size_t i = 0;
  size_t date_end = std::string_view::npos;  // where the last date number ended
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      i += DigitlessRun(text.substr(i));
      continue;
    }
    if (i > 0 && IsLower(text[i - 1])) {  // digits inside a word ("b747", "q3") are the word's
      while (i < text.size() && (IsDigit(text[i]) || IsLower(text[i]))) ++i;
      continue;
    }
    const size_t start = i;
    number.clear();
    // Digits, with '.', ',', '/' or '-' between digits ("1,234.5", "6-3/8", "3-1"); thousands
    // commas are dropped, the other separators kept.
    while (i < text.size()) {
      const char c = text[i];
      if (IsDigit(c)) {
        number.push_back(text[i++]);
      } else if ((c == ',' || c == '.' || c == '/' || c == '-') && i + 1 < text.size() &&
                 IsDigit(text[i + 1])) {
        if (c != ',') number.push_back(c);
        ++i;
      } else {
        break;
      }
    }
    // Dates ("Jan 16", "16 January", "Jan 16, 2005") are left out: reprints rewrite datelines
    // and bylines, and unrelated stories share them.
    const bool year_after_date = date_end != std::string_view::npos && start >= date_end &&
                                 CommaOrSpaceOnly(text.substr(date_end, start - date_end));
    if (IsMonth(WordBefore(text, start)) || IsMonth(WordAfter(text, i)) || year_after_date) {
      date_end = i;
      continue;
    }
    out.push_back(Hash64(number.data(), number.size()));
  }
}

namespace {

// A buffer reused from call to call; grows, never shrinks, and is not cleared (std::string's
// resize writes zeros over what it adds, each time an article is longer than the last).
struct ScratchBuffer {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  char* Reserve(size_t n) {
    if (n > capacity) {
      capacity = std::max(n, 2 * capacity);
      data.reset(new char[capacity]);
    }
    return data.get();
  }
};

// `text` with 'A'..'Z' lower-cased into `out`, followed by 64 zero bytes: ScanText reads whole
// 64-byte blocks, and zeros are neither word bytes nor line breaks. Returns the copy (without
// the zeros).
std::string_view FoldAsciiPadded(std::string_view text, ScratchBuffer& out) {
  constexpr size_t kPad = 64;
  const size_t n = text.size();
  char* const o = out.Reserve(n + kPad);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) Block16::Load(text.data() + i).StoreFolded(o + i);
  for (; i < n; ++i) {
    const char c = text[i];
    o[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  std::memset(o + n, 0, kPad);
  return {o, n};
}

// Fills `doc` from `s`: text as MapNonAscii leaves it, with ASCII case folded, followed by 64
// readable zero bytes. One pass does what NormalizeText's ASCII steps, the split into lines and
// Tokenize do one after another: a line ends at each '\r' or '\n' (runs of them and lines
// without words give no line), and a word is what Tokenize takes for one (spaces, control
// characters and punctuation only separate words, so they need not be collapsed first). Numbers
// are read from the line as it is (HashNumbers treats a run of spaces and control characters
// as the one space normalisation leaves).
//
// Up to 64 bytes at a time: bit masks of word bytes, digits and line breaks, then the block's
// words as (start, end) pairs, line by line between its breaks (a byte loop takes a mispredicted
// branch at each boundary). A non-ASCII character ends a block's ASCII prefix and is classified
// by NonAsciiChar, as in ForEachWord.
void ScanText(std::string_view s, Document& doc) {
  constexpr size_t kNone = std::string_view::npos;
  const size_t n = s.size();
  size_t start = kNone;        // where the word being read began
  size_t line_start = 0;       // where the current line began
  bool line_digits = false;    // a digit in the current line before the current block
  auto first_word = static_cast<uint32_t>(doc.word_hashes.size());
  const auto add_word = [&](size_t end) {
    doc.word_hashes.push_back(HashWordPadded(s.data() + start, end - start));
    start = kNone;
  };
  const auto end_line = [&](size_t at, bool digits) {
    const auto num_words = static_cast<uint32_t>(doc.word_hashes.size() - first_word);
    if (num_words > 0) {
      TextLine line;
      line.first_word = first_word;
      line.num_words = num_words;
      line.first_number = static_cast<uint32_t>(doc.number_hashes.size());
      if (digits) HashNumbers(s.substr(line_start, at - line_start), doc.number_hashes);
      line.num_numbers = static_cast<uint32_t>(doc.number_hashes.size() - line.first_number);
      line.hash = Hash64(doc.word_hashes.data() + first_word, num_words * sizeof(uint64_t));
      doc.lines.push_back(line);
      first_word = static_cast<uint32_t>(doc.word_hashes.size());
    }
    line_start = at + 1;
  };
  size_t i = 0;
  while (i < n) {
    const char* const p = s.data() + i;
    uint64_t word = 0, high = 0, digit = 0, brk = 0;
    for (size_t k = 0; k < 4; ++k) {
      const Block16 b = Block16::Load(p + 16 * k);
      const uint32_t digits = b.InRange('0', '9');
      // ASCII word bytes: 'a'..'z' and digits (the text is case folded already).
      word |= uint64_t{b.InRange('a', 'z') | digits} << (16 * k);
      digit |= uint64_t{digits} << (16 * k);
      high |= uint64_t{b.NonAscii()} << (16 * k);
      brk |= uint64_t{b.Equal('\n') | b.Equal('\r')} << (16 * k);
    }
    // The block's ASCII prefix (all of it, usually); a non-ASCII character ending it is read
    // below, and the next block starts after that character.
    const size_t len = std::min<size_t>(
        n - i, high == 0 ? 64 : static_cast<size_t>(std::countr_zero(high)));
    if (len > 0) {
      const uint64_t valid = len == 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
      word &= valid;
      digit &= valid;
      brk &= valid;
      const uint64_t shifted = (word << 1) | (start != kNone ? 1 : 0);
      uint64_t starts = word & ~shifted;
      uint64_t ends = ~word & shifted & valid;
      // Line by line within the block: the part up to and including the next break, then the
      // rest. Starts and ends alternate, so the words are taken as (start, end) pairs; a word
      // begun before the part ends at its first end, and one still open at its close goes on
      // into the next block (a break ends any word, so that happens only after the last break).
      for (;;) {
        const uint64_t part = brk == 0 ? ~uint64_t{0} : (brk ^ (brk - 1));  // bits <= the break
        uint64_t s_bits = starts & part, e_bits = ends & part;
        if (start != kNone && e_bits != 0) {
          add_word(i + static_cast<size_t>(std::countr_zero(e_bits)));
          e_bits &= e_bits - 1;
        }
        for (; e_bits != 0; e_bits &= e_bits - 1, s_bits &= s_bits - 1) {
          start = i + static_cast<size_t>(std::countr_zero(s_bits));
          add_word(i + static_cast<size_t>(std::countr_zero(e_bits)));
        }
        if (s_bits != 0) start = i + static_cast<size_t>(std::countr_zero(s_bits));
        if (brk == 0) break;
        const bool digits_in_line = line_digits || (digit & part) != 0;
        end_line(i + static_cast<size_t>(std::countr_zero(brk)), digits_in_line);
        line_digits = false;
        starts &= ~part;
        ends &= ~part;
        digit &= ~part;
        brk &= brk - 1;
      }
      line_digits |= digit != 0;
      i += len;
      if (i == n || len == 64) continue;
    }
    // A non-ASCII byte: letters, digits and marks (any script) are word characters.
    bool word_char = false;
    const size_t char_len = NonAsciiChar(s.substr(i), word_char);
    if (word_char) {
      if (start == kNone) start = i;
    } else if (start != kNone) {
      add_word(i);
    }
    i += char_len;
  }
  if (start != kNone) add_word(n);
  end_line(n, line_digits);
}

}  // namespace

void AnalyzeText(std::string_view raw, Document& doc) {
  doc.word_hashes.clear();
  doc.number_hashes.clear();
  doc.lines.clear();
  AnalyzeTextAppend(raw, doc);
}

void AnalyzeTextAppend(std::string_view raw, Document& doc) {
  thread_local ScratchBuffer folded;  // reused: the workers analyse one article after another
  ScanText(FoldAsciiPadded(MapNonAscii(raw), folded), doc);
}

void AnalyzeTextReference(std::string_view raw, Document& doc) {
  doc.word_hashes.clear();
  doc.number_hashes.clear();
  doc.lines.clear();
  const std::string normalized = NormalizeText(raw);
  size_t pos = 0;
  while (pos <= normalized.size()) {
    size_t end = normalized.find('\n', pos);
    if (end == std::string::npos) end = normalized.size();
    const std::string_view text = std::string_view(normalized).substr(pos, end - pos);
    std::vector<std::string_view> words;
    Tokenize(text, words);
    if (!words.empty()) {
      TextLine line;
      line.first_word = static_cast<uint32_t>(doc.word_hashes.size());
      line.num_words = static_cast<uint32_t>(words.size());
      for (const std::string_view w : words) doc.word_hashes.push_back(HashWord(w));
      line.first_number = static_cast<uint32_t>(doc.number_hashes.size());
      HashNumbers(text, doc.number_hashes);
      line.num_numbers = static_cast<uint32_t>(doc.number_hashes.size() - line.first_number);
      line.hash = Hash64(doc.word_hashes.data() + line.first_word,
                         line.num_words * sizeof(uint64_t));
      doc.lines.push_back(line);
    }
    pos = end + 1;
  }
}

}  // namespace dedup
