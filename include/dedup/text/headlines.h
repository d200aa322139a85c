// Headline lines: body lines that are the headline of an article.
//
// Pages carry headlines that are not the story: their own headline echoed above the text, a
// "Most read" / "Also in the news" list of other stories' headlines, the headline of a second
// story glued under the first. HeadlineIndex remembers the headlines of recent articles (each
// whole, and its first segment before " - " or " | ", where sites append their section and
// name); a body line whose words equal a remembered headline is kept out of the shingles.
//
// Memory is bounded: at most `capacity` headline hashes (about 40 bytes each with the FIFO and
// hash-table overhead); the oldest are forgotten first.
// Thread-safety: not thread-safe; one owner (the engine) calls it.
#ifndef DEDUP_TEXT_HEADLINES_H_
#define DEDUP_TEXT_HEADLINES_H_

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dedup/text/document.h"

namespace dedup {

class HeadlineIndex {
 public:
  explicit HeadlineIndex(size_t capacity) : capacity_(capacity) {}

  // The hashes a title is remembered under (whole, and first segment): 0 to 2 values.
  static std::vector<uint64_t> Hashes(std::string_view title);
  // The same into `out` (replacing its contents), given the analysed title: `title_doc` is what
  // AnalyzeText(title) gives (the engine has analysed the title already).
  static void Hashes(std::string_view title, const Document& title_doc, std::vector<uint64_t>& out);
  // Remembers headline hashes from Hashes().
  void Add(const std::vector<uint64_t>& hashes);
  // True if a body line with this hash (Document line hash) is a remembered headline.
  bool Contains(uint64_t line_hash) const { return counts_.contains(line_hash); }
  // Starts loading what Contains(line_hash) will read (the table is large: each lookup is a
  // likely cache miss, so an article's lines are prefetched together first).
  void Prefetch(uint64_t line_hash) const { counts_.prefetch(line_hash); }
  size_t size() const { return order_.size(); }

 private:
  void Insert(uint64_t h);

  size_t capacity_;
  std::deque<uint64_t> order_;
  absl::flat_hash_map<uint64_t, uint32_t> counts_;  // hash -> occurrences in order_
};

}  // namespace dedup

#endif  // DEDUP_TEXT_HEADLINES_H_
