#include "dedup/ingest/consumer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "simdjson.h"

#include "dedup/base/log.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/base/time.h"
#include "kafka/kafka.h"

namespace dedup {

using kafka::HandlePtr;
using kafka::PartitionListPtr;

namespace {

rd_kafka_message_t* Msg(void* m) { return static_cast<rd_kafka_message_t*>(m); }

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* l) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < l->cnt; ++i) out.push_back({l->elems[i].topic, l->elems[i].partition});
  return out;
}

// dedupd's default fetch.max.bytes: kDefaultFetchMaxBytes, or the user's consumer
// message.max.bytes if that is larger (librdkafka refuses a fetch.max.bytes below it). An
// unreadable message.max.bytes is left for librdkafka to name.
int64_t FetchMaxBytes(const KafkaConfig& c) {
  int64_t bytes = kDefaultFetchMaxBytes;
  for (const auto& [k, v] : c.consumer_properties) {
    int64_t n = 0;
    if (k == "message.max.bytes" && absl::SimpleAtoi(v, &n)) bytes = std::max(bytes, n);
  }
  return bytes;
}

kafka::Properties ConsumerDefaults(const KafkaConfig& c, const ConsumerOptions& o = {}) {
  kafka::Properties p = {
      {"bootstrap.servers", c.brokers},
      {"group.id", c.group_id},
      {"client.id", "dedupd"},
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      // TCP_NODELAY (see the producer's defaults).
      {"socket.nagle.disable", "true"},
      // Consumer lag per partition for the metrics endpoint (RebalanceListener::OnLag).
      {"statistics.interval.ms", "5000"},
      // Fetch responses of at most ~1 MiB instead of librdkafka's 50 MiB: a response is read
      // into one buffer that is parsed once it is complete, so a large one comes from fresh
      // pages (a page fault every 4 KiB) and is cold in the cache when parsed. Flat out this took
      // ~12% off dedupd's CPU an article (docs/BENCHMARKS.md, tenth session). At least the
      // consumer's message.max.bytes, which librdkafka requires.
      {"fetch.max.bytes", std::to_string(FetchMaxBytes(c))},
      // Prefetch enough input for a second of deciding: librdkafka pauses fetching for a second
      // when this much is queued (kDefaultQueuedMaxKbytes).
      {"queued.max.messages.kbytes", std::to_string(kDefaultQueuedMaxKbytes)},
  };
  if (o.transactional) {
    p.emplace_back("enable.auto.commit", "false");
    p.emplace_back("isolation.level", "read_committed");
  }
  return p;
}

// Sets each partition's start offset for a restore and returns the replay bounds. A partition
// with a committed offset C starts at the first message with a timestamp within the window
// before now (the low watermark if the broker does not say), and replays up to C. A partition
// without one starts where auto.offset.reset says and replays nothing.
std::vector<AssignedPartition> PlanRestore(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* parts,
                                           int64_t window_ms) {
  std::vector<AssignedPartition> out;
  for (int i = 0; i < parts->cnt; ++i) {
    out.push_back({parts->elems[i].topic, parts->elems[i].partition, -1, -1});
  }
  if (parts->cnt == 0) return out;
  PartitionListPtr committed(rd_kafka_topic_partition_list_copy(parts));
  if (rd_kafka_resp_err_t e = rd_kafka_committed(rk, committed.get(), 10000); e) {
    LogWarn("cannot read committed offsets; starting at the group's positions",
            {{"error", rd_kafka_err2str(e)}});
    return out;
  }
  PartitionListPtr by_time(rd_kafka_topic_partition_list_copy(parts));
  const int64_t since = window_ms > 0 ? WallClockMs() - window_ms : 0;
  for (int i = 0; i < by_time->cnt; ++i) by_time->elems[i].offset = since;
  const bool have_times =
      window_ms > 0 && rd_kafka_offsets_for_times(rk, by_time.get(), 10000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; i < parts->cnt; ++i) {
    const int64_t c = committed->elems[i].offset;
    parts->elems[i].offset = c >= 0 ? c : RD_KAFKA_OFFSET_INVALID;
    if (c < 0 || window_ms <= 0) continue;
    int64_t start = -1;
    if (have_times && by_time->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
        by_time->elems[i].offset >= 0) {
      start = by_time->elems[i].offset;
    } else {
      // -1 means "no message that recent" from a real broker but "not supported" from the mock
      // cluster: start at the beginning (the pipeline skips messages older than the window).
      int64_t lo = 0, hi = 0;
      if (rd_kafka_query_watermark_offsets(rk, parts->elems[i].topic, parts->elems[i].partition,
                                           &lo, &hi, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        start = lo;
      }
    }
    LogDebug("restore plan", {{"topic", parts->elems[i].topic},
                              {"partition", std::to_string(parts->elems[i].partition)},
                              {"committed", std::to_string(c)},
                              {"by_time", have_times ? std::to_string(by_time->elems[i].offset) : "n/a"},
                              {"start", std::to_string(start)}});
    if (start < 0 || start >= c) continue;
    parts->elems[i].offset = start;
    out[static_cast<size_t>(i)].replay_from = start;
    out[static_cast<size_t>(i)].replay_until = c;
  }
  return out;
}

// dedupd's at-least-once promise rests on these: a user setting may not undo them.
absl::Status CheckNotOverridden(const KafkaConfig& c) {
  for (const auto& [k, v] : c.consumer_properties) {
    if (k == "enable.auto.offset.store" && v != "false") {
      return absl::InvalidArgumentError(
          "kafka.consumer.enable.auto.offset.store: must stay false (dedupd stores an offset "
          "only after the message's outputs are acknowledged)");
    }
    if (c.exactly_once && k == "enable.auto.commit" && v != "false") {
      return absl::InvalidArgumentError(
          "kafka.consumer.enable.auto.commit: must stay false with kafka.exactly_once (offsets "
          "are committed by the producer's transactions)");
    }
    if (c.exactly_once && k == "isolation.level" && v != "read_committed") {
      return absl::InvalidArgumentError(
          "kafka.consumer.isolation.level: must stay read_committed with kafka.exactly_once");
    }
  }
  return absl::OkStatus();
}

}  // namespace

InputMessage::InputMessage(void* msg) : msg_(msg) {}
InputMessage::InputMessage(InputMessage&& o) noexcept : msg_(o.msg_) { o.msg_ = nullptr; }
InputMessage& InputMessage::operator=(InputMessage&& o) noexcept {
  if (this != &o) {
    if (msg_ != nullptr) rd_kafka_message_destroy(Msg(msg_));
    msg_ = o.msg_;
    o.msg_ = nullptr;
  }
  return *this;
}
InputMessage::~InputMessage() {
  if (msg_ != nullptr) rd_kafka_message_destroy(Msg(msg_));
}
std::string_view InputMessage::topic() const { return rd_kafka_topic_name(Msg(msg_)->rkt); }
int32_t InputMessage::partition() const { return Msg(msg_)->partition; }
int64_t InputMessage::offset() const { return Msg(msg_)->offset; }
std::string_view InputMessage::key() const {
  const auto* m = Msg(msg_);
  return m->key ? std::string_view(static_cast<const char*>(m->key), m->key_len) : std::string_view();
}
std::string_view InputMessage::payload() const {
  const auto* m = Msg(msg_);
  return m->payload ? std::string_view(static_cast<const char*>(m->payload), m->len)
                    : std::string_view();
}
std::optional<int64_t> InputMessage::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  const int64_t ts = rd_kafka_message_timestamp(Msg(msg_), &type);
  if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0) return std::nullopt;
  return ts;
}

absl::StatusOr<std::vector<PartitionLag>> ParseConsumerLag(std::string_view stats_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(stats_json.data(), stats_json.size()).get(root); e) {
    return absl::InvalidArgumentError(Cat("statistics: ", simdjson::error_message(e)));
  }
  std::vector<PartitionLag> out;
  simdjson::dom::object topics;
  if (root["topics"].get(topics) != simdjson::SUCCESS) return out;
  for (auto [topic, tv] : topics) {
    simdjson::dom::object partitions;
    if (tv["partitions"].get(partitions) != simdjson::SUCCESS) continue;
    for (auto [pkey, pv] : partitions) {
      int64_t partition = -1, lag = -1;
      if (pv["partition"].get(partition) != simdjson::SUCCESS || partition < 0) continue;
      if (pv["consumer_lag"].get(lag) != simdjson::SUCCESS || lag < 0) continue;
      out.push_back({std::string(topic), static_cast<int32_t>(partition), lag});
    }
  }
  return out;
}

struct Consumer::Impl {
  KafkaConfig config;
  ConsumerOptions options;
  RebalanceListener* listener = nullptr;
  HandlePtr rk;
  bool closed = false;

  static int StatsCb(rd_kafka_t*, char* json, size_t len, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (self->listener == nullptr) return 0;
    absl::StatusOr<std::vector<PartitionLag>> lags = ParseConsumerLag({json, len});
    if (!lags.ok()) {
      LogWarn("unreadable librdkafka statistics", {{"error", std::string(lags.status().message())}});
      return 0;
    }
    self->listener->OnLag(*lags);
    return 0;  // librdkafka frees the JSON
  }

  static void RebalanceCb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    const auto list = ToVector(partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      LogInfo("partitions assigned", {{"count", std::to_string(list.size())}});
      const std::vector<AssignedPartition> plan =
          PlanRestore(rk, partitions, self->options.restore_window_ms);
      for (const AssignedPartition& a : plan) {
        if (a.replay_until < 0) continue;
        LogInfo("restoring partition", {{"topic", a.topic},
                                        {"partition", std::to_string(a.partition)},
                                        {"from", std::to_string(a.replay_from)},
                                        {"until", std::to_string(a.replay_until)}});
      }
      if (self->listener) self->listener->OnAssign(plan);
      rd_kafka_error_t* e = nullptr;
      if (cooperative) {
        e = rd_kafka_incremental_assign(rk, partitions);
      } else {
        rd_kafka_assign(rk, partitions);
      }
      if (e) {
        LogError("assign failed", {{"error", rd_kafka_error_string(e)}});
        rd_kafka_error_destroy(e);
      }
    } else {
      LogInfo("partitions revoked", {{"count", std::to_string(list.size())}});
      if (self->listener) self->listener->OnRevoke(list);
      // Commit what the listener stored before the partitions go to another member.
      const rd_kafka_resp_err_t ce = rd_kafka_commit(rk, nullptr, 0);
      if (ce != RD_KAFKA_RESP_ERR_NO_ERROR && ce != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        LogWarn("commit on revoke failed", {{"error", rd_kafka_err2str(ce)}});
      }
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions);
        if (e) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }
};

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() { (void)Close(); }

absl::Status ValidateConsumerConfig(const KafkaConfig& config) {
  DEDUP_RETURN_IF_ERROR(CheckNotOverridden(config));
  return kafka::CheckClient(RD_KAFKA_CONSUMER, ConsumerDefaults(config),
                            config.consumer_properties, "kafka.consumer");
}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const KafkaConfig& config,
                                                           RebalanceListener* listener,
                                                           ConsumerOptions options) {
  DEDUP_RETURN_IF_ERROR(CheckNotOverridden(config));
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  impl->listener = listener;
  DEDUP_ASSIGN_OR_RETURN(kafka::ConfPtr conf,
                         kafka::MakeConf(ConsumerDefaults(config, options),
                                         config.consumer_properties, "kafka.consumer"));
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::RebalanceCb);
  rd_kafka_conf_set_stats_cb(conf.get(), &Impl::StatsCb);
  DEDUP_ASSIGN_OR_RETURN(impl->rk, kafka::NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(impl->rk.get());
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

absl::Status Consumer::Subscribe() {
  PartitionListPtr topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(impl_->config.input_topics.size())));
  for (const std::string& t : impl_->config.input_topics) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(impl_->rk.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(Cat("subscribe failed: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<InputMessage>> Consumer::Poll(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk.get(), timeout_ms);
  if (m == nullptr) return std::optional<InputMessage>();
  InputMessage msg(m);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::optional<InputMessage>(std::move(msg));
  char errstr[512];
  if (m->err == RD_KAFKA_RESP_ERR__FATAL ||
      rd_kafka_fatal_error(impl_->rk.get(), errstr, sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(Cat("fatal consumer error: ", rd_kafka_message_errstr(m)));
  }
  LogWarn("consumer error", {{"error", rd_kafka_message_errstr(m)},
                             {"topic", m->rkt ? rd_kafka_topic_name(m->rkt) : ""}});
  return std::optional<InputMessage>();
}

absl::Status Consumer::StoreOffsets(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return absl::OkStatus();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  }
  const rd_kafka_resp_err_t err = rd_kafka_offsets_store(impl_->rk.get(), list.get());
  // A partition revoked in the meantime is refused per partition; that is expected.
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__STATE &&
      err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return absl::InternalError(Cat("offsets_store: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status Consumer::Commit() {
  const rd_kafka_resp_err_t err = rd_kafka_commit(impl_->rk.get(), nullptr, 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    return absl::UnavailableError(Cat("commit: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status Consumer::Close() {
  if (impl_ == nullptr || impl_->closed) return absl::OkStatus();
  impl_->closed = true;
  const rd_kafka_resp_err_t err = rd_kafka_consumer_close(impl_->rk.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(Cat("consumer close: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AssignedPartition>> Consumer::Rewind() {
  rd_kafka_topic_partition_list_t* l = nullptr;
  if (rd_kafka_resp_err_t e = rd_kafka_assignment(impl_->rk.get(), &l); e) {
    return absl::UnavailableError(Cat("assignment: ", rd_kafka_err2str(e)));
  }
  PartitionListPtr parts(l);
  std::vector<AssignedPartition> plan =
      PlanRestore(impl_->rk.get(), parts.get(), impl_->options.restore_window_ms);
  for (int i = 0; i < parts->cnt; ++i) {
    // No committed offset: back to where auto.offset.reset starts.
    if (parts->elems[i].offset < 0) parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_error_t* e = rd_kafka_seek_partitions(impl_->rk.get(), parts.get(), 10000)) {
    const std::string msg = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return absl::UnavailableError(Cat("seek: ", msg));
  }
  for (int i = 0; i < parts->cnt; ++i) {
    if (parts->elems[i].err) {
      return absl::UnavailableError(Cat("seek ", parts->elems[i].topic, "/",
                                        parts->elems[i].partition, ": ",
                                        rd_kafka_err2str(parts->elems[i].err)));
    }
  }
  return plan;
}

ConsumerGroupMetadata::ConsumerGroupMetadata(void* raw) : raw_(raw) {}
ConsumerGroupMetadata::~ConsumerGroupMetadata() {
  if (raw_ != nullptr) {
    rd_kafka_consumer_group_metadata_destroy(static_cast<rd_kafka_consumer_group_metadata_t*>(raw_));
  }
}

std::unique_ptr<ConsumerGroupMetadata> Consumer::GroupMetadata() const {
  return std::make_unique<ConsumerGroupMetadata>(rd_kafka_consumer_group_metadata(impl_->rk.get()));
}

absl::StatusOr<std::string> Consumer::ClientProperty(const std::string& name) const {
  const rd_kafka_conf_t* conf = rd_kafka_conf(impl_->rk.get());
  size_t size = 0;  // first the value's size (with its terminating NUL), then the value
  if (rd_kafka_conf_get(conf, name.c_str(), nullptr, &size) == RD_KAFKA_CONF_OK) {
    std::string value(size, '\0');
    if (rd_kafka_conf_get(conf, name.c_str(), value.data(), &size) == RD_KAFKA_CONF_OK) {
      value.resize(std::strlen(value.c_str()));
      return value;
    }
  }
  return absl::NotFoundError(Cat("no librdkafka property ", name));
}

namespace {
PartitionListPtr ToList(const std::vector<TopicPartition>& parts) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const TopicPartition& tp : parts) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}
}  // namespace

absl::Status Consumer::Pause(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list = ToList(partitions);
  if (rd_kafka_resp_err_t e = rd_kafka_pause_partitions(impl_->rk.get(), list.get()); e) {
    return absl::UnavailableError(Cat("pause: ", rd_kafka_err2str(e)));
  }
  return absl::OkStatus();
}

absl::Status Consumer::Resume(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list = ToList(partitions);
  if (rd_kafka_resp_err_t e = rd_kafka_resume_partitions(impl_->rk.get(), list.get()); e) {
    return absl::UnavailableError(Cat("resume: ", rd_kafka_err2str(e)));
  }
  return absl::OkStatus();
}

int64_t Consumer::Position(const std::string& topic, int32_t partition) const {
  PartitionListPtr list = ToList({{topic, partition}});
  if (rd_kafka_position(impl_->rk.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  return list->elems[0].offset;
}

std::vector<TopicPartition> Consumer::Assignment() const {
  rd_kafka_topic_partition_list_t* l = nullptr;
  if (rd_kafka_assignment(impl_->rk.get(), &l) != RD_KAFKA_RESP_ERR_NO_ERROR || l == nullptr) {
    return {};
  }
  PartitionListPtr owner(l);
  return ToVector(l);
}

}  // namespace dedup
