#include "dedup/base/reject.h"

#include <gtest/gtest.h>

namespace dedup {
namespace {

TEST(Reject, CarriesReasonCode) {
  absl::Status s = RejectError("missing_body", "missing required field \"body\"");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RejectReason(s), "missing_body");
  EXPECT_EQ(std::string(s.message()), "missing required field \"body\"");
  EXPECT_EQ(RejectReason(absl::InternalError("x")), "internal");
}

}  // namespace
}  // namespace dedup
