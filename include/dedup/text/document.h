// The analysed form of an article's text: normalised, split into lines, tokenised into words,
// each word and each line hashed once.
//
// Numbers ("12", "1,234,000", "5.93", "6-3/8", "3-1") are also collected per line, hashed with
// thousands separators removed: reprints keep a story's numbers, templated briefs differ in them.
//
// Word and line hashes are XXH3-64. A line's hash covers its words (not its spacing or
// punctuation), so a footer re-wrapped with other whitespace or quotes still hashes the same.
// Thread-safety: a Document is a value; AnalyzeText is a pure function.
#ifndef DEDUP_TEXT_DOCUMENT_H_
#define DEDUP_TEXT_DOCUMENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dedup {

struct TextLine {
  uint32_t first_word = 0;  // index into Document::word_hashes
  uint32_t num_words = 0;   // > 0: lines without words are not kept
  uint32_t first_number = 0;  // index into Document::number_hashes
  uint32_t num_numbers = 0;
  uint64_t hash = 0;
};

struct Document {
  std::vector<uint64_t> word_hashes;
  std::vector<uint64_t> number_hashes;
  std::vector<TextLine> lines;
};

// Appends the hash of every number in `text` (one line, lower case; runs of spaces and control
// characters read as one space, so it need not be collapsed) to `out`. Exposed for tests.
void HashNumbers(std::string_view text, std::vector<uint64_t>& out);

// Normalises `raw` (see normalize.h), then fills `doc`. Reuses doc's capacity.
void AnalyzeText(std::string_view raw, Document& doc);

// Appends the lines, words and numbers of `raw` to `doc`: what AnalyzeText gives for
// a + "\n" + b is AnalyzeText(a) then AnalyzeTextAppend(b) (a line break ends every line and
// word, and the steps before the split into lines treat '\n' as a boundary too), without
// copying the two into one.
void AnalyzeTextAppend(std::string_view raw, Document& doc);

// The specification AnalyzeText must equal: NormalizeText, then each line's words from Tokenize
// hashed with HashWord and its numbers from HashNumbers. AnalyzeText does the ASCII half of
// normalisation, the split into lines and tokenising in one pass. Slow; for tests.
void AnalyzeTextReference(std::string_view raw, Document& doc);

}  // namespace dedup

#endif  // DEDUP_TEXT_DOCUMENT_H_
