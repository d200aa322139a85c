#include "dedup/sketch/minhash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace dedup {
namespace {

// Every compiled kernel this CPU runs must match the scalar specification bit for bit.
class MinHashKernelTest : public ::testing::TestWithParam<MinHashKernel> {};

TEST_P(MinHashKernelTest, MatchesScalarBitForBit) {
  std::mt19937_64 rng(5);
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 100u, 1000u}) {
    std::vector<uint64_t> shingles(n);
    for (auto& s : shingles) s = rng();
    for (int num : {8, 64, 128, 256}) {
      MinHasher ref(num, 99, {"scalar", &MinHashScalar});
      MinHasher k(num, 99, GetParam());
      std::vector<uint32_t> a(num), b(num);
      ref.Sign(shingles, a);
      k.Sign(shingles, b);
      ASSERT_EQ(a, b) << GetParam().name << " n=" << n << " num=" << num;
    }
  }
}

TEST_P(MinHashKernelTest, GoldenVectors) {
  MinHasher h(8, 1, GetParam());
  const std::vector<uint64_t> shingles = {1, 2, 3, 0xDEADBEEFCAFEF00DULL};
  std::vector<uint32_t> sig(8);
  h.Sign(shingles, sig);
  EXPECT_EQ(sig, (std::vector<uint32_t>{0x28da4ebcu, 0x6ef61aa2u, 0x022d401du, 0x0a0b4a18u,
                                        0x19998389u, 0x066ecd78u, 0x0322b772u, 0x217373a9u}));
}

INSTANTIATE_TEST_SUITE_P(AllKernels, MinHashKernelTest,
                         ::testing::ValuesIn(AvailableMinHashKernels().begin(),
                                             AvailableMinHashKernels().end()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(MinHash, GoldenVectorsOfSignatureVersion4) {
  // Computed independently (Python) from the definition in minhash.h. Changing these values
  // changes every signature: a new signature version, on purpose.
  MinHasher h(8, 1, {"scalar", &MinHashScalar});
  const std::vector<uint64_t> shingles = {1, 2, 3, 0xDEADBEEFCAFEF00DULL};
  std::vector<uint32_t> sig(8);
  h.Sign(shingles, sig);
  const std::vector<uint32_t> golden = {0x28da4ebcu, 0x6ef61aa2u, 0x022d401du, 0x0a0b4a18u,
                                       0x19998389u, 0x066ecd78u, 0x0322b772u, 0x217373a9u};
  EXPECT_EQ(sig, golden);
  // Version 4 is version 1's sketch over HashWord's word hashes (text/shingle.h).
  EXPECT_EQ(SignatureVersion(SketchAlgorithm::kMinHash), 4);
}

TEST(OnePermutation, GoldenVectorsOfSignatureVersion5) {
  // Computed independently (Python) from the definition in minhash.h; the first case leaves
  // most bins empty (densification), the second about half. Changing these values changes
  // every signature: a new signature version, on purpose. (The sketch is version 2's; version 3
  // changed the shingle hashes fed to it, version 5 the word hashes, text/shingle.h.)
  EXPECT_EQ(SignatureVersion(SketchAlgorithm::kOnePermutation), 5);
  const MinHashKernel unused{"scalar", &MinHashScalar};
  MinHasher h(8, 1, unused, SketchAlgorithm::kOnePermutation);
  std::vector<uint32_t> sig(8);
  h.Sign(std::vector<uint64_t>{1, 2, 3, 0xDEADBEEFCAFEF00DULL}, sig);
  EXPECT_EQ(sig, (std::vector<uint32_t>{0x090a1de6u, 0x603a2d91u, 0x090a1de6u, 0x090a1de6u,
                                        0x603a2d91u, 0x603a2d91u, 0x090a1de6u, 0x603a2d91u}));
  MinHasher h16(16, 7, unused, SketchAlgorithm::kOnePermutation);
  std::vector<uint64_t> shingles;
  for (uint64_t i = 1; i <= 12; ++i) shingles.push_back(i * 0x9E3779B97F4A7C15ULL);
  std::vector<uint32_t> sig16(16);
  h16.Sign(shingles, sig16);
  EXPECT_EQ(sig16, (std::vector<uint32_t>{0x20e43013u, 0xd7a7f9dau, 0x2fcd4a12u, 0x0ad09123u,
                                          0x1fde633du, 0xcc2f0156u, 0xcc2f0156u, 0x1fde633du,
                                          0x20e43013u, 0x0ad09123u, 0x26956feeu, 0x26956feeu,
                                          0xcc2f0156u, 0xc95ce54bu, 0xc95ce54bu, 0xec0db5e2u}));
}

TEST(OnePermutation, OrderAndRepeatsDoNotMatter) {
  const MinHashKernel unused{"scalar", &MinHashScalar};
  MinHasher h(64, 3, unused, SketchAlgorithm::kOnePermutation);
  std::vector<uint64_t> a = {5, 9, 1000, 77, 3141592653589793ULL};
  std::vector<uint64_t> b = {3141592653589793ULL, 77, 5, 1000, 9, 5, 77};
  std::vector<uint32_t> x(64), y(64);
  h.Sign(a, x);
  h.Sign(b, y);
  EXPECT_EQ(x, y);
}

// The inverse of MurmurHash3's fmix64 (what OnePermutationSign applies to shingle ^ key): the
// xor-shifts by 33 undo themselves, the multipliers by their inverses mod 2^64.
uint64_t InverseFmix64(uint64_t h) {
  const auto inverse = [](uint64_t c) {
    uint64_t x = c;  // Newton's iteration: each step doubles the correct low bits
    for (int i = 0; i < 6; ++i) x *= 2 - c * x;
    return x;
  };
  h ^= h >> 33;
  h *= inverse(0xc4ceb9fe1a85ec53ULL);
  h ^= h >> 33;
  h *= inverse(0xff51afd7ed558ccdULL);
  h ^= h >> 33;
  return h;
}

// A shingle whose value in its bin is 0xFFFFFFFF, the value an empty bin starts with: its bin
// is filled all the same (it keeps that value; densification copies into empty bins only).
TEST(OnePermutation, AShingleOfTheLargestValueFillsItsBin) {
  constexpr uint64_t kKey = 0x1234567890abcdefULL;
  constexpr size_t kBins = 16;
  // Upper half 0: bin 0. Lower half all ones: the value 0xFFFFFFFF.
  const uint64_t largest = InverseFmix64(0x00000000FFFFFFFFULL) ^ kKey;
  // Shingles landing in the upper bins, with small values.
  std::vector<uint64_t> shingles = {largest};
  for (uint64_t bin = kBins / 2; bin < kBins; ++bin) {
    const uint64_t upper = ((bin << 32) + (1ULL << 31)) / kBins;  // lands in `bin`
    shingles.push_back(InverseFmix64((upper << 32) | bin) ^ kKey);
  }
  std::vector<uint32_t> out(kBins);
  OnePermutationSign(shingles, kKey, out);
  EXPECT_EQ(out[0], 0xFFFFFFFFu);
  for (size_t bin = kBins / 2; bin < kBins; ++bin) EXPECT_EQ(out[bin], bin) << "bin " << bin;
  // Bins 1..7 are empty: each takes the value of a filled bin.
  for (size_t bin = 1; bin < kBins / 2; ++bin) {
    EXPECT_TRUE(out[bin] == 0xFFFFFFFFu || (out[bin] >= kBins / 2 && out[bin] < kBins))
        << "bin " << bin;
  }
}

// The estimate is exactly the share of equal positions, for both value widths, any length
// (vector-width remainders; past one 16-bit counting block) and any mix of equal and unequal.
TEST(EstimateJaccard, IsTheShareOfEqualPositions) {
  std::mt19937_64 rng(9);
  for (size_t n : {1, 7, 8, 9, 127, 128, 129, 1000, 70000}) {
    for (int equal_percent : {0, 30, 100}) {
      std::vector<uint16_t> a16(n), b16(n);
      std::vector<uint32_t> a32(n), b32(n);
      size_t equal = 0;
      for (size_t i = 0; i < n; ++i) {
        a32[i] = static_cast<uint32_t>(rng());
        const bool same = static_cast<int>(rng() % 100) < equal_percent;
        b32[i] = same ? a32[i] : a32[i] ^ (1u << (rng() % 32));
        a16[i] = static_cast<uint16_t>(a32[i]);
        b16[i] = same ? a16[i] : static_cast<uint16_t>(a16[i] ^ (1u << (rng() % 16)));
        equal += same ? 1 : 0;
      }
      const double want = static_cast<double>(equal) / static_cast<double>(n);
      EXPECT_EQ(EstimateJaccard(std::span<const uint16_t>(a16), std::span<const uint16_t>(b16)),
                want) << n << " values, " << equal_percent << "% equal";
      EXPECT_EQ(EstimateJaccard(std::span<const uint32_t>(a32), std::span<const uint32_t>(b32)),
                want) << n << " values, " << equal_percent << "% equal";
    }
  }
}

class SketchAlgorithmTest : public ::testing::TestWithParam<SketchAlgorithm> {
 protected:
  MinHasher Make(int num_hashes, uint64_t seed) const {
    return MinHasher(num_hashes, seed, AvailableMinHashKernels().front(), GetParam());
  }
};

TEST_P(SketchAlgorithmTest, EmptySetSignsAsAllOnes) {
  MinHasher h = Make(16, 1);
  std::vector<uint32_t> sig(16);
  h.Sign({}, sig);
  for (uint32_t v : sig) EXPECT_EQ(v, 0xFFFFFFFFu);
}

TEST_P(SketchAlgorithmTest, SeedChangesSignature) {
  std::vector<uint64_t> s = {11, 22, 33, 44, 55};
  MinHasher a = Make(32, 1), b = Make(32, 2);
  std::vector<uint32_t> x(32), y(32);
  a.Sign(s, x);
  b.Sign(s, y);
  EXPECT_LT(EstimateJaccard(x, y), 0.5);
}

// Over many random pairs with known Jaccard similarity, the estimate's error stays within the
// binomial standard error sqrt(J(1-J)/k) of k independent hashes: about 95% within 2 sigma, bias
// near zero. Sets from a handful of elements (most one-permutation bins empty, filled by
// densification) to ~1,200 (several elements a bin).
TEST_P(SketchAlgorithmTest, EstimatesJaccardWithinStatisticalError) {
  constexpr int kHashes = 128;
  MinHasher h = Make(kHashes, 7);
  std::mt19937_64 rng(12345);
  int within = 0, trials = 0;
  double bias = 0;
  for (int t = 0; t < 600; ++t) {
    const bool small = t % 3 == 0;
    const int shared =
        small ? 3 + static_cast<int>(rng() % 40) : 50 + static_cast<int>(rng() % 400);
    const int only_a = static_cast<int>(rng() % (small ? 40 : 400));
    const int only_b = static_cast<int>(rng() % (small ? 40 : 400));
    std::vector<uint64_t> a, b;
    for (int i = 0; i < shared; ++i) {
      const uint64_t x = rng();
      a.push_back(x);
      b.push_back(x);
    }
    for (int i = 0; i < only_a; ++i) a.push_back(rng());
    for (int i = 0; i < only_b; ++i) b.push_back(rng());
    const double j = static_cast<double>(shared) / (shared + only_a + only_b);
    std::vector<uint32_t> sa(kHashes), sb(kHashes);
    h.Sign(a, sa);
    h.Sign(b, sb);
    const double est = EstimateJaccard(sa, sb);
    const double sigma = std::sqrt(j * (1 - j) / kHashes);
    within += std::abs(est - j) <= 2 * sigma + 1e-9;
    bias += est - j;
    ++trials;
  }
  EXPECT_GE(within, trials * 90 / 100) << "only " << within << " of " << trials << " within 2 sigma";
  EXPECT_LT(std::abs(bias / trials), 0.01);
}

INSTANTIATE_TEST_SUITE_P(Both, SketchAlgorithmTest,
                         ::testing::Values(SketchAlgorithm::kMinHash,
                                           SketchAlgorithm::kOnePermutation),
                         [](const auto& p) {
                           return p.param == SketchAlgorithm::kMinHash ? "minhash" : "oph";
                         });

}  // namespace
}  // namespace dedup
