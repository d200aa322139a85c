#include "dedup/index/lsh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

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

std::vector<uint16_t> RandomSig(std::mt19937& rng, int n) {
  std::vector<uint16_t> s(n);
  for (auto& v : s) v = static_cast<uint16_t>(rng());
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
  EXPECT_EQ(index.num_entries(), 0u);
}

TEST(LshIndex, AFullBucketKeepsTheNewest) {
  LshIndex index(LshParams{4, 2}, /*max_per_bucket=*/3);
  std::mt19937 rng(3);
  auto a = RandomSig(rng, 8);
  for (DocHandle d = 0; d < 10; ++d) index.Insert(d, a);
  std::vector<DocHandle> out;
  index.Query(a, out);
  EXPECT_EQ(out, (std::vector<DocHandle>{7, 8, 9}));
  EXPECT_EQ(index.num_entries(), 3u * 4);
  index.Remove(8, a);
  index.Remove(2, a);  // replaced earlier: nothing to remove
  out.clear();
  index.Query(a, out);
  EXPECT_EQ(out, (std::vector<DocHandle>{7, 9}));
}

// Many documents, many removals: the open-addressing tables stay consistent with a reference.
// Rows 1 and 2 make a band's key of its values themselves, 3 of their hash.
class LshIndexRows : public ::testing::TestWithParam<int> {};

TEST_P(LshIndexRows, InsertRemoveQueryAgreeWithAReferenceModel) {
  constexpr int kBands = 8;
  const int rows = GetParam();
  const int len = kBands * rows;
  LshIndex index(LshParams{kBands, rows});
  std::mt19937 rng(11);
  std::vector<std::vector<uint16_t>> sigs;
  // 30 "stories", each doc a noisy copy of its story's signature (a value changed with
  // probability 1/3, or 1/6 with three rows, so that bands still match often).
  std::vector<std::vector<uint16_t>> stories;
  for (int s = 0; s < 30; ++s) stories.push_back(RandomSig(rng, len));
  const unsigned change_one_in = rows == 3 ? 6 : 3;
  std::vector<bool> live;
  for (DocHandle d = 0; d < 3000; ++d) {
    auto sig = stories[d % 30];
    for (auto& v : sig) {
      if (rng() % change_one_in == 0) v = static_cast<uint16_t>(rng());
    }
    sigs.push_back(sig);
    index.Insert(d, sig);
    live.push_back(true);
    if (d >= 500) {  // remove an older doc at random
      const DocHandle victim = static_cast<DocHandle>(rng() % d);
      if (live[victim]) {
        index.Remove(victim, sigs[victim]);
        live[victim] = false;
      }
    }
  }
  size_t live_count = 0;
  for (bool l : live) live_count += l;
  EXPECT_EQ(index.num_entries(), live_count * kBands);
  // A query finds exactly the live docs that share a band with it.
  size_t found = 0;
  for (DocHandle q = 0; q < 3000; q += 97) {
    std::vector<DocHandle> got;
    index.Query(sigs[q], got);
    std::vector<DocHandle> want;
    for (DocHandle d = 0; d < 3000; ++d) {
      if (!live[d]) continue;
      for (int b = 0; b < kBands; ++b) {
        if (std::equal(sigs[d].begin() + b * rows, sigs[d].begin() + (b + 1) * rows,
                       sigs[q].begin() + b * rows)) {
          want.push_back(d);
          break;
        }
      }
    }
    EXPECT_EQ(got, want) << "query " << q;
    found += got.size();
  }
  EXPECT_GT(found, 31u * 10);  // the queries found more than themselves
}

INSTANTIATE_TEST_SUITE_P(Rows, LshIndexRows, ::testing::Values(1, 2, 3));

// With a bucket cap: each (band, band values) bucket is a FIFO of at most `cap` documents, with
// Insert and QueryAndInsert alike. Caps from 1 (the document kept in the key's slot) to past
// several bucket size classes, so buckets grow, shrink, move between classes and reuse freed
// blocks.
class CappedLshIndex : public ::testing::TestWithParam<size_t> {};

TEST_P(CappedLshIndex, BucketsAgreeWithAFifoModel) {
  const size_t kCap = GetParam();
  constexpr int kBands = 8;
  LshIndex index(LshParams{kBands, 2}, kCap);
  std::mt19937 rng(17);
  std::vector<std::vector<uint16_t>> stories;
  for (int s = 0; s < 10; ++s) stories.push_back(RandomSig(rng, 16));
  std::vector<std::vector<uint16_t>> sigs;
  std::vector<bool> live;
  std::map<std::tuple<int, uint16_t, uint16_t>, std::deque<DocHandle>> buckets;
  const auto bucket = [&](int b, const std::vector<uint16_t>& sig) -> std::deque<DocHandle>& {
    return buckets[{b, sig[static_cast<size_t>(b) * 2], sig[static_cast<size_t>(b) * 2 + 1]}];
  };
  for (DocHandle d = 0; d < 4000; ++d) {
    auto sig = stories[d % stories.size()];
    for (auto& v : sig) {
      if (rng() % 4 == 0) v = static_cast<uint16_t>(rng() % 4);  // few values: full buckets
    }
    sigs.push_back(sig);
    live.push_back(true);
    if (d % 2 == 0) {
      index.Insert(d, sig);
    } else {  // the fused form: what was there before, then inserted
      std::vector<DocHandle> got;
      index.QueryAndInsert(d, sig, got);
      std::set<DocHandle> want;
      for (int b = 0; b < kBands; ++b) {
        for (DocHandle x : bucket(b, sig)) want.insert(x);
      }
      ASSERT_EQ(got, std::vector<DocHandle>(want.begin(), want.end())) << "inserting doc " << d;
    }
    for (int b = 0; b < kBands; ++b) {
      auto& q = bucket(b, sig);
      if (q.size() == kCap) q.pop_front();
      q.push_back(d);
    }
    if (d >= 300 && rng() % 2 == 0) {
      const DocHandle victim = static_cast<DocHandle>(rng() % d);
      if (live[victim]) {
        index.Remove(victim, sigs[victim]);
        live[victim] = false;
        for (int b = 0; b < kBands; ++b) {
          auto& q = bucket(b, sigs[victim]);
          q.erase(std::remove(q.begin(), q.end(), victim), q.end());
        }
      }
    }
    if (d % 50 == 0) {
      std::vector<DocHandle> got;
      index.Query(sig, got);
      std::set<DocHandle> want;
      for (int b = 0; b < kBands; ++b) {
        for (DocHandle x : bucket(b, sig)) want.insert(x);
      }
      ASSERT_EQ(got, std::vector<DocHandle>(want.begin(), want.end())) << "after doc " << d;
    }
  }
  size_t entries = 0;
  for (const auto& [k, q] : buckets) entries += q.size();
  EXPECT_EQ(index.num_entries(), entries);
}

INSTANTIATE_TEST_SUITE_P(Caps, CappedLshIndex, ::testing::Values(1, 2, 3, 4, 7, 40));

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
