#include "dedup/text/normalize.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace dedup {
namespace {

std::vector<std::string> Words(std::string_view raw) {
  const std::string n = NormalizeText(raw);
  std::vector<std::string_view> w;
  Tokenize(n, w);
  return {w.begin(), w.end()};
}

TEST(Normalize, FoldsCaseAndCollapsesWhitespace) {
  EXPECT_EQ(NormalizeText("  Hello,\t  WORLD  \r\nNext   line "), "hello, world\nnext line");
}

TEST(Normalize, DecodesHtmlEntities) {
  EXPECT_EQ(NormalizeText("Tom &amp; Jerry &quot;live&quot; &#39;here&#x27; &rsquo;s &eacute;t&eacute;"),
            "tom & jerry \"live\" 'here' 's été");
  // Unknown entities and bare ampersands are left alone.
  EXPECT_EQ(NormalizeText("AT&T &bogus; a & b"), "at&t &bogus; a & b");
}

TEST(Normalize, DecodesEntitiesOnlyOnce) {
  EXPECT_EQ(NormalizeText("&amp;quot;"), "&quot;");
}

TEST(Normalize, UnifiesQuotesDashesAndSpaces) {
  EXPECT_EQ(NormalizeText("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94 ok\xC2\xA0now"),
            "\"it's\" - ok now");
  EXPECT_EQ(NormalizeText("Prescott\xE2\x80\x99s"), NormalizeText("Prescott's"));
  EXPECT_EQ(NormalizeText("one\xE2\x80\x93two"), "one-two");
}

TEST(Normalize, AppliesCompatibilityNormalisationAndCaseFolding) {
  // Ligature fi, full-width letters and digits, German sharp s, Greek capitals.
  EXPECT_EQ(NormalizeText("\xEF\xAC\x81nance"), "finance");
  EXPECT_EQ(NormalizeText("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\x91\xEF\xBC\x92"), "ab12");
  EXPECT_EQ(NormalizeText("STRA\xC3\x9F" "E"), "strasse");
  EXPECT_EQ(NormalizeText("\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91"), "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1");
  // Composed and decomposed forms of é compare equal.
  EXPECT_EQ(NormalizeText("caf\xC3\xA9"), NormalizeText("cafe\xCC\x81"));
}

TEST(Normalize, KeepsDigits) {
  EXPECT_EQ(Words("Profit rose 12% to $48.5m in Q3 2024"),
            (std::vector<std::string>{"profit", "rose", "12", "to", "48", "5m", "in", "q3", "2024"}));
}

TEST(Normalize, ReplacesInvalidUtf8WithoutCrashing) {
  const std::string bad = "ok \xFF\xFE bytes \xC3 end \xED\xA0\x80 x";
  const std::string n = NormalizeText(bad);
  EXPECT_NE(n.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(n.substr(0, 3), "ok ");
  EXPECT_NE(n.find("bytes"), std::string::npos);
  EXPECT_NE(n.find("end"), std::string::npos);
  // Repair keeps the text valid UTF-8: normalising again changes nothing.
  EXPECT_EQ(NormalizeText(n), n);
}

TEST(Normalize, ControlCharactersAndNulBecomeSpaces) {
  EXPECT_EQ(NormalizeText(std::string("a\0b\x07" "c", 5)), "a b c");
}

TEST(Normalize, LineSeparatorsBecomeNewlines) {
  EXPECT_EQ(NormalizeText("one\xE2\x80\xA8two\rthree"), "one\ntwo\nthree");
}

TEST(Normalize, AsciiFastPathMatchesFullPath) {
  // The same ASCII text with and without a non-ASCII character appended (then stripped).
  const std::string ascii = "The Quick, brown FOX -- jumps 42 times!";
  const std::string full = NormalizeText(ascii + " \xC3\xA9");
  EXPECT_EQ(full.substr(0, full.size() - 3), NormalizeText(ascii));
}

TEST(Tokenize, SplitsOnPunctuationAndKeepsUnicodeLetters) {
  EXPECT_EQ(Words("Don't stop -- na\xC3\xAFve caf\xC3\xA9s, 1,200 \xE6\x9D\xB1\xE4\xBA\xAC!"),
            (std::vector<std::string>{"don", "t", "stop", "na\xC3\xAFve", "caf\xC3\xA9s", "1",
                                      "200", "\xE6\x9D\xB1\xE4\xBA\xAC"}));
  EXPECT_TRUE(Words("  -- !! ").empty());
}

}  // namespace
}  // namespace dedup

#include <random>

namespace dedup {
namespace {

// The fast path (utf8proc on non-ASCII runs only) equals the reference (utf8proc on everything).
TEST(Normalize, EqualsReferenceOnRandomMixedText) {
  const std::vector<std::string> pieces = {
      "The", " ", "QUICK", "brown", "\t", "\r\n", "\r", "\n", "\xC2\x85", ",", "42", "`",
      "&amp;", "&rsquo;", "&eacute;", "&#769;", "&#x2019;", "&#65;", "&bogus;", "&", "&#0;",
      "&#10;", "&#x301;",
      "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x99", "\xE2\x80\x94", "\xC2\xA0", "\xC2\xAD",
      "caf\xC3\xA9", "cafe\xCC\x81", "E\xCC\x81", "\xCC\x81", "\xEF\xAC\x81", "\xEF\xBC\xA1",
      "\xE6\x9D\xB1\xE4\xBA\xAC", "\xCE\x91\xCE\x98", "STRA\xC3\x9F" "E", "\xE2\x80\xA8",
      "\xE2\x80\xA9", "\x0C",
      "\xE2\x80\x8B", "\xC2\xB4", "\xE2\x80\xB3", "\xC2\xA3", "\xFF", "\xC3", "\xED\xA0\x80",
      "\xEF\xBB\xBF", "\xE1\x84\x80\xE1\x85\xA1", "A\xCC\x8A", "\xC3\x85", "\xE2\x84\xAB"};
  std::mt19937 rng(7);
  for (int t = 0; t < 20000; ++t) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    ASSERT_EQ(NormalizeText(s), NormalizeTextReference(s)) << "input: " << s;
  }
}

// An entity or a non-ASCII character at every offset of a longer ASCII text: the scans for
// them step 16 and 8 bytes at a time and must stop on each, wherever it falls.
TEST(Normalize, EqualsReferenceWithSpecialsAtEveryOffset) {
  for (const std::string special : {"&amp;", "&eacute;", "&", "\xC3\xA9", "\xE2\x80\x99", "\xFF"}) {
    for (size_t at = 0; at <= 40; ++at) {
      const std::string s = std::string(at, 'a') + special + std::string(40 - at, 'B');
      ASSERT_EQ(NormalizeText(s), NormalizeTextReference(s)) << "input: " << s;
    }
  }
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

// Tokenize (64-byte bit masks and eight-byte runs over ASCII) against a byte-by-byte definition, on
// random text of letters, digits, punctuation, spaces and one two-byte letter (é).
TEST(Tokenize, EqualsBytewiseDefinitionOnRandomText) {
  const std::string alphabet = "abzAZ09 .,-'\n";
  std::mt19937 rng(11);
  for (int t = 0; t < 20000; ++t) {
    std::string s;
    // Up to ~300 bytes: whole 64-byte blocks, ASCII-only ones (the bit-mask path) and blocks
    // with a two-byte letter (the byte loop), words across block edges.
    const int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      if (rng() % 128 == 0) {
        s += "\xC3\xA9";
      } else {
        s += alphabet[rng() % alphabet.size()];
      }
    }
    std::vector<std::string> want;
    std::string word;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (static_cast<unsigned char>(c) >= 0x80) {
        word += s.substr(i, 2);
        ++i;
      } else if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
        word += c;
      } else if (!word.empty()) {
        want.push_back(word);
        word.clear();
      }
    }
    if (!word.empty()) want.push_back(word);
    std::vector<std::string_view> got_views;
    Tokenize(s, got_views);
    const std::vector<std::string> got(got_views.begin(), got_views.end());
    ASSERT_EQ(got, want) << "input: " << s;
  }
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

// ASCII normalisation (sixteen- and eight-byte blocks, bytes) against a byte-by-byte
// definition, on long random text: words, single and repeated spaces, tabs, control characters,
// DEL and every kind of line break, across block edges.
TEST(Normalize, AsciiEqualsBytewiseDefinitionOnLongRandomText) {
  const std::vector<std::string> pieces = {"word", "Ab", "THE", "x", "1,234", "q3", ".", "\"",
                                           " ", " ", " ", "  ", "   ", "\t", " \t ", "\n",
                                           "\r\n", "\r", "\n\n", " \n ", "\x01", "\x7F", "\x0C"};
  auto bytewise = [](std::string_view s) {
    std::string out;
    bool pending = false;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\r') {
        if (i + 1 < s.size() && s[i + 1] == '\n') continue;
        c = '\n';
      }
      const unsigned char u = static_cast<unsigned char>(c);
      if (c == '\n') {
        pending = false;
        if (out.empty() || out.back() != '\n') out += '\n';
      } else if (u <= ' ' || u == 0x7F) {
        pending = true;
      } else {
        if (pending && !out.empty() && out.back() != '\n') out += ' ';
        pending = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      }
    }
    return out;
  };
  std::mt19937 rng(5);
  for (int t = 0; t < 5000; ++t) {
    std::string s;
    const int n = static_cast<int>(rng() % 160);
    for (int i = 0; i < n; ++i) {
      // Mostly words and single spaces (the sixteen-byte path), now and then the rest.
      const size_t k = rng() % 4 == 0 ? rng() % pieces.size() : rng() % 11;
      s += pieces[k];
    }
    ASSERT_EQ(NormalizeText(s), bytewise(s)) << "input: " << s;
  }
}

}  // namespace
}  // namespace dedup
