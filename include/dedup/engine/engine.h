// The deduplication engine: article in, decision out. Pure compute, no I/O.
//
// Per article: normalise and tokenise the body (AnalyzeArticle), drop lines learned as the
// source's boilerplate and headline lines, hash word shingles, sign with MinHash, look up LSH
// candidates, verify them (Jaccard; containment with a lead check; numbers), then join the best
// match's cluster (merging another matched cluster into it when the two clusters' matched
// articles match each other) or found a new cluster. Articles leave the window when their published_at
// falls more than window_hours behind the newest published_at seen, or, past max_articles, oldest
// published first. An event time more than max_future_hours ahead of the wall clock is taken
// as the clock's time (a date years ahead would carry the window along with it).
//
// An id already in the window is not processed again: its earlier decision is returned (with its
// cluster's current name and canonical), so a redelivered message gives a stable answer.
//
// File mode and the daemon drive this same class, so a result seen in file mode is the result
// the daemon gives for the same input order.
//
// Thread-safety: not thread-safe. One thread owns an Engine. AnalyzeArticle and
// Presigner::Presign (engine/analyze.h) may run on any thread.
#ifndef DEDUP_ENGINE_ENGINE_H_
#define DEDUP_ENGINE_ENGINE_H_

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/engine/analyze.h"
#include "dedup/engine/article.h"
#include "dedup/index/lsh.h"
#include "dedup/text/document.h"

namespace dedup {

struct EngineStats {
  uint64_t articles = 0;        // processed (replays excluded)
  uint64_t duplicates = 0;      // decisions with duplicate = true (replays excluded)
  uint64_t replays = 0;         // ids already in the window
  uint64_t rejected = 0;        // articles refused (no words)
  uint64_t candidates = 0;      // LSH candidates examined, summed
  uint64_t candidates_rejected = 0;  // candidates that failed verification
  uint64_t candidates_truncated = 0; // articles with more candidates than max_candidates
  uint64_t boilerplate_lines = 0;    // lines dropped as boilerplate (headline lines included)
  uint64_t headline_lines = 0;       // lines dropped as headlines
  uint64_t boilerplate_fallbacks = 0;  // articles kept whole because too little was left
  uint64_t presigned_used = 0;    // articles whose Presigner signature was used (a right guess)
  uint64_t presigned_redone = 0;  // articles presigned on a wrong guess and signed again
  uint64_t clusters_created = 0;
  uint64_t clusters_merged = 0;
  uint64_t merges_refused = 0;  // matched two clusters whose own articles do not match
  uint64_t evicted_window = 0;
  uint64_t evicted_capacity = 0;
  uint64_t future_timestamps = 0;  // event times past the clock + max_future_hours: taken as now
  size_t indexed = 0;           // articles in the window now
  size_t clusters = 0;          // live clusters now
  size_t boilerplate_sources = 0;      // sources whose lines are counted now
  size_t boilerplate_table_bytes = 0;  // their count tables' memory now

  // Adds `o`'s counters (every field but the gauges: indexed, clusters, boilerplate_sources and
  // boilerplate_table_bytes): the daemon's totals over the engines it replaced.
  EngineStats& AddCounters(const EngineStats& o) {
    articles += o.articles;
    duplicates += o.duplicates;
    replays += o.replays;
    rejected += o.rejected;
    candidates += o.candidates;
    candidates_rejected += o.candidates_rejected;
    candidates_truncated += o.candidates_truncated;
    boilerplate_lines += o.boilerplate_lines;
    headline_lines += o.headline_lines;
    boilerplate_fallbacks += o.boilerplate_fallbacks;
    presigned_used += o.presigned_used;
    presigned_redone += o.presigned_redone;
    clusters_created += o.clusters_created;
    clusters_merged += o.clusters_merged;
    merges_refused += o.merges_refused;
    evicted_window += o.evicted_window;
    evicted_capacity += o.evicted_capacity;
    future_timestamps += o.future_timestamps;
    return *this;
  }
};
// A field added to EngineStats needs a line in AddCounters (or a note there that it is a gauge).
static_assert(sizeof(EngineStats) == 22 * sizeof(uint64_t), "update EngineStats::AddCounters");

class Engine {
 public:
  // The wall clock event times are checked against ([cluster] max_future_hours), in
  // milliseconds since the Unix epoch. Empty: the system clock.
  using WallClock = std::function<EventTimeMs()>;

  // Fails if the config names a MinHash kernel this CPU cannot run. With a `presigner` (made
  // from the same config), articles it signed ahead are checked against its guess and its table
  // corrected (engine/analyze.h).
  static absl::StatusOr<std::unique_ptr<Engine>> Create(
      const Config& config, WallClock clock = nullptr,
      std::shared_ptr<Presigner> presigner = nullptr);
  virtual ~Engine() = default;

  // Errors (InvalidArgument) leave the engine unchanged: an article with no words.
  // If `updates` is given, it is cleared and receives one record per cluster the article changed
  // (none for a replayed id).
  virtual absl::StatusOr<Decision> Process(const Article& article,
                                           std::vector<StoryUpdate>* updates = nullptr) = 0;
  // The same, with the article already analysed (by AnalyzeArticle with this engine's config,
  // and perhaps presigned by this engine's Presigner). Gives the same result as
  // Process(article, updates). May take the presigned buffers (their capacity reused).
  virtual absl::StatusOr<Decision> Process(const Article& article, AnalyzedArticle& analyzed,
                                           std::vector<StoryUpdate>* updates) = 0;
  // The same, the decision written into `out` (its strings' memory reused: a caller deciding
  // one article after another allocates nothing for them). On an error `out` is unspecified.
  virtual absl::Status ProcessInto(const Article& article, AnalyzedArticle& analyzed,
                                   std::vector<StoryUpdate>* updates, Decision& out) = 0;

  // Live reload: applies `next`'s [match] and [cluster] settings and index.max_candidates without
  // losing state. Fails, changing nothing, when RestartRequiredChanges(current config, next) is
  // not empty. A canonical policy applies from each cluster's next change; a shorter window or a
  // lower max_articles evicts on the next Process.
  virtual absl::Status Reconfigure(const Config& next) = 0;

  virtual EngineStats stats() const = 0;
  virtual const LshParams& lsh_params() const = 0;
  // What signs articles: "oph" (one-permutation hashing, [sketch] algorithm = "oph"), else the
  // MinHash kernel ("avx512", "avx2" or "scalar").
  virtual std::string_view kernel_name() const = 0;
  // The signature version in use (see sketch/minhash.h).
  virtual int signature_version() const = 0;
};

}  // namespace dedup

#endif  // DEDUP_ENGINE_ENGINE_H_
