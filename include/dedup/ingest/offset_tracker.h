// At-least-once bookkeeping: which input offsets may be committed.
//
// Each consumed message is tracked from the moment it is polled until every output record
// produced for it (decision, story updates, or its dead-letter copy) has been acknowledged by
// the broker. An offset becomes committable only when it and every earlier tracked offset of its
// partition are complete, so a commit never skips an unfinished message.
//
// Usage per message: token = Begin(...); Add(token) per output produced; Done(token) per
// acknowledged output; Release(token) once all outputs have been produced (the guard that keeps
// a message open while its outputs are still being created). TakeCommittable() then yields the
// next offsets to store, per partition.
//
// Thread-safety: not thread-safe; the pipeline thread owns it (delivery reports are served on
// that thread by polling the producer).
#ifndef DEDUP_INGEST_OFFSET_TRACKER_H_
#define DEDUP_INGEST_OFFSET_TRACKER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace dedup {

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // the next offset to consume (last complete + 1)
  bool operator==(const TopicPartitionOffset&) const = default;
};

class OffsetTracker {
 public:
  uint64_t Begin(std::string_view topic, int32_t partition, int64_t offset, size_t bytes);
  void Add(uint64_t token);
  void Done(uint64_t token);
  void Release(uint64_t token) { Done(token); }

  // Offsets that became committable since the last call, at most one per partition.
  std::vector<TopicPartitionOffset> TakeCommittable();

  // Forgets a partition (after it was revoked). Its incomplete messages will be consumed again
  // by whoever owns the partition next.
  void DropPartition(std::string_view topic, int32_t partition);
  // Forgets everything (tokens stay unique: a late acknowledgement of a forgotten token is
  // ignored).
  void Clear();

  size_t in_flight() const { return tokens_.size(); }
  size_t in_flight_bytes() const { return bytes_; }

 private:
  struct Pending {
    int64_t offset;
    int outputs;  // not yet acknowledged (+1 guard until Release); 0: complete
  };
  struct Partition {
    std::string topic;
    int32_t partition = 0;
    // Ascending offsets (messages arrive in offset order, so Begin appends; an offset below the
    // last, after a rewind, is put in its place). A deque, not a map: no allocation per message.
    std::deque<Pending> pending;
    int64_t committable = -1;  // next offset to store, -1 if none new
  };
  struct Token {
    Partition* p;
    int64_t offset;
    size_t bytes;
  };
  Partition& Get(std::string_view topic, int32_t partition);
  static Pending* Find(Partition& p, int64_t offset);

  absl::flat_hash_map<std::string, std::unique_ptr<Partition>> partitions_;  // "topic\0part"
  Partition* last_ = nullptr;  // Get's last answer: messages come in runs from one partition
  absl::flat_hash_map<uint64_t, Token> tokens_;
  uint64_t next_token_ = 1;
  size_t bytes_ = 0;
};

}  // namespace dedup

#endif  // DEDUP_INGEST_OFFSET_TRACKER_H_
