// The part of processing an article that may run ahead of the engine, on any thread: analysis
// (AnalyzeArticle: normalised, tokenised, hashed) and signing on a guess (Presigner).
//
// Signing (which lines to drop, the kept words' shingles, their signature, the lead and the
// numbers) depends on the engine's state only through which lines it drops: lines learned as
// the source's boilerplate and lines that are headlines of other articles. The daemon's
// workers sign each article ahead on a guess of those lines, read from a table of the lines the
// engine dropped lately for each source; the engine decides the lines as always and uses the
// worker's signature only when the guess was exactly its own decision, else signs again
// (and corrects the table). Results are therefore the engine's own whatever the guess; a
// good guess moves the signing off the engine's thread, the daemon's one serial stage.
//
// Thread-safety: AnalyzeArticle is a pure function. Presigner::Presign may run on any number of
// threads at once, concurrently with the one engine thread calling Correct, AddLines and
// AddHeadlines. The table's entries are atomic; two writers racing for one entry may lose one
// of their lines (a wrong guess later, never a wrong result).
#ifndef DEDUP_ENGINE_ANALYZE_H_
#define DEDUP_ENGINE_ANALYZE_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/engine/article.h"
#include "dedup/sketch/minhash.h"
#include "dedup/sketch/number_sketch.h"
#include "dedup/text/document.h"
#include "dedup/text/shingle.h"

namespace dedup {

class Presigner;

// What signing made of an article's text once its dropped lines were decided.
struct SignedText {
  uint32_t words = 0;          // words compared: the kept ones, or all on a fallback
  uint32_t dropped_lines = 0;  // lines left out (0 on a fallback)
  bool fallback = false;       // too few words were kept: the whole text is compared
  NumberSketch numbers;
  std::array<uint16_t, kLeadShingles> lead{};
  int lead_size = 0;
  std::vector<uint64_t> shingles;  // distinct, in order of first occurrence; empty: no words
  std::vector<uint32_t> sig;       // num_hashes values
  std::vector<uint16_t> sig16;     // their low 16 bits (what the index and the window keep)
  // Scratch (capacity kept from article to article).
  std::vector<uint64_t> kept_words;
  std::vector<uint64_t> kept_numbers;
};

// The stateless first half of processing an article: its text normalised, tokenised and hashed
// (Document) and its headline's hashes; and, when a Presigner signed it ahead, its guess of the
// dropped lines and what signing made of them.
struct AnalyzedArticle {
  Document doc;
  std::vector<uint64_t> headline_hashes;
  // The Presigner whose guess guessed_drop and signed_text hold (Presign); null: none. An
  // engine uses them only from its own presigner (made from its config).
  const Presigner* presigned_by = nullptr;
  std::vector<char> guessed_drop;   // one entry a line of doc: 1 if guessed dropped
  SignedText signed_text;           // signing with guessed_drop
};

// Analyses `article` into `out` (clearing any earlier presigning). Depends only on the article
// and the config.
void AnalyzeArticle(const Article& article, const Config& config, AnalyzedArticle& out);

// The key the boilerplate filter learns under: the source, else the URL's host.
std::string_view BoilerplateSourceKey(const Article& article);

// Signs articles ahead on a guess of the lines the engine drops. One Presigner serves one
// engine at a time (Engine::Create's `presigner`) and any number of signing threads; it outlives
// an engine (the daemon makes a new engine after an exactly-once abort and keeps this).
//
// The guess: a line is dropped when the engine last dropped a line with its hash from the same
// source, or (with [boilerplate] headline_lines) when it is one of the article's own headlines
// or the headline of an article the engine has seen. The table of those lines is fixed-size
// (kBuckets x 8 entries of 8 bytes, 4 MiB, lock-free); the engine adds each article's headlines,
// a line it dropped against the guess, and removes one it kept against it. A full bucket
// overwrites an entry: a forgotten line costs a wrong guess, never a wrong result.
class Presigner {
 public:
  static constexpr size_t kBuckets = size_t{1} << 16;
  static constexpr size_t kWays = 8;

  // Fails as Engine::Create does for a MinHash kernel this CPU cannot run.
  static absl::StatusOr<std::shared_ptr<Presigner>> Create(const Config& config);

  // Guesses the dropped lines of `analyzed` (AnalyzeArticle's output for `article` with this
  // config) and signs with them, setting analyzed.presigned_by.
  void Presign(const Article& article, AnalyzedArticle& analyzed);

  // The engine's, after it decided `drop` for the article whose lines hash to `line_hashes`:
  // fixes the table where `guess` (the worker's) was wrong.
  // REQUIRES: the three spans are the same size; one thread at a time.
  void Correct(std::string_view source_key, std::span<const uint64_t> line_hashes,
               std::span<const char> guess, std::span<const char> drop);

  // The engine's, for lines it learned as the source's boilerplate (its next articles drop them).
  // One thread at a time.
  void AddLines(std::string_view source_key, std::span<const uint64_t> line_hashes);

  // After the engine remembered an article's headline hashes (HeadlineIndex::Add), or when
  // Presign signs the article (its headline is known before the articles after it are
  // decided): body lines equal to them are guessed dropped, whatever their source.
  void AddHeadlines(std::span<const uint64_t> headline_hashes);

  // Whether the table holds the line (tests).
  bool Guesses(std::string_view source_key, uint64_t line_hash) const;

 private:
  struct alignas(64) Bucket {
    std::array<std::atomic<uint64_t>, kWays> keys{};
  };
  Presigner(const Config& config, MinHashKernel kernel, SketchAlgorithm algorithm);
  static uint64_t SourceHash(std::string_view source_key);
  static uint64_t Key(uint64_t source_hash, uint64_t line_hash);
  Bucket& BucketOf(uint64_t key) { return buckets_[key >> (64 - std::countr_zero(kBuckets))]; }
  const Bucket& BucketOf(uint64_t key) const {
    return buckets_[key >> (64 - std::countr_zero(kBuckets))];
  }
  bool Contains(uint64_t key) const;
  void Insert(uint64_t key);
  void Remove(uint64_t key);

  Config config_;
  MinHasher hasher_;
  std::vector<Bucket> buckets_;
};

// Signing once the dropped lines are decided (drop[i] for doc.lines[i]): the kept lines' words
// (or all of them when fewer than [boilerplate] min_kept_tokens are kept) shingled, signed by
// `hasher`, with their lead and numbers. The engine and Presigner share it.
// REQUIRES: drop.size() == doc.lines.size(); hasher made from config's [sketch].
void SignKept(const Document& doc, std::span<const char> drop, const Config& config,
              const MinHasher& hasher, SignedText& out);

}  // namespace dedup

#endif  // DEDUP_ENGINE_ANALYZE_H_
