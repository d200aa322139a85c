#include "dedup/base/json_writer.h"

#include <gtest/gtest.h>

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
