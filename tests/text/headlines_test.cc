#include "dedup/text/headlines.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dedup/text/document.h"

namespace dedup {
namespace {

uint64_t LineHash(std::string_view text) {
  Document d;
  AnalyzeText(text, d);
  EXPECT_EQ(d.lines.size(), 1u) << text;
  return d.lines.empty() ? 0 : d.lines[0].hash;
}

TEST(HeadlineIndex, HashesTheTitleAndItsPartBeforeTheFirstSeparator) {
  EXPECT_EQ(HeadlineIndex::Hashes("Housing plans criticised by MPs"),
            std::vector<uint64_t>{LineHash("housing plans criticised by mps")});
  for (const std::string sep : {" - ", " | ", " :: ", " \xE2\x80\x93 ", " \xE2\x80\x94 "}) {
    const std::string title = "Floods hit the north" + sep + "Daily Example";
    EXPECT_EQ(HeadlineIndex::Hashes(title),
              (std::vector<uint64_t>{LineHash(title), LineHash("Floods hit the north")}))
        << sep;
  }
  // The earliest separator cuts, whichever it is.
  EXPECT_EQ(HeadlineIndex::Hashes("A b | C d - E")[1], LineHash("A b"));
  EXPECT_EQ(HeadlineIndex::Hashes("A b - C d | E")[1], LineHash("A b"));
  // Not separators: a hyphenated word, a dash without a space after it, a trailing " -".
  for (const char* title : {"A well-known story", "Prices -5 today", "Ends with -", "No sep"}) {
    EXPECT_EQ(HeadlineIndex::Hashes(title).size(), 1u) << title;
  }
  EXPECT_TRUE(HeadlineIndex::Hashes("").empty());
  EXPECT_TRUE(HeadlineIndex::Hashes(" - ").empty());  // no words: no headline
}

TEST(HeadlineIndex, HashesFromAnAnalysedTitleEqualHashesFromTheText) {
  const std::vector<std::string> pieces = {"Floods", " ", " - ", " | ", " :: ", "\xE2\x80\x94",
                                           "\n", "x", "-", "|", "12", "&amp;", "\xC3\xA9"};
  std::mt19937 rng(3);
  for (int t = 0; t < 3000; ++t) {
    std::string title;
    for (int n = static_cast<int>(rng() % 10); n > 0; --n) title += pieces[rng() % pieces.size()];
    Document doc;
    AnalyzeText(title, doc);
    std::vector<uint64_t> out = {42};  // replaced, not appended to
    HeadlineIndex::Hashes(title, doc, out);
    ASSERT_EQ(out, HeadlineIndex::Hashes(title)) << title;
  }
}

}  // namespace
}  // namespace dedup
