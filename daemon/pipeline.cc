#include "pipeline.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "dedup/base/log.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/emit/producer.h"
#include "dedup/engine/engine.h"
#include "dedup/ingest/consumer.h"
#include "dedup/ingest/offset_tracker.h"
#include "dedup/parse/article_json.h"
#include "worker_pool.h"

namespace dedup {
namespace {

class PipelineImpl final : public Pipeline, public RebalanceListener {
 public:
  explicit PipelineImpl(const Config& config) : config_(config) {}

  absl::Status Init();
  absl::Status Run() override;
  void RequestStop() override { stop_.store(true); }
  PipelineStats stats() const override { return stats_; }

  void OnAssign(const std::vector<TopicPartition>&) override {}
  void OnRevoke(const std::vector<TopicPartition>& partitions) override;

 private:
  absl::Status Handle(ParsedMessage& m);
  // Hands every parsed message to the engine, waiting for the workers; in order.
  absl::Status Drain();
  absl::Status HandleReady();
  absl::Status DeadLetter(const InputMessage& msg, const absl::Status& why, uint64_t token);
  absl::Status Emit(std::string_view topic, std::string_view key, std::string_view value,
                    const std::vector<RecordHeader>& headers, uint64_t token);
  void OnDelivery(uint64_t token, const absl::Status& result);
  absl::Status StoreCommittable();
  absl::Status Shutdown();
  void MaybeLogProgress();

  Config config_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
  OffsetTracker tracker_;
  std::atomic<bool> stop_{false};
  absl::Status delivery_error_;
  PipelineStats stats_;
  std::vector<StoryUpdate> updates_;
  std::string buf_;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
};

absl::Status PipelineImpl::Init() {
  DEDUP_ASSIGN_OR_RETURN(engine_, Engine::Create(config_));
  const int workers = config_.daemon.workers >= 0
                          ? config_.daemon.workers
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  pool_ = std::make_unique<WorkerPool>(config_, workers);
  DEDUP_ASSIGN_OR_RETURN(producer_,
                         Producer::Create(config_.kafka, [this](uint64_t t, const absl::Status& s) {
                           OnDelivery(t, s);
                         }));
  DEDUP_ASSIGN_OR_RETURN(consumer_, Consumer::Create(config_.kafka, this));
  return absl::OkStatus();
}

void PipelineImpl::OnDelivery(uint64_t token, const absl::Status& result) {
  if (result.ok()) {
    ++stats_.delivered;
    tracker_.Done(token);
    return;
  }
  // The message stays incomplete: its offset is never stored, so it is consumed again after a
  // restart. Stop: carrying on would leave a gap no later commit could close.
  ++stats_.delivery_failures;
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
  LogDebug("dead letter", {{"reason", reason},
                           {"topic", std::string(msg.topic())},
                           {"partition", std::to_string(msg.partition())},
                           {"offset", std::to_string(msg.offset())}});
  const std::vector<RecordHeader> headers = {
      {"dedupd.reason", reason},
      {"dedupd.error", std::string(why.message())},
      {"dedupd.source.topic", std::string(msg.topic())},
      {"dedupd.source.partition", std::to_string(msg.partition())},
      {"dedupd.source.offset", std::to_string(msg.offset())},
  };
  return Emit(config_.kafka.dead_letter_topic, msg.key(), msg.payload(), headers, token);
}

absl::Status PipelineImpl::Handle(ParsedMessage& m) {
  const InputMessage& msg = m.msg;
  ++stats_.consumed;
  const uint64_t token =
      tracker_.Begin(msg.topic(), msg.partition(), msg.offset(), msg.payload().size());
  absl::StatusOr<Article>& article = m.article;
  absl::Status st;
  if (!article.ok()) {
    st = DeadLetter(msg, article.status(), token);
  } else {
    absl::StatusOr<Decision> d = engine_->Process(*article, m.analyzed, &updates_);
    if (!d.ok()) {
      st = DeadLetter(msg, d.status(), token);
    } else {
      ++stats_.decisions;
      if (d->duplicate && !d->replayed) ++stats_.duplicates;
      buf_.clear();
      AppendDecisionJson(buf_, *d);
      st = Emit(config_.kafka.decisions_topic, d->id, buf_, {}, token);
      for (const StoryUpdate& u : updates_) {
        if (!st.ok()) break;
        ++stats_.story_updates;
        buf_.clear();
        AppendStoryJson(buf_, u);
        st = Emit(config_.kafka.stories_topic, u.cluster_id, buf_, {}, token);
      }
    }
  }
  tracker_.Release(token);
  return st;
}

absl::Status PipelineImpl::HandleReady() {
  while (std::unique_ptr<ParsedMessage> m = pool_->TakeReady()) {
    DEDUP_RETURN_IF_ERROR(Handle(*m));
  }
  return absl::OkStatus();
}

absl::Status PipelineImpl::Drain() {
  while (pool_->Pending() > 0) {
    pool_->WaitReady(100);
    DEDUP_RETURN_IF_ERROR(HandleReady());
  }
  return absl::OkStatus();
}

absl::Status PipelineImpl::StoreCommittable() {
  return consumer_->StoreOffsets(tracker_.TakeCommittable());
}

void PipelineImpl::OnRevoke(const std::vector<TopicPartition>& partitions) {
  // Finish the revoked partitions' work and outputs so their offsets can be stored before the
  // commit.
  if (absl::Status d = Drain(); !d.ok()) {
    LogWarn("drain on revoke failed", {{"error", std::string(d.message())}});
    if (delivery_error_.ok()) delivery_error_ = d;
  }
  absl::Status f = producer_->Flush(static_cast<int>(config_.daemon.shutdown_timeout_ms));
  if (!f.ok()) LogWarn("flush on revoke incomplete", {{"error", std::string(f.message())}});
  absl::Status s = StoreCommittable();
  if (!s.ok()) LogWarn("offset store on revoke failed", {{"error", std::string(s.message())}});
  for (const TopicPartition& tp : partitions) tracker_.DropPartition(tp.topic, tp.partition);
}

void PipelineImpl::MaybeLogProgress() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::seconds(10)) return;
  last_progress_ = now;
  const EngineStats e = engine_->stats();
  LogInfo("progress", {{"consumed", std::to_string(stats_.consumed)},
                       {"decisions", std::to_string(stats_.decisions)},
                       {"duplicates", std::to_string(stats_.duplicates)},
                       {"dead_letters", std::to_string(stats_.dead_letters)},
                       {"in_flight", std::to_string(tracker_.in_flight())},
                       {"indexed", std::to_string(e.indexed)},
                       {"clusters", std::to_string(e.clusters)}});
}

absl::Status PipelineImpl::Run() {
  DEDUP_RETURN_IF_ERROR(consumer_->Subscribe());
  LogInfo("dedupd running", {{"brokers", config_.kafka.brokers},
                             {"workers", std::to_string(config_.daemon.workers)},
                             {"group", config_.kafka.group_id},
                             {"minhash_kernel", std::string(engine_->kernel_name())}});
  const int poll_ms = static_cast<int>(config_.daemon.poll_timeout_ms);
  absl::Status failure;
  while (!stop_.load()) {
    producer_->Poll(0);
    if (!delivery_error_.ok()) {
      failure = delivery_error_;
      break;
    }
    if (absl::Status f = producer_->FatalError(); !f.ok()) {
      failure = f;
      break;
    }
    const bool saturated =
        tracker_.in_flight() >= static_cast<size_t>(config_.daemon.max_inflight_messages) ||
        tracker_.in_flight_bytes() >= static_cast<size_t>(config_.daemon.max_inflight_bytes);
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
  LogInfo("shutting down", {{"in_flight", std::to_string(tracker_.in_flight())},
                            {"queued", std::to_string(pool_->Pending())}});
  // Messages already consumed are processed: their offsets can then be committed.
  if (absl::Status d = Drain(); !d.ok()) LogWarn("drain failed", {{"error", std::string(d.message())}});
  absl::Status result = producer_->Flush(static_cast<int>(config_.daemon.shutdown_timeout_ms));
  if (!result.ok()) LogWarn("flush incomplete", {{"error", std::string(result.message())}});
  if (absl::Status s = StoreCommittable(); !s.ok() && result.ok()) result = s;
  if (absl::Status c = consumer_->Commit(); !c.ok()) {
    LogWarn("final commit failed", {{"error", std::string(c.message())}});
    if (result.ok()) result = c;
  }
  if (absl::Status c = consumer_->Close(); !c.ok() && result.ok()) result = c;
  LogInfo("stopped", {{"consumed", std::to_string(stats_.consumed)},
                      {"decisions", std::to_string(stats_.decisions)},
                      {"dead_letters", std::to_string(stats_.dead_letters)},
                      {"delivered", std::to_string(stats_.delivered)}});
  return result;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(const Config& config) {
  auto p = std::make_unique<PipelineImpl>(config);
  DEDUP_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Pipeline>(std::move(p));
}

absl::Status ValidateKafkaSections(const Config& config) {
  DEDUP_RETURN_IF_ERROR(ValidateConsumerConfig(config.kafka));
  return ValidateProducerConfig(config.kafka);
}

}  // namespace dedup
