#include "dedup/base/time.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "dedup/base/strings.h"

namespace dedup {

EventTimeMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<EventTimeMs> ParseRfc3339Ms(std::string_view text) {
  absl::Time t;
  std::string err;
  const std::string s(text);
  // %Ez accepts "Z", "+01:00" and "-0500"; %E*S accepts fractional seconds.
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", s, &t, &err) ||
      absl::ParseTime("%Y-%m-%d %H:%M:%E*S%Ez", s, &t, &err) ||
      absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", s, absl::UTCTimeZone(), &t, &err)) {
    return absl::ToUnixMillis(t);
  }
  return absl::InvalidArgumentError(
      Cat("not an RFC 3339 timestamp: \"", AV(text.substr(0, 64)), "\""));
}

namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

void Put(char*& p, unsigned v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p += digits;
}

}  // namespace

std::string FormatRfc3339Ms(EventTimeMs ms) {
  std::string out;
  AppendRfc3339Ms(out, ms);
  return out;
}

void AppendRfc3339Ms(std::string& out, EventTimeMs ms) {
  // Years 1000-9999 by hand (every story record carries timestamps: absl::FormatTime was 5% of
  // the daemon's time); anything else through absl, which the fast path matches (tested).
  constexpr int64_t kMsPerDay = 86400000;
  constexpr int64_t kMin = -30610224000000;  // 1000-01-01T00:00:00Z (absl pads no further)
  constexpr int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  if (ms < kMin || ms > kMax) {
    const absl::Time t = absl::FromUnixMillis(ms);
    const char* fmt = (ms % 1000 == 0) ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E3SZ";
    out.append(absl::FormatTime(fmt, t, absl::UTCTimeZone()));
    return;
  }
  int64_t days = ms / kMsPerDay;
  int64_t rest = ms % kMsPerDay;
  if (rest < 0) {
    rest += kMsPerDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  const unsigned r = static_cast<unsigned>(rest);
  char buf[32];
  char* p = buf;
  Put(p, static_cast<unsigned>(year), 4);
  *p++ = '-';
  Put(p, month, 2);
  *p++ = '-';
  Put(p, day, 2);
  *p++ = 'T';
  Put(p, r / 3600000, 2);
  *p++ = ':';
  Put(p, r / 60000 % 60, 2);
  *p++ = ':';
  Put(p, r / 1000 % 60, 2);
  if (r % 1000 != 0) {
    *p++ = '.';
    Put(p, r % 1000, 3);
  }
  *p++ = 'Z';
  out.append(buf, p);
}

}  // namespace dedup
