// The Kafka producer for decisions, stories and dead letters.
//
// Idempotent (enable.idempotence=true, acks=all) so retries never duplicate or reorder a
// partition's records. With [kafka] exactly_once it is transactional: records are produced
// inside a transaction that also commits the input offsets (librdkafka's
// examples/transactions.c pattern). Each record carries a caller token; the delivery callback reports the
// token with the broker's verdict. Properties from [kafka.producer] pass through to librdkafka
// after dedupd's own.
//
// Thread-safety: Produce, Poll and Flush are called from one thread; the delivery callback runs
// on that thread, inside Poll or Flush (or inside Produce while it waits for queue space).
#ifndef DEDUP_EMIT_PRODUCER_H_
#define DEDUP_EMIT_PRODUCER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"

namespace dedup {

class ConsumerGroupMetadata;
struct TopicPartitionOffset;

struct RecordHeader {
  std::string name;
  std::string value;
};

class Producer {
 public:
  using DeliveryCallback = std::function<void(uint64_t token, const absl::Status& result)>;

  static absl::StatusOr<std::unique_ptr<Producer>> Create(const KafkaConfig& config,
                                                          DeliveryCallback on_delivery);
  ~Producer();

  // Queues one record (copied). While librdkafka's queue is full it serves delivery reports and
  // retries, up to `block_ms`; an error means the record was not queued.
  absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                       const std::vector<RecordHeader>& headers, uint64_t token,
                       int block_ms = 30000);
  // Serves delivery reports for up to timeout_ms.
  void Poll(int timeout_ms);
  // Waits until every queued record is delivered or failed, up to timeout_ms.
  absl::Status Flush(int timeout_ms);
  // Records queued or in flight.
  int OutstandingRecords() const;
  // A fatal producer error (e.g. idempotence violated), if one occurred.
  absl::Status FatalError() const;

  // Exactly-once. Create has already called init_transactions (fencing an older instance with
  // the same transactional.id).
  bool transactional() const;
  absl::Status BeginTransaction();
  // Sends `offsets` (next offsets to consume) for the consumer group and commits the open
  // transaction, retrying retriable errors. Errors: Aborted when the transaction had to be
  // aborted (its records are discarded: rewind the input and redo them); Internal when the
  // producer failed fatally or was fenced by a newer instance (stop).
  absl::Status CommitTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                 const ConsumerGroupMetadata& group, int timeout_ms);
  // Aborts the open transaction (its records are discarded).
  absl::Status AbortTransaction(int timeout_ms);

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Checks that the [kafka.producer] properties are accepted by librdkafka (no connection made).
absl::Status ValidateProducerConfig(const KafkaConfig& config);

}  // namespace dedup

#endif  // DEDUP_EMIT_PRODUCER_H_
