#include "dedup/base/reject.h"

#include "absl/strings/cord.h"
#include "dedup/base/strings.h"

namespace dedup {
namespace {
constexpr char kReasonUrl[] = "type.dedupd/reject_reason";
}

absl::Status RejectError(std::string_view reason, std::string_view detail) {
  absl::Status s = absl::InvalidArgumentError(AV(detail));
  s.SetPayload(kReasonUrl, absl::Cord(AV(reason)));
  return s;
}

std::string RejectReason(const absl::Status& status) {
  auto p = status.GetPayload(kReasonUrl);
  if (!p.has_value()) return "internal";
  return std::string(*p);
}

}  // namespace dedup
