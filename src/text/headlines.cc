#include "dedup/text/headlines.h"

#include "dedup/text/document.h"

namespace dedup {
namespace {

// The headline's text before the first site/section separator, if it has one.
std::string_view FirstSegment(std::string_view title) {
  size_t cut = std::string_view::npos;
  for (std::string_view sep : {" - ", " | ", " :: ", " \xE2\x80\x93 ", " \xE2\x80\x94 "}) {
    const size_t p = title.find(sep);
    if (p != std::string_view::npos && p < cut) cut = p;
  }
  return cut == std::string_view::npos ? std::string_view() : title.substr(0, cut);
}

uint64_t HeadlineHash(std::string_view text, Document& scratch) {
  AnalyzeText(text, scratch);
  // A headline is one line of words; anything else cannot equal a body line.
  return scratch.lines.size() == 1 ? scratch.lines[0].hash : 0;
}

}  // namespace

std::vector<uint64_t> HeadlineIndex::Hashes(std::string_view title) {
  std::vector<uint64_t> out;
  if (title.empty()) return out;
  thread_local Document scratch;  // reused (AnalyzeText keeps its capacity)
  if (const uint64_t h = HeadlineHash(title, scratch); h != 0) out.push_back(h);
  if (std::string_view first = FirstSegment(title); !first.empty()) {
    if (const uint64_t h = HeadlineHash(first, scratch); h != 0) out.push_back(h);
  }
  return out;
}

void HeadlineIndex::Add(const std::vector<uint64_t>& hashes) {
  if (capacity_ == 0) return;
  for (uint64_t h : hashes) Insert(h);
}

void HeadlineIndex::Insert(uint64_t h) {
  order_.push_back(h);
  ++counts_[h];
  while (order_.size() > capacity_) {
    auto it = counts_.find(order_.front());
    if (--it->second == 0) counts_.erase(it);
    order_.pop_front();
  }
}

}  // namespace dedup
