#include "dedup/sketch/minhash.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "minhash_kernels.h"

#include "absl/strings/str_cat.h"
#include "dedup/base/strings.h"

namespace dedup {
namespace {

// MurmurHash3's 32-bit finaliser (signature versions 1 and 4).
inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}

// MurmurHash3's 64-bit finaliser: a bijection that mixes every input bit into every output bit.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// floor(x * n / 2^32): a 32-bit value mapped onto [0, n) without a division.
inline size_t Scale32(uint32_t x, size_t n) {
  return static_cast<size_t>((static_cast<uint64_t>(x) * n) >> 32);
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Best first; each entry only if this CPU (and OS) can run it.
std::vector<MinHashKernel> DetectKernels() {
  std::vector<MinHashKernel> k;
#ifdef DEDUP_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2")) {
    k.push_back({"avx512", &internal::MinHashAvx512});
  }
  if (__builtin_cpu_supports("avx2")) k.push_back({"avx2", &internal::MinHashAvx2});
#endif
  k.push_back({"scalar", &MinHashScalar});
  return k;
}

}  // namespace

void MinHashScalar(const uint64_t* shingles, size_t num_shingles, const uint32_t* seeds,
                   size_t num_hashes, uint32_t* out) {
  std::fill(out, out + num_hashes, 0xFFFFFFFFU);
  for (size_t j = 0; j < num_shingles; ++j) {
    const uint32_t x = static_cast<uint32_t>(shingles[j]);
    for (size_t i = 0; i < num_hashes; ++i) {
      out[i] = std::min(out[i], Fmix32(x ^ seeds[i]));
    }
  }
}

std::span<const MinHashKernel> AvailableMinHashKernels() {
  static const std::vector<MinHashKernel>* kernels = new std::vector<MinHashKernel>(DetectKernels());
  return *kernels;
}

absl::StatusOr<MinHashKernel> SelectMinHashKernel(std::string_view name) {
  const auto kernels = AvailableMinHashKernels();
  // DEDUP_MINHASH_KERNEL overrides "auto" (tests re-run the suite with the scalar kernel).
  if (const char* env = std::getenv("DEDUP_MINHASH_KERNEL"); env != nullptr && name == "auto") {
    name = env;
  }
  if (name == "auto") return kernels.front();
  for (const MinHashKernel& k : kernels) {
    if (k.name == name) return k;
  }
  return absl::NotFoundError(
      Cat("MinHash kernel \"", name, "\" is not available on this CPU or build"));
}

absl::StatusOr<SketchAlgorithm> SelectSketchAlgorithm(std::string_view name) {
  std::string_view source = "[sketch] algorithm";
  if (const char* env = std::getenv("DEDUP_SKETCH_ALGORITHM"); env != nullptr && *env != '\0') {
    name = env;
    source = "DEDUP_SKETCH_ALGORITHM";
  }
  if (name == "oph") return SketchAlgorithm::kOnePermutation;
  if (name == "minhash") return SketchAlgorithm::kMinHash;
  return absl::InvalidArgumentError(
      Cat(source, " must be \"oph\" or \"minhash\" (got \"", name, "\")"));
}

void OnePermutationSign(std::span<const uint64_t> shingles, uint64_t key,
                        std::span<uint32_t> out) {
  const size_t k = out.size();
  // Each bin's minimum in 64 bits, starting above any 32-bit value: a bin is filled when it
  // holds less than kEmpty, whatever the values (no per-shingle bookkeeping in the loop).
  constexpr uint64_t kEmpty = ~uint64_t{0};
  thread_local std::vector<uint64_t> bins;
  bins.assign(k, kEmpty);
  uint64_t* const b = bins.data();
  for (const uint64_t x : shingles) {
    const uint64_t h = Fmix64(x ^ key);
    const size_t bin = Scale32(static_cast<uint32_t>(h >> 32), k);
    b[bin] = std::min<uint64_t>(b[bin], static_cast<uint32_t>(h));
  }
  size_t num_filled = 0;
  for (size_t i = 0; i < k; ++i) {
    const bool filled = b[i] != kEmpty;
    num_filled += filled ? 1 : 0;
    out[i] = filled ? static_cast<uint32_t>(b[i]) : 0xFFFFFFFFU;
  }
  if (num_filled == 0 || num_filled == k) return;
  // Optimal densification: an empty bin i takes the value of the first filled bin along its own
  // pseudo-random probe sequence j(i, 0), j(i, 1), ... The sequence depends only on (key, i),
  // so two sets agree in bin i with probability equal to their Jaccard similarity (Shrivastava
  // 2017). Filled bins are read as they were before densification.
  for (size_t i = 0; i < k; ++i) {
    if (b[i] != kEmpty) continue;
    for (uint64_t attempt = 0;; ++attempt) {
      const uint64_t r = Fmix64(key ^ Fmix64((static_cast<uint64_t>(i) << 32) | attempt));
      const size_t j = Scale32(static_cast<uint32_t>(r >> 32), k);
      if (b[j] != kEmpty) {
        out[i] = static_cast<uint32_t>(b[j]);
        break;
      }
    }
  }
}

MinHasher::MinHasher(int num_hashes, uint64_t seed, MinHashKernel kernel,
                     SketchAlgorithm algorithm)
    : kernel_(kernel), algorithm_(algorithm) {
  seeds_.resize(static_cast<size_t>(num_hashes));
  uint64_t state = seed;
  oph_key_ = SplitMix64(state);  // also seeds_[0]'s source: the two algorithms never mix
  state = seed;
  for (uint32_t& s : seeds_) s = static_cast<uint32_t>(SplitMix64(state));
}

void MinHasher::Sign(std::span<const uint64_t> shingles, std::span<uint32_t> out) const {
  if (algorithm_ == SketchAlgorithm::kOnePermutation) {
    OnePermutationSign(shingles, oph_key_, out);
    return;
  }
  kernel_.fn(shingles.data(), shingles.size(), seeds_.data(), seeds_.size(), out.data());
}

namespace {

// Equal positions of a and b. Counted in blocks with a counter as wide as the values: the
// compiler then keeps the counts in the vector lanes the comparisons produce (a 64-bit counter
// made it widen every comparison to 64-bit lanes first; the engine compares 128-value
// signatures against every candidate).
template <typename T>
size_t CountEqual(std::span<const T> a, std::span<const T> b) {
  constexpr size_t kBlock = 32768;  // < 2^16: a block's count fits in 16 bits
  size_t eq = 0;
  for (size_t start = 0; start < a.size(); start += kBlock) {
    const size_t end = std::min(a.size(), start + kBlock);
    T block = 0;
    for (size_t i = start; i < end; ++i) block = static_cast<T>(block + (a[i] == b[i] ? 1 : 0));
    eq += block;
  }
  return eq;
}

}  // namespace

double EstimateJaccard(std::span<const uint16_t> a, std::span<const uint16_t> b) {
  return static_cast<double>(CountEqual(a, b)) / static_cast<double>(a.size());
}

double EstimateJaccard(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  return static_cast<double>(CountEqual(a, b)) / static_cast<double>(a.size());
}

}  // namespace dedup
