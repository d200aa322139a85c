#include "dedup/engine/engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <limits>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "dedup/base/hash.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/base/time.h"
#include "dedup/base/strings.h"
#include "dedup/cluster/cluster_set.h"
#include "dedup/index/verify.h"
#include "dedup/sketch/minhash.h"
#include "dedup/sketch/number_sketch.h"
#include "dedup/text/boilerplate.h"
#include "dedup/text/document.h"
#include "dedup/text/headlines.h"
#include "dedup/text/shingle.h"

namespace dedup {
namespace {

// The next engine's StoryMember key range (see EngineImpl::story_key_base_).
uint64_t NextStoryKeyBase() {
  static std::atomic<uint64_t> engines{0};
  const uint64_t serial = engines.fetch_add(1, std::memory_order_relaxed) + 1;
  return serial < (uint64_t{1} << 24) ? serial << 40 : 0;
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(const Config& config, MinHashKernel kernel, SketchAlgorithm algorithm,
             WallClock clock, std::shared_ptr<Presigner> presigner)
      : config_(config),
        clock_(std::move(clock)),
        presigner_(std::move(presigner)),
        hasher_(config.sketch.num_hashes, static_cast<uint64_t>(config.sketch.seed), kernel,
                algorithm),
        index_(OptimalLshParams(config.index.lsh_threshold, config.sketch.num_hashes,
                                config.index.false_positive_weight,
                                config.index.false_negative_weight),
               static_cast<size_t>(config.index.max_bucket_scan)),
        clusters_(
            config.cluster, [this](MemberHandle m) { return docs_[m].id(); },
            [this](MemberHandle m) {
              const Doc& d = docs_[m];
              return MemberTraits{d.published_at, d.arrival, d.length_words, sources_[d.source]};
            }),
        boilerplate_(config.boilerplate),
        headlines_(config.boilerplate.headline_lines
                       ? static_cast<size_t>(config.boilerplate.max_headlines)
                       : 0),
        window_ms_(HoursToMs(config.cluster.window_hours)),
        future_ms_(HoursToMs(config.cluster.max_future_hours)) {}

  absl::StatusOr<Decision> Process(const Article& article,
                                   std::vector<StoryUpdate>* updates) override {
    AnalyzeArticle(article, config_, analyzed_);
    return Process(article, analyzed_, updates);
  }
  absl::StatusOr<Decision> Process(const Article& article, AnalyzedArticle& analyzed,
                                   std::vector<StoryUpdate>* updates) override;
  absl::Status ProcessInto(const Article& article, AnalyzedArticle& analyzed,
                           std::vector<StoryUpdate>* updates, Decision& out) override;
  absl::Status Reconfigure(const Config& next) override;
  EngineStats stats() const override;
  const LshParams& lsh_params() const override { return index_.params(); }
  std::string_view kernel_name() const override { return hasher_.kernel_name(); }
  int signature_version() const override { return SignatureVersion(hasher_.algorithm()); }

 private:
  // One article in the window (about 170 bytes plus its strings). Its strings (id, url, title,
  // and the id it matched, replayed for a repeated id) share one allocation; url and title are
  // kept to their first 65,535 bytes; the source is interned.
  struct Doc {
    std::unique_ptr<char[]> text;
    uint32_t id_len = 0, matched_len = 0;
    uint16_t url_len = 0, title_len = 0;
    uint32_t source = 0;  // index into sources_
    uint32_t shingles = 0;
    uint32_t length_words = 0;  // the words compared (the canonical policy "longest" reads it)
    EventTimeMs published_at = 0;
    uint64_t arrival = 0;
    float similarity = 0;
    float containment = 0;
    bool id_is_number = false;
    bool live = false;
    uint8_t lead_size = 0;
    std::array<uint16_t, kLeadShingles> lead{};
    NumberSketch numbers;

    std::string_view id() const { return {text.get(), id_len}; }
    std::string_view url() const { return {text.get() + id_len, url_len}; }
    std::string_view title() const { return {text.get() + id_len + url_len, title_len}; }
    std::string_view matched_id() const {
      return {text.get() + id_len + url_len + title_len, matched_len};
    }
    void SetText(std::string_view i, std::string_view u, std::string_view t, std::string_view m) {
      u = u.substr(0, 0xFFFF);
      t = t.substr(0, 0xFFFF);
      text.reset(new char[i.size() + u.size() + t.size() + m.size()]);
      char* p = text.get();
      for (std::string_view s : {i, u, t, m}) {
        std::copy(s.begin(), s.end(), p);
        p += s.size();
      }
      id_len = static_cast<uint32_t>(i.size());
      url_len = static_cast<uint16_t>(u.size());
      title_len = static_cast<uint16_t>(t.size());
      matched_len = static_cast<uint32_t>(m.size());
    }
  };
  // (published_at, doc): 16 bytes. Equal times leave in handle order (arbitrary, deterministic).
  using HeapEntry = std::pair<EventTimeMs, DocHandle>;

  std::span<uint16_t> Sig(DocHandle h) {
    const size_t n = static_cast<size_t>(config_.sketch.num_hashes);
    return {signatures_.data() + static_cast<size_t>(h) * n, n};
  }
  uint32_t InternSource(std::string_view source);
  static uint64_t IdHash(std::string_view id) { return Hash64(id.data(), id.size()); }
  // The live document with this id, if any.
  std::optional<DocHandle> FindId(std::string_view id) const;
  DocHandle Allocate();
  void Evict(DocHandle h);
  // Evicts what left the window; a cluster whose canonical article left gets a story update
  // (event "canonical_changed") in `updates`, if given.
  void EvictExpired(EventTimeMs watermark, std::vector<StoryUpdate>* updates);
  // t, or the clock's time when t is more than max_future_hours ahead of it.
  EventTimeMs NotAheadOfClock(EventTimeMs t);
  // Decides the lines to drop (learning the source's boilerplate) and signs the rest into
  // signed_, taking the presigned signature when its guess was this decision. Returns whether
  // this engine's presigner had presigned the article (right guess or not).
  bool Sign(AnalyzedArticle& analyzed, std::string_view source_key);
  // Sets every field of `out` (`candidates` to 0 and `replayed` to false: the caller's to set).
  void MakeDecision(DocHandle h, Decision& out) const;
  // Fills `m` (reusing its strings' capacity) with document h as the stories output lists it.
  void FillMember(DocHandle h, StoryMember& m) const;
  // Verification between two articles in the window (no LSH involved).
  bool MatchesDirectly(DocHandle a, DocHandle b);
  // Appends an update to `updates`, reusing an object (and its strings' and member list's
  // capacity) from an earlier call when there is one. Resets the fields FillStory does not set
  // (merged_into, absorbed, canonical_changed, size, updated_at); cluster_id, event, canonical
  // and members keep a reused object's values until the caller overwrites them (FillStory
  // does, keeping their capacity; the "merged" update clears canonical and members).
  StoryUpdate& NewUpdate(std::vector<StoryUpdate>& updates);
  // Moves the caller's previous updates into the pool NewUpdate draws from, and clears them.
  void RecycleUpdates(std::vector<StoryUpdate>& updates);
  // Fills `u` with cluster c's state: its canonical, size and newest members.
  void FillStory(ClusterHandle c, std::string_view event, EventTimeMs t, StoryUpdate& u);

  Config config_;
  WallClock clock_;
  std::shared_ptr<Presigner> presigner_;  // may be null
  MinHasher hasher_;
  LshIndex index_;
  ClusterSet clusters_;
  BoilerplateFilter boilerplate_;
  HeadlineIndex headlines_;
  EventTimeMs window_ms_;
  EventTimeMs future_ms_;  // 0: no check
  // The clock's time + future_ms_ when last read: event times up to it pass without a read
  // (the clock only moves forward, so a stale bound only costs another read).
  EventTimeMs future_bound_ = std::numeric_limits<EventTimeMs>::min();

  std::vector<Doc> docs_;
  std::vector<uint16_t> signatures_;  // docs_.size() * num_hashes, low 16 bits of each value
  std::vector<DocHandle> free_;
  // Id hash -> document. Two ids with one 64-bit hash (never seen) would leave the second
  // without replay detection; it is still processed.
  absl::flat_hash_map<uint64_t, DocHandle> by_id_;
  size_t live_docs_ = 0;
  std::deque<std::string> sources_;  // interned; addresses stay put (views are handed out)
  absl::flat_hash_map<std::string, uint32_t> source_ids_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<HeapEntry>> by_age_;
  EventTimeMs watermark_ = 0;
  bool have_watermark_ = false;
  uint64_t arrival_ = 0;
  // StoryMember::key = story_key_base_ | arrival: this engine's serial number in the top 24 bits
  // (0, no keys, once 2^24 engines were made in one process).
  static constexpr uint64_t kArrivalsPerKey = uint64_t{1} << 40;
  const uint64_t story_key_base_ = NextStoryKeyBase();
  EngineStats stats_;

  // Scratch buffers reused across articles.
  AnalyzedArticle analyzed_;
  std::vector<char> is_boilerplate_;
  std::vector<uint64_t> line_hashes_;
  std::vector<uint64_t> now_boilerplate_;  // lines ClassifyAndLearn made boilerplate
  std::vector<uint64_t> own_headlines_;
  uint64_t headline_lines_ = 0;  // in the current article
  SignedText signed_;  // the current article's
  std::vector<DocHandle> candidates_;
  std::vector<DocHandle> matched_;  // candidates that passed verification
  std::vector<DocHandle> story_members_;     // FillStory's scratch
  // EvictExpired's scratch: clusters whose canonical left during the call, first-loss order.
  std::vector<ClusterHandle> changed_canonical_;
  absl::flat_hash_set<ClusterHandle> changed_seen_;
  std::vector<StoryUpdate> update_pool_;     // see NewUpdate
  // Member objects an update had more of than the next one needed, with their strings'
  // capacity: updates of clusters of every size draw on one pool, so without it a member
  // dropped from one update and added to another gives its strings' memory up and asks again.
  std::vector<StoryMember> member_pool_;
};

DocHandle EngineImpl::Allocate() {
  if (!free_.empty()) {
    const DocHandle h = free_.back();
    free_.pop_back();
    return h;
  }
  const DocHandle h = static_cast<DocHandle>(docs_.size());
  docs_.emplace_back();
  signatures_.resize(signatures_.size() + static_cast<size_t>(config_.sketch.num_hashes));
  return h;
}

uint32_t EngineImpl::InternSource(std::string_view source) {
  auto it = source_ids_.find(AV(source));
  if (it != source_ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(sources_.size());
  sources_.emplace_back(source);
  source_ids_.emplace(std::string(source), id);
  return id;
}

std::optional<DocHandle> EngineImpl::FindId(std::string_view id) const {
  auto it = by_id_.find(IdHash(id));
  if (it == by_id_.end() || docs_[it->second].id() != id) return std::nullopt;
  return it->second;
}

absl::Status EngineImpl::Reconfigure(const Config& next) {
  if (std::vector<std::string> r = RestartRequiredChanges(config_, next); !r.empty()) {
    std::string keys;
    for (const std::string& k : r) keys += (keys.empty() ? "" : ", ") + k;
    return absl::FailedPreconditionError(Cat("needs a restart to change: ", keys));
  }
  config_.match = next.match;
  config_.cluster = next.cluster;
  config_.index.max_candidates = next.index.max_candidates;
  clusters_.set_config(next.cluster);
  window_ms_ = HoursToMs(next.cluster.window_hours);
  future_ms_ = HoursToMs(next.cluster.max_future_hours);
  future_bound_ = std::numeric_limits<EventTimeMs>::min();
  return absl::OkStatus();
}

void EngineImpl::Evict(DocHandle h) {
  Doc& d = docs_[h];
  index_.Remove(h, Sig(h));
  clusters_.Remove(h);
  if (auto it = by_id_.find(IdHash(d.id())); it != by_id_.end() && it->second == h) {
    by_id_.erase(it);
  }
  d = Doc{};
  --live_docs_;
  free_.push_back(h);
}

EventTimeMs EngineImpl::NotAheadOfClock(EventTimeMs t) {
  if (future_ms_ <= 0 || t <= future_bound_) return t;
  const EventTimeMs now = clock_();
  future_bound_ = now + future_ms_;
  if (t <= future_bound_) return t;
  ++stats_.future_timestamps;
  return now;
}

void EngineImpl::EvictExpired(EventTimeMs watermark, std::vector<StoryUpdate>* updates) {
  // Clusters whose canonical left, in the order they lost it: each gets one update after the
  // evictions, with its state then. When event time jumps past the window, one call evicts
  // every article in it; an update per departing canonical would re-list a story's members
  // once for each of them (O(members^2) work and output), all superseded by the next.
  changed_canonical_.clear();
  if (!changed_seen_.empty()) changed_seen_.clear();
  while (!by_age_.empty()) {
    const auto [t, h] = by_age_.top();
    const bool expired = t < watermark - window_ms_;
    const bool over = live_docs_ > static_cast<size_t>(config_.cluster.max_articles);
    if (!expired && !over) break;
    by_age_.pop();
    const ClusterHandle c = clusters_.ClusterOf(h);
    const bool was_canonical = c != kNoCluster && clusters_.Canonical(c) == h && clusters_.Size(c) > 1;
    Evict(h);
    ++(expired ? stats_.evicted_window : stats_.evicted_capacity);
    if (was_canonical && updates != nullptr && changed_seen_.insert(c).second) {
      changed_canonical_.push_back(c);
    }
  }
  // A cluster emptied meanwhile has no update (as when its last member leaves on its own); its
  // handle is not reused before the next Create.
  for (const ClusterHandle c : changed_canonical_) {
    if (clusters_.Size(c) == 0) continue;
    StoryUpdate& u = NewUpdate(*updates);
    FillStory(c, "canonical_changed", watermark, u);
    u.canonical_changed = true;
  }
}

bool EngineImpl::Sign(AnalyzedArticle& analyzed, std::string_view source_key) {
  const Document& doc = analyzed.doc;
  line_hashes_.clear();
  for (const TextLine& l : doc.lines) line_hashes_.push_back(l.hash);
  // The headline lookups below miss the cache line by line: start them now, to arrive while
  // the boilerplate filter works.
  if (config_.boilerplate.headline_lines) {
    for (const uint64_t h : line_hashes_) headlines_.Prefetch(h);
  }
  is_boilerplate_.resize(doc.lines.size());  // every entry set by ClassifyAndLearn
  // Learning here (before the empty-body check) is what learning after it was: a body without
  // words has no lines, and ClassifyAndLearn learns nothing from none.
  now_boilerplate_.clear();
  boilerplate_.ClassifyAndLearn(source_key, line_hashes_, is_boilerplate_,
                                presigner_ != nullptr ? &now_boilerplate_ : nullptr);
  // The source's next articles drop these: guess so from now on.
  if (!now_boilerplate_.empty()) presigner_->AddLines(source_key, now_boilerplate_);
  own_headlines_ = analyzed.headline_hashes;
  if (config_.boilerplate.headline_lines) {
    for (size_t i = 0; i < doc.lines.size(); ++i) {
      const uint64_t h = doc.lines[i].hash;
      if (!is_boilerplate_[i] &&
          (headlines_.Contains(h) ||
           std::find(own_headlines_.begin(), own_headlines_.end(), h) != own_headlines_.end())) {
        is_boilerplate_[i] = 1;
        ++headline_lines_;
      }
    }
  }
  // Signing depends on the engine's state only through is_boilerplate_: a presigned article
  // whose guess was exactly this decision is signed already.
  bool used = false;
  const bool presigned = presigner_ != nullptr && analyzed.presigned_by == presigner_.get();
  if (presigned) {
    analyzed.presigned_by = nullptr;  // its buffers are taken or stale from here on
    if (analyzed.guessed_drop == is_boilerplate_) {
      std::swap(signed_, analyzed.signed_text);
      used = true;
      ++stats_.presigned_used;
    } else {
      presigner_->Correct(source_key, line_hashes_, analyzed.guessed_drop, is_boilerplate_);
      ++stats_.presigned_redone;
    }
  }
  if (!used) SignKept(doc, is_boilerplate_, config_, hasher_, signed_);
  if (signed_.fallback) {
    ++stats_.boilerplate_fallbacks;
  } else {
    stats_.boilerplate_lines += signed_.dropped_lines;
  }
  return presigned;
}

void EngineImpl::MakeDecision(DocHandle h, Decision& out) const {
  const Doc& d = docs_[h];
  out.id.assign(d.id());
  out.id_is_number = d.id_is_number;
  const ClusterHandle c = clusters_.ClusterOf(h);
  out.cluster_id.assign(clusters_.Name(c));
  out.canonical_id.assign(docs_[clusters_.Canonical(c)].id());
  out.duplicate = d.matched_len > 0;
  out.matched_id.assign(d.matched_id());
  out.similarity = d.similarity;
  out.containment = d.containment;
  out.candidates = 0;
  out.replayed = false;
}

bool EngineImpl::MatchesDirectly(DocHandle a, DocHandle b) {
  const Doc& x = docs_[a];
  const Doc& y = docs_[b];
  return ScorePair({Sig(a), x.shingles, &x.numbers, {x.lead.data(), x.lead_size}},
                   {Sig(b), y.shingles, &y.numbers, {y.lead.data(), y.lead_size}}, config_.match)
      .match;
}

void EngineImpl::FillMember(DocHandle h, StoryMember& m) const {
  const Doc& d = docs_[h];
  m.id.assign(d.id());
  m.id_is_number = d.id_is_number;
  m.source.assign(sources_[d.source]);
  m.url.assign(d.url());
  m.title.clear();  // the stories output gives the canonical's title only
  m.published_at = d.published_at;
  m.similarity = d.matched_len == 0 ? 1.0 : static_cast<double>(d.similarity);
  // The article's arrival number is unique in this engine and its fields never change while it
  // is held; the engine's serial number tells engines of one process apart (the daemon makes a
  // new one after an exactly-once abort). No key past either field's range.
  m.key = d.arrival < kArrivalsPerKey && story_key_base_ != 0 ? story_key_base_ | d.arrival : 0;
}

StoryUpdate& EngineImpl::NewUpdate(std::vector<StoryUpdate>& updates) {
  if (update_pool_.empty()) return updates.emplace_back();
  updates.push_back(std::move(update_pool_.back()));
  update_pool_.pop_back();
  StoryUpdate& u = updates.back();
  u.merged_into.clear();
  u.absorbed.clear();
  u.canonical_changed = false;
  u.size = 0;  // members are left for FillStory to resize and overwrite (keeping capacity)
  u.updated_at = 0;
  return u;
}

void EngineImpl::RecycleUpdates(std::vector<StoryUpdate>& updates) {
  // A few objects are kept: one article makes one or two updates, an eviction burst thousands
  // (those are not worth keeping, with up to max_story_members members each). An update whose
  // members' strings hold more than kPooledUpdateBytes is not kept either: a story of 1,000
  // copies with 64 KB URLs (hostile input) would otherwise keep 64 MB per pooled update.
  constexpr size_t kPooledUpdates = 8;
  constexpr size_t kPooledUpdateBytes = 1 << 20;
  for (StoryUpdate& u : updates) {
    if (update_pool_.size() >= kPooledUpdates) break;
    size_t bytes = 0;
    for (const StoryMember& m : u.members) bytes += StringBytes(m);
    if (bytes <= kPooledUpdateBytes) update_pool_.push_back(std::move(u));
  }
  updates.clear();
}

void EngineImpl::FillStory(ClusterHandle c, std::string_view event, EventTimeMs t,
                           StoryUpdate& u) {
  u.cluster_id.assign(clusters_.Name(c));
  u.event.assign(event);
  const DocHandle canonical = clusters_.Canonical(c);
  FillMember(canonical, u.canonical);
  u.canonical.title.assign(docs_[canonical].title());
  std::vector<DocHandle>& members = story_members_;
  members.assign(clusters_.Members(c).begin(), clusters_.Members(c).end());
  u.size = members.size();
  // The newest max_story_members by arrival, listed in arrival order: selecting them first keeps
  // a large cluster's update at O(members) integer work plus the listed members' strings.
  const auto by_arrival = [this](DocHandle a, DocHandle b) {
    return docs_[a].arrival < docs_[b].arrival;
  };
  const size_t listed =
      std::min(members.size(), static_cast<size_t>(config_.cluster.max_story_members));
  const auto first = members.end() - static_cast<ptrdiff_t>(listed);
  if (first != members.begin()) std::nth_element(members.begin(), first, members.end(), by_arrival);
  std::sort(first, members.end(), by_arrival);
  // Keep the member objects already there (their strings' capacity); surplus ones go to the
  // pool (bounded: at most 1,024 members of usual size, so a hostile 64 KB URL is not kept),
  // missing ones come from it.
  constexpr size_t kPooledMembers = 1024;
  constexpr size_t kPooledMemberBytes = 4096;
  while (u.members.size() > listed) {
    if (member_pool_.size() < kPooledMembers &&
        StringBytes(u.members.back()) <= kPooledMemberBytes) {
      member_pool_.push_back(std::move(u.members.back()));
    }
    u.members.pop_back();
  }
  while (u.members.size() < listed && !member_pool_.empty()) {
    u.members.push_back(std::move(member_pool_.back()));
    member_pool_.pop_back();
  }
  u.members.resize(listed);
  for (size_t k = 0; k < listed; ++k) FillMember(first[static_cast<ptrdiff_t>(k)], u.members[k]);
  u.updated_at = t;
}

absl::StatusOr<Decision> EngineImpl::Process(const Article& article, AnalyzedArticle& analyzed,
                                             std::vector<StoryUpdate>* updates) {
  Decision d;
  DEDUP_RETURN_IF_ERROR(ProcessInto(article, analyzed, updates, d));
  return d;
}

absl::Status EngineImpl::ProcessInto(const Article& article, AnalyzedArticle& analyzed,
                                     std::vector<StoryUpdate>* updates, Decision& out) {
  if (updates != nullptr) RecycleUpdates(*updates);
  if (std::optional<DocHandle> seen = FindId(article.id); seen.has_value()) {
    ++stats_.replays;
    MakeDecision(*seen, out);
    out.replayed = true;
    return absl::OkStatus();
  }
  const std::string_view source_key = BoilerplateSourceKey(article);
  headline_lines_ = 0;
  const bool presigned = Sign(analyzed, source_key);
  if (signed_.shingles.empty()) {
    ++stats_.rejected;
    return RejectError("empty_body", "body has no words");
  }
  headlines_.Add(own_headlines_);
  // A presigning worker told the presigner this article's headlines already.
  if (presigner_ != nullptr && config_.boilerplate.headline_lines && !presigned) {
    presigner_->AddHeadlines(own_headlines_);
  }
  stats_.headline_lines += headline_lines_;

  const EventTimeMs t =
      NotAheadOfClock(article.published_at.value_or(have_watermark_ ? watermark_ : 0));
  if (!have_watermark_ || t > watermark_) {
    watermark_ = t;
    have_watermark_ = true;
  }
  EvictExpired(watermark_, updates);

  // The new article's handle first: the index is queried and the article inserted in one go.
  const DocHandle h = Allocate();
  candidates_.clear();
  index_.QueryAndInsert(h, signed_.sig16, candidates_);
  if (candidates_.size() > static_cast<size_t>(config_.index.max_candidates)) {
    ++stats_.candidates_truncated;
    candidates_.resize(static_cast<size_t>(config_.index.max_candidates));
  }
  stats_.candidates += candidates_.size();

  const uint32_t n_shingles = static_cast<uint32_t>(signed_.shingles.size());
  DocHandle best = 0;
  PairScore best_score;
  bool have_best = false;
  matched_.clear();
  for (DocHandle c : candidates_) {
    const Doc& cd = docs_[c];
    const PairScore s = ScorePair(
        {signed_.sig16, n_shingles, &signed_.numbers,
         {signed_.lead.data(), static_cast<size_t>(signed_.lead_size)}},
        {Sig(c), cd.shingles, &cd.numbers, {cd.lead.data(), cd.lead_size}}, config_.match);
    if (!s.match) {
      ++stats_.candidates_rejected;
      continue;
    }
    // Only a Jaccard match can merge two clusters: a page that contains another story whole
    // (a second story glued on) matches that story by containment, but is not its reprint.
    if (s.jaccard >= config_.match.jaccard_threshold) matched_.push_back(c);
    // The best match is the most similar overall; containment breaks ties.
    if (!have_best || s.jaccard > best_score.jaccard ||
        (s.jaccard == best_score.jaccard && s.containment > best_score.containment)) {
      best = c;
      best_score = s;
      have_best = true;
    }
  }

  Doc& d = docs_[h];
  d.id_is_number = article.id_is_number;
  d.source = InternSource(article.source);
  d.published_at = t;
  d.arrival = ++arrival_;
  d.shingles = n_shingles;
  d.length_words = signed_.words;
  d.numbers = signed_.numbers;
  d.lead = signed_.lead;
  d.lead_size = static_cast<uint8_t>(signed_.lead_size);
  d.live = true;
  ++live_docs_;
  std::copy(signed_.sig16.begin(), signed_.sig16.end(), Sig(h).begin());
  const std::string_view matched = have_best ? docs_[best].id() : std::string_view();
  d.SetText(article.id, article.url, article.title, matched);

  ++stats_.articles;
  if (have_best) {
    d.similarity = static_cast<float>(best_score.jaccard);
    d.containment = static_cast<float>(best_score.containment);
    // Merging can retire a cluster handle, so look each matched document's cluster up afresh.
    ClusterHandle target = clusters_.ClusterOf(best);
    const std::string first_canonical(docs_[clusters_.Canonical(target)].id());
    std::vector<std::string> absorbed;
    for (DocHandle m : matched_) {
      const ClusterHandle other = clusters_.ClusterOf(m);
      if (other == target) continue;
      // Merge only when the two clusters' matched articles, and their canonical articles, are
      // themselves matches: a page that prints two short stories back to back is similar to
      // both (and to each story's copies), yet they are two stories.
      const DocHandle canon_target = clusters_.Canonical(target);
      const DocHandle canon_other = clusters_.Canonical(other);
      if (!MatchesDirectly(best, m) || !MatchesDirectly(canon_target, canon_other)) {
        ++stats_.merges_refused;
        continue;
      }
      const std::string target_name(clusters_.Name(target));
      const std::string other_name(clusters_.Name(other));
      target = clusters_.Merge(target, other);
      absorbed.push_back(clusters_.Name(target) == target_name ? other_name : target_name);
    }
    clusters_.Join(target, h);
    ++stats_.duplicates;
    if (updates != nullptr) {
      const std::string_view survivor = clusters_.Name(target);
      for (const std::string& gone : absorbed) {
        StoryUpdate& u = NewUpdate(*updates);
        u.cluster_id.assign(gone);
        u.event.assign("merged");
        u.merged_into.assign(survivor);
        u.canonical = StoryMember{};
        u.members.clear();
        u.updated_at = t;
      }
      StoryUpdate& u = NewUpdate(*updates);
      FillStory(target, "member_added", t, u);
      u.absorbed = std::move(absorbed);
      u.canonical_changed = u.canonical.id != first_canonical;
    }
  } else {
    const ClusterHandle c = clusters_.Create(h);
    if (updates != nullptr) {
      StoryUpdate& u = NewUpdate(*updates);
      FillStory(c, "created", t, u);
      u.canonical_changed = true;
    }
  }
  by_id_.emplace(IdHash(article.id), h);
  by_age_.emplace(t, h);
  // The decision is made before the count cap applies: an article published longer than the
  // window before the newest one seen (a late arrival, or partitions consumed out of time order)
  // is decided against the window, then leaves it at once.
  MakeDecision(h, out);
  out.candidates = static_cast<uint32_t>(candidates_.size());
  EvictExpired(watermark_, updates);
  return absl::OkStatus();
}

EngineStats EngineImpl::stats() const {
  EngineStats s = stats_;
  s.clusters_created = clusters_.clusters_created();
  s.clusters_merged = clusters_.clusters_merged();
  s.indexed = live_docs_;
  s.clusters = clusters_.num_clusters();
  s.boilerplate_sources = boilerplate_.num_sources();
  s.boilerplate_table_bytes = boilerplate_.memory_bytes();
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const Config& config, WallClock clock,
                                                        std::shared_ptr<Presigner> presigner) {
  DEDUP_ASSIGN_OR_RETURN(MinHashKernel kernel, SelectMinHashKernel(config.sketch.kernel));
  // The engine's config keeps the file's value even when DEDUP_SKETCH_ALGORITHM overrides it:
  // a reload compares files, not the override.
  DEDUP_ASSIGN_OR_RETURN(SketchAlgorithm algorithm,
                         SelectSketchAlgorithm(config.sketch.algorithm));
  if (!clock) clock = WallClockMs;
  return std::unique_ptr<Engine>(
      new EngineImpl(config, kernel, algorithm, std::move(clock), std::move(presigner)));
}

}  // namespace dedup
