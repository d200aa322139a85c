#include "daemon_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace dedup {
namespace {

std::vector<double> LatencyBuckets() { return ExponentialBuckets(1e-6, 2.5, 16); }  // 1 us..0.9 s

// Bounds a latency objective is usually stated in (50 ms among them), 0.5 ms to 60 s.
std::vector<double> ObjectiveBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

DaemonMetrics::DaemonMetrics(std::string_view version, std::string_view kernel,
                             int signature_version)
    : consumed(registry.AddCounter("dedupd_articles_consumed_total",
                                   "Input messages consumed from Kafka (restore re-reads "
                                   "included).").Get()),
      decisions(registry.AddCounter("dedupd_decisions_total",
                                    "Decisions produced (one per usable input article).").Get()),
      duplicates(registry.AddCounter("dedupd_duplicates_total",
                                     "Decisions with duplicate=true (replays excluded).").Get()),
      replayed(registry.AddCounter("dedupd_replayed_total",
                                   "Articles whose id was already in the window (redeliveries); "
                                   "their earlier decision is produced again.").Get()),
      story_updates(registry.AddCounter("dedupd_story_updates_total",
                                        "Story records produced.").Get()),
      dead_letters(registry.AddCounter("dedupd_dead_letters_total",
                                       "Input messages sent to the dead-letter topic, by reason.",
                                       {"reason"})),
      clusters_created(registry.AddCounter("dedupd_clusters_created_total",
                                           "Clusters (stories) created.").Get()),
      clusters_merged(registry.AddCounter("dedupd_clusters_merged_total",
                                          "Clusters merged into another.").Get()),
      merges_refused(registry.AddCounter(
          "dedupd_merges_refused_total",
          "Merges not made because the two clusters' own articles do not match.").Get()),
      candidates(registry.AddHistogram("dedupd_candidates_per_article",
                                       "LSH candidates examined per article.",
                                       {0, 1, 2, 4, 8, 16, 32, 64, 128, 256}).Get()),
      candidates_rejected(registry.AddCounter(
          "dedupd_candidates_rejected_total",
          "LSH candidates that failed verification (Jaccard, containment, numbers).").Get()),
      index_articles(registry.AddGauge("dedupd_index_articles",
                                       "Articles held in the window.").Get()),
      index_clusters(registry.AddGauge("dedupd_index_clusters", "Live clusters.").Get()),
      boilerplate_sources(registry.AddGauge(
          "dedupd_boilerplate_sources",
          "Sources whose lines the boilerplate filter counts (at most boilerplate.max_sources).")
          .Get()),
      boilerplate_table_bytes(registry.AddGauge(
          "dedupd_boilerplate_table_bytes",
          "Memory of the boilerplate filter's line-count tables (8 bytes a slot).").Get()),
      evictions(registry.AddCounter("dedupd_index_evictions_total",
                                    "Articles that left the window, by reason: window (older than "
                                    "cluster.window_hours), capacity (cluster.max_articles).",
                                    {"reason"})),
      evicted_window(evictions.WithLabels({"window"})),
      evicted_capacity(evictions.WithLabels({"capacity"})),
      future_timestamps(registry.AddCounter(
          "dedupd_future_timestamps_total",
          "Articles whose event time was more than cluster.max_future_hours ahead of this "
          "host's clock, taken as published now.").Get()),
      presigned(registry.AddCounter(
          "dedupd_presigned_total",
          "Articles the workers signed ahead on a guess of the lines the engine drops, by "
          "result: used (the guess was right), redone (signed again on the engine's thread).",
          {"result"})),
      presigned_used(presigned.WithLabels({"used"})),
      presigned_redone(presigned.WithLabels({"redone"})),
      stages(registry.AddHistogram("dedupd_stage_duration_seconds",
                                   "Time per article in each stage: analyze (parse, normalise, "
                                   "tokenise, presign; on worker threads), engine (boilerplate, "
                                   "sketch unless presigned, index, verify, cluster), emit (serialise and hand to the producer).",
                                   LatencyBuckets(), {"stage"})),
      stage_analyze(stages.WithLabels({"analyze"})),
      stage_engine(stages.WithLabels({"engine"})),
      stage_emit(stages.WithLabels({"emit"})),
      end_to_end(registry.AddHistogram("dedupd_end_to_end_latency_seconds",
                                       "From the input message's Kafka timestamp to its decision "
                                       "handed to the producer.",
                                       ExponentialBuckets(0.001, 2, 17)).Get()),
      processing(registry.AddHistogram("dedupd_processing_latency_seconds",
                                       "From the consumer handing a message to dedupd to its "
                                       "decision handed to the producer: dedupd's own share of "
                                       "the end-to-end latency (queueing in dedupd included, the "
                                       "brokers' share not).",
                                       ObjectiveBuckets()).Get()),
      consumer_lag(registry.AddGauge("dedupd_consumer_lag_messages",
                                     "Messages between the committed offset and the end of each "
                                     "assigned partition (librdkafka statistics, every 5 s).",
                                     {"topic", "partition"})),
      assigned_partitions(registry.AddGauge("dedupd_assigned_partitions",
                                            "Input partitions assigned to this instance.").Get()),
      inflight_messages(registry.AddGauge("dedupd_inflight_messages",
                                          "Input messages whose outputs await acknowledgement.")
                            .Get()),
      inflight_bytes(registry.AddGauge("dedupd_inflight_bytes",
                                       "Payload bytes of the in-flight input messages.").Get()),
      delivered(registry.AddCounter("dedupd_outputs_delivered_total",
                                    "Output records acknowledged by the brokers.").Get()),
      delivery_failures(registry.AddCounter("dedupd_output_delivery_failures_total",
                                            "Output records the brokers did not acknowledge.")
                            .Get()),
      reloads(registry.AddCounter("dedupd_config_reloads_total",
                                  "Configuration reloads (SIGHUP), by result: ok, invalid (the "
                                  "file was refused), restart_required.",
                                  {"result"})),
      last_reload_ok(registry.AddGauge("dedupd_config_last_reload_successful",
                                       "1 if the last reload was applied (or none was asked).")
                         .Get()),
      last_reload_time(registry.AddGauge(
          "dedupd_config_last_reload_success_timestamp_seconds",
          "When the configuration was last loaded successfully (start or reload).").Get()),
      ready(registry.AddGauge("dedupd_ready",
                              "1 when partitions are assigned and state is ready (as /readyz).")
                .Get()),
      restored(registry.AddCounter("dedupd_restored_articles_total",
                                   "Input messages decided before (below the committed offset) "
                                   "re-read on assignment to rebuild the index, without output.")
                   .Get()),
      restoring_partitions(registry.AddGauge("dedupd_restoring_partitions",
                                             "Assigned partitions whose index restore is not "
                                             "finished.").Get()),
      transactions(registry.AddCounter("dedupd_transactions_total",
                                       "Exactly-once transactions, by result: committed, aborted "
                                       "(then the input is rewound and redone).",
                                       {"result"})),
      stage_commit(stages.WithLabels({"commit"})),
      resident_memory(registry.AddGauge("process_resident_memory_bytes",
                                        "Resident memory size in bytes.").Get()),
      start_time(registry.AddGauge("process_start_time_seconds",
                                   "Start time of the process since the Unix epoch, in seconds.")
                     .Get()),
      cpu_seconds(registry.AddCounter("process_cpu_seconds_total",
                                      "User and system CPU time spent, in seconds.").Get()) {
  registry.AddGauge("dedupd_build_info", "Build information; the value is 1.", {"version"})
      .WithLabels({std::string(version)})
      .Set(1);
  registry.AddGauge("dedupd_minhash_kernel_info",
                    "What signs articles (\"oph\" or a MinHash kernel) and the signature "
                    "version; the value is 1.",
                    {"kernel", "signature_version"})
      .WithLabels({std::string(kernel), std::to_string(signature_version)})
      .Set(1);
  for (const char* r : {"ok", "invalid", "restart_required"}) reloads.WithLabels({r});
  for (const char* r : {"committed", "aborted"}) transactions.WithLabels({r});
  last_reload_ok.Set(1);
  last_reload_time.Set(NowSeconds());
  start_time.Set(NowSeconds());
}

std::string DaemonMetrics::Render() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) == 2) {
      resident_memory.Set(static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    }
    std::fclose(f);
  }
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    cpu_seconds.Set(static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  }
  return registry.Render();
}

}  // namespace dedup
