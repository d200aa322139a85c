#include "dedup/text/boilerplate.h"

#include <algorithm>

#include "dedup/base/strings.h"

namespace dedup {

BoilerplateFilter::BoilerplateFilter(const BoilerplateConfig& config) : config_(config) {}

void BoilerplateFilter::Classify(std::string_view source, std::span<const uint64_t> line_hashes,
                                 std::vector<char>& is_boilerplate) const {
  auto it = sources_.find(AV(source));
  for (size_t i = 0; i < line_hashes.size(); ++i) {
    bool bp = false;
    if (config_.enabled && it != sources_.end()) {
      const uint32_t count = it->second.counts.Find(line_hashes[i]);
      bp = count != 0 && count >= static_cast<uint32_t>(config_.min_articles);
    }
    is_boilerplate[i] = bp ? 1 : 0;
  }
}

void BoilerplateFilter::Learn(std::string_view source, std::span<const uint64_t> line_hashes) {
  if (!config_.enabled) return;
  scratch_.assign(line_hashes.begin(), line_hashes.end());
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  SourceTable& t = TableForLearning(source);
  const size_t bytes_before = t.counts.memory_bytes();
  for (uint64_t h : scratch_) t.counts.Increment(h);
  KeepBounded(t, bytes_before);
}

BoilerplateFilter::SourceTable& BoilerplateFilter::TableForLearning(std::string_view source) {
  auto it = sources_.find(AV(source));
  if (it == sources_.end()) {
    it = sources_.emplace(std::string(source), SourceTable{}).first;
  }
  it->second.last_used = ++clock_;
  return it->second;
}

void BoilerplateFilter::KeepBounded(SourceTable& t, size_t bytes_before) {
  const auto cap = static_cast<size_t>(config_.max_lines_per_source);
  if (t.counts.size() > cap) t.counts.Prune(cap);
  table_bytes_ = table_bytes_ - bytes_before + t.counts.memory_bytes();
  if (sources_.size() > static_cast<size_t>(config_.max_sources)) EvictSources();
}

void BoilerplateFilter::ClassifyAndLearn(std::string_view source,
                                         std::span<const uint64_t> line_hashes,
                                         std::vector<char>& is_boilerplate,
                                         std::vector<uint64_t>* now_boilerplate) {
  if (!config_.enabled || line_hashes.empty()) {
    std::fill(is_boilerplate.begin(), is_boilerplate.end(), 0);
    return;
  }
  SourceTable& t = TableForLearning(source);
  const size_t bytes_before = t.counts.memory_bytes();
  // Each line's counter is a likely cache miss (a source's table holds up to
  // max_lines_per_source lines): start loading them all before the first is needed.
  for (const uint64_t h : line_hashes) t.counts.Prefetch(h);
  const uint32_t min_articles = static_cast<uint32_t>(config_.min_articles);
  // A repeated line is classified as its first occurrence and counted once. Articles have tens
  // of lines: a linear search for repeats costs less than a hash set until a few dozen.
  constexpr size_t kLinearSearchLines = 48;
  const bool small = line_hashes.size() <= kLinearSearchLines;
  if (!small) first_seen_.clear();
  for (size_t i = 0; i < line_hashes.size(); ++i) {
    const uint64_t h = line_hashes[i];
    size_t first = i;
    if (small) {
      first = static_cast<size_t>(std::find(line_hashes.begin(), line_hashes.begin() + i, h) -
                                  line_hashes.begin());
    } else {
      first = first_seen_.try_emplace(h, static_cast<uint32_t>(i)).first->second;
    }
    if (first != i) {
      is_boilerplate[i] = is_boilerplate[first];
      continue;
    }
    const uint32_t count = t.counts.Increment(h);
    // As Classify: a line not seen before is not boilerplate.
    is_boilerplate[i] = (count != 0 && count >= min_articles) ? 1 : 0;
    if (count + 1 == min_articles && now_boilerplate != nullptr) now_boilerplate->push_back(h);
  }
  KeepBounded(t, bytes_before);
}

uint32_t BoilerplateFilter::LineCounts::Find(uint64_t line) const {
  return slots_.empty() ? 0 : slots_[Locate(Fingerprint(line))].count;
}

uint32_t BoilerplateFilter::LineCounts::Increment(uint64_t line) {
  // Grown before the lookup, so the probe always ends (at most three quarters full).
  if (4 * (size_ + 1) > 3 * slots_.size()) {
    const size_t capacity = CapacityFor(size_ + 1);
    std::vector<Slot> old;
    old.swap(slots_);
    Rebuild(capacity, old);
  }
  const uint32_t fp = Fingerprint(line);
  Slot& s = slots_[Locate(fp)];
  const uint32_t before = s.count;
  if (before == 0) {
    s.fingerprint = fp;
    ++size_;
  }
  if (s.count != UINT32_MAX) ++s.count;
  return before;
}

void BoilerplateFilter::LineCounts::Prune(size_t max_lines) {
  const size_t keep = max_lines - max_lines / 4;
  std::vector<Slot> entries;
  entries.reserve(size_);
  for (const Slot& s : slots_) {
    if (s.count > 1) entries.push_back(s);
  }
  while (entries.size() > keep) {
    size_t kept = 0;
    for (const Slot& s : entries) {
      if (s.count / 2 != 0) entries[kept++] = Slot{s.fingerprint, s.count / 2};
    }
    entries.resize(kept);
  }
  Rebuild(CapacityFor(max_lines + 1), entries);
}

void BoilerplateFilter::LineCounts::Rebuild(size_t capacity, const std::vector<Slot>& entries) {
  slots_ = std::vector<Slot>(capacity);  // a new array: a shrunk table gives its memory back
  size_ = 0;
  for (const Slot& e : entries) {
    if (e.count == 0) continue;
    slots_[Locate(e.fingerprint)] = e;
    ++size_;
  }
}

void BoilerplateFilter::EvictSources() {
  std::vector<uint64_t> stamps;
  stamps.reserve(sources_.size());
  for (const auto& kv : sources_) stamps.push_back(kv.second.last_used);
  const size_t drop = std::max<size_t>(1, sources_.size() / 10);
  std::nth_element(stamps.begin(), stamps.begin() + static_cast<ptrdiff_t>(drop - 1), stamps.end());
  const uint64_t cutoff = stamps[drop - 1];
  const auto forgotten = [cutoff](const auto& kv) { return kv.second.last_used <= cutoff; };
  for (const auto& kv : sources_) {
    if (forgotten(kv)) table_bytes_ -= kv.second.counts.memory_bytes();
  }
  absl::erase_if(sources_, forgotten);
}

size_t BoilerplateFilter::num_lines() const {
  size_t n = 0;
  for (const auto& kv : sources_) n += kv.second.counts.size();
  return n;
}

}  // namespace dedup
