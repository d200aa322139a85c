// "host:port" addresses, as written in the config file ([http] listen).
// Thread-safety: pure function.
#ifndef DEDUP_BASE_HOST_PORT_H_
#define DEDUP_BASE_HOST_PORT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace dedup {

// Splits "host:port" or "[v6addr]:port" into host and port (0-65535). Errors quote the address
// and say what is wrong.
absl::Status SplitHostPort(std::string_view address, std::string* host, std::string* port);

}  // namespace dedup

#endif  // DEDUP_BASE_HOST_PORT_H_
