#include "dedup/base/time.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "dedup/base/strings.h"

namespace dedup {

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

std::string FormatRfc3339Ms(EventTimeMs ms) {
  const absl::Time t = absl::FromUnixMillis(ms);
  const char* fmt = (ms % 1000 == 0) ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E3SZ";
  return absl::FormatTime(fmt, t, absl::UTCTimeZone());
}

}  // namespace dedup
