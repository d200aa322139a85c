// MinHash signatures of shingle sets. Two algorithms ([sketch] algorithm), each a signature
// version; signatures of different versions (or seeds) are not comparable. A version also
// fixes how the engine hashes words and shingles (text/shingle.h: HashWord, ShingleHash), since
// a different word or shingle hash changes every signature as surely as a different sketch.
// Versions 4 ("minhash") and 5 ("oph") are versions 1 and 3 over HashWord's word hashes
// (branch-free for words of up to 16 bytes); versions 1 to 3 hashed every word with XXH3.
//
// Version 1 (now 4), "minhash" (k independent hash functions), over XXH3 shingle hashes: value
// i of the signature of set S is
//     min over x in S of  fmix32(lo32(x) XOR seed_i)
// where fmix32 is MurmurHash3's 32-bit finaliser and seed_i is the i-th output of SplitMix64
// started at the configured seed (low 32 bits). The computation is done by a kernel: scalar
// (the specification), AVX2 or AVX-512, chosen at run time from what the CPU supports; every
// kernel matches the scalar one bit for bit. Cost: |S| * k hash evaluations.
//
// Version 3 (now 5), "oph" (one-permutation hashing with optimal densification, Li et al. 2012,
// Shrivastava 2017), over folded shingle hashes: each x in S is hashed once,
// h = fmix64(x XOR key), where fmix64 is MurmurHash3's 64-bit finaliser and key the first output
// of SplitMix64 started at the seed; hi32(h) picks bin floor(hi32(h) * k / 2^32) and lo32(h)
// competes for that bin's minimum. An empty bin i copies the (pre-densification) value of the
// first filled bin along its probe sequence
// j_t = floor(hi32(fmix64(key XOR fmix64(i << 32 | t))) * k / 2^32), t = 0, 1, ...
// Cost: |S| hash evaluations, independent of k. (Version 2 was this sketch over XXH3 shingle
// hashes; version 3 gives the same match quality for ~6% fewer instructions an article,
// docs/QUALITY.md and docs/BENCHMARKS.md.)
//
// For both, the fraction of equal positions in two signatures estimates the Jaccard similarity
// of the two sets, and an empty set signs as all 0xFFFFFFFF.
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

enum class SketchAlgorithm { kMinHash, kOnePermutation };

// The signature version an algorithm produces (see above).
constexpr int SignatureVersion(SketchAlgorithm a) {
  return a == SketchAlgorithm::kMinHash ? 4 : 5;
}

// The algorithm named "oph" or "minhash" ([sketch] algorithm). The environment variable
// DEDUP_SKETCH_ALGORITHM, when set, replaces `name` (tests re-run the suite with the other one).
absl::StatusOr<SketchAlgorithm> SelectSketchAlgorithm(std::string_view name);

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
  // REQUIRES: num_hashes > 0 and a multiple of 8. `kernel` serves kMinHash only.
  MinHasher(int num_hashes, uint64_t seed, MinHashKernel kernel,
            SketchAlgorithm algorithm = SketchAlgorithm::kMinHash);

  int num_hashes() const { return static_cast<int>(seeds_.size()); }
  // What signs: "oph" for one-permutation hashing, else the MinHash kernel's name.
  std::string_view kernel_name() const {
    return algorithm_ == SketchAlgorithm::kOnePermutation ? "oph" : kernel_.name;
  }
  SketchAlgorithm algorithm() const { return algorithm_; }

  // REQUIRES: out.size() == num_hashes().
  void Sign(std::span<const uint64_t> shingles, std::span<uint32_t> out) const;

 private:
  std::vector<uint32_t> seeds_;
  MinHashKernel kernel_;
  SketchAlgorithm algorithm_;
  uint64_t oph_key_ = 0;
};

// The one-permutation sketch (versions 2, 3 and 5) of `shingles` into out (k = out.size()
// bins) under `key` (MinHasher derives it from the seed as specified above). REQUIRES: k > 0.
void OnePermutationSign(std::span<const uint64_t> shingles, uint64_t key,
                        std::span<uint32_t> out);

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
