#include "pipeline.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon_metrics.h"
#include "dedup/base/log.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/base/time.h"
#include "dedup/emit/producer.h"
#include "dedup/engine/engine.h"
#include "dedup/ingest/consumer.h"
#include "dedup/ingest/offset_tracker.h"
#include "dedup/ops/http_server.h"
#include "dedup/ops/service_notifier.h"
#include "dedup/parse/article_json.h"
#include "dedup/workers/worker_pool.h"

namespace dedup {
namespace {

// Dead-letter records carry at most this much of the original payload (brokers' default
// max.message.bytes is 1 MB; the headers need room too).
constexpr size_t kMaxDeadLetterPayload = 900 * 1024;
// Likewise for a story update whose listed members (cluster.max_story_members of them, long
// URLs) would still pass that size: its oldest listed members are left out until it fits.
constexpr size_t kMaxStoryBytes = 900 * 1024;

// /healthz reports a stall when the processing loop has not turned for this long.
constexpr auto kStallAfter = std::chrono::seconds(60);

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

class PipelineImpl final : public Pipeline, public RebalanceListener {
 public:
  PipelineImpl(const Config& config, PipelineOptions options)
      : config_(config), options_(std::move(options)) {}

  absl::Status Init();
  absl::Status Run() override;
  void RequestStop() override { stop_.store(true); }
  void RequestReload() override { reload_.store(true); }
  PipelineStats stats() const override { return stats_; }

  void OnAssign(const std::vector<AssignedPartition>& partitions) override;
  void OnRevoke(const std::vector<TopicPartition>& partitions) override;
  void OnLag(const std::vector<PartitionLag>& lags) override;

 private:
  absl::Status Handle(Parsed<InputMessage>& m, bool silent);
  // Hands every parsed message to the engine, waiting for the workers; in order.
  absl::Status Drain();
  absl::Status HandleReady();
  void FitStory(const StoryUpdate& u);
  absl::Status DeadLetter(const InputMessage& msg, const absl::Status& why, uint64_t token);
  absl::Status Emit(std::string_view topic, std::string_view key, std::string_view value,
                    const std::vector<RecordHeader>& headers, uint64_t token);
  void OnDelivery(uint64_t token, const absl::Status& result);
  absl::Status StoreCommittable();
  absl::Status Shutdown();
  void MaybeLogProgress();
  absl::Status StartHttp();
  void Reload();
  void PublishEngineStats();
  void Turn();  // once per loop turn: watchdog, stall clock, reload
  HttpResponse Ready() const;
  HttpResponse Health() const;
  // Restore: true if the message was decided before (below its partition's replay_until); it is
  // then fed to the engine only.
  bool Restoring(const InputMessage& msg);
  // Publishes the assignment and restore progress to /readyz and the gauges (one place, so the
  // gauge dedupd_ready and /readyz always agree).
  void PublishAssignment();
  bool IsReady() const;
  void FinishRestore(std::pair<std::string, int32_t> tp);
  void CheckRestoreProgress();
  void Defer(std::unique_ptr<Parsed<InputMessage>> m);
  absl::Status ReleaseDeferred();
  void SetReplay(const std::vector<AssignedPartition>& partitions);
  // Exactly-once.
  absl::Status EnsureTransaction();
  absl::Status CommitTransaction();  // Aborted => rewound; Internal => fatal
  absl::Status RewindAfterAbort();
  bool TransactionDue() const;

  Config config_;
  PipelineOptions options_;
  std::unique_ptr<DaemonMetrics> metrics_;
  std::unique_ptr<HttpServer> http_;
  ServiceNotifier notifier_;
  std::set<std::pair<std::string, int32_t>> assigned_;
  std::atomic<bool> reload_{false};
  std::atomic<bool> running_{false};  // subscribed and not shutting down
  std::atomic<size_t> assigned_count_{0};
  std::atomic<int64_t> last_turn_ms_{SteadyMs()};
  std::map<std::pair<std::string, int32_t>, int64_t> replay_until_;  // partitions being restored
  std::deque<std::unique_ptr<Parsed<InputMessage>>> deferred_;  // decisions waiting for the restore
  std::set<std::pair<std::string, int32_t>> paused_;
  std::atomic<size_t> restoring_{0};
  std::chrono::steady_clock::time_point restore_started_;
  uint64_t restored_ = 0;
  int64_t restore_cutoff_ms_ = 0;  // Kafka timestamps before this are outside the window
  bool eos_ = false;
  bool txn_open_ = false;
  std::chrono::steady_clock::time_point txn_started_;
  size_t txn_messages_ = 0;
  std::map<std::pair<std::string, int32_t>, int64_t> txn_positions_;  // next offset to consume
  std::shared_ptr<Presigner> presigner_;  // the workers' and each engine's in turn
  std::unique_ptr<WorkerPool<InputMessage>> pool_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
  OffsetTracker tracker_;
  std::atomic<bool> stop_{false};
  absl::Status delivery_error_;
  PipelineStats stats_;
  std::vector<StoryUpdate> updates_;
  Decision decision_;  // the engine's decision for the message being handled (strings reused)
  std::string buf_;
  StoryJsonWriter story_writer_;  // reuses a story's member JSON from its previous record
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  uint64_t future_timestamps_logged_ = 0;  // Counted().future_timestamps at the last warning
  // The counters of engines replaced after an aborted transaction (RewindAfterAbort), so the
  // metrics made from them keep counting up rather than restart from 0 with the new engine.
  // Only counters are added in: its gauges stay 0.
  EngineStats retired_;
  // The engine's counters plus retired_'s (its gauges, indexed and clusters, as they are).
  EngineStats Counted() const;
};

absl::Status PipelineImpl::Init() {
  const int workers =
      config_.daemon.workers >= 0 ? static_cast<int>(config_.daemon.workers) : DefaultWorkerCount();
  // Without workers nothing signs ahead (the pool works inline on the pipeline thread).
  if (config_.daemon.presign && workers > 0) {
    DEDUP_ASSIGN_OR_RETURN(presigner_, Presigner::Create(config_));
  }
  DEDUP_ASSIGN_OR_RETURN(engine_, Engine::Create(config_, nullptr, presigner_));
  metrics_ = std::make_unique<DaemonMetrics>(options_.version, engine_->kernel_name(),
                                             engine_->signature_version());
  pool_ = std::make_unique<WorkerPool<InputMessage>>(config_, workers, presigner_);
  DEDUP_ASSIGN_OR_RETURN(producer_,
                         Producer::Create(config_.kafka, [this](uint64_t t, const absl::Status& s) {
                           OnDelivery(t, s);
                         }));
  ConsumerOptions copts;
  copts.transactional = config_.kafka.exactly_once;
  if (config_.daemon.restore_state) {
    copts.restore_window_ms = HoursToMs(config_.cluster.window_hours);
  }
  eos_ = config_.kafka.exactly_once;
  DEDUP_ASSIGN_OR_RETURN(consumer_, Consumer::Create(config_.kafka, this, copts));
  return StartHttp();
}

absl::Status PipelineImpl::StartHttp() {
  if (config_.http.listen.empty()) return absl::OkStatus();
  std::map<std::string, HttpHandler> routes;
  DaemonMetrics* m = metrics_.get();
  routes["/metrics"] = [m] {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", m->Render()};
  };
  routes["/healthz"] = [this] { return Health(); };
  routes["/readyz"] = [this] { return Ready(); };
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(config_.http.listen, std::move(routes));
  if (!server.ok()) {
    return absl::Status(server.status().code(),
                        Cat("http.listen: ", server.status().message()));
  }
  http_ = *std::move(server);
  LogInfo("http endpoint listening", {{"address", http_->bound_address()}});
  return absl::OkStatus();
}

HttpResponse PipelineImpl::Health() const {
  const int64_t idle_ms = SteadyMs() - last_turn_ms_.load();
  if (running_.load() &&
      idle_ms > std::chrono::duration_cast<std::chrono::milliseconds>(kStallAfter).count()) {
    return {503, "text/plain", Cat("stalled: the processing loop has not turned for ", idle_ms,
                                   " ms\n")};
  }
  return {200, "text/plain", "ok\n"};
}

HttpResponse PipelineImpl::Ready() const {
  if (!running_.load()) return {503, "text/plain", "not ready: starting or shutting down\n"};
  const size_t n = assigned_count_.load();
  if (n == 0) {
    return {503, "text/plain", "not ready: no partitions assigned (waiting for the group)\n"};
  }
  if (const size_t r = restoring_.load(); r > 0) {
    return {503, "text/plain",
            Cat("not ready: restoring the index from ", r, " partitions' recent input\n")};
  }
  return {200, "text/plain", Cat("ready: ", n, " partitions assigned\n")};
}

void PipelineImpl::SetReplay(const std::vector<AssignedPartition>& partitions) {
  restore_cutoff_ms_ = WallClockMs() - HoursToMs(config_.cluster.window_hours);
  for (const AssignedPartition& a : partitions) {
    if (a.replay_until >= 0) {
      if (replay_until_.empty()) restore_started_ = std::chrono::steady_clock::now();
      replay_until_[{a.topic, a.partition}] = a.replay_until;
    } else {
      replay_until_.erase({a.topic, a.partition});
    }
  }
  PublishAssignment();
}

void PipelineImpl::PublishAssignment() {
  assigned_count_.store(assigned_.size());
  restoring_.store(replay_until_.size());
  metrics_->assigned_partitions.Set(static_cast<double>(assigned_.size()));
  metrics_->restoring_partitions.Set(static_cast<double>(replay_until_.size()));
  metrics_->ready.Set(IsReady() ? 1 : 0);
}

bool PipelineImpl::IsReady() const {
  return running_.load() && assigned_count_.load() > 0 && restoring_.load() == 0;
}

void PipelineImpl::OnAssign(const std::vector<AssignedPartition>& partitions) {
  for (const AssignedPartition& tp : partitions) assigned_.emplace(tp.topic, tp.partition);
  SetReplay(partitions);  // publishes the assignment
}

bool PipelineImpl::Restoring(const InputMessage& msg) {
  if (replay_until_.empty()) return false;
  const auto it = replay_until_.find({std::string(msg.topic()), msg.partition()});
  if (it == replay_until_.end()) return false;
  if (msg.offset() < it->second) return true;  // HandleReady finishes after the last one
  FinishRestore(it->first);  // past the decided range (its end was deleted or compacted)
  return false;
}

void PipelineImpl::FinishRestore(std::pair<std::string, int32_t> tp) {
  replay_until_.erase(tp);
  PublishAssignment();
  if (!replay_until_.empty()) return;
  const double secs = Seconds(std::chrono::steady_clock::now() - restore_started_);
  LogInfo("index restored", {{"articles", std::to_string(restored_)},
                             {"seconds", Cat(secs)},
                             {"indexed", std::to_string(engine_->stats().indexed)}});
}

// A restoring partition whose last decided message cannot come (deleted or compacted away):
// finished once the consumer's position is past it and nothing is queued.
void PipelineImpl::CheckRestoreProgress() {
  if (replay_until_.empty() || pool_->Pending() > 0) return;
  std::vector<std::pair<std::string, int32_t>> done;
  for (const auto& [tp, until] : replay_until_) {
    if (consumer_->Position(tp.first, tp.second) >= until) done.push_back(tp);
  }
  for (const auto& tp : done) FinishRestore(tp);
}

// While some partition restores, decisions wait: a reprint must not be decided before the
// earlier stories of the other partitions are back in the index. Messages that arrive meanwhile
// are held here, and their partitions paused so that the hold stays small.
void PipelineImpl::Defer(std::unique_ptr<Parsed<InputMessage>> m) {
  TopicPartition tp{std::string(m->msg.topic()), m->msg.partition()};
  if (paused_.insert({tp.topic, tp.partition}).second) {
    if (absl::Status p = consumer_->Pause({tp}); !p.ok()) {
      LogWarn("cannot pause partition", {{"error", std::string(p.message())}});
    }
  }
  deferred_.push_back(std::move(m));
}

absl::Status PipelineImpl::ReleaseDeferred() {
  if (!replay_until_.empty()) return absl::OkStatus();
  if (!paused_.empty()) {
    std::vector<TopicPartition> parts;
    for (const auto& [t, p] : paused_) parts.push_back({t, p});
    paused_.clear();
    if (absl::Status r = consumer_->Resume(parts); !r.ok()) {
      LogWarn("cannot resume partitions", {{"error", std::string(r.message())}});
    }
  }
  while (!deferred_.empty()) {
    std::unique_ptr<Parsed<InputMessage>> m = std::move(deferred_.front());
    deferred_.pop_front();
    DEDUP_RETURN_IF_ERROR(Handle(*m, /*silent=*/false));
    pool_->Recycle(std::move(m));
  }
  return absl::OkStatus();
}

absl::Status PipelineImpl::EnsureTransaction() {
  if (!eos_ || txn_open_) return absl::OkStatus();
  DEDUP_RETURN_IF_ERROR(producer_->BeginTransaction());
  txn_open_ = true;
  txn_started_ = std::chrono::steady_clock::now();
  txn_messages_ = 0;
  return absl::OkStatus();
}

bool PipelineImpl::TransactionDue() const {
  return txn_open_ &&
         (std::chrono::steady_clock::now() - txn_started_ >=
              std::chrono::milliseconds(config_.daemon.transaction_interval_ms) ||
          txn_messages_ >= static_cast<size_t>(config_.daemon.max_inflight_messages));
}

absl::Status PipelineImpl::CommitTransaction() {
  if (!txn_open_) return absl::OkStatus();
  std::vector<TopicPartitionOffset> offsets;
  for (const auto& [tp, next] : txn_positions_) offsets.push_back({tp.first, tp.second, next});
  const auto t0 = std::chrono::steady_clock::now();
  absl::Status st = producer_->CommitTransaction(
      offsets, *consumer_->GroupMetadata(), static_cast<int>(config_.daemon.shutdown_timeout_ms));
  txn_open_ = false;
  txn_positions_.clear();
  if (st.ok()) {
    metrics_->transactions.WithLabels({"committed"}).Inc();
    metrics_->stage_commit.Observe(Seconds(std::chrono::steady_clock::now() - t0));
    return st;
  }
  if (absl::IsAborted(st)) {
    metrics_->transactions.WithLabels({"aborted"}).Inc();
    LogWarn("transaction aborted; rewinding to the committed offsets",
            {{"error", std::string(st.message())}});
    if (absl::Status r = RewindAfterAbort(); !r.ok()) return absl::InternalError(r.message());
  }
  return st;
}

// After an abort the outputs of every message since the last commit are gone, and the engine
// has seen those messages: start it afresh and rebuild it from the input up to the committed
// offsets (restore), then redo the rest.
absl::Status PipelineImpl::RewindAfterAbort() {
  pool_->Discard();
  deferred_.clear();
  paused_.clear();  // Rewind seeks every partition; a paused one is resumed below
  tracker_.Clear();
  // The presigner's table stays: the new engine relearns the same boilerplate, and a stale
  // entry costs a wrong guess, not a wrong result.
  DEDUP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> fresh,
                         Engine::Create(config_, nullptr, presigner_));
  retired_.AddCounters(engine_->stats());
  engine_ = std::move(fresh);
  replay_until_.clear();
  DEDUP_ASSIGN_OR_RETURN(std::vector<AssignedPartition> plan, consumer_->Rewind());
  DEDUP_RETURN_IF_ERROR(consumer_->Resume(consumer_->Assignment()));
  for (const AssignedPartition& a : plan) {
    LogInfo("rewound partition", {{"topic", a.topic},
                                  {"partition", std::to_string(a.partition)},
                                  {"restore_from", std::to_string(a.replay_from)},
                                  {"restore_until", std::to_string(a.replay_until)}});
  }
  SetReplay(plan);
  return absl::OkStatus();
}

void PipelineImpl::OnLag(const std::vector<PartitionLag>& lags) {
  metrics_->consumer_lag.Clear();
  for (const PartitionLag& l : lags) {
    if (!assigned_.contains({l.topic, l.partition})) continue;
    metrics_->consumer_lag.WithLabels({l.topic, std::to_string(l.partition)})
        .Set(static_cast<double>(l.lag));
  }
}

void PipelineImpl::Reload() {
  notifier_.Reloading();
  LogInfo("reloading config", {{"path", options_.config_path}});
  auto refuse = [&](std::string_view result, std::string_view why) {
    LogError("config reload refused; keeping the running config",
             {{"path", options_.config_path}, {"error", std::string(why)}});
    metrics_->reloads.WithLabels({std::string(result)}).Inc();
    metrics_->last_reload_ok.Set(0);
  };
  if (options_.config_path.empty()) {
    refuse("invalid", "no config file to re-read");
  } else if (absl::StatusOr<Config> next = LoadConfigFile(options_.config_path); !next.ok()) {
    refuse("invalid", SV(next.status().message()));
  } else if (absl::Status st = engine_->Reconfigure(*next); !st.ok()) {
    refuse("restart_required", SV(st.message()));
  } else {
    std::string changed;
    for (const ConfigChange& c : DiffConfigs(config_, *next)) {
      changed += (changed.empty() ? "" : ",") + c.key;
    }
    config_ = *std::move(next);  // only live settings differ (Reconfigure checked)
    ApplyLogSettings(config_.log);
    metrics_->reloads.WithLabels({"ok"}).Inc();
    metrics_->last_reload_ok.Set(1);
    metrics_->last_reload_time.Set(std::chrono::duration<double>(
        std::chrono::system_clock::now().time_since_epoch()).count());
    LogInfo("config reloaded", {{"path", options_.config_path},
                                {"changed", changed.empty() ? "nothing" : changed}});
  }
  notifier_.Ready();
}

EngineStats PipelineImpl::Counted() const {
  EngineStats e = engine_->stats();
  e.AddCounters(retired_);
  return e;
}

void PipelineImpl::PublishEngineStats() {
  const EngineStats e = Counted();
  DaemonMetrics& m = *metrics_;
  m.clusters_created.Set(static_cast<double>(e.clusters_created));
  m.clusters_merged.Set(static_cast<double>(e.clusters_merged));
  m.merges_refused.Set(static_cast<double>(e.merges_refused));
  m.candidates_rejected.Set(static_cast<double>(e.candidates_rejected));
  m.index_articles.Set(static_cast<double>(e.indexed));
  m.index_clusters.Set(static_cast<double>(e.clusters));
  m.boilerplate_sources.Set(static_cast<double>(e.boilerplate_sources));
  m.boilerplate_table_bytes.Set(static_cast<double>(e.boilerplate_table_bytes));
  m.evicted_window.Set(static_cast<double>(e.evicted_window));
  m.evicted_capacity.Set(static_cast<double>(e.evicted_capacity));
  m.future_timestamps.Set(static_cast<double>(e.future_timestamps));
  m.presigned_used.Set(static_cast<double>(e.presigned_used));
  m.presigned_redone.Set(static_cast<double>(e.presigned_redone));
}

void PipelineImpl::Turn() {
  last_turn_ms_.store(SteadyMs());
  notifier_.PingWatchdog();
  metrics_->inflight_messages.Set(static_cast<double>(tracker_.in_flight()));
  metrics_->inflight_bytes.Set(static_cast<double>(tracker_.in_flight_bytes()));
  if (reload_.exchange(false)) Reload();
  CheckRestoreProgress();
}

void PipelineImpl::OnDelivery(uint64_t token, const absl::Status& result) {
  if (result.ok()) {
    ++stats_.delivered;
    metrics_->delivered.Inc();
    tracker_.Done(token);
    return;
  }
  // The message stays incomplete: its offset is never stored, so it is consumed again after a
  // restart. Stop: carrying on would leave a gap no later commit could close.
  ++stats_.delivery_failures;
  metrics_->delivery_failures.Inc();
  if (eos_) {
    // The transaction's commit fails too, and its abort redoes these messages.
    LogWarn("output not delivered; the transaction will abort",
            {{"error", std::string(result.message())}});
    return;
  }
  LogError("output not delivered", {{"error", std::string(result.message())}});
  if (delivery_error_.ok()) delivery_error_ = result;
}

absl::Status PipelineImpl::Emit(std::string_view topic, std::string_view key,
                                std::string_view value, const std::vector<RecordHeader>& headers,
                                uint64_t token) {
  tracker_.Add(token);
  return producer_->Produce(topic, key, value, headers, token);
}

absl::Status PipelineImpl::DeadLetter(const InputMessage& msg, const absl::Status& why,
                                      uint64_t token) {
  ++stats_.dead_letters;
  const std::string reason = RejectReason(why);
  metrics_->dead_letters.WithLabels({reason}).Inc();
  LogDebug("dead letter", {{"reason", reason},
                           {"topic", std::string(msg.topic())},
                           {"partition", std::to_string(msg.partition())},
                           {"offset", std::to_string(msg.offset())}});
  std::vector<RecordHeader> headers = {
      {"dedupd.reason", reason},
      {"dedupd.error", std::string(why.message())},
      {"dedupd.source.topic", std::string(msg.topic())},
      {"dedupd.source.partition", std::to_string(msg.partition())},
      {"dedupd.source.offset", std::to_string(msg.offset())},
  };
  std::string_view payload = msg.payload();
  if (payload.size() > kMaxDeadLetterPayload) {
    // Brokers refuse records over max.message.bytes (1 MB by default): keep the head, say how
    // long the original was (it stays in the input topic at the offset above).
    headers.push_back({"dedupd.truncated_from", std::to_string(payload.size())});
    payload = payload.substr(0, kMaxDeadLetterPayload);
  }
  return Emit(config_.kafka.dead_letter_topic, msg.key(), payload, headers, token);
}

absl::Status PipelineImpl::Handle(Parsed<InputMessage>& m, bool silent) {
  const InputMessage& msg = m.msg;
  ++stats_.consumed;
  DaemonMetrics& metrics = *metrics_;
  metrics.consumed.Inc();
  metrics.stage_analyze.Observe(m.analyze_seconds);
  absl::StatusOr<Article>& article = m.article;
  if (silent) {
    // Decided before: rebuild the index only. (A bad message was dead-lettered then.)
    // Older than the window by its Kafka timestamp (the broker could not seek by time): skip.
    ++restored_;
    metrics.restored.Inc();
    const std::optional<int64_t> ts = msg.timestamp_ms();
    if (ts.has_value() && *ts < restore_cutoff_ms_) return absl::OkStatus();
    if (article.ok()) (void)engine_->Process(*article, m.analyzed, nullptr);
    return absl::OkStatus();
  }
  if (eos_) {
    DEDUP_RETURN_IF_ERROR(EnsureTransaction());
    ++txn_messages_;
    txn_positions_[{std::string(msg.topic()), msg.partition()}] = msg.offset() + 1;
  }
  const uint64_t token =
      tracker_.Begin(msg.topic(), msg.partition(), msg.offset(), msg.payload().size());
  absl::Status st;
  if (!article.ok()) {
    st = DeadLetter(msg, article.status(), token);
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status decided =
        engine_->ProcessInto(*article, m.analyzed, &updates_, decision_);
    const auto t1 = std::chrono::steady_clock::now();
    metrics.stage_engine.Observe(Seconds(t1 - t0));
    if (!decided.ok()) {
      st = DeadLetter(msg, decided, token);
    } else {
      const Decision& d = decision_;
      ++stats_.decisions;
      metrics.decisions.Inc();
      if (d.replayed) {
        metrics.replayed.Inc();
      } else {
        metrics.candidates.Observe(d.candidates);
        if (d.duplicate) {
          ++stats_.duplicates;
          metrics.duplicates.Inc();
        }
      }
      buf_.clear();
      AppendDecisionJson(buf_, d);
      st = Emit(config_.kafka.decisions_topic, d.id, buf_, {}, token);
      for (const StoryUpdate& u : updates_) {
        if (!st.ok()) break;
        ++stats_.story_updates;
        metrics.story_updates.Inc();
        buf_.clear();
        story_writer_.Append(buf_, u);
        if (buf_.size() > kMaxStoryBytes) FitStory(u);
        st = Emit(config_.kafka.stories_topic, u.cluster_id, buf_, {}, token);
      }
      const auto emitted = std::chrono::steady_clock::now();
      metrics.stage_emit.Observe(Seconds(emitted - t1));
      metrics.processing.Observe(Seconds(emitted - m.submitted));
      if (const std::optional<int64_t> ts = msg.timestamp_ms(); ts.has_value()) {
        const int64_t now_ms = WallClockMs();
        if (now_ms >= *ts) metrics.end_to_end.Observe(static_cast<double>(now_ms - *ts) / 1000.0);
      }
    }
  }
  tracker_.Release(token);
  return st;
}

// Re-serialises `u` into buf_ with its oldest listed members dropped, halving the list until
// the record fits kMaxStoryBytes (rare: needs hundreds of very long URLs).
void PipelineImpl::FitStory(const StoryUpdate& u) {
  StoryUpdate fitted = u;
  fitted.size = std::max(u.size, u.members.size());
  while (buf_.size() > kMaxStoryBytes && !fitted.members.empty()) {
    fitted.members.erase(fitted.members.begin(),
                         fitted.members.begin() +
                             static_cast<ptrdiff_t>((fitted.members.size() + 1) / 2));
    buf_.clear();
    AppendStoryJson(buf_, fitted);
  }
  LogWarn("story update trimmed to fit the record size limit",
          {{"cluster_id", u.cluster_id},
           {"members", std::to_string(fitted.size)},
           {"listed", std::to_string(fitted.members.size())},
           {"bytes", std::to_string(buf_.size())}});
}

absl::Status PipelineImpl::HandleReady() {
  bool any = false;
  absl::Status st;
  while (std::unique_ptr<Parsed<InputMessage>> m = pool_->TakeReady()) {
    any = true;
    const bool silent = Restoring(m->msg);
    if (!silent && !replay_until_.empty()) {
      Defer(std::move(m));
      continue;
    }
    st = Handle(*m, silent);
    if (!st.ok()) break;
    if (silent) {
      const auto it = replay_until_.find({std::string(m->msg.topic()), m->msg.partition()});
      if (it != replay_until_.end() && m->msg.offset() + 1 >= it->second) FinishRestore(it->first);
    }
    pool_->Recycle(std::move(m));
  }
  if (st.ok() && !deferred_.empty()) st = ReleaseDeferred();
  if (any) PublishEngineStats();
  return st;
}

absl::Status PipelineImpl::Drain() {
  while (pool_->Pending() > 0) {
    pool_->WaitReady(100);
    notifier_.PingWatchdog();
    DEDUP_RETURN_IF_ERROR(HandleReady());
  }
  return absl::OkStatus();
}

absl::Status PipelineImpl::StoreCommittable() {
  std::vector<TopicPartitionOffset> done = tracker_.TakeCommittable();
  if (eos_) return absl::OkStatus();  // offsets go with the transactions
  return consumer_->StoreOffsets(done);
}

void PipelineImpl::OnRevoke(const std::vector<TopicPartition>& partitions) {
  // Finish the revoked partitions' work and outputs so their offsets can be stored before the
  // commit.
  if (absl::Status d = Drain(); !d.ok()) {
    LogWarn("drain on revoke failed", {{"error", std::string(d.message())}});
    if (delivery_error_.ok()) delivery_error_ = d;
  }
  if (eos_) {
    // Commit what was done for every partition before the revoked ones move on.
    if (absl::Status c = CommitTransaction(); !c.ok()) {
      LogWarn("transaction on revoke not committed", {{"error", std::string(c.message())}});
      if (!absl::IsAborted(c) && delivery_error_.ok()) delivery_error_ = c;
    }
  }
  absl::Status f = producer_->Flush(static_cast<int>(config_.daemon.shutdown_timeout_ms));
  if (!f.ok()) LogWarn("flush on revoke incomplete", {{"error", std::string(f.message())}});
  absl::Status s = StoreCommittable();
  if (!s.ok()) LogWarn("offset store on revoke failed", {{"error", std::string(s.message())}});
  for (const TopicPartition& tp : partitions) {
    tracker_.DropPartition(tp.topic, tp.partition);
    assigned_.erase({tp.topic, tp.partition});
    replay_until_.erase({tp.topic, tp.partition});
    paused_.erase({tp.topic, tp.partition});
    // Held messages were never started: the partition's next owner consumes them again.
    std::erase_if(deferred_, [&](const std::unique_ptr<Parsed<InputMessage>>& m) {
      return m->msg.topic() == tp.topic && m->msg.partition() == tp.partition;
    });
  }
  PublishAssignment();
  metrics_->consumer_lag.Clear();
}

void PipelineImpl::MaybeLogProgress() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::seconds(10)) return;
  last_progress_ = now;
  const EngineStats e = Counted();
  LogInfo("progress", {{"consumed", std::to_string(stats_.consumed)},
                       {"decisions", std::to_string(stats_.decisions)},
                       {"duplicates", std::to_string(stats_.duplicates)},
                       {"dead_letters", std::to_string(stats_.dead_letters)},
                       {"in_flight", std::to_string(tracker_.in_flight())},
                       {"indexed", std::to_string(e.indexed)},
                       {"clusters", std::to_string(e.clusters)}});
  if (e.future_timestamps > future_timestamps_logged_) {
    LogWarn("event times ahead of the clock taken as now",
            {{"articles", std::to_string(e.future_timestamps - future_timestamps_logged_)},
             {"total", std::to_string(e.future_timestamps)},
             {"max_future_hours", Cat(config_.cluster.max_future_hours)}});
    future_timestamps_logged_ = e.future_timestamps;
  }
  notifier_.Status(Cat("consumed ", stats_.consumed, ", duplicates ", stats_.duplicates,
                       ", dead letters ", stats_.dead_letters, ", indexed ", e.indexed,
                       ", partitions ", assigned_.size()));
}

absl::Status PipelineImpl::Run() {
  DEDUP_RETURN_IF_ERROR(consumer_->Subscribe());
  LogInfo("dedupd running", {{"brokers", config_.kafka.brokers},
                             {"workers", std::to_string(pool_->workers())},
                             {"presign", presigner_ != nullptr ? "true" : "false"},
                             {"group", config_.kafka.group_id},
                             {"sketch_kernel", std::string(engine_->kernel_name())},
                             {"signature_version", std::to_string(engine_->signature_version())},
                             {"delivery", eos_ ? "exactly-once" : "at-least-once"},
                             {"restore_state", config_.daemon.restore_state ? "true" : "false"}});
  running_.store(true);
  PublishAssignment();
  notifier_.Ready("running");
  absl::Status failure;
  while (!stop_.load()) {
    Turn();
    const int poll_ms = static_cast<int>(config_.daemon.poll_timeout_ms);
    producer_->Poll(0);
    if (!delivery_error_.ok()) {
      failure = delivery_error_;
      break;
    }
    if (absl::Status f = producer_->FatalError(); !f.ok()) {
      failure = f;
      break;
    }
    // In flight: awaiting acknowledgement, or consumed and waiting for the engine.
    const bool saturated =
        tracker_.in_flight() + pool_->Pending() >=
            static_cast<size_t>(config_.daemon.max_inflight_messages) ||
        tracker_.in_flight_bytes() + pool_->PendingBytes() >=
            static_cast<size_t>(config_.daemon.max_inflight_bytes);
    if (saturated) {
      producer_->Poll(poll_ms);  // backpressure: only acknowledgements until there is room
    } else if (pool_->HasRoom()) {
      // Block on the consumer only when nothing is waiting for the engine.
      absl::StatusOr<std::optional<InputMessage>> msg =
          consumer_->Poll(pool_->Pending() == 0 ? poll_ms : 0);
      if (!msg.ok()) {
        failure = msg.status();
        break;
      }
      if (msg->has_value()) {
        pool_->Submit(std::move(**msg));
      } else if (pool_->Pending() > 0) {
        pool_->WaitReady(poll_ms);  // no new input: sleep until the oldest message is analysed
      }
    } else {
      pool_->WaitReady(poll_ms);  // the workers are full: let them catch up
    }
    if (absl::Status h = HandleReady(); !h.ok()) {
      failure = h;
      break;
    }
    if (absl::Status s = StoreCommittable(); !s.ok()) {
      failure = s;
      break;
    }
    if (TransactionDue()) {
      if (absl::Status c = CommitTransaction(); !c.ok() && !absl::IsAborted(c)) {
        failure = c;
        break;
      }
    }
    MaybeLogProgress();
  }
  absl::Status shut = Shutdown();
  if (!failure.ok()) {
    LogError("pipeline stopped on error", {{"error", std::string(failure.message())}});
    return failure;
  }
  return shut;
}

absl::Status PipelineImpl::Shutdown() {
  running_.store(false);
  PublishAssignment();  // no longer ready
  notifier_.Stopping();
  LogInfo("shutting down", {{"in_flight", std::to_string(tracker_.in_flight())},
                            {"queued", std::to_string(pool_->Pending())}});
  // Messages already consumed are processed: their offsets can then be committed.
  if (absl::Status d = Drain(); !d.ok()) LogWarn("drain failed", {{"error", std::string(d.message())}});
  if (eos_) {
    if (absl::Status c = CommitTransaction(); !c.ok()) {
      LogWarn("last transaction not committed (redone after restart)",
              {{"error", std::string(c.message())}});
    }
  }
  absl::Status result = producer_->Flush(static_cast<int>(config_.daemon.shutdown_timeout_ms));
  if (!result.ok()) LogWarn("flush incomplete", {{"error", std::string(result.message())}});
  if (absl::Status s = StoreCommittable(); !s.ok() && result.ok()) result = s;
  if (absl::Status c = consumer_->Commit(); !c.ok()) {
    // Not a failed stop: every output was delivered; the input after the last successful commit
    // is read again by the partition's next owner (at-least-once), and replays are counted.
    LogWarn("final commit failed; input since the last commit will be read again",
            {{"error", std::string(c.message())}});
  }
  if (absl::Status c = consumer_->Close(); !c.ok() && result.ok()) result = c;
  LogInfo("stopped", {{"consumed", std::to_string(stats_.consumed)},
                      {"decisions", std::to_string(stats_.decisions)},
                      {"dead_letters", std::to_string(stats_.dead_letters)},
                      {"delivered", std::to_string(stats_.delivered)}});
  return result;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(const Config& config,
                                                          PipelineOptions options) {
  auto p = std::make_unique<PipelineImpl>(config, std::move(options));
  DEDUP_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Pipeline>(std::move(p));
}

absl::Status ValidateKafkaSections(const Config& config) {
  DEDUP_RETURN_IF_ERROR(ValidateConsumerConfig(config.kafka));
  return ValidateProducerConfig(config.kafka);
}

}  // namespace dedup
