#include "dedup/base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dedup/base/json_writer.h"
#include "dedup/base/strings.h"

namespace dedup {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kLogfmt)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// logfmt values are bare when they contain no space, quote or '='; quoted otherwise.
void AppendLogfmtValue(std::string& out, std::string_view v) {
  bool bare = !v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out.append(v);
  } else {
    AppendJsonString(out, v);
  }
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  const std::string n = absl::AsciiStrToLower(AV(name));
  if (n == "debug") return LogLevel::kDebug;
  if (n == "info") return LogLevel::kInfo;
  if (n == "warn" || n == "warning") return LogLevel::kWarn;
  if (n == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      Cat("unknown log level \"", AV(name), "\" (expected debug, info, warn or error)"));
}

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "logfmt") return LogFormat::kLogfmt;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      Cat("unknown log format \"", AV(name), "\" (expected logfmt or json)"));
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format)); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void Log(LogLevel level, std::string_view msg, const LogFields& fields) {
  if (!LogEnabled(level)) return;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (static_cast<LogFormat>(g_format.load()) == LogFormat::kJson) {
    absl::StrAppend(&line, "{\"ts\":\"", ts, "\",\"level\":\"", LevelName(level), "\",\"msg\":");
    AppendJsonString(line, msg);
    for (const auto& [k, v] : fields) {
      line.push_back(',');
      AppendJsonString(line, k);
      line.push_back(':');
      AppendJsonString(line, v);
    }
    line.append("}\n");
  } else {
    absl::StrAppend(&line, "ts=", ts, " level=", LevelName(level), " msg=");
    AppendLogfmtValue(line, msg);
    for (const auto& [k, v] : fields) {
      absl::StrAppend(&line, " ", AV(k), "=");
      AppendLogfmtValue(line, v);
    }
    line.push_back('\n');
  }
  // One write per record: lines from concurrent threads do not interleave.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace dedup
