// The Kafka consumer: a librdkafka consumer-group member on the configured input topics.
//
// dedupd stores offsets itself (enable.auto.offset.store=false): an offset is stored only once
// every output for its message is acknowledged (see OffsetTracker); librdkafka then commits
// stored offsets in the background (enable.auto.commit=true) and Commit() commits them now.
// Properties from [kafka.consumer] pass through to librdkafka after dedupd's own.
//
// Thread-safety: one thread polls. The rebalance listener is called on that thread, inside Poll.
#ifndef DEDUP_INGEST_CONSUMER_H_
#define DEDUP_INGEST_CONSUMER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/ingest/offset_tracker.h"

namespace dedup {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
};

// A partition newly assigned to this instance. Messages below replay_until were decided (and
// their outputs committed) before — by this process before a restart, or by the partition's
// previous owner: they are consumed again only to rebuild the index (restore), and must not be
// output again. -1: nothing to replay.
struct AssignedPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t replay_until = -1;
  int64_t replay_from = -1;  // the first offset consumed (for the log); -1: the group's position
};

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t lag = 0;  // messages between the committed offset and the partition's end
};

// Called inside Consumer::Poll when partitions are assigned or revoked. Before OnRevoke returns,
// the listener must finish the work of the revoked partitions and store their offsets: the
// consumer commits right after it, then releases the partitions.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnAssign(const std::vector<AssignedPartition>& partitions) = 0;
  virtual void OnRevoke(const std::vector<TopicPartition>& partitions) = 0;
  // librdkafka's statistics (every statistics.interval.ms, default 5 s here): the consumer lag
  // of each assigned partition whose lag is known. Called inside Poll.
  virtual void OnLag(const std::vector<PartitionLag>& lags) { (void)lags; }
};

// Reads the per-partition consumer lag from a librdkafka statistics JSON document. Partitions
// with unknown lag (-1: not assigned, or no commit and no position yet) are left out.
absl::StatusOr<std::vector<PartitionLag>> ParseConsumerLag(std::string_view stats_json);

// One consumed message. Owns the underlying librdkafka message; the views stay valid as long as
// this object lives.
class InputMessage {
 public:
  InputMessage(InputMessage&&) noexcept;
  InputMessage& operator=(InputMessage&&) noexcept;
  ~InputMessage();

  std::string_view topic() const;
  int32_t partition() const;
  int64_t offset() const;
  std::string_view key() const;
  std::string_view payload() const;
  // The message's timestamp (create or log-append time), if it has one.
  std::optional<int64_t> timestamp_ms() const;

 private:
  friend class Consumer;
  explicit InputMessage(void* msg);
  void* msg_;  // rd_kafka_message_t*
};

// The consumer group's metadata, for a transactional producer's SendOffsetsToTransaction.
class ConsumerGroupMetadata {
 public:
  explicit ConsumerGroupMetadata(void* raw);  // takes ownership (rd_kafka_consumer_group_metadata_t)
  ~ConsumerGroupMetadata();
  ConsumerGroupMetadata(const ConsumerGroupMetadata&) = delete;
  ConsumerGroupMetadata& operator=(const ConsumerGroupMetadata&) = delete;
  void* raw() const { return raw_; }

 private:
  void* raw_;
};

// The consumer's fetch.max.bytes unless [kafka.consumer] sets it (raised to the consumer's
// message.max.bytes if that is set higher): librdkafka's 50 MiB default lets a response grow to
// megabytes, read into fresh pages and parsed cold.
inline constexpr int64_t kDefaultFetchMaxBytes = int64_t{1} << 20;

// The consumer's queued.max.messages.kbytes unless [kafka.consumer] sets it: 128 MiB of input
// prefetched ahead of dedupd, instead of librdkafka's 64 MiB. When the prefetched input reaches
// it, librdkafka (before 2.3) stops fetching for a whole second (librdkafka issue #2879; 2.3
// made the wait fetch.queue.backoff.ms), so a backlog is read at most this much a second: 64 MiB
// is ~20,000 articles of 3.3 KB, less than dedupd decides in a second, and a catch-up waited
// for input once a second (docs/BENCHMARKS.md, twelfth session).
inline constexpr int64_t kDefaultQueuedMaxKbytes = int64_t{128} << 10;

struct ConsumerOptions {
  // Restore: on assignment, start each partition this far (by message timestamp) before its
  // committed offset, so the index is rebuilt from the input (AssignedPartition::replay_until).
  // 0: start at the committed offset.
  int64_t restore_window_ms = 0;
  // Exactly-once: offsets are committed by the producer's transactions, never by the consumer
  // (enable.auto.commit=false), and only committed input is read (isolation.level=read_committed).
  bool transactional = false;
};

class Consumer {
 public:
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(const KafkaConfig& config,
                                                          RebalanceListener* listener,
                                                          ConsumerOptions options = {});
  ~Consumer();

  // Subscribes to the input topics.
  absl::Status Subscribe();
  // A message, or nullopt when none arrived in time. Transient errors are logged and return
  // nullopt; a fatal client error returns an error status.
  absl::StatusOr<std::optional<InputMessage>> Poll(int timeout_ms);
  // Stores next-offsets for the background commit.
  absl::Status StoreOffsets(const std::vector<TopicPartitionOffset>& offsets);
  // Commits stored offsets synchronously. "No offset to commit" is not an error.
  absl::Status Commit();
  // Leaves the group (revoking partitions through the listener) and closes. Idempotent.
  absl::Status Close();

  std::vector<TopicPartition> Assignment() const;

  // Stops / restarts fetching these partitions (messages already fetched may still arrive).
  absl::Status Pause(const std::vector<TopicPartition>& partitions);
  absl::Status Resume(const std::vector<TopicPartition>& partitions);
  // The offset of the next message Poll will return for the partition; -1 if unknown.
  int64_t Position(const std::string& topic, int32_t partition) const;

  // Exactly-once, after an aborted transaction: moves every assigned partition back as on a
  // fresh assignment (restore window before the committed offset). Returns what OnAssign would
  // get. Messages already fetched are dropped by librdkafka.
  absl::StatusOr<std::vector<AssignedPartition>> Rewind();

  std::unique_ptr<ConsumerGroupMetadata> GroupMetadata() const;

  // The librdkafka client's value of a configuration property (dedupd's defaults with
  // [kafka.consumer] applied over them), or NotFound for a property it does not know.
  absl::StatusOr<std::string> ClientProperty(const std::string& name) const;

 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Checks that the [kafka.consumer] properties are accepted by librdkafka (no connection made).
absl::Status ValidateConsumerConfig(const KafkaConfig& config);

}  // namespace dedup

#endif  // DEDUP_INGEST_CONSUMER_H_
