// The daemon's pipeline: consume articles, run the engine, produce decisions, stories and dead
// letters, store offsets once every output of a message is acknowledged (at-least-once).
//
// One thread runs it: poll the consumer, process, produce, serve delivery reports. Backpressure:
// while more than max_inflight_messages / max_inflight_bytes of input await acknowledgement,
// consumption pauses and only delivery reports are served.
//
// Shutdown (RequestStop, e.g. from SIGTERM): stop consuming, flush the producer (bounded by
// shutdown_timeout_ms), store and commit offsets, close the consumer.
//
// Operations: the HTTP endpoint ([http] listen: /metrics, /healthz, /readyz) runs on its own
// thread; systemd is told READY once subscribed, RELOADING/READY around a reload and STOPPING on
// shutdown, and the watchdog is pinged from every turn of the processing loop. Reload
// (RequestReload, e.g. from SIGHUP) re-reads the config file on the pipeline thread between
// messages: live settings apply at once, keeping all state; a bad file, or one that changes a
// setting needing a restart, is refused and the running config kept (the log says why).
//
// Thread-safety: Run on one thread; RequestStop and RequestReload from any thread or a signal
// handler (they only set flags).
#ifndef DEDUP_DAEMON_PIPELINE_H_
#define DEDUP_DAEMON_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"

namespace dedup {

struct PipelineStats {
  uint64_t consumed = 0;
  uint64_t decisions = 0;
  uint64_t duplicates = 0;
  uint64_t story_updates = 0;
  uint64_t dead_letters = 0;
  uint64_t delivered = 0;
  uint64_t delivery_failures = 0;
};

struct PipelineOptions {
  std::string config_path;  // re-read on reload; empty: reloads are refused
  std::string version = "unknown";  // for dedupd_build_info
};

class Pipeline {
 public:
  static absl::StatusOr<std::unique_ptr<Pipeline>> Create(const Config& config,
                                                          PipelineOptions options = {});
  virtual ~Pipeline() = default;

  // Runs until RequestStop or a fatal error. Returns OK after a clean shutdown.
  virtual absl::Status Run() = 0;
  virtual void RequestStop() = 0;
  virtual void RequestReload() = 0;
  virtual PipelineStats stats() const = 0;
};

// Validates the Kafka sections of a config without connecting (for check-config).
absl::Status ValidateKafkaSections(const Config& config);

}  // namespace dedup

#endif  // DEDUP_DAEMON_PIPELINE_H_
