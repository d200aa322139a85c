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

inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
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

MinHasher::MinHasher(int num_hashes, uint64_t seed, MinHashKernel kernel) : kernel_(kernel) {
  seeds_.resize(static_cast<size_t>(num_hashes));
  uint64_t state = seed;
  for (uint32_t& s : seeds_) s = static_cast<uint32_t>(SplitMix64(state));
}

void MinHasher::Sign(std::span<const uint64_t> shingles, std::span<uint32_t> out) const {
  kernel_.fn(shingles.data(), shingles.size(), seeds_.data(), seeds_.size(), out.data());
}

double EstimateJaccard(std::span<const uint16_t> a, std::span<const uint16_t> b) {
  size_t eq = 0;
  for (size_t i = 0; i < a.size(); ++i) eq += (a[i] == b[i]) ? 1 : 0;
  return static_cast<double>(eq) / static_cast<double>(a.size());
}

double EstimateJaccard(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  size_t eq = 0;
  for (size_t i = 0; i < a.size(); ++i) eq += (a[i] == b[i]) ? 1 : 0;
  return static_cast<double>(eq) / static_cast<double>(a.size());
}

}  // namespace dedup
