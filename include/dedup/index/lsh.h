// Banded locality-sensitive hashing over MinHash signatures.
//
// A signature of b*r values is cut into b bands of r rows; two articles become candidates when
// any band is equal. A pair with Jaccard similarity s becomes a candidate with probability
// 1 - (1 - s^r)^b: an S-curve whose midpoint sits near the configured threshold.
//
// Thread-safety: OptimalLshParams and CandidateProbability are pure. LshIndex is not
// thread-safe; one owner (the engine) calls it.
#ifndef DEDUP_INDEX_LSH_H_
#define DEDUP_INDEX_LSH_H_

#include <cstdint>
#include <cstddef>
#include <span>
#include <vector>


namespace dedup {

struct LshParams {
  int bands = 0;
  int rows = 0;
  double false_positive_mass = 0;  // integral of P(candidate) over s in [0, threshold]
  double false_negative_mass = 0;  // integral of P(not candidate) over s in [threshold, 1]
};

// Chooses bands and rows (bands * rows <= num_hashes) minimising
//   fp_weight * false_positive_mass + fn_weight * false_negative_mass,
// as datasketch's _optimal_param does. REQUIRES: 0 < threshold < 1, num_hashes >= 1.
LshParams OptimalLshParams(double threshold, int num_hashes, double fp_weight, double fn_weight);

// P(a pair with Jaccard similarity s becomes a candidate).
double CandidateProbability(double s, int bands, int rows);

// Handles are small integers chosen by the caller (the engine's slot numbers), below 2^31 - 1.
using DocHandle = uint32_t;

class LshIndex {
 public:
  // A bucket (one band key in one band) holds at most `max_per_bucket` documents (and never more
  // than kMaxPerBucket): past that, a new document replaces the longest-held one. A flood of
  // near-identical articles so costs bounded work per insert, query and removal, and queries
  // see the newest copies.
  static constexpr size_t kMaxPerBucket = (size_t{1} << 26) - 1;  // a bucket header's size field
  explicit LshIndex(LshParams params, size_t max_per_bucket = kMaxPerBucket);

  const LshParams& params() const { return params_; }

  // Signatures are the low 16 bits of the MinHash values (see sketch/minhash.h); a band's key
  // hashes its rows' 16-bit values. REQUIRES: sig.size() >= bands * rows; `doc` not inserted.
  void Insert(DocHandle doc, std::span<const uint16_t> sig);
  // REQUIRES: `doc` was inserted with this same signature.
  void Remove(DocHandle doc, std::span<const uint16_t> sig);
  // Appends each document sharing at least one band with `sig` once, in ascending order.
  void Query(std::span<const uint16_t> sig, std::vector<DocHandle>& out);
  // Query(sig, out), then Insert(doc, sig), in one walk of each band's bucket (what the engine
  // does for every article: the insertion finds its bucket's lines already in the cache, and
  // the band keys are computed once). `out` does not include `doc`.
  void QueryAndInsert(DocHandle doc, std::span<const uint16_t> sig, std::vector<DocHandle>& out);

  // Entries held (documents x bands).
  size_t num_entries() const;
  // Bytes held by the tables.
  size_t memory_bytes() const;

 private:
  // One band's buckets. A hash table of the band's distinct keys (8 bytes a slot: the key and a
  // reference; linear probing, backward-shift deletion, load factor at most 3/4, growth by
  // 1.5x) points at each key's documents. A key with one document holds it in its slot; a
  // key with more holds the offset of its bucket in an arena of 32-bit words: a header (size
  // and size class), then the documents in insertion order. Size classes are 4, 6, 8, 12, 16,
  // 24, ... words, with a free list each (chained through the free blocks' first words).
  //
  // Why not documents in the slots themselves (the first layout): under a stream of reprints a
  // bucket holds up to the cap's copies side by side, neighbouring buckets merge into probe
  // runs of 20-60 slots, and every insert, query and removal walked (and removals shifted) the
  // whole run. Here the probe runs hold distinct keys only and a bucket is one short array.
  // A key is a band's values themselves when they fit its 32 bits (one or two rows), else their
  // hash: two different bands of values then share a key with probability 2^-32, at worst a
  // spurious candidate, which verification rejects.
  class BandTable {
   public:
    // Appends the documents already under `key` to `found`, if given, before inserting.
    void Insert(uint32_t key, DocHandle doc, size_t max_per_key,
                std::vector<DocHandle>* found = nullptr);
    void Remove(uint32_t key, DocHandle doc);
    void Find(uint32_t key, std::vector<DocHandle>& out) const;
    // Starts loading the key's home slot into the cache. Every operation first computes all
    // bands' keys and prefetches their slots, so the ~one cache miss per band overlap instead
    // of following one another.
    void Prefetch(uint32_t key) const {
      if (!slots_.empty()) __builtin_prefetch(&slots_[Home(key)]);
    }
    // After Prefetch: finds the key's slot and starts loading its bucket (when it has one
    // apart from the slot), the second cache miss of an operation on a key with several
    // documents.
    void PrefetchBucket(uint32_t key) const {
      if (slots_.empty()) return;
      const uint32_t ref = slots_[Locate(key)].ref;
      if (ref != kEmpty && (ref & kInline) == 0) __builtin_prefetch(&arena_[ref]);
    }
    size_t size() const { return size_; }
    size_t memory_bytes() const {
      return slots_.capacity() * sizeof(Slot) + arena_.capacity() * sizeof(uint32_t);
    }

   private:
    struct Slot {
      uint32_t key = 0;
      uint32_t ref = kEmpty;  // kEmpty, kInline | the one document, or a bucket's offset
    };
    static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
    static constexpr uint32_t kInline = 0x80000000u;
    static constexpr uint32_t kNoBlock = 0xFFFFFFFFu;
    // A bucket's header word: its size class in the top 6 bits, its size in the rest.
    static constexpr int kClassShift = 26;
    static_assert(kMaxPerBucket == (size_t{1} << kClassShift) - 1);
    static constexpr uint32_t kSizeMask = (1u << kClassShift) - 1;
    static uint32_t Words(int size_class) {
      return (size_class % 2 == 0 ? 4u : 6u) << (size_class / 2);
    }
    static uint32_t Header(int size_class, size_t size) {
      return (static_cast<uint32_t>(size_class) << kClassShift) | static_cast<uint32_t>(size);
    }
    static int ClassOf(uint32_t header) { return static_cast<int>(header >> kClassShift); }
    static size_t SizeOf(uint32_t header) { return header & kSizeMask; }
    // The home slot: the key mixed, then mapped onto [0, capacity) by multiply-shift, so the
    // capacity need not be a power of two (tables grow by half, not double: less slack).
    size_t Home(uint32_t key) const {
      const uint64_t mixed = (uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> 32;
      return static_cast<size_t>((mixed * slots_.size()) >> 32);
    }
    size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
    // The slot holding `key`, or the empty slot ending its probe run. REQUIRES: !slots_.empty().
    size_t Locate(uint32_t key) const;
    void EraseSlot(size_t i);  // backward-shift deletion
    void Grow();
    uint32_t Allocate(int size_class);
    void Release(uint32_t block);
    std::vector<Slot> slots_;
    size_t keys_ = 0;  // slots in use
    size_t size_ = 0;  // documents held
    std::vector<uint32_t> arena_;
    std::vector<uint32_t> free_;  // per size class: the first free block, chained through word 0
  };

  uint32_t BandKey(int band, std::span<const uint16_t> sig) const;
  // All bands' keys of `sig` (in keys_), their home slots prefetched, then their buckets.
  const uint32_t* KeysPrefetched(std::span<const uint16_t> sig);
  // Appends found_'s documents to `out` once each, in ascending order.
  void AppendDistinctFound(std::vector<DocHandle>& out);

  LshParams params_;
  size_t max_per_bucket_;
  std::vector<BandTable> tables_;
  // Query scratch: raw hits, and per-document stamps for deduplicating them.
  std::vector<uint32_t> keys_;
  std::vector<DocHandle> found_;
  std::vector<uint32_t> stamps_;
  uint32_t query_stamp_ = 0;
};

}  // namespace dedup

#endif  // DEDUP_INDEX_LSH_H_
