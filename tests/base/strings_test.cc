#include "dedup/base/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace dedup {
namespace {

TEST(ParseIntIn, TakesWholeNumbersInRangeOnly) {
  int64_t n = 7;
  EXPECT_TRUE(ParseIntIn("0", 0, 10, n));
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(ParseIntIn("-1", -1, 10, n));
  EXPECT_EQ(n, -1);
  EXPECT_TRUE(ParseIntIn("10", 0, 10, n));
  EXPECT_EQ(n, 10);
  // What atoi would have read as 5, 0, 3 and 1: refused, `n` left as it was.
  for (const char* bad : {"5k", "", "3.5", "1M", "fast", "11", "-2", "0x10", "99999999999999999999"}) {
    n = 42;
    EXPECT_FALSE(ParseIntIn(bad, -1, 10, n)) << bad;
    EXPECT_EQ(n, 42) << bad;
  }
}

TEST(ParseIntArg, NamesTheOptionItsRangeAndTheText) {
  int64_t n = 7;
  std::string error;
  EXPECT_TRUE(ParseIntArg("--workers", "3", -1, 1024, n, error));
  EXPECT_EQ(n, 3);
  EXPECT_EQ(error, "");
  EXPECT_FALSE(ParseIntArg("--workers", "many", -1, 1024, n, error));
  EXPECT_EQ(n, 3);
  EXPECT_EQ(error, "--workers must be a whole number from -1 to 1024, not \"many\"");
}

TEST(ParseDoubleIn, TakesFiniteNumbersInRangeOnly) {
  double d = 7;
  EXPECT_TRUE(ParseDoubleIn("2.5", 0, 1e9, d));
  EXPECT_EQ(d, 2.5);
  EXPECT_TRUE(ParseDoubleIn("1e3", 0, 1e9, d));
  EXPECT_EQ(d, 1000);
  EXPECT_TRUE(ParseDoubleIn("0", 0, 1e9, d));
  EXPECT_EQ(d, 0);
  for (const char* bad : {"5k", "", "fast", "nan", "inf", "-1", "2e9"}) {
    d = 42;
    EXPECT_FALSE(ParseDoubleIn(bad, 0, 1e9, d)) << bad;
    EXPECT_EQ(d, 42) << bad;
  }
}

}  // namespace
}  // namespace dedup
