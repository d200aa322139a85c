// The project's one logger: leveled, one line per record, to stderr (journald picks it up).
//
// Records are written as logfmt (`ts=... level=info msg="..." key=value`) or as JSON objects.
// Thread-safety: all functions may be called from any thread; each record is written with one
// write so lines from different threads never interleave.
#ifndef DEDUP_BASE_LOG_H_
#define DEDUP_BASE_LOG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace dedup {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

// Parses "debug", "info", "warn" or "error".
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name);
// Parses "logfmt" or "json".
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name);

void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
bool LogEnabled(LogLevel level);

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

// Writes one record if `level` is enabled.
void Log(LogLevel level, std::string_view msg, const LogFields& fields = {});

inline void LogDebug(std::string_view msg, const LogFields& f = {}) { Log(LogLevel::kDebug, msg, f); }
inline void LogInfo(std::string_view msg, const LogFields& f = {}) { Log(LogLevel::kInfo, msg, f); }
inline void LogWarn(std::string_view msg, const LogFields& f = {}) { Log(LogLevel::kWarn, msg, f); }
inline void LogError(std::string_view msg, const LogFields& f = {}) { Log(LogLevel::kError, msg, f); }

}  // namespace dedup

#endif  // DEDUP_BASE_LOG_H_
