// libFuzzer target: text normalisation and tokenising on arbitrary bytes. NormalizeText (utf8proc
// on non-ASCII runs only) must equal its specification NormalizeTextReference (utf8proc on the
// whole text), and AnalyzeText (one pass) its specification AnalyzeTextReference (normalise,
// then tokenise line by line); any difference aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dedup/text/document.h"
#include "dedup/text/normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const std::string fast = dedup::NormalizeText(raw);
  const std::string reference = dedup::NormalizeTextReference(raw);
  if (fast != reference) {
    std::fprintf(stderr, "NormalizeText differs from NormalizeTextReference\n");
    std::abort();
  }
  std::vector<std::string_view> words;
  dedup::Tokenize(fast, words);
  dedup::Document doc, specified;
  dedup::AnalyzeText(raw, doc);
  dedup::AnalyzeTextReference(raw, specified);
  bool same = doc.word_hashes == specified.word_hashes &&
              doc.number_hashes == specified.number_hashes &&
              doc.lines.size() == specified.lines.size();
  for (size_t i = 0; same && i < doc.lines.size(); ++i) {
    const dedup::TextLine& a = doc.lines[i];
    const dedup::TextLine& b = specified.lines[i];
    same = a.first_word == b.first_word && a.num_words == b.num_words &&
           a.first_number == b.first_number && a.num_numbers == b.num_numbers && a.hash == b.hash;
  }
  if (!same) {
    std::fprintf(stderr, "AnalyzeText differs from AnalyzeTextReference\n");
    std::abort();
  }
  return 0;
}
