#include "dedup/base/time.h"

#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "dedup/base/strings.h"

namespace dedup {

EventTimeMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

unsigned DaysInMonth(unsigned y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// The n digits at s[pos] as a number, or false.
bool ReadDigits(std::string_view s, size_t pos, size_t n, unsigned& v) {
  v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// The usual shape, "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" (a space for the 'T' when
// a zone follows; no zone after a 'T' is UTC), read by hand. std::nullopt for anything else
// (leap seconds, 'z', other widths, whitespace, ...), which absl::ParseTime then reads: it is
// the specification, and both give the same value wherever this one answers (time_test.cc).
std::optional<EventTimeMs> ParseUsualRfc3339Ms(std::string_view s) {
  unsigned y, mo, d, h, mi, se;
  if (s.size() < 19 || !ReadDigits(s, 0, 4, y) || s[4] != '-' || !ReadDigits(s, 5, 2, mo) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
      !ReadDigits(s, 11, 2, h) || s[13] != ':' || !ReadDigits(s, 14, 2, mi) || s[16] != ':' ||
      !ReadDigits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t millis = 0;  // the fraction's first three digits (later ones are dropped: floor)
  if (i < s.size() && s[i] == '.') {
    size_t digits = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
      if (digits < 3) millis = millis * 10 + (s[i] - '0');
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_s = 0;
  if (i == s.size()) {
    if (s[10] != 'T') return std::nullopt;  // no zone: UTC, in the 'T' form only
  } else if (s[i] == 'Z' && i + 1 == s.size()) {
  } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
    unsigned oh, om;
    if (!ReadDigits(s, i + 1, 2, oh) || !ReadDigits(s, i + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (s[i] == '+' ? 1 : -1) * static_cast<int64_t>(oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_s;
  return seconds * 1000 + millis;
}

}  // namespace

absl::StatusOr<EventTimeMs> ParseRfc3339Ms(std::string_view text) {
  if (const std::optional<EventTimeMs> ms = ParseUsualRfc3339Ms(text)) return *ms;
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
