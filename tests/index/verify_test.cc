#include "dedup/index/verify.h"

#include <gtest/gtest.h>

#include <vector>

namespace dedup {
namespace {

PairSide Side(const std::vector<uint16_t>& sig, uint32_t shingles,
              const NumberSketch* numbers = nullptr) {
  PairSide p;
  p.signature = sig;
  p.shingles = shingles;
  p.numbers = numbers;
  return p;
}

// Signatures agreeing in `equal` of 100 positions.
std::pair<std::vector<uint16_t>, std::vector<uint16_t>> Sigs(int equal) {
  std::vector<uint16_t> a(100), b(100);
  for (int i = 0; i < 100; ++i) {
    a[i] = static_cast<uint16_t>(i);
    b[i] = static_cast<uint16_t>(i < equal ? i : 1000 + i);
  }
  return {a, b};
}

TEST(Verify, JaccardAboveThresholdMatches) {
  MatchConfig cfg;
  auto [a, b] = Sigs(60);
  const PairScore s = ScorePair(Side(a, 400), Side(b, 400), cfg);
  EXPECT_DOUBLE_EQ(s.jaccard, 0.6);
  EXPECT_TRUE(s.match);
}

TEST(Verify, TruncatedCopyMatchesByContainment) {
  MatchConfig cfg;
  // |A| = 100 contained in |B| = 300: J = 100/300 = 0.333, containment of A = 1.
  auto [a, b] = Sigs(33);
  const PairScore s = ScorePair(Side(a, 100), Side(b, 300), cfg);
  EXPECT_LT(s.jaccard, cfg.jaccard_threshold);
  EXPECT_NEAR(s.containment, 0.99, 0.02);
  EXPECT_TRUE(s.match);
}

TEST(Verify, EqualSizedLowOverlapDoesNotMatch) {
  MatchConfig cfg;
  auto [a, b] = Sigs(33);
  const PairScore s = ScorePair(Side(a, 300), Side(b, 300), cfg);
  EXPECT_NEAR(s.containment, 0.5, 0.01);
  EXPECT_FALSE(s.match);
}

TEST(Verify, TinyTextsDoNotMatchByContainment) {
  MatchConfig cfg;
  cfg.min_containment_shingles = 20;
  auto [a, b] = Sigs(10);
  EXPECT_FALSE(ScorePair(Side(a, 10), Side(b, 300), cfg).match);
}

TEST(Verify, TemplatedBriefsWithOtherNumbersDoNotMatch) {
  MatchConfig cfg;
  auto [a, b] = Sigs(80);  // same wording...
  const std::vector<uint64_t> na = {1, 2, 3, 4, 5}, nb = {1, 6, 7, 8, 9};  // ...other numbers
  const NumberSketch sa = MakeNumberSketch(na), sb = MakeNumberSketch(nb);
  const PairScore s = ScorePair(Side(a, 200, &sa), Side(b, 200, &sb), cfg);
  EXPECT_DOUBLE_EQ(s.number_containment, 0.2);
  EXPECT_FALSE(s.match);
}

TEST(Verify, TruncatedCopyKeepsASubsetOfTheNumbers) {
  MatchConfig cfg;
  auto [a, b] = Sigs(33);
  const std::vector<uint64_t> na = {1, 2, 3}, nb = {1, 2, 3, 4, 5, 6, 7};
  const NumberSketch sa = MakeNumberSketch(na), sb = MakeNumberSketch(nb);
  const PairScore s = ScorePair(Side(a, 100, &sa), Side(b, 300, &sb), cfg);
  EXPECT_DOUBLE_EQ(s.number_containment, 1.0);
  EXPECT_TRUE(s.match);
}

TEST(Verify, FewNumbersAreNotCheckedBelowMinNumbers) {
  MatchConfig cfg;
  cfg.min_numbers = 3;
  auto [a, b] = Sigs(80);
  const std::vector<uint64_t> na = {1, 2}, nb = {3, 4, 5};
  const NumberSketch sa = MakeNumberSketch(na), sb = MakeNumberSketch(nb);
  const PairScore s = ScorePair(Side(a, 200, &sa), Side(b, 200, &sb), cfg);
  EXPECT_EQ(s.number_containment, -1);
  EXPECT_TRUE(s.match);
}

TEST(Verify, OneDifferentNumberEachIsATemplate) {
  MatchConfig cfg;  // min_numbers = 1
  auto [a, b] = Sigs(90);
  const std::vector<uint64_t> na = {11}, nb = {12};
  const NumberSketch sa = MakeNumberSketch(na), sb = MakeNumberSketch(nb);
  EXPECT_FALSE(ScorePair(Side(a, 50, &sa), Side(b, 50, &sb), cfg).match);
  const NumberSketch none = MakeNumberSketch({});
  EXPECT_TRUE(ScorePair(Side(a, 50, &sa), Side(b, 50, &none), cfg).match);  // no numbers: no check
}

TEST(NumberSketch, ExactForSmallSetsAndEstimatedForLargeOnes) {
  std::vector<uint64_t> a, b;
  for (uint64_t i = 0; i < 10; ++i) a.push_back(i * 0x9E3779B97F4A7C15ULL);
  b = a;
  b.resize(5);
  EXPECT_DOUBLE_EQ(NumberContainment(MakeNumberSketch(a), MakeNumberSketch(b)), 1.0);
  std::vector<uint64_t> big_a, big_b;
  for (uint64_t i = 0; i < 400; ++i) {
    const uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL;
    big_a.push_back(h);
    if (i % 2 == 0) big_b.push_back(h);  // b is half of a
  }
  const double c = NumberContainment(MakeNumberSketch(big_a), MakeNumberSketch(big_b));
  EXPECT_GT(c, 0.6);  // truly 1.0; the bottom-14 estimate is coarse
  EXPECT_EQ(MakeNumberSketch(big_a).count, 400);
}

}  // namespace
}  // namespace dedup
