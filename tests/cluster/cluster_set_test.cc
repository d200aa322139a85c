#include "dedup/cluster/cluster_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace dedup {
namespace {

MemberTraits T(EventTimeMs t, uint64_t arrival, uint32_t words, std::string_view source) {
  return MemberTraits{t, arrival, words, source};
}

// A cluster set with its members' ids and traits, kept as the engine keeps them: Create(name,
// m, traits) gives member m the id `name`; Remove(m) forgets m after the set has let it go, so
// a set that asked about a departed member would read "(gone)" or fail the test.
struct Clusters {
  explicit Clusters(const ClusterConfig& config)
      : cs(
            config,
            [this](MemberHandle m) {
              const auto it = ids.find(m);
              return it == ids.end() ? std::string_view("(gone)") : std::string_view(it->second);
            },
            [this](MemberHandle m) {
              const auto it = traits.find(m);
              if (it == traits.end()) ADD_FAILURE() << "traits of a member not held: " << m;
              return it == traits.end() ? MemberTraits{} : it->second;
            }) {}
  ClusterHandle Create(std::string name, MemberHandle m, const MemberTraits& t) {
    ids[m] = std::move(name);
    traits[m] = t;
    return cs.Create(m);
  }
  void Join(ClusterHandle c, MemberHandle m, const MemberTraits& t) {
    ids[m] = "joined" + std::to_string(joined++);
    traits[m] = t;
    cs.Join(c, m);
  }
  void Remove(MemberHandle m) {
    cs.Remove(m);
    ids.erase(m);
    traits.erase(m);
  }
  ClusterSet* operator->() { return &cs; }
  std::map<MemberHandle, std::string> ids;
  std::map<MemberHandle, MemberTraits> traits;
  int joined = 0;
  ClusterSet cs;
};

TEST(ClusterSet, JoinKeepsEarliestAsCanonical) {
  Clusters cs(ClusterConfig{});
  const ClusterHandle c = cs.Create("a", 0, T(100, 1, 50, "x"));
  cs.Join(c, 1, T(50, 2, 80, "y"));  // published earlier, arrived later
  cs.Join(c, 2, T(200, 3, 90, "z"));
  EXPECT_EQ(cs->Canonical(c), 1u);
  EXPECT_EQ(cs->Name(c), "a");
  EXPECT_EQ(cs->Size(c), 3u);
}

TEST(ClusterSet, LongestPolicy) {
  ClusterConfig cfg;
  cfg.canonical_policy = CanonicalPolicy::kLongest;
  Clusters cs(cfg);
  const ClusterHandle c = cs.Create("a", 0, T(100, 1, 50, "x"));
  cs.Join(c, 1, T(200, 2, 400, "y"));
  cs.Join(c, 2, T(50, 3, 120, "z"));
  EXPECT_EQ(cs->Canonical(c), 1u);
}

TEST(ClusterSet, SourcePriorityPolicyThenEarliest) {
  ClusterConfig cfg;
  cfg.canonical_policy = CanonicalPolicy::kSourcePriority;
  cfg.source_priority = {"Wire", "Paper"};
  Clusters cs(cfg);
  const ClusterHandle c = cs.Create("a", 0, T(10, 1, 50, "Blog"));
  cs.Join(c, 1, T(30, 2, 50, "Paper"));
  EXPECT_EQ(cs->Canonical(c), 1u);  // listed beats unlisted, although later
  cs.Join(c, 2, T(20, 3, 50, "Paper"));
  EXPECT_EQ(cs->Canonical(c), 2u);  // same priority: earlier wins
  cs.Join(c, 3, T(90, 4, 50, "Wire"));
  EXPECT_EQ(cs->Canonical(c), 3u);
}

TEST(ClusterSet, MergeMovesSmallerIntoLargerAndKeepsBestCanonical) {
  Clusters cs(ClusterConfig{});
  const ClusterHandle a = cs.Create("a", 0, T(100, 1, 10, "s"));
  cs.Join(a, 1, T(110, 2, 10, "s"));
  const ClusterHandle b = cs.Create("b", 2, T(5, 3, 10, "s"));
  const ClusterHandle m = cs->Merge(b, a);
  EXPECT_EQ(m, a);  // larger survives
  EXPECT_EQ(cs->Name(m), "a");
  EXPECT_EQ(cs->Size(m), 3u);
  EXPECT_EQ(cs->Canonical(m), 2u);  // earliest of both
  for (MemberHandle h : {0u, 1u, 2u}) EXPECT_EQ(cs->ClusterOf(h), a);
  EXPECT_EQ(cs->num_clusters(), 1u);
  EXPECT_EQ(cs->clusters_merged(), 1u);
}

TEST(ClusterSet, MergeOfEqualSizesKeepsTheOlderCluster) {
  Clusters cs(ClusterConfig{});
  const ClusterHandle a = cs.Create("first", 0, T(1, 1, 10, "s"));
  const ClusterHandle b = cs.Create("second", 1, T(2, 2, 10, "s"));
  EXPECT_EQ(cs->Name(cs->Merge(b, a)), "first");
}

TEST(ClusterSet, RemovingCanonicalRepicksAndEmptyClusterDies) {
  Clusters cs(ClusterConfig{});
  const ClusterHandle c = cs.Create("a", 0, T(1, 1, 10, "s"));
  cs.Join(c, 1, T(3, 2, 10, "s"));
  cs.Join(c, 2, T(2, 3, 10, "s"));
  cs.Remove(0);
  EXPECT_EQ(cs->Canonical(c), 2u);
  EXPECT_EQ(cs->ClusterOf(0), kNoCluster);
  EXPECT_EQ(cs->Name(c), "a");  // the founder's id outlives it
  cs.Remove(1);
  cs.Remove(2);
  EXPECT_EQ(cs->num_clusters(), 0u);
  // The handle is reused for the next cluster.
  const ClusterHandle d = cs.Create("d", 0, T(1, 4, 10, "s"));
  EXPECT_EQ(d, c);
  EXPECT_EQ(cs->Name(d), "d");
}

// Random joins, merges, removals and policy changes against a model that finds each
// cluster's canonical by scanning all its members and keeps each cluster's name. Member handles
// are reused after they leave, with new ids, as the engine reuses its document slots.
TEST(ClusterSet, CanonicalEqualsTheBestMemberUnderRandomOperations) {
  const std::vector<std::string> sources = {"Wire", "Paper", "Blog", "Site"};
  std::vector<ClusterConfig> configs(3);
  configs[1].canonical_policy = CanonicalPolicy::kLongest;
  configs[2].canonical_policy = CanonicalPolicy::kSourcePriority;
  configs[2].source_priority = {"Paper", "Wire"};
  size_t policy = 0;
  Clusters cs(configs[policy]);
  std::mt19937 rng(5);
  std::map<MemberHandle, MemberTraits> traits;
  std::map<MemberHandle, ClusterHandle> cluster_of;
  std::map<ClusterHandle, std::string> name_of;
  std::vector<MemberHandle> freed;
  const auto better = [&](MemberHandle a, MemberHandle b) {
    const MemberTraits& x = traits[a];
    const MemberTraits& y = traits[b];
    const ClusterConfig& cfg = configs[policy];
    const auto rank = [&](std::string_view src) {
      const auto it = std::find(cfg.source_priority.begin(), cfg.source_priority.end(), src);
      return it == cfg.source_priority.end() ? 1000
                                             : static_cast<int>(it - cfg.source_priority.begin());
    };
    if (cfg.canonical_policy == CanonicalPolicy::kLongest && x.length_words != y.length_words) {
      return x.length_words > y.length_words;
    }
    if (cfg.canonical_policy == CanonicalPolicy::kSourcePriority &&
        rank(x.source) != rank(y.source)) {
      return rank(x.source) < rank(y.source);
    }
    if (x.published_at != y.published_at) return x.published_at < y.published_at;
    return x.arrival < y.arrival;
  };
  MemberHandle next = 0;
  for (int step = 0; step < 6000; ++step) {
    const int op = static_cast<int>(rng() % 100);
    std::vector<MemberHandle> live;
    for (const auto& [m, c] : cluster_of) live.push_back(m);
    if (op < 45 || live.empty()) {  // a new member, in a new cluster or an existing one
      MemberHandle m = next;
      if (!freed.empty() && rng() % 2 == 0) {
        m = freed.back();
        freed.pop_back();
      } else {
        ++next;
      }
      traits[m] = MemberTraits{static_cast<EventTimeMs>(rng() % 50), static_cast<uint64_t>(step),
                               static_cast<uint32_t>(rng() % 20), sources[rng() % sources.size()]};
      if (live.empty() || rng() % 4 == 0) {
        const std::string name = "founded" + std::to_string(step);
        cluster_of[m] = cs.Create(name, m, traits[m]);
        name_of[cluster_of[m]] = name;
      } else {
        const ClusterHandle c = cluster_of[live[rng() % live.size()]];
        cs.Join(c, m, traits[m]);
        cluster_of[m] = c;
      }
    } else if (op < 80) {  // the oldest member leaves (window eviction), or a random one
      const MemberHandle m = rng() % 2 == 0 ? live.front() : live[rng() % live.size()];
      cs.Remove(m);
      cluster_of.erase(m);
      freed.push_back(m);
    } else if (op < 98) {
      const ClusterHandle a = cluster_of[live[rng() % live.size()]];
      const ClusterHandle b = cluster_of[live[rng() % live.size()]];
      const ClusterHandle survivor = cs->Merge(a, b);
      for (auto& [m, c] : cluster_of) {
        if (c == a || c == b) c = survivor;
      }
      if (a != b) name_of.erase(survivor == a ? b : a);
    } else {
      policy = (policy + 1) % configs.size();
      cs->set_config(configs[policy]);
    }
    std::map<ClusterHandle, std::vector<MemberHandle>> by_cluster;
    for (const auto& [m, c] : cluster_of) by_cluster[c].push_back(m);
    ASSERT_EQ(cs->num_clusters(), by_cluster.size());
    for (const auto& [c, ms] : by_cluster) {
      ASSERT_EQ(cs->Size(c), ms.size());
      const MemberHandle best = *std::min_element(ms.begin(), ms.end(), better);
      ASSERT_EQ(cs->Canonical(c), best) << "step " << step << ", cluster of " << ms.size();
      ASSERT_EQ(cs->Name(c), name_of[c]) << "step " << step;
      for (MemberHandle m : ms) ASSERT_EQ(cs->ClusterOf(m), c);
    }
  }
}

}  // namespace
}  // namespace dedup
