#include "dedup/cluster/cluster_set.h"

#include <cassert>
#include <limits>
#include <utility>

#include "dedup/base/strings.h"

namespace dedup {

ClusterSet::ClusterSet(const ClusterConfig& config, IdOf id_of, TraitsOf traits_of)
    : id_of_(std::move(id_of)), traits_of_(std::move(traits_of)) {
  set_config(config);
}

std::string_view ClusterSet::Name(ClusterHandle c) const {
  const Cluster& cl = clusters_[c];
  if (cl.founder != kNoMember) return id_of_(cl.founder);
  const auto it = departed_names_.find(c);
  return it == departed_names_.end() ? std::string_view() : std::string_view(it->second);
}

void ClusterSet::set_config(const ClusterConfig& config) {
  config_ = config;
  priority_.clear();
  for (size_t i = 0; i < config.source_priority.size(); ++i) {
    priority_.emplace(config.source_priority[i], static_cast<int>(i));
  }
  for (MemberHandle m = 0; m < members_.size(); ++m) {
    MemberState& s = members_[m];
    if (s.cluster != kNoCluster) s.priority = Priority(traits_of_(m).source);
  }
  // The order changed: rebuild every live cluster's heap (bottom-up, O(members)).
  for (Cluster& c : clusters_) {
    if (!c.live) continue;
    for (size_t i = c.members.size() / 2; i-- > 0;) SiftDown(c, i);
  }
}

void ClusterSet::Place(Cluster& c, size_t i, MemberHandle m) {
  c.members[i] = m;
  members_[m].pos = static_cast<uint32_t>(i);
}

void ClusterSet::SiftUp(Cluster& c, size_t i) {
  const MemberHandle m = c.members[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!Better(m, c.members[parent])) break;
    Place(c, i, c.members[parent]);
    i = parent;
  }
  Place(c, i, m);
}

void ClusterSet::SiftDown(Cluster& c, size_t i) {
  const MemberHandle m = c.members[i];
  const size_t n = c.members.size();
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Better(c.members[child + 1], c.members[child])) ++child;
    if (!Better(c.members[child], m)) break;
    Place(c, i, c.members[child]);
    i = child;
  }
  Place(c, i, m);
}

void ClusterSet::Push(Cluster& c, MemberHandle m) {
  c.members.push_back(m);
  SiftUp(c, c.members.size() - 1);
}

int ClusterSet::Priority(std::string_view source) const {
  auto it = priority_.find(AV(source));
  return it == priority_.end() ? std::numeric_limits<int>::max() : it->second;
}

bool ClusterSet::Better(MemberHandle a, MemberHandle b) const {
  if (config_.canonical_policy == CanonicalPolicy::kSourcePriority &&
      members_[a].priority != members_[b].priority) {
    return members_[a].priority < members_[b].priority;
  }
  const MemberTraits x = traits_of_(a);
  const MemberTraits y = traits_of_(b);
  if (config_.canonical_policy == CanonicalPolicy::kLongest && x.length_words != y.length_words) {
    return x.length_words > y.length_words;
  }
  if (x.published_at != y.published_at) return x.published_at < y.published_at;
  return x.arrival < y.arrival;
}

ClusterSet::MemberState& ClusterSet::State(MemberHandle m) {
  if (m >= members_.size()) members_.resize(static_cast<size_t>(m) + 1);
  return members_[m];
}

ClusterHandle ClusterSet::ClusterOf(MemberHandle m) const {
  return m < members_.size() ? members_[m].cluster : kNoCluster;
}

ClusterHandle ClusterSet::Create(MemberHandle founder) {
  ClusterHandle c;
  if (!free_.empty()) {
    c = free_.back();
    free_.pop_back();
  } else {
    c = static_cast<ClusterHandle>(clusters_.size());
    clusters_.emplace_back();
  }
  Cluster& cl = clusters_[c];
  cl.members.clear();
  cl.created = ++created_total_;
  cl.founder = founder;
  cl.live = true;
  ++live_;
  Join(c, founder);
  return c;
}

void ClusterSet::Join(ClusterHandle c, MemberHandle m) {
  MemberState& s = State(m);
  assert(s.cluster == kNoCluster);
  s.priority = Priority(traits_of_(m).source);
  s.cluster = c;
  Push(clusters_[c], m);
}

ClusterHandle ClusterSet::Merge(ClusterHandle a, ClusterHandle b) {
  if (a == b) return a;
  Cluster* big = &clusters_[a];
  Cluster* small = &clusters_[b];
  ClusterHandle survivor = a, absorbed = b;
  if (small->members.size() > big->members.size() ||
      (small->members.size() == big->members.size() && small->created < big->created)) {
    std::swap(big, small);
    std::swap(survivor, absorbed);
  }
  for (MemberHandle m : small->members) {
    members_[m].cluster = survivor;
    Push(*big, m);
  }
  small->members.clear();
  small->members.shrink_to_fit();
  small->founder = kNoMember;
  small->live = false;
  departed_names_.erase(absorbed);
  free_.push_back(absorbed);
  --live_;
  ++merged_total_;
  return survivor;
}

void ClusterSet::Remove(MemberHandle m) {
  if (m >= members_.size() || members_[m].cluster == kNoCluster) return;
  MemberState& s = members_[m];
  const ClusterHandle ch = s.cluster;
  Cluster& c = clusters_[ch];
  const size_t pos = s.pos;
  const MemberHandle last = c.members.back();
  c.members.pop_back();
  s.cluster = kNoCluster;
  if (pos < c.members.size()) {
    // The last member fills the hole, then moves up or down to its place.
    Place(c, pos, last);
    SiftUp(c, pos);
    SiftDown(c, members_[last].pos);
  }
  if (c.members.empty()) {
    c.live = false;
    c.founder = kNoMember;
    departed_names_.erase(ch);
    c.members.shrink_to_fit();
    free_.push_back(ch);
    --live_;
  } else if (c.founder == m) {  // the name outlives its article: keep a copy
    departed_names_.insert_or_assign(ch, std::string(id_of_(m)));
    c.founder = kNoMember;
  }
}

}  // namespace dedup
