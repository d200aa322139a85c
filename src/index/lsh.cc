#include "dedup/index/lsh.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace

double CandidateProbability(double s, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
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

LshIndex::LshIndex(LshParams params) : params_(params), tables_(static_cast<size_t>(params.bands)) {}

uint64_t LshIndex::BandKey(int band, std::span<const uint32_t> sig) const {
  const size_t r = static_cast<size_t>(params_.rows);
  return XXH3_64bits_withSeed(sig.data() + static_cast<size_t>(band) * r, r * sizeof(uint32_t),
                              static_cast<uint64_t>(band));
}

void LshIndex::Insert(DocHandle doc, std::span<const uint32_t> sig) {
  for (int b = 0; b < params_.bands; ++b) {
    tables_[static_cast<size_t>(b)][BandKey(b, sig)].push_back(doc);
  }
}

void LshIndex::Remove(DocHandle doc, std::span<const uint32_t> sig) {
  for (int b = 0; b < params_.bands; ++b) {
    auto& table = tables_[static_cast<size_t>(b)];
    auto it = table.find(BandKey(b, sig));
    if (it == table.end()) continue;
    auto& bucket = it->second;
    auto pos = std::find(bucket.begin(), bucket.end(), doc);
    if (pos != bucket.end()) bucket.erase(pos);  // keeps insertion order (newest last)
    if (bucket.empty()) table.erase(it);
  }
}

void LshIndex::Query(std::span<const uint32_t> sig, std::vector<DocHandle>& out,
                     size_t max_per_bucket) const {
  const size_t start = out.size();
  for (int b = 0; b < params_.bands; ++b) {
    const auto& table = tables_[static_cast<size_t>(b)];
    auto it = table.find(BandKey(b, sig));
    if (it == table.end()) continue;
    const auto& bucket = it->second;
    const size_t n = std::min(bucket.size(), max_per_bucket);
    out.insert(out.end(), bucket.end() - static_cast<ptrdiff_t>(n), bucket.end());
  }
  std::sort(out.begin() + static_cast<ptrdiff_t>(start), out.end());
  out.erase(std::unique(out.begin() + static_cast<ptrdiff_t>(start), out.end()), out.end());
}

size_t LshIndex::num_buckets() const {
  size_t n = 0;
  for (const auto& t : tables_) n += t.size();
  return n;
}

}  // namespace dedup
