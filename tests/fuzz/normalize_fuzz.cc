// libFuzzer target: text normalisation and tokenising on arbitrary bytes. NormalizeText (utf8proc
// on non-ASCII runs only) must equal its specification NormalizeTextReference (utf8proc on the
// whole text); any difference aborts.
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
  dedup::Document doc;
  dedup::AnalyzeText(raw, doc);
  return 0;
}
