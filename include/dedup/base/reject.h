// Rejections: errors about one input record, tagged with a short machine-readable reason code
// ("not_json", "missing_id", "empty_body", ...). The code travels as an absl::Status payload so
// that the dead-letter path can put it in a header and metrics can count by it.
// Thread-safety: pure functions.
#ifndef DEDUP_BASE_REJECT_H_
#define DEDUP_BASE_REJECT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace dedup {

// InvalidArgument status with message "<detail>" and reason payload `reason`.
absl::Status RejectError(std::string_view reason, std::string_view detail);

// The reason code of a RejectError, or "internal" for any other non-OK status.
std::string RejectReason(const absl::Status& status);

}  // namespace dedup

#endif  // DEDUP_BASE_REJECT_H_
