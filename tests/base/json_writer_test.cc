#include "dedup/base/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

namespace dedup {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Str("a\"b\\c\nd\te"), R"("a\"b\\c\nd\te")");
  EXPECT_EQ(Str(std::string("x\x01y", 3)), R"("x\u0001y")");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Str("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(Str("a\xFF" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

// Strings of random pieces, each with its known escaped form, long enough to cross the
// eight-byte fast path's word boundaries at every offset.
TEST(JsonWriter, EscapesRandomStringsPieceByPiece) {
  const std::vector<std::pair<std::string, std::string>> pieces = {
      {"a", "a"},
      {"Quick brown", "Quick brown"},
      {"\"", "\\\""},
      {"\\", "\\\\"},
      {"\n", "\\n"},
      {"\r", "\\r"},
      {"\t", "\\t"},
      {std::string(1, '\0'), "\\u0000"},
      {"\x1F", "\\u001f"},
      {"\x7F", "\\u007f"},
      {" ", " "},
      {"~", "~"},
      {"\xC3\xA9", "\xC3\xA9"},
      {"\xE2\x82\xAC", "\xE2\x82\xAC"},
      {"\xFF", "\xEF\xBF\xBD"}};
  std::mt19937 rng(3);
  for (int t = 0; t < 20000; ++t) {
    std::string in, want = "\"";
    const int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      const auto& [raw, escaped] = pieces[rng() % pieces.size()];
      in += raw;
      want += escaped;
    }
    want += "\"";
    ASSERT_EQ(Str(in), want) << "input: " << in;
  }
}

// The to_chars path against printf's %.*f, its former implementation, then trimmed the same way.
TEST(JsonWriter, NumbersMatchPrintf) {
  std::mt19937_64 rng(4);
  std::vector<double> values = {0.0, -0.0, 1.0, 0.5, 0.00005, 0.99995, 123456.78905, -2.5e-7,
                                 1e300, -1e300, 0.1 + 0.2};
  for (int i = 0; i < 20000; ++i) {
    values.push_back(std::ldexp(static_cast<double>(rng() % 1000000) - 500000.0,
                                static_cast<int>(rng() % 40) - 30));
  }
  for (double v : values) {
    for (int decimals : {0, 1, 4, 6}) {
      char buf[512];
      const int n = std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
      std::string want(buf, static_cast<size_t>(n));
      if (want.find('.') != std::string::npos) {
        while (want.back() == '0') want.pop_back();
        if (want.back() == '.') want.pop_back();
      }
      if (want == "-0") want = "0";
      std::string got;
      AppendJsonNumber(got, v, decimals);
      ASSERT_EQ(got, want) << v << " with " << decimals << " decimals";
    }
  }
}

TEST(JsonWriter, NumbersDropTrailingZeros) {
  std::string out;
  AppendJsonNumber(out, 0.5);
  out += ",";
  AppendJsonNumber(out, 1.0);
  out += ",";
  AppendJsonNumber(out, 0.83333333);
  out += ",";
  AppendJsonNumber(out, 0.0);
  EXPECT_EQ(out, "0.5,1,0.8333,0");
}

}  // namespace
}  // namespace dedup
