#include "dedup/text/headlines.h"

#include "dedup/text/document.h"

namespace dedup {
namespace {

// The headline's text before the first site/section separator, if it has one. One pass over
// the title's spaces (every separator starts with one), not one search per separator.
std::string_view FirstSegment(std::string_view title) {
  static constexpr std::string_view kSeparators[] = {" - ", " | ", " :: ", " \xE2\x80\x93 ",
                                                     " \xE2\x80\x94 "};
  for (size_t p = title.find(' '); p != std::string_view::npos; p = title.find(' ', p + 1)) {
    const std::string_view rest = title.substr(p);
    for (const std::string_view sep : kSeparators) {
      if (rest.starts_with(sep)) return title.substr(0, p);
    }
  }
  return {};
}

// A headline is one line of words; anything else cannot equal a body line.
uint64_t HeadlineHash(const Document& analyzed) {
  return analyzed.lines.size() == 1 ? analyzed.lines[0].hash : 0;
}

}  // namespace

std::vector<uint64_t> HeadlineIndex::Hashes(std::string_view title) {
  std::vector<uint64_t> out;
  if (title.empty()) return out;
  thread_local Document scratch;  // reused (AnalyzeText keeps its capacity)
  AnalyzeText(title, scratch);
  Hashes(title, scratch, out);
  return out;
}

void HeadlineIndex::Hashes(std::string_view title, const Document& title_doc,
                           std::vector<uint64_t>& out) {
  out.clear();
  if (title.empty()) return;
  if (const uint64_t h = HeadlineHash(title_doc); h != 0) out.push_back(h);
  if (std::string_view first = FirstSegment(title); !first.empty()) {
    thread_local Document scratch;  // reused (AnalyzeText keeps its capacity)
    AnalyzeText(first, scratch);
    if (const uint64_t h = HeadlineHash(scratch); h != 0) out.push_back(h);
  }
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
