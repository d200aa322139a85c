#include "dedup/base/time.h"

#include <gtest/gtest.h>

namespace dedup {
namespace {

TEST(Time, ParsesUtcAndOffsets) {
  auto a = ParseRfc3339Ms("2005-01-16T04:21:37Z");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 1105849297000);
  auto b = ParseRfc3339Ms("2005-01-16T05:21:37+01:00");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *a);
  auto c = ParseRfc3339Ms("2005-01-16T04:21:37.250Z");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, *a + 250);
}

TEST(Time, RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339Ms("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339Ms("2005-13-40T99:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339Ms("").ok());
}

TEST(Time, FormatsRoundTrip) {
  EXPECT_EQ(FormatRfc3339Ms(1105849297000), "2005-01-16T04:21:37Z");
  EXPECT_EQ(FormatRfc3339Ms(1105849297250), "2005-01-16T04:21:37.250Z");
}

}  // namespace
}  // namespace dedup
