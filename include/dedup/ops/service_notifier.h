// systemd service notifications (sd_notify): READY, RELOADING, STOPPING, STATUS and watchdog
// pings, for a unit with Type=notify and WatchdogSec.
//
// Outside systemd (no $NOTIFY_SOCKET) every call is a cheap no-op. The watchdog interval comes
// from $WATCHDOG_USEC (set by systemd from WatchdogSec); PingWatchdog sends at most one ping per
// half interval, so it may be called from every turn of a processing loop: a loop that stalls
// stops pinging, and systemd restarts the service.
//
// Thread-safety: PingWatchdog from one thread (the processing loop); the others from any thread.
#ifndef DEDUP_OPS_SERVICE_NOTIFIER_H_
#define DEDUP_OPS_SERVICE_NOTIFIER_H_

#include <chrono>
#include <string_view>

namespace dedup {

class ServiceNotifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (they stay in the environment).
  ServiceNotifier();

  void Ready(std::string_view status = {});
  // Sent before re-reading the configuration; send Ready() when done, whatever the outcome.
  void Reloading();
  void Stopping();
  void Status(std::string_view status);
  void PingWatchdog();

  bool watchdog_enabled() const { return watchdog_interval_.count() > 0; }
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

 private:
  void Notify(const char* state);
  std::chrono::microseconds watchdog_interval_{0};
  std::chrono::steady_clock::time_point last_ping_{};
};

}  // namespace dedup

#endif  // DEDUP_OPS_SERVICE_NOTIFIER_H_
