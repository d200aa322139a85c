#include "dedup/index/lsh.h"

#include <gtest/gtest.h>

#include <random>

namespace dedup {
namespace {

// Reference values from an independent implementation of datasketch's _optimal_param.
TEST(LshParams, MatchesDatasketchOptimalParam) {
  struct Case {
    double threshold;
    int num_hashes;
    int bands, rows;
  };
  for (const Case& c : {Case{0.5, 128, 25, 5}, Case{0.3, 128, 37, 3}, Case{0.8, 256, 17, 15},
                        Case{0.5, 64, 14, 4}}) {
    const LshParams p = OptimalLshParams(c.threshold, c.num_hashes, 0.5, 0.5);
    EXPECT_EQ(p.bands, c.bands) << c.threshold << "/" << c.num_hashes;
    EXPECT_EQ(p.rows, c.rows) << c.threshold << "/" << c.num_hashes;
    EXPECT_LE(p.bands * p.rows, c.num_hashes);
  }
}

TEST(LshParams, WeightingFalseNegativesLowersTheCurve) {
  const LshParams even = OptimalLshParams(0.5, 128, 0.5, 0.5);
  const LshParams recall = OptimalLshParams(0.5, 128, 0.1, 0.9);
  EXPECT_LT(recall.false_negative_mass, even.false_negative_mass);
  EXPECT_GT(recall.false_positive_mass, even.false_positive_mass);
}

TEST(LshParams, CandidateProbabilityIsAnSCurve) {
  EXPECT_DOUBLE_EQ(CandidateProbability(0.0, 20, 5), 0.0);
  EXPECT_DOUBLE_EQ(CandidateProbability(1.0, 20, 5), 1.0);
  EXPECT_LT(CandidateProbability(0.2, 20, 5), 0.01);
  EXPECT_GT(CandidateProbability(0.8, 20, 5), 0.99);
}

std::vector<uint32_t> RandomSig(std::mt19937& rng, int n) {
  std::vector<uint32_t> s(n);
  for (auto& v : s) v = static_cast<uint32_t>(rng());
  return s;
}

TEST(LshIndex, FindsSharedBandsAndForgetsRemoved) {
  LshIndex index(LshParams{4, 2});
  std::mt19937 rng(1);
  auto a = RandomSig(rng, 8);
  auto b = RandomSig(rng, 8);
  auto near_a = a;
  near_a[7] ^= 1;  // band 3 differs, bands 0-2 equal
  index.Insert(1, a);
  index.Insert(2, b);
  std::vector<DocHandle> out;
  index.Query(near_a, out);
  EXPECT_EQ(out, (std::vector<DocHandle>{1}));
  index.Remove(1, a);
  out.clear();
  index.Query(near_a, out);
  EXPECT_TRUE(out.empty());
  out.clear();
  index.Query(b, out);
  EXPECT_EQ(out, (std::vector<DocHandle>{2}));
  index.Remove(2, b);
  EXPECT_EQ(index.num_buckets(), 0u);
}

TEST(LshIndex, ReadsOnlyTheNewestEntriesOfABucket) {
  LshIndex index(LshParams{4, 2});
  std::mt19937 rng(3);
  auto a = RandomSig(rng, 8);
  for (DocHandle d = 0; d < 10; ++d) index.Insert(d, a);
  std::vector<DocHandle> out;
  index.Query(a, out, 3);
  EXPECT_EQ(out, (std::vector<DocHandle>{7, 8, 9}));
  index.Remove(8, a);
  out.clear();
  index.Query(a, out, 3);
  EXPECT_EQ(out, (std::vector<DocHandle>{6, 7, 9}));
}

TEST(LshIndex, ReportsEachCandidateOnce) {
  LshIndex index(LshParams{4, 2});
  std::mt19937 rng(2);
  auto a = RandomSig(rng, 8);
  index.Insert(5, a);
  index.Insert(6, a);
  std::vector<DocHandle> out;
  index.Query(a, out);
  EXPECT_EQ(out, (std::vector<DocHandle>{5, 6}));
}

}  // namespace
}  // namespace dedup
