#include "dedup/index/lsh.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "dedup/base/hash.h"

namespace dedup {
namespace {

// Simpson's rule; the integrands are smooth polynomials in s.
template <typename F>
double Integrate(F f, double a, double b) {
  constexpr int kSteps = 200;  // even
  const double h = (b - a) / kSteps;
  double sum = f(a) + f(b);
  for (int i = 1; i < kSteps; ++i) sum += f(a + i * h) * ((i % 2) ? 4.0 : 2.0);
  return sum * h / 3.0;
}

// x^n by squaring: OptimalLshParams evaluates ~560,000 of these at 128 hashes, and std::pow
// made it ~7% of a short file-mode run (start-up of every engine).
double IntPow(double x, int n) {
  double result = 1.0;
  while (n > 0) {
    if ((n & 1) != 0) result *= x;
    x *= x;
    n >>= 1;
  }
  return result;
}

}  // namespace

double CandidateProbability(double s, int bands, int rows) {
  return 1.0 - IntPow(1.0 - IntPow(s, rows), bands);
}

LshParams OptimalLshParams(double threshold, int num_hashes, double fp_weight, double fn_weight) {
  LshParams best;
  double best_error = std::numeric_limits<double>::infinity();
  for (int b = 1; b <= num_hashes; ++b) {
    for (int r = 1; r <= num_hashes / b; ++r) {
      const double fp = Integrate([&](double s) { return CandidateProbability(s, b, r); }, 0.0,
                                  threshold);
      const double fn = Integrate([&](double s) { return 1.0 - CandidateProbability(s, b, r); },
                                  threshold, 1.0);
      const double error = fp_weight * fp + fn_weight * fn;
      if (error < best_error) {
        best_error = error;
        best = LshParams{b, r, fp, fn};
      }
    }
  }
  return best;
}

LshIndex::LshIndex(LshParams params, size_t max_per_bucket)
    : params_(params),
      max_per_bucket_(std::clamp<size_t>(max_per_bucket, 1, kMaxPerBucket)),
      tables_(static_cast<size_t>(params.bands)) {}

uint32_t LshIndex::BandKey(int band, std::span<const uint16_t> sig) const {
  const size_t r = static_cast<size_t>(params_.rows);
  const uint16_t* const rows = sig.data() + static_cast<size_t>(band) * r;
  // Up to two rows the key is the rows' values themselves (each band has a table of its own,
  // and Home mixes the key): exact, and no hash to compute for each of the ~28 bands on every
  // insertion and removal.
  if (r == 2) return uint32_t{rows[0]} | (uint32_t{rows[1]} << 16);
  if (r == 1) return rows[0];
  return static_cast<uint32_t>(Hash64(rows, r * sizeof(uint16_t), static_cast<uint64_t>(band)));
}

size_t LshIndex::BandTable::Locate(uint32_t key) const {
  size_t i = Home(key);
  while (slots_[i].ref != kEmpty && slots_[i].key != key) i = Next(i);
  return i;
}

void LshIndex::BandTable::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 16 : old.size() + old.size() / 2, Slot{});
  for (const Slot& s : old) {
    if (s.ref != kEmpty) slots_[Locate(s.key)] = s;
  }
}

void LshIndex::BandTable::EraseSlot(size_t i) {
  // Backward-shift deletion: pull later keys of the run into the hole when their home slot
  // allows it, so probe runs never contain holes.
  size_t j = i;
  while (true) {
    j = Next(j);
    if (slots_[j].ref == kEmpty) break;
    const size_t k = Home(slots_[j].key);
    const bool between = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
    if (between) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
  --keys_;
}

uint32_t LshIndex::BandTable::Allocate(int size_class) {
  const size_t c = static_cast<size_t>(size_class);
  if (c >= free_.size()) free_.resize(c + 1, kNoBlock);
  if (free_[c] != kNoBlock) {
    const uint32_t block = free_[c];
    free_[c] = arena_[block];
    return block;
  }
  const size_t block = arena_.size();
  // Offsets must stay below kInline (2^31 words, 8 GiB for one band): far past any window
  // that fits in memory, but a wrapped offset would corrupt the index silently.
  if (block + Words(size_class) >= kInline) std::abort();
  arena_.resize(block + Words(size_class));
  return static_cast<uint32_t>(block);
}

void LshIndex::BandTable::Release(uint32_t block) {
  const size_t c = static_cast<size_t>(ClassOf(arena_[block]));
  arena_[block] = free_[c];
  free_[c] = block;
}

void LshIndex::BandTable::Insert(uint32_t key, DocHandle doc, size_t max_per_key,
                                 std::vector<DocHandle>* found) {
  if ((keys_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t i = Locate(key);
  const uint32_t ref = slots_[i].ref;
  if (ref == kEmpty) {
    slots_[i] = Slot{key, kInline | doc};
    ++keys_;
    ++size_;
    return;
  }
  if ((ref & kInline) != 0) {
    const DocHandle only = ref & ~kInline;
    if (found != nullptr) found->push_back(only);
    if (max_per_key <= 1) {  // the bucket is full: the newest replaces the oldest
      slots_[i].ref = kInline | doc;
      return;
    }
    const uint32_t block = Allocate(0);
    arena_[block] = Header(0, 2);
    arena_[block + 1] = only;
    arena_[block + 2] = doc;
    slots_[i].ref = block;
    ++size_;
    return;
  }
  uint32_t block = ref;
  int size_class = ClassOf(arena_[block]);
  const size_t n = SizeOf(arena_[block]);
  if (found != nullptr) {
    found->insert(found->end(), arena_.begin() + block + 1, arena_.begin() + block + 1 + n);
  }
  if (n >= max_per_key) {
    // The bucket is full: the oldest copy (the first) leaves, the new one goes last.
    uint32_t* docs = &arena_[block + 1];
    std::memmove(docs, docs + 1, (n - 1) * sizeof(uint32_t));
    docs[n - 1] = doc;
    return;
  }
  if (n + 1 >= Words(size_class)) {  // no room after the header: move to the next class
    const uint32_t grown = Allocate(size_class + 1);  // may move arena_
    std::memcpy(&arena_[grown + 1], &arena_[block + 1], n * sizeof(uint32_t));
    Release(block);
    block = grown;
    ++size_class;
    slots_[i].ref = block;
  }
  arena_[block + 1 + n] = doc;
  arena_[block] = Header(size_class, n + 1);
  ++size_;
}

void LshIndex::BandTable::Find(uint32_t key, std::vector<DocHandle>& out) const {
  if (slots_.empty()) return;
  const uint32_t ref = slots_[Locate(key)].ref;
  if (ref == kEmpty) return;
  if ((ref & kInline) != 0) {
    out.push_back(ref & ~kInline);
    return;
  }
  const size_t n = SizeOf(arena_[ref]);
  out.insert(out.end(), arena_.begin() + ref + 1, arena_.begin() + ref + 1 + n);
}

void LshIndex::BandTable::Remove(uint32_t key, DocHandle doc) {
  if (slots_.empty()) return;
  const size_t i = Locate(key);
  const uint32_t ref = slots_[i].ref;
  if (ref == kEmpty) return;
  if ((ref & kInline) != 0) {
    if ((ref & ~kInline) != doc) return;  // not held (the bucket cap let it go)
    EraseSlot(i);
    --size_;
    return;
  }
  const int size_class = ClassOf(arena_[ref]);
  const size_t n = SizeOf(arena_[ref]);
  uint32_t* docs = &arena_[ref + 1];
  const size_t at = static_cast<size_t>(std::find(docs, docs + n, doc) - docs);
  if (at == n) return;
  std::memmove(docs + at, docs + at + 1, (n - 1 - at) * sizeof(uint32_t));
  --size_;
  if (n - 1 == 1) {  // one left: back into the slot
    slots_[i].ref = kInline | docs[0];
    Release(ref);
    return;
  }
  if (size_class > 0 && n - 1 <= (Words(size_class - 1) - 1) / 2) {
    // Well under the smaller class: move down (growth and shrinking are apart by half a class,
    // so a bucket that gains and loses one document does not move each time).
    const uint32_t smaller = Allocate(size_class - 1);  // may move arena_
    std::memcpy(&arena_[smaller + 1], &arena_[ref + 1], (n - 1) * sizeof(uint32_t));
    Release(ref);
    arena_[smaller] = Header(size_class - 1, n - 1);
    slots_[i].ref = smaller;
    return;
  }
  arena_[ref] = Header(size_class, n - 1);
}

const uint32_t* LshIndex::KeysPrefetched(std::span<const uint16_t> sig) {
  keys_.resize(static_cast<size_t>(params_.bands));
  for (int b = 0; b < params_.bands; ++b) {
    const size_t band = static_cast<size_t>(b);
    keys_[band] = BandKey(b, sig);
    tables_[band].Prefetch(keys_[band]);
  }
  for (size_t b = 0; b < tables_.size(); ++b) tables_[b].PrefetchBucket(keys_[b]);
  return keys_.data();
}

void LshIndex::Insert(DocHandle doc, std::span<const uint16_t> sig) {
  const uint32_t* keys = KeysPrefetched(sig);
  for (size_t b = 0; b < tables_.size(); ++b) tables_[b].Insert(keys[b], doc, max_per_bucket_);
}

void LshIndex::Remove(DocHandle doc, std::span<const uint16_t> sig) {
  const uint32_t* keys = KeysPrefetched(sig);
  for (size_t b = 0; b < tables_.size(); ++b) tables_[b].Remove(keys[b], doc);
}

void LshIndex::Query(std::span<const uint16_t> sig, std::vector<DocHandle>& out) {
  found_.clear();
  const uint32_t* keys = KeysPrefetched(sig);
  for (size_t b = 0; b < tables_.size(); ++b) tables_[b].Find(keys[b], found_);
  AppendDistinctFound(out);
}

void LshIndex::QueryAndInsert(DocHandle doc, std::span<const uint16_t> sig,
                              std::vector<DocHandle>& out) {
  found_.clear();
  const uint32_t* keys = KeysPrefetched(sig);
  for (size_t b = 0; b < tables_.size(); ++b) {
    tables_[b].Insert(keys[b], doc, max_per_bucket_, &found_);
  }
  AppendDistinctFound(out);
}

void LshIndex::AppendDistinctFound(std::vector<DocHandle>& out) {
  const size_t start = out.size();
  // A document found in several bands is reported once: mark each with this query's stamp
  // (cheaper than sorting the raw hits, most of which are repeats).
  if (++query_stamp_ == 0) {
    std::fill(stamps_.begin(), stamps_.end(), 0);
    query_stamp_ = 1;
  }
  for (DocHandle d : found_) {
    if (d >= stamps_.size()) stamps_.resize(static_cast<size_t>(d) + 1, 0);
    if (stamps_[d] == query_stamp_) continue;
    stamps_[d] = query_stamp_;
    out.push_back(d);
  }
  std::sort(out.begin() + static_cast<ptrdiff_t>(start), out.end());
}

size_t LshIndex::num_entries() const {
  size_t n = 0;
  for (const auto& t : tables_) n += t.size();
  return n;
}

size_t LshIndex::memory_bytes() const {
  size_t n = 0;
  for (const auto& t : tables_) n += t.memory_bytes();
  return n;
}

}  // namespace dedup
