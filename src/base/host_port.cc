#include "dedup/base/host_port.h"

#include "dedup/base/strings.h"

namespace dedup {

absl::Status SplitHostPort(std::string_view address, std::string* host, std::string* port) {
  size_t colon;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError(Cat("\"", address, "\" is not [ipv6]:port"));
    }
    *host = std::string(address.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(Cat("\"", address, "\" is not host:port"));
    }
    *host = std::string(address.substr(0, colon));
    if (host->find(':') != std::string::npos) {
      return absl::InvalidArgumentError(
          Cat("\"", address, "\": write an IPv6 address in brackets, [addr]:port"));
    }
  }
  *port = std::string(address.substr(colon + 1));
  if (port->empty() || port->size() > 5 ||
      port->find_first_not_of("0123456789") != std::string::npos || std::stoi(*port) > 65535) {
    return absl::InvalidArgumentError(Cat("\"", address, "\": port must be 0-65535"));
  }
  return absl::OkStatus();
}

}  // namespace dedup
