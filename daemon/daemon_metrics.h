// The daemon's Prometheus metrics: every family registered once, with references kept for the
// pipeline's hot path. Names follow Prometheus conventions (dedupd_ prefix, _total, _seconds,
// _bytes); docs/OPERATIONS.md lists them.
//
// Thread-safety: as dedup/ops/metrics.h (updates lock-free; Render from the HTTP thread).
#ifndef DEDUP_DAEMON_DAEMON_METRICS_H_
#define DEDUP_DAEMON_DAEMON_METRICS_H_

#include <string>
#include <string_view>

#include "dedup/ops/metrics.h"

namespace dedup {

struct DaemonMetrics {
  DaemonMetrics(std::string_view version, std::string_view kernel, int signature_version);

  // Refreshes the process_* gauges from /proc/self, then renders everything.
  std::string Render();

  Registry registry;
  Counter& consumed;
  Counter& decisions;
  Counter& duplicates;
  Counter& replayed;
  Counter& story_updates;
  Family<Counter>& dead_letters;  // {reason}
  Counter& clusters_created;
  Counter& clusters_merged;
  Counter& merges_refused;
  Histogram& candidates;
  Counter& candidates_rejected;
  Gauge& index_articles;
  Gauge& index_clusters;
  Gauge& boilerplate_sources;
  Gauge& boilerplate_table_bytes;
  Family<Counter>& evictions;  // {reason}
  Counter& evicted_window;
  Counter& evicted_capacity;
  Counter& future_timestamps;
  Family<Counter>& presigned;  // {result}
  Counter& presigned_used;
  Counter& presigned_redone;
  Family<Histogram>& stages;  // {stage}
  Histogram& stage_analyze;
  Histogram& stage_engine;
  Histogram& stage_emit;
  Histogram& end_to_end;
  Histogram& processing;
  Family<Gauge>& consumer_lag;  // {topic, partition}
  Gauge& assigned_partitions;
  Gauge& inflight_messages;
  Gauge& inflight_bytes;
  Counter& delivered;
  Counter& delivery_failures;
  Family<Counter>& reloads;  // {result}
  Gauge& last_reload_ok;
  Gauge& last_reload_time;
  Gauge& ready;
  Counter& restored;
  Gauge& restoring_partitions;
  Family<Counter>& transactions;  // {result}
  Histogram& stage_commit;
  Gauge& resident_memory;
  Gauge& start_time;
  Counter& cpu_seconds;
};

}  // namespace dedup

#endif  // DEDUP_DAEMON_DAEMON_METRICS_H_
