#include "dedup/text/shingle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dedup/base/hash.h"
#include "dedup/text/document.h"
#include "dedup/text/normalize.h"

namespace dedup {
namespace {

std::vector<uint64_t> Shingles(std::string_view text, int k,
                               ShingleHash kind = ShingleHash::kXxh3) {
  Document d;
  AnalyzeText(text, d);
  std::vector<uint64_t> out;
  ShingleSet(d.word_hashes, k, kind, out);
  return out;
}

// The two shingle hashes as shingle.h defines them, written out independently.
uint64_t ReferenceShingleHash(const uint64_t* w, size_t k, ShingleHash kind) {
  if (kind == ShingleHash::kXxh3) return Hash64(w, k * sizeof(uint64_t));
  uint64_t h = 0;
  for (size_t i = 0; i < k; ++i) h ^= std::rotl(w[i], static_cast<int>((21 * (k - 1 - i)) % 64));
  return h;
}

class ShingleHashTest : public ::testing::TestWithParam<ShingleHash> {};

INSTANTIATE_TEST_SUITE_P(BothHashes, ShingleHashTest,
                         ::testing::Values(ShingleHash::kXxh3, ShingleHash::kFold),
                         [](const auto& param_info) {
                           return std::string(param_info.param == ShingleHash::kXxh3 ? "xxh3"
                                                                                     : "fold");
                         });

TEST(HashWord, GoldenValues) {
  // Computed independently (Python) from the definition in shingle.h. Changing them changes
  // every signature: a new signature version, on purpose.
  const std::pair<std::string_view, uint64_t> golden[] = {
      {"a", 0xb03e263e622e3621ULL},
      {"news", 0xb71403986582098dULL},
      {"reprinted", 0x1f965f151baa24faULL},
      {"wire-services!!", 0x22f5344674983553ULL},
      {"abcdefghijklmnop", 0xf1304810a42b5f61ULL},
  };
  for (const auto& [word, hash] : golden) EXPECT_EQ(HashWord(word), hash) << word;
  const std::string_view longer = "abcdefghijklmnopq";  // 17 bytes: XXH3
  EXPECT_EQ(HashWord(longer), Hash64(longer.data(), longer.size()));
}

TEST(HashWord, PaddedIgnoresTheBytesAfterTheWord) {
  std::mt19937_64 rng(11);
  std::string buf(48, '\0');
  for (size_t len = 1; len <= 24; ++len) {
    for (int trial = 0; trial < 20; ++trial) {
      for (char& c : buf) c = static_cast<char>('a' + rng() % 26);
      const std::string word = buf.substr(0, len);
      EXPECT_EQ(HashWordPadded(buf.data(), len), HashWord(word)) << word;
    }
  }
}

TEST(HashWord, DistinctWordsGetDistinctHashes) {
  // Every word of up to 3 letters and a sample of longer ones: no two share a hash, and the
  // low 8 bits spread evenly over their 256 values.
  std::vector<uint64_t> hashes;
  std::string w;
  for (char a = 'a'; a <= 'z'; ++a) {
    hashes.push_back(HashWord(std::string(1, a)));
    for (char b = 'a'; b <= 'z'; ++b) {
      hashes.push_back(HashWord(std::string{a, b}));
      for (char c = 'a'; c <= 'z'; ++c) hashes.push_back(HashWord(std::string{a, b, c}));
    }
  }
  std::mt19937_64 rng(12);
  std::set<std::string> longer;
  while (longer.size() < 100000) {
    w.assign(4 + rng() % 13, ' ');
    for (char& c : w) c = static_cast<char>('a' + rng() % 26);
    longer.insert(w);
  }
  for (const std::string& word : longer) hashes.push_back(HashWord(word));
  std::vector<uint64_t> sorted = hashes;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  std::vector<int> low(256, 0);
  for (uint64_t h : hashes) ++low[h & 0xFF];
  const double expected = static_cast<double>(hashes.size()) / 256;
  for (int count : low) EXPECT_NEAR(count, expected, 6 * std::sqrt(expected));
}

// The lead: the 16-bit folds of the XXH3 hashes of the first kLeadShingles shingles (all the
// words as one shingle when there are fewer than k), sorted, repeats kept. Word sequences with
// many repeats (a small vocabulary) and of every length around k and kLeadShingles.
TEST(Shingle, LeadIsTheFirstShinglesFoldedAndSorted) {
  std::mt19937_64 rng(7);
  for (const int k : {1, 3, 5}) {
    for (size_t n = 0; n <= 40; ++n) {
      for (const uint64_t vocabulary : {uint64_t{3}, uint64_t{1} << 40}) {
        std::vector<uint64_t> words(n);
        for (uint64_t& w : words) {
          const uint64_t id = rng() % vocabulary;
          w = Hash64(&id, sizeof(id));
        }
        std::vector<uint16_t> want;
        const auto fold = [](uint64_t h) {
          return static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
        };
        const size_t kk = static_cast<size_t>(k);
        if (n > 0 && n <= kk) want.push_back(fold(HashShingle(words.data(), n, ShingleHash::kXxh3)));
        for (size_t i = 0; n > kk && i + kk <= n && want.size() < kLeadShingles; ++i) {
          want.push_back(fold(HashShingle(words.data() + i, kk, ShingleHash::kXxh3)));
        }
        std::sort(want.begin(), want.end());
        uint16_t got[kLeadShingles];
        const int count = LeadShingles(words, k, got);
        ASSERT_EQ(std::vector<uint16_t>(got, got + count), want)
            << "k " << k << " n " << n << " vocabulary " << vocabulary;
      }
    }
  }
}

TEST(Shingle, FoldIsRotatedWordHashesXored) {
  const uint64_t w[] = {1, 2, 3, 0x8000000000000001ULL, 1};
  EXPECT_EQ(HashShingle(w, 1, ShingleHash::kFold), 1u);
  EXPECT_EQ(HashShingle(w, 3, ShingleHash::kFold), (uint64_t{1} << 42) ^ (uint64_t{2} << 21) ^ 3);
  EXPECT_EQ(HashShingle(w + 2, 2, ShingleHash::kFold),
            (uint64_t{3} << 21) ^ 0x8000000000000001ULL);
  // Rotations wrap: rotl(x, 21) moves bit 63 to bit 20, and a fourth word from the end is
  // rotated by 63 (bit 0 to bit 63).
  EXPECT_EQ(HashShingle(w + 3, 2, ShingleHash::kFold), uint64_t{0x300001});
  EXPECT_EQ(HashShingle(w, 4, ShingleHash::kFold),
            (uint64_t{1} << 63) ^ (uint64_t{2} << 42) ^ (uint64_t{3} << 21) ^
                0x8000000000000001ULL);
  EXPECT_EQ(HashShingle(w, 5, ShingleHash::kFold), ReferenceShingleHash(w, 5, ShingleHash::kFold));
  EXPECT_EQ(HashShingle(w, 3, ShingleHash::kXxh3), Hash64(w, 3 * sizeof(uint64_t)));
}

// Real word hashes (XXH3 values): every distinct shingle of a long text keeps its own folded
// hash, as it does its own XXH3 hash.
TEST(Shingle, FoldKeepsDistinctShinglesApart) {
  std::string text;
  std::mt19937_64 rng(9);
  for (int i = 0; i < 20000; ++i) text += "w" + std::to_string(rng() % 3000) + " ";
  for (const int k : {1, 2, 3, 5, 8}) {
    EXPECT_EQ(Shingles(text, k, ShingleHash::kFold).size(),
              Shingles(text, k, ShingleHash::kXxh3).size())
        << "k " << k;
  }
}

TEST(Shingle, CountsOneShinglePerWindow) {
  EXPECT_EQ(Shingles("a b c d e f g h", 5).size(), 4u);  // 8 - 5 + 1
  EXPECT_EQ(Shingles("a b c d e f g h", 1).size(), 8u);
  EXPECT_EQ(Shingles("a b c d e f g h", 3).size(), 6u);
}

TEST(Shingle, RepeatsCountOnce) {
  EXPECT_EQ(Shingles("x y x y x y x y", 2).size(), 2u);  // "x y", "y x"
}

TEST(Shingle, ShortTextIsOneShingleAndEmptyIsNone) {
  EXPECT_EQ(Shingles("just three words", 5).size(), 1u);
  EXPECT_TRUE(Shingles("  ... ", 5).empty());
}

TEST(Shingle, IgnoresCaseSpacingAndPunctuation) {
  EXPECT_EQ(Shingles("The cat sat on the mat today", 3),
            Shingles("the CAT,  sat\non -- the mat today!", 3));
}

TEST_P(ShingleHashTest, DistinctShinglesAreTheSetInFirstOccurrenceOrder) {
  Document d;
  AnalyzeText("x y x y x y z w a b c d e f g x y", d);
  std::vector<uint64_t> set, distinct;
  ShingleSet(d.word_hashes, 2, GetParam(), set);
  DistinctShingles(d.word_hashes, 2, GetParam(), distinct);
  EXPECT_EQ(distinct.size(), set.size());
  std::vector<uint64_t> sorted = distinct;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, set);
  std::vector<uint64_t> first;
  ShingleSet(std::span<const uint64_t>(d.word_hashes).subspan(0, 2), 2, GetParam(), first);
  EXPECT_EQ(distinct.front(), first.front());  // "x y" comes first
}

// One call after another (the table is kept between calls and emptied slot by slot): each
// result is the reference's, whatever the calls before it held. Few distinct words, so calls
// share many shingles; lengths vary so the table is used at several sizes.
TEST_P(ShingleHashTest, DistinctShinglesMatchAReferenceCallAfterCall) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> words;
  std::vector<uint64_t> got;
  for (int call = 0; call < 300; ++call) {
    const size_t n = call % 37 == 0 ? 5000 : rng() % 400;
    words.clear();
    for (size_t i = 0; i < n; ++i) words.push_back(rng() % 12);
    const int k = 1 + static_cast<int>(rng() % 4);
    DistinctShingles(words, k, GetParam(), got);
    std::vector<uint64_t> want;
    if (n > 0 && n <= static_cast<size_t>(k)) {
      want.push_back(ReferenceShingleHash(words.data(), n, GetParam()));
    } else if (n > 0) {
      for (size_t i = 0; i + static_cast<size_t>(k) <= n; ++i) {
        const uint64_t h =
            ReferenceShingleHash(words.data() + i, static_cast<size_t>(k), GetParam());
        if (std::find(want.begin(), want.end(), h) == want.end()) want.push_back(h);
      }
    }
    ASSERT_EQ(got, want) << "call " << call << ", " << n << " words, k " << k;
  }
}

TEST_P(ShingleHashTest, WordOrderMatters) {
  EXPECT_NE(Shingles("a b c", 3, GetParam()), Shingles("c b a", 3, GetParam()));
  EXPECT_NE(Shingles("a b c d", 3, GetParam()), Shingles("b a c d", 3, GetParam()));
}

TEST(Document, SplitsLinesAndHashesThemByWords) {
  Document d;
  AnalyzeText("Related Links\n\n  related   LINKS!\nother line\n...\n", d);
  ASSERT_EQ(d.lines.size(), 3u);  // the punctuation-only line has no words
  EXPECT_EQ(d.lines[0].hash, d.lines[1].hash);
  EXPECT_NE(d.lines[0].hash, d.lines[2].hash);
  EXPECT_EQ(d.word_hashes.size(), 6u);
  EXPECT_EQ(d.lines[2].first_word, 4u);
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

TEST(Document, LeavesDatesOutOfTheNumbers) {
  std::vector<uint64_t> n;
  HashNumbers("london, jan 16 (bbc) - by staff writers jan 10, 2005; on 3 march profit rose 12%", n);
  std::vector<uint64_t> expected;
  HashNumbers("12", expected);
  EXPECT_EQ(n, expected);
  n.clear();
  HashNumbers("won 3-1 after a 6-3/8 rise; flight b747 landed", n);
  EXPECT_EQ(n.size(), 2u);  // "3-1", "6-3/8"; "b747" is a word, not a number
}

TEST(Document, CollectsNumbersPerLineWithoutThousandsSeparators) {
  Document d;
  AnalyzeText("Revenue 1,234,000 vs 987,000.\nShr 5.93 cts\nno numbers here\n", d);
  ASSERT_EQ(d.lines.size(), 3u);
  EXPECT_EQ(d.lines[0].num_numbers, 2u);
  EXPECT_EQ(d.lines[1].num_numbers, 1u);
  EXPECT_EQ(d.lines[2].num_numbers, 0u);
  std::vector<uint64_t> same;
  HashNumbers("1234000 and 987000", same);
  EXPECT_EQ(same[0], d.number_hashes[0]);
  EXPECT_EQ(same[1], d.number_hashes[1]);
  std::vector<uint64_t> decimal;
  HashNumbers("5.93", decimal);
  EXPECT_EQ(decimal[0], d.number_hashes[2]);
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

// AnalyzeText (one pass over the text as it is: lines, words, numbers) against its
// specification (NormalizeText, then Tokenize and HashNumbers line by line), on random
// multi-line text with numbers, dates, accented words, entities, blank lines, CR line ends,
// tabs and other control characters, runs of spaces, upper case and lines longer than a block.
void ExpectSameAnalysis(const std::string& s) {
  Document got, want;
  AnalyzeText(s, got);
  AnalyzeTextReference(s, want);
  ASSERT_EQ(got.word_hashes, want.word_hashes) << s;
  ASSERT_EQ(got.number_hashes, want.number_hashes) << s;
  ASSERT_EQ(got.lines.size(), want.lines.size()) << s;
  for (size_t i = 0; i < got.lines.size(); ++i) {
    ASSERT_EQ(got.lines[i].hash, want.lines[i].hash) << s;
    ASSERT_EQ(got.lines[i].first_word, want.lines[i].first_word) << s;
    ASSERT_EQ(got.lines[i].num_words, want.lines[i].num_words) << s;
    ASSERT_EQ(got.lines[i].first_number, want.lines[i].first_number) << s;
    ASSERT_EQ(got.lines[i].num_numbers, want.lines[i].num_numbers) << s;
  }
}

TEST(AnalyzeText, EqualsItsSpecificationOnRandomText) {
  const std::vector<std::string> pieces = {
      "Shares", " ", " ", "rose", "1,234.5", "6-3/8", "Jan", "16", ", 2005", "q3", "b747",
      "\xC3\xA9t\xC3\xA9", "42", "\n", "\n\n", " - ", "per cent", ".", "May 3", "x1y2",
      "\r\n", "\r", "\t", "   ", std::string(1, '\0'), "\x7F", "\x01", "MARCH", "Sept",
      ",\t", " ,", "&amp;", "&#8212;", "&nbsp;", "\xE2\x80\x9C", "\xE2\x80\xA8", "\xC2\x85",
      "e\xCC\x81", "\xFF", "Internationalization", "0", "x", "ABC-12"};
  std::mt19937 rng(21);
  for (int t = 0; t < 4000; ++t) {
    std::string s;
    const int n = static_cast<int>(rng() % 120);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    ExpectSameAnalysis(s);
    if (HasFatalFailure()) return;
  }
}

// An outsized text (150,000 words), then ordinary ones, each as specified: what a thread's
// buffers hold after a long article does not leak into the next.
TEST(AnalyzeText, EqualsItsSpecificationAfterAnOutsizedText) {
  std::string huge;
  for (int i = 0; i < 150000; ++i) huge += (i % 1000 == 999) ? "b\n" : "a ";
  ExpectSameAnalysis(huge);
  Document doc;
  AnalyzeText(huge, doc);
  EXPECT_EQ(doc.word_hashes.size(), 150000u);
  ExpectSameAnalysis("Shares rose 3 per cent\non Tuesday.");
  ExpectSameAnalysis(huge.substr(0, 5000));
}

TEST(AnalyzeText, EqualsItsSpecificationAtBlockEdges) {
  // Words, digits and line breaks on and around the 64-byte block edges the scan steps by.
  for (size_t pad = 0; pad < 70; ++pad) {
    for (const std::string tail : {"Word 12", "\nNext 3, 2005", "\r\n7", "ab\xC3\xA9" "cd 9\n",
                                   "Jan 16,\t 2005\nX", "1\n2\n3"}) {
      ExpectSameAnalysis(std::string(pad, 'a') + " " + tail);
      ExpectSameAnalysis(std::string(pad, ' ') + tail);
      ExpectSameAnalysis(std::string(pad, '7') + tail + std::string(pad, 'B'));
      if (HasFatalFailure()) return;
    }
  }
}

// AnalyzeText(a + "\n" + b) is AnalyzeText(a) then AnalyzeTextAppend(b) (how the engine analyses
// a title and a body without copying them into one text), whatever either ends or starts
// with: entities cut short, combining marks, invalid bytes, line breaks, digits.
TEST(AnalyzeText, AppendEqualsAnalysingTheJoinedText) {
  const std::vector<std::string> pieces = {
      "Word", " ", "12", "Jan", "&", "&amp", ";", "\xCC\x81", "\xC3", "\xC3\xA9", "\r", "\n",
      "-", "e", "\xE2\x80\xA8", ",", "2005", "\t", "&#x301;"};
  std::mt19937 rng(5);
  const auto random_text = [&] {
    std::string s;
    for (int n = static_cast<int>(rng() % 8); n > 0; --n) s += pieces[rng() % pieces.size()];
    return s;
  };
  for (int t = 0; t < 20000; ++t) {
    const std::string a = random_text(), b = random_text();
    Document joined, parts;
    AnalyzeText(a + "\n" + b, joined);
    AnalyzeText(a, parts);
    AnalyzeTextAppend(b, parts);
    ASSERT_EQ(parts.word_hashes, joined.word_hashes) << a << "|" << b;
    ASSERT_EQ(parts.number_hashes, joined.number_hashes) << a << "|" << b;
    ASSERT_EQ(parts.lines.size(), joined.lines.size()) << a << "|" << b;
    for (size_t i = 0; i < parts.lines.size(); ++i) {
      ASSERT_EQ(parts.lines[i].hash, joined.lines[i].hash) << a << "|" << b;
      ASSERT_EQ(parts.lines[i].first_word, joined.lines[i].first_word) << a << "|" << b;
      ASSERT_EQ(parts.lines[i].first_number, joined.lines[i].first_number) << a << "|" << b;
      ASSERT_EQ(parts.lines[i].num_numbers, joined.lines[i].num_numbers) << a << "|" << b;
    }
  }
}

TEST(HashNumbers, LeavesOutDatesWithEveryMonthName) {
  for (const char* month : {"jan", "january", "feb", "february", "mar", "march", "apr", "april",
                            "may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept",
                            "september", "oct", "october", "nov", "november", "dec", "december"}) {
    std::vector<uint64_t> before, after;
    HashNumbers(std::string(month) + " 16", before);
    HashNumbers("16 " + std::string(month), after);
    EXPECT_TRUE(before.empty()) << month;
    EXPECT_TRUE(after.empty()) << month;
  }
  for (const char* word : {"ja", "janu", "mays", "decembers", "octo", "a", "marc", "julys"}) {
    std::vector<uint64_t> n;
    HashNumbers(std::string(word) + " 16", n);
    EXPECT_EQ(n.size(), 1u) << word;
  }
}

TEST(HashNumbers, ReadsRunsOfSpacesAndControlCharactersAsOneSpace) {
  // The year after a date is left out when a comma and/or one space (once normalised) separates
  // them; AnalyzeText hands HashNumbers lines whose spaces are not collapsed.
  std::vector<uint64_t> collapsed, raw, apart;
  HashNumbers("jan 16, 2005 then 7", collapsed);
  HashNumbers("jan 16,\t \t2005 then 7", raw);
  EXPECT_EQ(raw, collapsed);
  EXPECT_EQ(raw.size(), 1u);  // only the 7
  HashNumbers("jan 16, x 2005", apart);  // a word between: the year is a number of its own
  EXPECT_EQ(apart.size(), 1u);
}

}  // namespace
}  // namespace dedup
