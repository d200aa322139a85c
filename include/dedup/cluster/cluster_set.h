// Clusters of articles and their canonical member.
//
// Members are the engine's document handles; the set reads their ids and traits from the owner
// (IdOf, TraitsOf) rather than keeping copies: a member costs 12 bytes here, a cluster 40 and
// its member heap past the first member. Each cluster has a stable name (the id of the article that
// founded it, read through IdOf while the founder is a member and copied only when the founder
// leaves a cluster that goes on) and a canonical member chosen by policy:
//   earliest        - earliest published_at, then earliest arrival;
//   longest         - most words, then earliest published_at, then earliest arrival;
//   source_priority - the source listed first in the priority list (unlisted sources rank
//                     after all listed ones), then earliest published_at, then earliest arrival.
// Merging moves the smaller cluster's members into the larger (the older one on a tie), so each
// member moves O(log n) times. A cluster's members form a binary heap under the policy's order
// (the canonical on top), so joining, and removing any member (the canonical included: window
// eviction removes the earliest first), cost O(log n) however large the story grows.
//
// Thread-safety: not thread-safe; one owner (the engine) calls it.
#ifndef DEDUP_CLUSTER_CLUSTER_SET_H_
#define DEDUP_CLUSTER_CLUSTER_SET_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "dedup/base/time.h"
#include "dedup/config/config.h"

namespace dedup {

using MemberHandle = uint32_t;
using ClusterHandle = uint32_t;
inline constexpr ClusterHandle kNoCluster = 0xFFFFFFFFu;

// What the canonical policy looks at.
struct MemberTraits {
  EventTimeMs published_at = 0;
  uint64_t arrival = 0;  // arrival order, unique
  uint32_t length_words = 0;
  std::string_view source;
};

class ClusterSet {
 public:
  // A member's id and traits. REQUIRES: both answer from the member's Create or Join until its
  // Remove returns (Remove reads them), and do not change in between.
  using IdOf = std::function<std::string_view(MemberHandle)>;
  using TraitsOf = std::function<MemberTraits(MemberHandle)>;
  ClusterSet(const ClusterConfig& config, IdOf id_of, TraitsOf traits_of);

  // Creates a cluster holding only `founder`, named by its id. REQUIRES: founder is in no
  // cluster.
  ClusterHandle Create(MemberHandle founder);
  // REQUIRES: m is in no cluster; c is live.
  void Join(ClusterHandle c, MemberHandle m);
  // Merges a and b; returns the survivor. The other handle is dead afterwards.
  ClusterHandle Merge(ClusterHandle a, ClusterHandle b);
  // Removes m from its cluster; a cluster left empty is deleted.
  void Remove(MemberHandle m);

  ClusterHandle ClusterOf(MemberHandle m) const;
  // A view, valid until the next Create, Join, Merge or Remove on any cluster.
  std::string_view Name(ClusterHandle c) const;
  MemberHandle Canonical(ClusterHandle c) const { return clusters_[c].members.front(); }
  // In no particular order (heap order).
  std::span<const MemberHandle> Members(ClusterHandle c) const { return clusters_[c].members; }
  size_t Size(ClusterHandle c) const { return clusters_[c].members.size(); }
  // When c was created (a counter; smaller is older).
  uint64_t CreatedAt(ClusterHandle c) const { return clusters_[c].created; }

  size_t num_clusters() const { return live_; }
  uint64_t clusters_created() const { return created_total_; }
  uint64_t clusters_merged() const { return merged_total_; }

  // Replaces the canonical policy; every cluster's canonical follows it at once (the engine
  // publishes it with the cluster's next update).
  void set_config(const ClusterConfig& config);

 private:
  static constexpr MemberHandle kNoMember = 0xFFFFFFFFu;
  struct Cluster {
    // A heap: members[0] is the canonical. The first inline, in the space a std::vector's three
    // words take: an article alone in its cluster (most of them, in some streams) needs no
    // allocation of its own; larger clusters grow as a vector would.
    absl::InlinedVector<MemberHandle, 1> members;
    uint64_t created = 0;
    // The member whose id names the cluster; kNoMember once it left (the name is then in
    // departed_names_).
    MemberHandle founder = kNoMember;
    bool live = false;
  };
  struct MemberState {
    ClusterHandle cluster = kNoCluster;
    uint32_t pos = 0;  // index in the cluster's member heap
    int priority = 0;  // rank of the member's source in the priority list
  };

  bool Better(MemberHandle a, MemberHandle b) const;  // a preferred to b as canonical
  int Priority(std::string_view source) const;
  MemberState& State(MemberHandle m);
  // Heap maintenance over Cluster::members, keeping MemberState::pos current.
  void Place(Cluster& c, size_t i, MemberHandle m);
  void SiftUp(Cluster& c, size_t i);
  void SiftDown(Cluster& c, size_t i);
  void Push(Cluster& c, MemberHandle m);

  ClusterConfig config_;
  IdOf id_of_;
  TraitsOf traits_of_;
  absl::flat_hash_map<std::string, int> priority_;
  absl::flat_hash_map<ClusterHandle, std::string> departed_names_;
  std::vector<Cluster> clusters_;
  std::vector<ClusterHandle> free_;
  std::vector<MemberState> members_;  // indexed by MemberHandle
  size_t live_ = 0;
  uint64_t created_total_ = 0;
  uint64_t merged_total_ = 0;
};

}  // namespace dedup

#endif  // DEDUP_CLUSTER_CLUSTER_SET_H_
