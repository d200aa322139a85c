#include "dedup/index/lsh.h"

#include <algorithm>
#include <cmath>
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
      max_per_bucket_(std::max<size_t>(1, max_per_bucket)),
      tables_(static_cast<size_t>(params.bands)) {}

uint32_t LshIndex::BandKey(int band, std::span<const uint16_t> sig) const {
  const size_t r = static_cast<size_t>(params_.rows);
  return static_cast<uint32_t>(Hash64(sig.data() + static_cast<size_t>(band) * r,
                                      r * sizeof(uint16_t), static_cast<uint64_t>(band)));
}

void LshIndex::BandTable::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 16 : old.size() + old.size() / 2, Slot{});
  size_ = 0;
  if (old.empty()) return;
  // Re-insert in probe order starting after an empty slot (there is one: the load is at most
  // 3/4): a run that wraps past the array's end is then re-inserted oldest first, keeping each
  // bucket's insertion order (which the cap relies on). Array order would put its wrapped,
  // newer part first.
  size_t start = 0;
  while (old[start].doc != kEmpty) ++start;
  for (size_t n = 1; n <= old.size(); ++n) {
    const Slot& s = old[(start + n) % old.size()];
    if (s.doc != kEmpty) Insert(s.key, s.doc, SIZE_MAX);
  }
}

void LshIndex::BandTable::Insert(uint32_t h, DocHandle doc, size_t max_per_key,
                                 std::vector<DocHandle>* found) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  size_t i = Home(h);
  size_t same = 0;
  DocHandle oldest = kEmpty;
  while (slots_[i].doc != kEmpty) {
    if (slots_[i].key == h) {
      if (same++ == 0) oldest = slots_[i].doc;
      if (found != nullptr) found->push_back(slots_[i].doc);
    }
    i = Next(i);
  }
  if (same >= max_per_key) {
    // The bucket is full: the oldest copy (first along the run, which keeps insertion order)
    // leaves, and the new one goes to the end of the run as usual. The hole the removal leaves
    // is that end: it lies between the oldest copy and the run's old end, which had no hole.
    i = RemoveAt(h, oldest);
  }
  slots_[i] = Slot{h, doc};
  ++size_;
}

void LshIndex::BandTable::Find(uint32_t h, std::vector<DocHandle>& out) const {
  if (slots_.empty()) return;
  for (size_t i = Home(h); slots_[i].doc != kEmpty; i = Next(i)) {
    if (slots_[i].key == h) out.push_back(slots_[i].doc);
  }
}

void LshIndex::BandTable::Remove(uint32_t h, DocHandle doc) {
  if (!slots_.empty()) RemoveAt(h, doc);
}

size_t LshIndex::BandTable::RemoveAt(uint32_t h, DocHandle doc) {
  const uint32_t key = h;
  size_t i = Home(h);
  while (slots_[i].doc != kEmpty && !(slots_[i].key == key && slots_[i].doc == doc)) i = Next(i);
  if (slots_[i].doc == kEmpty) return i;
  // Backward-shift deletion: pull later entries of the run into the hole when their home slot
  // allows it, so probe runs never contain holes (and keep their order).
  size_t j = i;
  while (true) {
    j = Next(j);
    if (slots_[j].doc == kEmpty) break;
    const size_t k = Home(slots_[j].key);
    const bool between = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
    if (between) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
  --size_;
  return i;
}

const uint32_t* LshIndex::KeysPrefetched(std::span<const uint16_t> sig) {
  keys_.resize(static_cast<size_t>(params_.bands));
  for (int b = 0; b < params_.bands; ++b) {
    const size_t band = static_cast<size_t>(b);
    keys_[band] = BandKey(b, sig);
    tables_[band].Prefetch(keys_[band]);
  }
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
  for (const auto& t : tables_) n += t.capacity() * 8;
  return n;
}

}  // namespace dedup
