// MinHash signatures of shingle sets.
//
// Signature version 1: value i of the signature of set S is
//     min over x in S of  fmix32(lo32(x) XOR seed_i)
// where fmix32 is MurmurHash3's 32-bit finaliser and seed_i is the i-th output of SplitMix64
// started at the configured seed (low 32 bits). The fraction of equal positions in two
// signatures estimates the Jaccard similarity of the two sets. An empty set signs as all
// 0xFFFFFFFF.
//
// The computation is done by a kernel: scalar (the specification), AVX2 or AVX-512, chosen at
// run time from what the CPU supports; every kernel matches the scalar one bit for bit.
// Thread-safety: a MinHasher is immutable after construction; Sign may be called concurrently.
#ifndef DEDUP_SKETCH_MINHASH_H_
#define DEDUP_SKETCH_MINHASH_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace dedup {

inline constexpr int kSignatureVersion = 1;

// A MinHash kernel: out[i] = min_j fmix32(lo32(shingles[j]) ^ seeds[i]) for i < num_hashes.
// REQUIRES: num_hashes is a multiple of 8.
using MinHashKernelFn = void (*)(const uint64_t* shingles, size_t num_shingles,
                                 const uint32_t* seeds, size_t num_hashes, uint32_t* out);

struct MinHashKernel {
  std::string_view name;
  MinHashKernelFn fn;
};

// The kernels compiled into this binary that this CPU can run, best first. The last is "scalar".
std::span<const MinHashKernel> AvailableMinHashKernels();

// Returns the kernel named `name`, or the best one for "auto".
absl::StatusOr<MinHashKernel> SelectMinHashKernel(std::string_view name);

class MinHasher {
 public:
  // REQUIRES: num_hashes > 0 and a multiple of 8.
  MinHasher(int num_hashes, uint64_t seed, MinHashKernel kernel);

  int num_hashes() const { return static_cast<int>(seeds_.size()); }
  std::string_view kernel_name() const { return kernel_.name; }

  // REQUIRES: out.size() == num_hashes().
  void Sign(std::span<const uint64_t> shingles, std::span<uint32_t> out) const;

 private:
  std::vector<uint32_t> seeds_;
  MinHashKernel kernel_;
};

// Fraction of positions where the two signatures agree. REQUIRES: equal, non-zero sizes.
double EstimateJaccard(std::span<const uint32_t> a, std::span<const uint32_t> b);
// The same on signatures stored as their low 16 bits (how the engine keeps them: two different
// values agree there with probability 2^-16, a negligible bias).
double EstimateJaccard(std::span<const uint16_t> a, std::span<const uint16_t> b);

// Scalar reference kernel (the specification every other kernel must match).
void MinHashScalar(const uint64_t* shingles, size_t num_shingles, const uint32_t* seeds,
                   size_t num_hashes, uint32_t* out);

}  // namespace dedup

#endif  // DEDUP_SKETCH_MINHASH_H_
