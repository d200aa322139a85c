// Bridges between std::string_view (used throughout dedupd) and absl::string_view, and the
// parsing of numbers given on command lines.
//
// Debian 12's Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is
// a distinct type there: absl::StrCat, absl::Status and heterogeneous lookup in absl hash
// containers do not accept a std::string_view directly. Convert at those call sites.
// Thread-safety: pure functions.
#ifndef DEDUP_BASE_STRINGS_H_
#define DEDUP_BASE_STRINGS_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dedup {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

namespace strings_internal {
inline void AppendPiece(std::string& out, const char* s) { out.append(s); }
inline void AppendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
template <typename T>
  requires std::is_arithmetic_v<T>
void AppendPiece(std::string& out, T v) {
  absl::StrAppend(&out, v);
}
}  // namespace strings_internal

// Concatenates strings (std or absl views, std::string, C strings) and numbers, as absl::StrCat
// does, but also accepting std::string_view.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (strings_internal::AppendPiece(out, args), ...);
  return out;
}

// Command-line numbers: whether `text` is a whole decimal number within [lo, hi] (sets `out`
// only then). "5k", "", "3.5" and out-of-range values are refused, where atoi would read 5, 0
// and 3.
inline bool ParseIntIn(std::string_view text, int64_t lo, int64_t hi, int64_t& out) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(AV(text), &v) || v < lo || v > hi) return false;
  out = v;
  return true;
}
// ParseIntIn for the value `text` of a command-line `option`: when refused, `error` says so as
// every tool words it ("--workers must be a whole number from -1 to 1024, not \"many\"").
inline bool ParseIntArg(std::string_view option, std::string_view text, int64_t lo, int64_t hi,
                        int64_t& out, std::string& error) {
  if (ParseIntIn(text, lo, hi, out)) return true;
  error = Cat(option, " must be a whole number from ", lo, " to ", hi, ", not \"", text, "\"");
  return false;
}
// The same for a finite decimal number ("2.5", "1e3").
inline bool ParseDoubleIn(std::string_view text, double lo, double hi, double& out) {
  double v = 0;
  if (!absl::SimpleAtod(AV(text), &v) || !std::isfinite(v) || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace dedup

#endif  // DEDUP_BASE_STRINGS_H_
