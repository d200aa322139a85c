#include "dedup/index/verify.h"

#include <gtest/gtest.h>

#include <vector>

namespace dedup {
namespace {

// Signatures agreeing in `equal` of 100 positions.
std::pair<std::vector<uint32_t>, std::vector<uint32_t>> Sigs(int equal) {
  std::vector<uint32_t> a(100), b(100);
  for (int i = 0; i < 100; ++i) {
    a[i] = i;
    b[i] = i < equal ? i : 1000 + i;
  }
  return {a, b};
}

TEST(Verify, JaccardAboveThresholdMatches) {
  MatchConfig cfg;
  auto [a, b] = Sigs(60);
  const PairScore s = ScorePair(a, 400, b, 400, cfg);
  EXPECT_DOUBLE_EQ(s.jaccard, 0.6);
  EXPECT_TRUE(s.match);
}

TEST(Verify, TruncatedCopyMatchesByContainment) {
  MatchConfig cfg;
  // |A| = 100 contained in |B| = 300: J = 100/300 = 0.333, containment of A = 1.
  auto [a, b] = Sigs(33);
  const PairScore s = ScorePair(a, 100, b, 300, cfg);
  EXPECT_LT(s.jaccard, cfg.jaccard_threshold);
  EXPECT_NEAR(s.containment, 0.99, 0.02);
  EXPECT_TRUE(s.match);
}

TEST(Verify, EqualSizedLowOverlapDoesNotMatch) {
  MatchConfig cfg;
  auto [a, b] = Sigs(33);
  const PairScore s = ScorePair(a, 300, b, 300, cfg);
  EXPECT_NEAR(s.containment, 0.5, 0.01);
  EXPECT_FALSE(s.match);
}

TEST(Verify, TinyTextsDoNotMatchByContainment) {
  MatchConfig cfg;
  cfg.min_containment_shingles = 20;
  auto [a, b] = Sigs(10);
  EXPECT_FALSE(ScorePair(a, 10, b, 300, cfg).match);
}

}  // namespace
}  // namespace dedup
