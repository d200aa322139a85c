#include "dedup/ingest/offset_tracker.h"

#include <algorithm>

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

namespace {

template <typename P>
bool OffsetBelow(const P& entry, int64_t offset) {
  return entry.offset < offset;
}

}  // namespace

OffsetTracker::Pending* OffsetTracker::Find(Partition& p, int64_t offset) {
  if (p.pending.empty() || offset < p.pending.front().offset) return nullptr;
  // Offsets are usually consecutive (gaps come from compaction and transaction markers): then
  // the entry is at its distance from the first; else a binary search.
  const auto gap = static_cast<uint64_t>(offset - p.pending.front().offset);
  if (gap < p.pending.size() && p.pending[gap].offset == offset) return &p.pending[gap];
  const auto it =
      std::lower_bound(p.pending.begin(), p.pending.end(), offset, OffsetBelow<Pending>);
  return it != p.pending.end() && it->offset == offset ? &*it : nullptr;
}

uint64_t OffsetTracker::Begin(std::string_view topic, int32_t partition, int64_t offset,
                              size_t bytes) {
  Partition& p = Get(topic, partition);
  // The guard, dropped by Release. An offset tracked already (delivered again while pending)
  // starts over with just the guard.
  if (p.pending.empty() || offset > p.pending.back().offset) {
    p.pending.push_back({offset, 1});
  } else if (Pending* e = Find(p, offset); e != nullptr) {
    e->outputs = 1;
  } else {
    p.pending.insert(
        std::lower_bound(p.pending.begin(), p.pending.end(), offset, OffsetBelow<Pending>),
        {offset, 1});
  }
  const uint64_t token = next_token_++;
  tokens_.emplace(token, Token{&p, offset, bytes});
  bytes_ += bytes;
  return token;
}

void OffsetTracker::Add(uint64_t token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  if (Pending* e = Find(*it->second.p, it->second.offset); e != nullptr) ++e->outputs;
}

void OffsetTracker::Done(uint64_t token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;  // its partition was dropped
  Partition& p = *it->second.p;
  Pending* e = Find(p, it->second.offset);
  // Not found: the offset was tracked again under a newer token and completed under it.
  if (e != nullptr && --e->outputs > 0) return;
  bytes_ -= it->second.bytes;
  tokens_.erase(it);
  // Advance over the completed prefix of the partition.
  while (!p.pending.empty() && p.pending.front().outputs == 0) {
    p.committable = p.pending.front().offset + 1;
    p.pending.pop_front();
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
