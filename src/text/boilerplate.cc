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
      auto c = it->second.counts.find(line_hashes[i]);
      bp = c != it->second.counts.end() &&
           c->second >= static_cast<uint32_t>(config_.min_articles);
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
  for (uint64_t h : scratch_) ++t.counts[h];
  KeepBounded(t);
}

BoilerplateFilter::SourceTable& BoilerplateFilter::TableForLearning(std::string_view source) {
  auto it = sources_.find(AV(source));
  if (it == sources_.end()) {
    it = sources_.emplace(std::string(source), SourceTable{}).first;
  }
  it->second.last_used = ++clock_;
  return it->second;
}

void BoilerplateFilter::KeepBounded(SourceTable& t) {
  if (t.counts.size() > static_cast<size_t>(config_.max_lines_per_source)) Prune(t);
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
  // Each line's counter is a likely cache miss (a source's table holds up to
  // max_lines_per_source lines): start loading them all before the first is needed.
  for (const uint64_t h : line_hashes) t.counts.prefetch(h);
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
    uint32_t& count = t.counts[h];
    is_boilerplate[i] = (count != 0 && count >= min_articles) ? 1 : 0;  // as Classify: unseen is not
    ++count;
    if (count == min_articles && now_boilerplate != nullptr) now_boilerplate->push_back(h);
  }
  KeepBounded(t);
}

void BoilerplateFilter::Prune(SourceTable& t) {
  absl::erase_if(t.counts, [](const auto& kv) { return kv.second <= 1; });
  const size_t cap = static_cast<size_t>(config_.max_lines_per_source);
  while (t.counts.size() > cap - cap / 4) {
    for (auto& kv : t.counts) kv.second /= 2;
    absl::erase_if(t.counts, [](const auto& kv) { return kv.second == 0; });
  }
}

void BoilerplateFilter::EvictSources() {
  std::vector<uint64_t> stamps;
  stamps.reserve(sources_.size());
  for (const auto& kv : sources_) stamps.push_back(kv.second.last_used);
  const size_t drop = std::max<size_t>(1, sources_.size() / 10);
  std::nth_element(stamps.begin(), stamps.begin() + static_cast<ptrdiff_t>(drop - 1), stamps.end());
  const uint64_t cutoff = stamps[drop - 1];
  absl::erase_if(sources_, [cutoff](const auto& kv) { return kv.second.last_used <= cutoff; });
}

size_t BoilerplateFilter::num_lines() const {
  size_t n = 0;
  for (const auto& kv : sources_) n += kv.second.counts.size();
  return n;
}

}  // namespace dedup
