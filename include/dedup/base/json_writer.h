// Minimal JSON output helpers: string escaping and number formatting.
//
// Output JSON is small and flat (decisions, log records), so it is written directly rather than
// through a DOM. Thread-safety: pure functions.
#ifndef DEDUP_BASE_JSON_WRITER_H_
#define DEDUP_BASE_JSON_WRITER_H_

#include <string>
#include <string_view>

namespace dedup {

// Appends `s` as a quoted JSON string to `out`. Control characters are \u-escaped. Bytes that
// are not valid UTF-8 are replaced by U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `v` rounded to `decimals` places, without trailing zeros ("0.5", "1", "0.8125").
void AppendJsonNumber(std::string& out, double v, int decimals = 4);

}  // namespace dedup

#endif  // DEDUP_BASE_JSON_WRITER_H_
