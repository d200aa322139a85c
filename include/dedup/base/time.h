// Event time: milliseconds since the Unix epoch (UTC), and RFC 3339 parsing/formatting.
// Thread-safety: pure functions.
#ifndef DEDUP_BASE_TIME_H_
#define DEDUP_BASE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dedup {

using EventTimeMs = int64_t;

// The system clock now, as event time.
EventTimeMs WallClockMs();

// A duration in (fractional) hours, as configured ([cluster] window_hours, max_future_hours), in
// milliseconds.
inline EventTimeMs HoursToMs(double hours) {
  return static_cast<EventTimeMs>(hours * 3600.0 * 1000.0);
}

// Parses an RFC 3339 / ISO-8601 timestamp with a zone ("2005-01-16T04:21:37Z",
// "2011-12-08T14:03:00.250+01:00"). A timestamp without a zone is read as UTC.
absl::StatusOr<EventTimeMs> ParseRfc3339Ms(std::string_view text);

// Formats as "2005-01-16T04:21:37Z" (milliseconds shown only when non-zero).
std::string FormatRfc3339Ms(EventTimeMs ms);
// The same appended to `out` (the stories output writes one per member: no temporary string).
void AppendRfc3339Ms(std::string& out, EventTimeMs ms);

}  // namespace dedup

#endif  // DEDUP_BASE_TIME_H_
