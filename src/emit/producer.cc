#include "dedup/emit/producer.h"

#include <chrono>
#include <optional>
#include <string>

#include "dedup/base/log.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/ingest/consumer.h"
#include "dedup/ingest/offset_tracker.h"
#include "kafka/kafka.h"

#include <unistd.h>

namespace dedup {
namespace {

std::string TransactionalId(const KafkaConfig& c) {
  if (!c.transactional_id.empty()) return c.transactional_id;
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  return Cat("dedupd-", c.group_id, "-", host);
}

kafka::Properties ProducerDefaults(const KafkaConfig& c) {
  kafka::Properties p = {
      {"bootstrap.servers", c.brokers},
      {"client.id", "dedupd"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      // TCP_NODELAY, as the Java client sets it: with Nagle's algorithm (librdkafka's default)
      // small produce requests waited for the broker's delayed ACK, ~45 ms stalls every few
      // hundred ms in the devbroker load test (docs/BENCHMARKS.md).
      {"socket.nagle.disable", "true"},
      // No compression by default: every consumer can read the records. (lz4 broke
      // kafka-python consumers without python3-lz4.) Set compression.type in [kafka.producer].
  };
  if (c.exactly_once) p.emplace_back("transactional.id", TransactionalId(c));
  return p;
}

// Turns a librdkafka transaction error into dedupd's: Aborted (abort and redo), Unavailable
// (retriable), Internal (fatal). Destroys `e`.
absl::Status TxnError(rd_kafka_error_t* e, std::string_view what) {
  const std::string msg = Cat(what, ": ", rd_kafka_error_string(e));
  absl::Status s = rd_kafka_error_is_fatal(e)             ? absl::InternalError(msg)
                   : rd_kafka_error_txn_requires_abort(e) ? absl::AbortedError(msg)
                   : rd_kafka_error_is_retriable(e)       ? absl::UnavailableError(msg)
                                                          : absl::InternalError(msg);
  rd_kafka_error_destroy(e);
  return s;
}

}  // namespace

struct Producer::Impl {
  struct TopicDeleter {
    void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
  };
  kafka::HandlePtr rk;
  // The output topics, opened at start (after rk: destroyed before it).
  struct OpenTopic {
    std::string name;
    std::unique_ptr<rd_kafka_topic_t, TopicDeleter> handle;
  };
  std::vector<OpenTopic> topics;

  // The topic called `name`, opened now if it was not (records go by handle: by name,
  // librdkafka looks the topic up under the client's write lock for every record); null if
  // librdkafka refuses it.
  rd_kafka_topic_t* Open(std::string_view name) {
    for (const OpenTopic& t : topics) {
      if (t.name == name) return t.handle.get();
    }
    const std::string n(name);
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk.get(), n.c_str(), nullptr);
    if (t != nullptr) topics.push_back({n, std::unique_ptr<rd_kafka_topic_t, TopicDeleter>(t)});
    return t;
  }
  DeliveryCallback on_delivery;
  bool transactional = false;

  static void DeliveryCb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const uint64_t token = reinterpret_cast<uintptr_t>(m->_private);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->on_delivery(token, absl::OkStatus());
    } else {
      self->on_delivery(token, absl::UnavailableError(
                                   Cat("delivery to ", rd_kafka_topic_name(m->rkt),
                                       " failed: ", rd_kafka_err2str(m->err))));
    }
  }
  static void ErrorCb(rd_kafka_t*, int err, const char* reason, void*) {
    LogWarn("producer error", {{"error", reason},
                               {"code", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))}});
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  if (impl_ && impl_->rk) {
    const int left = rd_kafka_outq_len(impl_->rk.get());
    if (left > 0) LogWarn("producer destroyed with records in flight", {{"records", std::to_string(left)}});
  }
}

absl::Status ValidateProducerConfig(const KafkaConfig& config) {
  return kafka::CheckClient(RD_KAFKA_PRODUCER, ProducerDefaults(config),
                            config.producer_properties, "kafka.producer");
}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const KafkaConfig& config,
                                                           DeliveryCallback on_delivery) {
  auto impl = std::make_unique<Impl>();
  impl->on_delivery = std::move(on_delivery);
  DEDUP_ASSIGN_OR_RETURN(
      kafka::ConfPtr conf,
      kafka::MakeConf(ProducerDefaults(config), config.producer_properties, "kafka.producer"));
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::DeliveryCb);
  rd_kafka_conf_set_error_cb(conf.get(), &Impl::ErrorCb);
  DEDUP_ASSIGN_OR_RETURN(impl->rk, kafka::NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  if (config.exactly_once) {
    impl->transactional = true;
    if (rd_kafka_error_t* e = rd_kafka_init_transactions(impl->rk.get(), 60000)) {
      return TxnError(e, "init_transactions");
    }
    LogInfo("transactional producer ready", {{"transactional_id", TransactionalId(config)}});
  }
  // Open the output topics now: librdkafka then looks up their partitions' leaders in the
  // background, instead of on the first record (the devbroker delivered the first decisions
  // after a start ~150-300 ms late while the lookup ran). Never blocks; an unknown topic is
  // looked up again when a record goes to it.
  for (const std::string* name :
       {&config.decisions_topic, &config.stories_topic, &config.dead_letter_topic}) {
    if (name->empty()) continue;
    impl->Open(*name);
  }
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

bool Producer::transactional() const { return impl_->transactional; }

absl::Status Producer::BeginTransaction() {
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(impl_->rk.get())) {
    return TxnError(e, "begin_transaction");
  }
  return absl::OkStatus();
}

absl::Status Producer::CommitTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                         const ConsumerGroupMetadata& group, int timeout_ms) {
  rd_kafka_t* rk = impl_->rk.get();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto left_ms = [&] {
    return static_cast<int>(std::max<int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(
               deadline - std::chrono::steady_clock::now())
               .count()));
  };
  // Runs one transactional step, retrying retriable errors until the deadline; a step that
  // cannot complete in time, or needs it, aborts the transaction.
  auto step = [&](std::string_view what, const auto& call) -> absl::Status {
    while (true) {
      rd_kafka_error_t* e = call();
      if (e == nullptr) return absl::OkStatus();
      absl::Status s = TxnError(e, what);
      if (absl::IsUnavailable(s) && std::chrono::steady_clock::now() < deadline) continue;
      if (absl::IsUnavailable(s)) s = absl::AbortedError(s.message());
      if (absl::IsAborted(s)) (void)AbortTransaction(timeout_ms);
      return s;
    }
  };
  if (!offsets.empty()) {
    kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& o : offsets) {
      rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
    }
    auto* metadata = static_cast<rd_kafka_consumer_group_metadata_t*>(group.raw());
    DEDUP_RETURN_IF_ERROR(step("send_offsets_to_transaction", [&] {
      return rd_kafka_send_offsets_to_transaction(rk, list.get(), metadata, left_ms());
    }));
  }
  return step("commit_transaction", [&] { return rd_kafka_commit_transaction(rk, left_ms()); });
}

absl::Status Producer::AbortTransaction(int timeout_ms) {
  if (rd_kafka_error_t* e = rd_kafka_abort_transaction(impl_->rk.get(), timeout_ms)) {
    return TxnError(e, "abort_transaction");
  }
  return absl::OkStatus();
}

absl::Status Producer::Produce(std::string_view topic, std::string_view key,
                               std::string_view value, const std::vector<RecordHeader>& headers,
                               uint64_t token, int block_ms) {
  rd_kafka_topic_t* const rkt = impl_->Open(topic);
  if (rkt == nullptr) {
    return absl::UnavailableError(
        Cat("produce to ", topic, ": ", rd_kafka_err2str(rd_kafka_last_error())));
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;  // set when the queue is full
  while (true) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& h : headers) {
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
      }
    }
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        impl_->rk.get(), RD_KAFKA_V_RKT(rkt),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(token))),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();  // hdrs owned by the message
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    const auto now = std::chrono::steady_clock::now();
    if (!deadline.has_value()) deadline = now + std::chrono::milliseconds(block_ms);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || now >= *deadline) {
      return absl::UnavailableError(Cat("produce to ", topic, ": ", rd_kafka_err2str(err)));
    }
    rd_kafka_poll(impl_->rk.get(), 10);  // backpressure: serve deliveries, then retry
  }
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(impl_->rk.get(), timeout_ms); }

absl::Status Producer::Flush(int timeout_ms) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(impl_->rk.get(), timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError(
        Cat("flush: ", rd_kafka_outq_len(impl_->rk.get()), " records still in flight after ",
            timeout_ms, " ms"));
  }
  return absl::OkStatus();
}

int Producer::OutstandingRecords() const { return rd_kafka_outq_len(impl_->rk.get()); }

absl::Status Producer::FatalError() const {
  char errstr[512];
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(impl_->rk.get(), errstr, sizeof(errstr));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::InternalError(Cat("fatal producer error: ", errstr));
}

}  // namespace dedup
