#include "dedup/ops/service_notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

#include "dedup/base/log.h"
#include "dedup/base/strings.h"

namespace dedup {

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec);
    LogInfo("systemd watchdog enabled", {{"interval_ms", std::to_string(usec / 1000)}});
  }
}

void ServiceNotifier::Notify(const char* state) {
  if (int r = sd_notify(/*unset_environment=*/0, state); r < 0) {
    LogWarn("sd_notify failed", {{"state", state}, {"errno", std::to_string(-r)}});
  }
}

void ServiceNotifier::Ready(std::string_view status) {
  if (status.empty()) {
    Notify("READY=1");
  } else {
    Notify(Cat("READY=1\nSTATUS=", status).c_str());
  }
}

void ServiceNotifier::Reloading() {
  // MONOTONIC_USEC lets systemd >= 253 (Type=notify-reload) match the reload to this message.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  Notify(Cat("RELOADING=1\nMONOTONIC_USEC=", usec).c_str());
}

void ServiceNotifier::Stopping() { Notify("STOPPING=1"); }

void ServiceNotifier::Status(std::string_view status) { Notify(Cat("STATUS=", status).c_str()); }

void ServiceNotifier::PingWatchdog() {
  if (!watchdog_enabled()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ping_ < watchdog_interval_ / 2) return;
  last_ping_ = now;
  Notify("WATCHDOG=1");
}

}  // namespace dedup
