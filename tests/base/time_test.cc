#include "dedup/base/time.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "absl/time/time.h"

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

// The hand-written formatter against absl::FormatTime, its specification: random instants from
// year 0 to 9999 (before 1970 too), whole seconds and not, leap days, and the fast path's edges.
TEST(Time, FormatMatchesAbslEverywhere) {
  const auto absl_format = [](EventTimeMs ms) {
    const char* fmt = (ms % 1000 == 0) ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E3SZ";
    return absl::FormatTime(fmt, absl::FromUnixMillis(ms), absl::UTCTimeZone());
  };
  std::vector<EventTimeMs> cases = {0,  -1, 1, 999, -999, -1000, 86399999, -86400000,
                                    951782400000 /* 2000-02-29 */, 4107542400000 /* 2100-02-28 */,
                                    -30610224000000, 253402300799999, -30610224000001,
                                    253402300800000, 1105849297250};
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200000; ++i) {
    EventTimeMs ms = static_cast<EventTimeMs>(rng() % 315537897600000ULL) - 62167219200000;
    if (i % 2 == 0) ms -= ms % 1000;
    cases.push_back(ms);
  }
  std::string appended = "x";
  for (EventTimeMs ms : cases) {
    ASSERT_EQ(FormatRfc3339Ms(ms), absl_format(ms)) << ms;
    appended.resize(1);
    AppendRfc3339Ms(appended, ms);
    ASSERT_EQ(appended, "x" + absl_format(ms)) << ms;
  }
}

}  // namespace
}  // namespace dedup
