#include "dedup/base/json_writer.h"

#include <gtest/gtest.h>

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
