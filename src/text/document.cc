#include "dedup/text/document.h"

#include "dedup/base/hash.h"
#include "dedup/base/swar.h"
#include "dedup/text/normalize.h"
#include "dedup/text/shingle.h"
#include "text/for_each_word.h"

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
    case 'j': case 'f': case 'm': case 'a': case 's': case 'o': case 'n': case 'd':
      break;
    default:
      return false;
  }
  static constexpr std::string_view kMonths[] = {
      "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun",
      "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october",
      "nov", "november", "dec", "december"};
  for (std::string_view m : kMonths) {
    if (m[0] == w[0] && w == m) return true;
  }
  return false;
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

}  // namespace

void HashNumbers(std::string_view text, std::vector<uint64_t>& out) {
  std::string number;
  size_t i = 0;
  size_t date_end = std::string_view::npos;  // where the last date number ended
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      ++i;
      i += swar::RunLength(
          text.substr(i), [](uint64_t v) { return swar::BytesInRange(v, '0', '9'); },
          [](unsigned char c) { return c >= '0' && c <= '9'; });
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
    const bool year_after_date =
        date_end != std::string_view::npos && start >= date_end && start - date_end <= 2 &&
        text.substr(date_end, start - date_end).find_first_not_of(", ") == std::string_view::npos;
    if (IsMonth(WordBefore(text, start)) || IsMonth(WordAfter(text, i)) || year_after_date) {
      date_end = i;
      continue;
    }
    out.push_back(Hash64(number.data(), number.size()));
  }
}

void AnalyzeText(std::string_view raw, Document& doc) {
  doc.word_hashes.clear();
  doc.number_hashes.clear();
  doc.lines.clear();
  // Scratch kept per thread (the workers analyse one article after another).
  thread_local std::string normalized;
  NormalizeTextInto(raw, normalized);
  size_t pos = 0;
  while (pos <= normalized.size()) {
    size_t end = normalized.find('\n', pos);
    if (end == std::string::npos) end = normalized.size();
    const std::string_view text = std::string_view(normalized).substr(pos, end - pos);
    // Words are hashed as the tokeniser finds them; numbers are looked for only in lines that
    // hold a digit.
    TextLine line;
    line.first_word = static_cast<uint32_t>(doc.word_hashes.size());
    const bool digits =
        ForEachWord(text, [&doc](std::string_view w) { doc.word_hashes.push_back(HashWord(w)); });
    line.num_words = static_cast<uint32_t>(doc.word_hashes.size() - line.first_word);
    if (line.num_words > 0) {
      line.first_number = static_cast<uint32_t>(doc.number_hashes.size());
      if (digits) HashNumbers(text, doc.number_hashes);
      line.num_numbers = static_cast<uint32_t>(doc.number_hashes.size() - line.first_number);
      line.hash = Hash64(doc.word_hashes.data() + line.first_word,
                         line.num_words * sizeof(uint64_t));
      doc.lines.push_back(line);
    }
    pos = end + 1;
  }
}

}  // namespace dedup
