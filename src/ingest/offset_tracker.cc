#include "dedup/ingest/offset_tracker.h"

#include <cassert>

#include "dedup/base/strings.h"

namespace dedup {

OffsetTracker::Partition& OffsetTracker::Get(std::string_view topic, int32_t partition) {
  if (last_ != nullptr && last_->partition == partition && last_->topic == topic) return *last_;
  std::string key(topic);
  key.push_back('\0');
  key.append(std::to_string(partition));
  auto& slot = partitions_[key];
  if (!slot) {
    slot = std::make_unique<Partition>();
    slot->topic = std::string(topic);
    slot->partition = partition;
  }
  last_ = slot.get();
  return *slot;
}

uint64_t OffsetTracker::Begin(std::string_view topic, int32_t partition, int64_t offset,
                              size_t bytes) {
  Partition& p = Get(topic, partition);
  p.pending[offset] = 1;  // the guard, dropped by Release
  const uint64_t token = next_token_++;
  tokens_.emplace(token, Token{&p, offset, bytes});
  bytes_ += bytes;
  return token;
}

void OffsetTracker::Add(uint64_t token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  ++it->second.p->pending[it->second.offset];
}

void OffsetTracker::Done(uint64_t token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;  // its partition was dropped
  Partition& p = *it->second.p;
  auto pit = p.pending.find(it->second.offset);
  assert(pit != p.pending.end());
  if (--pit->second > 0) return;
  bytes_ -= it->second.bytes;
  tokens_.erase(it);
  // Advance over the completed prefix of the partition.
  while (!p.pending.empty() && p.pending.begin()->second == 0) {
    p.committable = p.pending.begin()->first + 1;
    p.pending.erase(p.pending.begin());
  }
}

std::vector<TopicPartitionOffset> OffsetTracker::TakeCommittable() {
  std::vector<TopicPartitionOffset> out;
  for (auto& [key, p] : partitions_) {
    if (p->committable >= 0) {
      out.push_back({p->topic, p->partition, p->committable});
      p->committable = -1;
    }
  }
  return out;
}

void OffsetTracker::DropPartition(std::string_view topic, int32_t partition) {
  std::string key(topic);
  key.push_back('\0');
  key.append(std::to_string(partition));
  auto it = partitions_.find(key);
  if (it == partitions_.end()) return;
  Partition* p = it->second.get();
  absl::erase_if(tokens_, [&](const auto& kv) {
    if (kv.second.p != p) return false;
    bytes_ -= kv.second.bytes;
    return true;
  });
  if (last_ == p) last_ = nullptr;
  partitions_.erase(it);
}

}  // namespace dedup

namespace dedup {

void OffsetTracker::Clear() {
  last_ = nullptr;
  partitions_.clear();
  tokens_.clear();
  bytes_ = 0;
}

}  // namespace dedup
