// Bridges between std::string_view (used throughout dedupd) and absl::string_view.
//
// Debian 12's Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is
// a distinct type there: absl::StrCat, absl::Status and heterogeneous lookup in absl hash
// containers do not accept a std::string_view directly. Convert at those call sites.
// Thread-safety: pure functions.
#ifndef DEDUP_BASE_STRINGS_H_
#define DEDUP_BASE_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>

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

}  // namespace dedup

#endif  // DEDUP_BASE_STRINGS_H_
