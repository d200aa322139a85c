// Error propagation helpers for absl::Status / absl::StatusOr.
//
// Debian 12's Abseil (20220623) has no RETURN_IF_ERROR / ASSIGN_OR_RETURN; these are ours.
// Thread-safety: macros only, no state.
#ifndef DEDUP_BASE_STATUS_H_
#define DEDUP_BASE_STATUS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DEDUP_STATUS_CONCAT_INNER_(a, b) a##b
#define DEDUP_STATUS_CONCAT_(a, b) DEDUP_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function if not OK.
#define DEDUP_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::absl::Status dedup_status_ = (expr);          \
    if (!dedup_status_.ok()) return dedup_status_;  \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns the status, otherwise moves the
// value into `lhs` (which may be a declaration, e.g. `auto x`).
#define DEDUP_ASSIGN_OR_RETURN(lhs, rexpr) \
  DEDUP_ASSIGN_OR_RETURN_IMPL_(DEDUP_STATUS_CONCAT_(dedup_statusor_, __LINE__), lhs, rexpr)

#define DEDUP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // DEDUP_BASE_STATUS_H_
