#include "dedup/base/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

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
