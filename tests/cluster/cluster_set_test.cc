#include "dedup/cluster/cluster_set.h"

#include <gtest/gtest.h>

namespace dedup {
namespace {

MemberTraits T(EventTimeMs t, uint64_t arrival, uint32_t words, std::string_view source) {
  return MemberTraits{t, arrival, words, source};
}

TEST(ClusterSet, JoinKeepsEarliestAsCanonical) {
  ClusterSet cs(ClusterConfig{});
  const ClusterHandle c = cs.Create("a", 0, T(100, 1, 50, "x"));
  cs.Join(c, 1, T(50, 2, 80, "y"));  // published earlier, arrived later
  cs.Join(c, 2, T(200, 3, 90, "z"));
  EXPECT_EQ(cs.Canonical(c), 1u);
  EXPECT_EQ(cs.Name(c), "a");
  EXPECT_EQ(cs.Size(c), 3u);
}

TEST(ClusterSet, LongestPolicy) {
  ClusterConfig cfg;
  cfg.canonical_policy = CanonicalPolicy::kLongest;
  ClusterSet cs(cfg);
  const ClusterHandle c = cs.Create("a", 0, T(100, 1, 50, "x"));
  cs.Join(c, 1, T(200, 2, 400, "y"));
  cs.Join(c, 2, T(50, 3, 120, "z"));
  EXPECT_EQ(cs.Canonical(c), 1u);
}

TEST(ClusterSet, SourcePriorityPolicyThenEarliest) {
  ClusterConfig cfg;
  cfg.canonical_policy = CanonicalPolicy::kSourcePriority;
  cfg.source_priority = {"Wire", "Paper"};
  ClusterSet cs(cfg);
  const ClusterHandle c = cs.Create("a", 0, T(10, 1, 50, "Blog"));
  cs.Join(c, 1, T(30, 2, 50, "Paper"));
  EXPECT_EQ(cs.Canonical(c), 1u);  // listed beats unlisted, although later
  cs.Join(c, 2, T(20, 3, 50, "Paper"));
  EXPECT_EQ(cs.Canonical(c), 2u);  // same priority: earlier wins
  cs.Join(c, 3, T(90, 4, 50, "Wire"));
  EXPECT_EQ(cs.Canonical(c), 3u);
}

TEST(ClusterSet, MergeMovesSmallerIntoLargerAndKeepsBestCanonical) {
  ClusterSet cs(ClusterConfig{});
  const ClusterHandle a = cs.Create("a", 0, T(100, 1, 10, "s"));
  cs.Join(a, 1, T(110, 2, 10, "s"));
  const ClusterHandle b = cs.Create("b", 2, T(5, 3, 10, "s"));
  const ClusterHandle m = cs.Merge(b, a);
  EXPECT_EQ(m, a);  // larger survives
  EXPECT_EQ(cs.Name(m), "a");
  EXPECT_EQ(cs.Size(m), 3u);
  EXPECT_EQ(cs.Canonical(m), 2u);  // earliest of both
  for (MemberHandle h : {0u, 1u, 2u}) EXPECT_EQ(cs.ClusterOf(h), a);
  EXPECT_EQ(cs.num_clusters(), 1u);
  EXPECT_EQ(cs.clusters_merged(), 1u);
}

TEST(ClusterSet, MergeOfEqualSizesKeepsTheOlderCluster) {
  ClusterSet cs(ClusterConfig{});
  const ClusterHandle a = cs.Create("first", 0, T(1, 1, 10, "s"));
  const ClusterHandle b = cs.Create("second", 1, T(2, 2, 10, "s"));
  EXPECT_EQ(cs.Name(cs.Merge(b, a)), "first");
}

TEST(ClusterSet, RemovingCanonicalRepicksAndEmptyClusterDies) {
  ClusterSet cs(ClusterConfig{});
  const ClusterHandle c = cs.Create("a", 0, T(1, 1, 10, "s"));
  cs.Join(c, 1, T(3, 2, 10, "s"));
  cs.Join(c, 2, T(2, 3, 10, "s"));
  cs.Remove(0);
  EXPECT_EQ(cs.Canonical(c), 2u);
  EXPECT_EQ(cs.ClusterOf(0), kNoCluster);
  cs.Remove(1);
  cs.Remove(2);
  EXPECT_EQ(cs.num_clusters(), 0u);
  // The handle is reused for the next cluster.
  const ClusterHandle d = cs.Create("d", 0, T(1, 4, 10, "s"));
  EXPECT_EQ(d, c);
  EXPECT_EQ(cs.Name(d), "d");
}

}  // namespace
}  // namespace dedup
