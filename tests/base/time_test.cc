#include "dedup/base/time.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
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

// ParseRfc3339Ms reads the usual shape by hand and hands the rest to absl::ParseTime; absl
// alone (the three formats it is given) is the specification. Random texts near the usual
// shape: valid ones, leap days and impossible days, every zone form, fractions of any length,
// and small damage (a digit, separator or zone character replaced or dropped).
TEST(Time, ParseMatchesAbslOnUsualAndDamagedTexts) {
  const auto absl_parse = [](const std::string& s) -> std::optional<EventTimeMs> {
    absl::Time t;
    std::string err;
    if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", s, &t, &err) ||
        absl::ParseTime("%Y-%m-%d %H:%M:%E*S%Ez", s, &t, &err) ||
        absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", s, absl::UTCTimeZone(), &t, &err)) {
      return absl::ToUnixMillis(t);
    }
    return std::nullopt;
  };
  std::mt19937 rng(17);
  const auto pick = [&rng](unsigned lo, unsigned hi) {
    return lo + static_cast<unsigned>(rng() % (hi - lo + 1));
  };
  const auto two = [](unsigned v) {
    return std::string(1, char('0' + v / 10)) + char('0' + v % 10);
  };
  const std::string zones[] = {"Z", "", "+01:00", "-05:30", "+23:59", "-00:00", "+24:00",
                               "+0100", "z", " Z", "+01:60", "Z "};
  const std::string damage = "0189T :-.Zx+";
  int valid = 0;
  for (int t = 0; t < 200000; ++t) {
    std::string s = std::to_string(pick(1000, 9999)) + "-" + two(pick(0, 13)) + "-" +
                    two(pick(0, 32)) + (rng() % 4 == 0 ? " " : "T") + two(pick(0, 25)) + ":" +
                    two(pick(0, 61)) + ":" + two(pick(0, 61));
    if (rng() % 2 == 0) {
      s += ".";
      for (unsigned n = pick(0, 11); n > 0; --n) s += char('0' + rng() % 10);
    }
    s += zones[rng() % std::size(zones)];
    if (rng() % 4 == 0) {
      const size_t at = rng() % s.size();
      if (rng() % 2 == 0) {
        s[at] = damage[rng() % damage.size()];
      } else {
        s.erase(at, 1);
      }
    }
    const absl::StatusOr<EventTimeMs> got = ParseRfc3339Ms(s);
    const std::optional<EventTimeMs> want = absl_parse(s);
    ASSERT_EQ(got.ok(), want.has_value()) << s;
    if (want.has_value()) {
      ASSERT_EQ(*got, *want) << s;
      ++valid;
    }
  }
  EXPECT_GT(valid, 20000);  // the valid shapes were exercised, not only rejections
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
