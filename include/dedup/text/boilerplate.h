// Online boilerplate learning: lines that recur across many articles of one source.
//
// A site wraps every story in the same header, "Related Links" block and copyright footer. For
// each source the filter counts, per line hash, how many earlier articles contained that line. A
// line seen in at least `min_articles` earlier articles of the same source is boilerplate for
// that source and is kept out of the article's shingles. Story text recurs across sources (that
// is what a reprint is) but rarely within one source, so counting per source separates the two.
//
// Cold start: a source's first `min_articles` articles are not filtered (nothing is known about
// it yet); from then on its boilerplate is recognised.
//
// Memory is bounded: at most `max_lines_per_source` counters (16 bytes each plus hash-table
// overhead) per source and `max_sources` sources. A full source table drops lines seen once; if
// it is still over three quarters full, every count is halved (old lines age out). Past
// `max_sources`, the least recently seen tenth of the sources is forgotten.
//
// Thread-safety: not thread-safe; one owner (the engine) calls it.
#ifndef DEDUP_TEXT_BOILERPLATE_H_
#define DEDUP_TEXT_BOILERPLATE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dedup/config/config.h"

namespace dedup {

class BoilerplateFilter {
 public:
  explicit BoilerplateFilter(const BoilerplateConfig& config);

  // Sets is_boilerplate[i] for each line hash. REQUIRES: is_boilerplate.size() == lines.size().
  void Classify(std::string_view source, std::span<const uint64_t> line_hashes,
                std::vector<char>& is_boilerplate) const;

  // Counts each distinct line hash once for `source`.
  void Learn(std::string_view source, std::span<const uint64_t> line_hashes);

  // Classify, then Learn, with one hash-table lookup a line (what the engine does for each
  // article); sets every is_boilerplate entry. Does nothing but clear is_boilerplate when
  // line_hashes is empty. If `now_boilerplate` is given, appends the lines this article made
  // boilerplate for the source's next articles (their count reached min_articles).
  // REQUIRES: is_boilerplate.size() == line_hashes.size().
  void ClassifyAndLearn(std::string_view source, std::span<const uint64_t> line_hashes,
                        std::vector<char>& is_boilerplate,
                        std::vector<uint64_t>* now_boilerplate = nullptr);

  size_t num_sources() const { return sources_.size(); }
  size_t num_lines() const;

 private:
  struct SourceTable {
    absl::flat_hash_map<uint64_t, uint32_t> counts;
    uint64_t last_used = 0;
  };
  // The source's table (created if new), marked as just used.
  SourceTable& TableForLearning(std::string_view source);
  // After learning into `t`: prunes it past max_lines_per_source, forgets sources past
  // max_sources.
  void KeepBounded(SourceTable& t);
  void Prune(SourceTable& t);
  void EvictSources();

  BoilerplateConfig config_;
  absl::flat_hash_map<std::string, SourceTable> sources_;
  uint64_t clock_ = 0;
  std::vector<uint64_t> scratch_;
  // ClassifyAndLearn's scratch: a line repeated in one article -> its first occurrence.
  absl::flat_hash_map<uint64_t, uint32_t> first_seen_;
};

}  // namespace dedup

#endif  // DEDUP_TEXT_BOILERPLATE_H_
