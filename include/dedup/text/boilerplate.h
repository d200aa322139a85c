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
// Memory is bounded: at most `max_lines_per_source` counters per source (8 bytes each, in a
// table at most three quarters full: 64 KiB a source at the default 4096) and `max_sources`
// sources. A full source table drops lines seen once; if it is still over three quarters full,
// every count is halved (old lines age out). Past `max_sources`, the least recently seen tenth
// of the sources is forgotten.
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
  // Bytes held by the sources' count tables (8 a slot; not the source names or the map of
  // sources). Kept as the tables change, so reading it is free (the daemon publishes it after
  // every batch). After each article a table has 16 slots at least and at most those
  // max_lines_per_source + 1 lines need at 3/4 full (8,192 at 4,096 lines: 64 KiB).
  size_t memory_bytes() const { return table_bytes_; }

 private:
  // One source's counts: open addressing with linear probing over 8-byte slots, a line's
  // 32-bit fingerprint and its count (0: an empty slot). One cache line a lookup (a
  // flat_hash_map<uint64_t, uint32_t> reads a control byte and a 16-byte slot: two lines, and
  // the lookups are cache misses, a source's table being larger than the cache). The
  // fingerprint is the line hash mixed down to 32 bits and also places the line (multiply-
  // shift onto the slots), so the table can be rebuilt from what it holds. Two lines of one
  // source with the same fingerprint count as one: with up to 4096 lines a source that is one
  // new line in ~10^6 taking an established line's count, at worst one line more or less kept
  // out of an article's shingles.
  class LineCounts {
   public:
    // The line's count, 0 if it has none.
    uint32_t Find(uint64_t line) const;
    // Counts one more article with the line; returns its count before (0 if it was new).
    uint32_t Increment(uint64_t line);
    // Starts loading the line's home slot into the cache.
    void Prefetch(uint64_t line) const {
      if (!slots_.empty()) __builtin_prefetch(&slots_[Home(Fingerprint(line))]);
    }
    size_t size() const { return size_; }
    size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }
    // For a table past `max_lines`: drops lines counted once; then, while more than three
    // quarters of `max_lines` remain, halves every count and drops those reaching 0 (old lines
    // age out). The table then has the slots max_lines + 1 lines need and no more (one long
    // article can have grown it far past that).
    void Prune(size_t max_lines);

   private:
    struct Slot {
      uint32_t fingerprint = 0;
      uint32_t count = 0;
    };
    static uint32_t Fingerprint(uint64_t line) {
      uint64_t x = line ^ (line >> 31);
      x *= 0xBF58476D1CE4E5B9ULL;
      return static_cast<uint32_t>(x >> 32);
    }
    size_t Home(uint32_t fingerprint) const {
      return static_cast<size_t>((uint64_t{fingerprint} * slots_.size()) >> 32);
    }
    size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
    // The slot holding `fingerprint`, or the empty slot ending its probe run (whose count, 0, is
    // the absent line's). REQUIRES: !slots_.empty(), and an empty slot (at most 3/4 full).
    size_t Locate(uint32_t fingerprint) const {
      size_t i = Home(fingerprint);
      while (slots_[i].count != 0 && slots_[i].fingerprint != fingerprint) i = Next(i);
      return i;
    }
    // The slots a table grown from 16 by doubling has when it holds `lines`.
    static size_t CapacityFor(size_t lines) {
      size_t capacity = 16;
      while (4 * lines > 3 * capacity) capacity *= 2;
      return capacity;
    }
    // Replaces the table with one of `capacity` slots holding `entries` (empty ones skipped).
    // REQUIRES: capacity > the entries held, their fingerprints distinct.
    void Rebuild(size_t capacity, const std::vector<Slot>& entries);
    std::vector<Slot> slots_;
    size_t size_ = 0;
  };
  struct SourceTable {
    LineCounts counts;
    uint64_t last_used = 0;
  };
  // The source's table (created if new), marked as just used.
  SourceTable& TableForLearning(std::string_view source);
  // After learning into `t`, whose table held `bytes_before` before: prunes it past
  // max_lines_per_source, forgets sources past max_sources, and keeps table_bytes_.
  void KeepBounded(SourceTable& t, size_t bytes_before);
  void EvictSources();

  BoilerplateConfig config_;
  absl::flat_hash_map<std::string, SourceTable> sources_;
  uint64_t clock_ = 0;
  size_t table_bytes_ = 0;  // the sum of the tables' memory_bytes()
  std::vector<uint64_t> scratch_;
  // ClassifyAndLearn's scratch: a line repeated in one article -> its first occurrence.
  absl::flat_hash_map<uint64_t, uint32_t> first_seen_;
};

}  // namespace dedup

#endif  // DEDUP_TEXT_BOILERPLATE_H_
