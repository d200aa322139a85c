#include "dedup/text/document.h"

#include <xxhash.h>

#include "dedup/text/normalize.h"
#include "dedup/text/shingle.h"

namespace dedup {

void AnalyzeText(std::string_view raw, Document& doc) {
  doc.word_hashes.clear();
  doc.lines.clear();
  const std::string normalized = NormalizeText(raw);
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos <= normalized.size()) {
    size_t end = normalized.find('\n', pos);
    if (end == std::string::npos) end = normalized.size();
    words.clear();
    Tokenize(std::string_view(normalized).substr(pos, end - pos), words);
    if (!words.empty()) {
      TextLine line;
      line.first_word = static_cast<uint32_t>(doc.word_hashes.size());
      line.num_words = static_cast<uint32_t>(words.size());
      for (std::string_view w : words) doc.word_hashes.push_back(HashWord(w));
      line.hash = XXH3_64bits(doc.word_hashes.data() + line.first_word,
                              line.num_words * sizeof(uint64_t));
      doc.lines.push_back(line);
    }
    pos = end + 1;
  }
}

}  // namespace dedup
