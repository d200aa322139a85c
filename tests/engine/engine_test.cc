#include "dedup/engine/engine.h"

#include <gtest/gtest.h>

#include <map>

#include "dedup/base/reject.h"
#include "dedup/parse/article_json.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

using testing::FirstParagraphs;
using testing::kHour;
using testing::MakeArticle;
using testing::MakeSite;
using testing::Stories;
using testing::Story;
using testing::Wrap;

class EngineTest : public ::testing::Test {
 protected:
  void Init(const Config& c = Config{}) {
    auto e = Engine::Create(c);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  Decision Run(const Article& a) {
    auto d = engine_->Process(a);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : Decision{};
  }
  // Publishes `n` different stories on `site` so its boilerplate is learned.
  void WarmUp(const testing::Site& site, const std::vector<std::string>& stories, EventTimeMs t) {
    for (const std::string& s : stories) {
      Run(MakeArticle("warm-" + site.name + "-" + s, site.name, Wrap(site, Story(s).body), t));
    }
  }
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, FirstArticleStartsACluster) {
  Init();
  const Decision d = Run(MakeArticle("w1", "Wire", Story("harbour-bridge").body, 0));
  EXPECT_FALSE(d.duplicate);
  EXPECT_EQ(d.cluster_id, "w1");
  EXPECT_EQ(d.canonical_id, "w1");
  EXPECT_TRUE(d.matched_id.empty());
}

TEST_F(EngineTest, FindsTruncatedCopy) {
  Init();
  Run(MakeArticle("wire", "Wire", Story("harbour-bridge").body, 0));
  const Decision d =
      Run(MakeArticle("short", "Paper", FirstParagraphs(Story("harbour-bridge").body, 2), kHour));
  EXPECT_TRUE(d.duplicate) << "J=" << d.similarity << " C=" << d.containment;
  EXPECT_EQ(d.cluster_id, "wire");
  EXPECT_LT(d.similarity, 0.5);  // found by containment, not Jaccard
}

// A site whose boilerplate is known (it has published before) prints the first two of five
// paragraphs: its header and footer are nearly as long as what is left of the story.
TEST_F(EngineTest, FindsTruncatedReprint) {
  Init();
  const auto site = MakeSite("Quay Times", 60);
  WarmUp(site, {"glacier-study", "rail-strike"}, 0);
  Run(MakeArticle("wire", "Wire", Story("harbour-bridge").body, 0));
  const Decision d = Run(MakeArticle(
      "reprint", site.name, Wrap(site, FirstParagraphs(Story("harbour-bridge").body, 2)), kHour));
  EXPECT_TRUE(d.duplicate);
  EXPECT_EQ(d.cluster_id, "wire");
  EXPECT_EQ(d.matched_id, "wire");
  EXPECT_GE(d.containment, 0.75);
}

TEST_F(EngineTest, FindsReprintWrappedInLongBoilerplate) {
  Init();
  Run(MakeArticle("wire", "Wire", Story("chess-prodigy").body, 0));
  const auto site = MakeSite("Endless Footer Herald", 150);  // footer alone ~ story length
  const Decision d =
      Run(MakeArticle("reprint", site.name, Wrap(site, Story("chess-prodigy").body), kHour));
  EXPECT_TRUE(d.duplicate);
  EXPECT_EQ(d.cluster_id, "wire");
}

TEST_F(EngineTest, SameStoryOnTwoSitesWithDifferentBoilerplateMatches) {
  Init();
  const auto a = MakeSite("North Star", 80), b = MakeSite("South Cross", 110);
  WarmUp(a, {"glacier-study", "rail-strike", "wind-farm"}, 0);
  WarmUp(b, {"museum-theft", "glacier-study", "rail-strike"}, 0);
  const Decision first =
      Run(MakeArticle("a", a.name, Wrap(a, Story("harbour-bridge").body), kHour));
  const Decision second = Run(MakeArticle(
      "b", b.name, Wrap(b, FirstParagraphs(Story("harbour-bridge").body, 3)), 2 * kHour));
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.cluster_id, first.cluster_id);
}

TEST_F(EngineTest, DoesNotMergeDifferentShortStoriesSharingSiteBoilerplate) {
  Init();
  const auto site = MakeSite("Brief Bulletin", 140);
  WarmUp(site, {"glacier-study", "rail-strike", "wind-farm"}, 0);
  const std::string brief1 = FirstParagraphs(Story("museum-theft").body, 1);
  const std::string brief2 = FirstParagraphs(Story("chess-prodigy").body, 1);
  const Decision d1 = Run(MakeArticle("b1", site.name, Wrap(site, brief1), kHour));
  const Decision d2 = Run(MakeArticle("b2", site.name, Wrap(site, brief2), kHour));
  EXPECT_FALSE(d1.duplicate);
  EXPECT_FALSE(d2.duplicate) << "matched " << d2.matched_id << " J=" << d2.similarity;
  EXPECT_NE(d1.cluster_id, d2.cluster_id);
}

TEST_F(EngineTest, TemplatedBriefsWithOtherNamesAndNumbersStayApart) {
  Init();
  const Decision a = Run(MakeArticle("ea", "Wire", Story("earnings-a").body, 0));
  const Decision b = Run(MakeArticle("eb", "Wire", Story("earnings-b").body, kHour));
  EXPECT_FALSE(b.duplicate) << "J=" << b.similarity << " C=" << b.containment;
  EXPECT_NE(a.cluster_id, b.cluster_id);
}

// A page that prints a brief under its own story contains the brief; the brief's wire copy
// arriving later is not that page's story.
TEST_F(EngineTest, StoryGluedUnderAnotherPageDoesNotPullItsCopiesIn) {
  Init();
  const std::string brief = FirstParagraphs(Story("museum-theft").body, 3);
  const std::string page = Story("glacier-study").body + "\n\nMuseum reopens\n" + brief;
  Run(MakeArticle("page", "Site", page, 0));
  const Decision d = Run(MakeArticle("brief-wire", "Wire", brief, kHour));
  EXPECT_FALSE(d.duplicate) << "J=" << d.similarity << " C=" << d.containment;
  // The page's own story still finds the page.
  const Decision g = Run(MakeArticle("glacier-wire", "Wire", Story("glacier-study").body, kHour));
  EXPECT_TRUE(g.duplicate);
  EXPECT_EQ(g.cluster_id, "page");
}

// Headline lists ("Most read") and the page's own headline echoed in the text are not story
// text: a short reprint carrying them still matches its story.
TEST_F(EngineTest, HeadlineListsDoNotHideAShortReprint) {
  Init();
  const auto& stories = testing::Stories();
  for (const auto& st : stories) {  // the headlines of recent articles become known
    Article a = MakeArticle("wire-" + st.id, "Wire", st.body, 0);
    a.title = st.title;
    Run(a);
  }
  std::string sidebar = "Most read\n";
  for (const char* id : {"harbour-bridge", "glacier-study", "chess-prodigy", "rail-strike",
                         "wind-farm", "earnings-a"}) {
    sidebar += Story(id).title + "\n";
  }
  const std::string lead = FirstParagraphs(Story("museum-theft").body, 2);
  Article reprint = MakeArticle("reprint", "Paper",
                                sidebar + Story("museum-theft").title + "\n" + lead, kHour);
  reprint.title = Story("museum-theft").title + " - Paper";
  const Decision d = Run(reprint);
  EXPECT_TRUE(d.duplicate) << "J=" << d.similarity << " C=" << d.containment;
  EXPECT_EQ(d.cluster_id, "wire-museum-theft");
  EXPECT_GE(engine_->stats().headline_lines, 7u);
}

// A page printing two short stories back to back is similar to both; it joins one and does
// not merge the two stories' clusters.
TEST_F(EngineTest, BackToBackBriefsDoNotMergeTheirStories) {
  Init();
  const std::string& a = Story("earnings-a").body;
  const std::string& b = Story("earnings-b").body;
  const Decision da = Run(MakeArticle("a", "Wire", a, 0));
  const Decision db = Run(MakeArticle("b", "Wire", b, kHour));
  ASSERT_NE(da.cluster_id, db.cluster_id);
  const Decision page = Run(MakeArticle("page", "Site", b + "\n\n" + a, 2 * kHour));
  EXPECT_TRUE(page.duplicate);
  EXPECT_EQ(engine_->stats().clusters_merged, 0u);
  EXPECT_EQ(engine_->stats().clusters, 2u);
}

TEST_F(EngineTest, CanonicalPolicyEarliest) {
  Init();
  const std::string& body = Story("wind-farm").body;
  Run(MakeArticle("late", "X", body, 5 * kHour));
  const Decision d = Run(MakeArticle("early", "Y", body, 1 * kHour));
  EXPECT_EQ(d.canonical_id, "early");
}

TEST_F(EngineTest, CanonicalPolicyLongest) {
  Config c;
  c.cluster.canonical_policy = CanonicalPolicy::kLongest;
  Init(c);
  const std::string& body = Story("wind-farm").body;
  Run(MakeArticle("short", "X", FirstParagraphs(body, 3), 0));
  const Decision d = Run(MakeArticle("long", "Y", body, kHour));
  EXPECT_TRUE(d.duplicate);
  EXPECT_EQ(d.canonical_id, "long");
}

TEST_F(EngineTest, CanonicalPolicySourcePriority) {
  Config c;
  c.cluster.canonical_policy = CanonicalPolicy::kSourcePriority;
  c.cluster.source_priority = {"Agency", "Paper"};
  Init(c);
  const std::string& body = Story("wind-farm").body;
  Run(MakeArticle("blog", "Blog", body, 0));
  EXPECT_EQ(Run(MakeArticle("paper", "Paper", body, kHour)).canonical_id, "paper");
  EXPECT_EQ(Run(MakeArticle("agency", "Agency", body, 2 * kHour)).canonical_id, "agency");
}

TEST_F(EngineTest, ReconfigureChangesThresholdsAndPolicyKeepingState) {
  Init();
  const std::string& body = Story("wind-farm").body;
  Run(MakeArticle("first", "X", body, 0));
  Config next;
  next.match.jaccard_threshold = 1.01;  // unreachable: nothing matches
  next.match.containment_threshold = 1.01;
  next.cluster.canonical_policy = CanonicalPolicy::kLongest;
  ASSERT_TRUE(engine_->Reconfigure(next).ok());
  // State kept: the id is still known and replays its decision.
  EXPECT_TRUE(Run(MakeArticle("first", "X", body, 0)).replayed);
  // The new thresholds apply: an exact copy no longer matches.
  EXPECT_FALSE(Run(MakeArticle("copy", "Y", body, kHour)).duplicate);
  // Back to the defaults: a copy matches the index built before and during the change.
  ASSERT_TRUE(engine_->Reconfigure(Config{}).ok());
  const Decision d = Run(MakeArticle("copy2", "Z", body, 2 * kHour));
  EXPECT_TRUE(d.duplicate);
  EXPECT_EQ(engine_->stats().indexed, 3u);
}

TEST_F(EngineTest, ReconfigureShorterWindowEvictsOnTheNextArticle) {
  Init();
  Run(MakeArticle("a", "X", Story("wind-farm").body, 0));
  Config next;
  next.cluster.window_hours = 1;
  ASSERT_TRUE(engine_->Reconfigure(next).ok());
  Run(MakeArticle("b", "Y", Story("rail-strike").body, 2 * kHour));
  EXPECT_EQ(engine_->stats().evicted_window, 1u);
  EXPECT_EQ(engine_->stats().indexed, 1u);
}

TEST_F(EngineTest, ReconfigureRefusesRestartOnlySettingsAndChangesNothing) {
  Init();
  Config next;
  next.sketch.num_hashes = 64;
  next.match.jaccard_threshold = 1.01;
  next.match.containment_threshold = 1.01;
  absl::Status s = engine_->Reconfigure(next);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("sketch.num_hashes"), std::string::npos) << s;
  const std::string& body = Story("wind-farm").body;
  Run(MakeArticle("a", "X", body, 0));
  EXPECT_TRUE(Run(MakeArticle("b", "Y", body, kHour)).duplicate);  // old thresholds still apply
}

TEST_F(EngineTest, WindowEvictsOldArticles) {
  Config c;
  c.cluster.window_hours = 72;
  Init(c);
  const std::string& body = Story("rail-strike").body;
  Run(MakeArticle("old", "X", body, 0));
  const Decision inside = Run(MakeArticle("inside", "Y", body, 71 * kHour));
  EXPECT_TRUE(inside.duplicate);
  // At 150 h both earlier copies are more than 72 h old.
  const Decision outside = Run(MakeArticle("outside", "Z", body, 150 * kHour));
  EXPECT_FALSE(outside.duplicate);
  EXPECT_EQ(engine_->stats().evicted_window, 2u);
  EXPECT_EQ(engine_->stats().indexed, 1u);
}

// Partitions consumed out of time order deliver articles far older than the newest seen: they
// are decided against the window, then leave it at once.
TEST_F(EngineTest, ArticleOlderThanTheWindowIsDecidedThenEvicted) {
  Init();
  Run(MakeArticle("new", "X", Story("rail-strike").body, 500 * kHour));
  const Decision late = Run(MakeArticle("late", "Y", Story("rail-strike").body, 10 * kHour));
  EXPECT_TRUE(late.duplicate);  // the newer copy is in the window
  EXPECT_EQ(late.cluster_id, "new");
  EXPECT_EQ(engine_->stats().indexed, 1u);
  const Decision alone = Run(MakeArticle("alone", "Y", Story("wind-farm").body, 20 * kHour));
  EXPECT_FALSE(alone.duplicate);
  EXPECT_EQ(alone.cluster_id, "alone");
  EXPECT_EQ(engine_->stats().indexed, 1u);
  EXPECT_EQ(engine_->stats().evicted_window, 2u);
}

// A date years ahead (a wrong clock or year at one publisher) must not carry the window along
// with it: every article in it would be evicted, and every later one would be older than the
// window and leave at once, so no duplicate would be found until the clock caught up.
TEST_F(EngineTest, ArticleDatedFarAheadOfTheClockIsTakenAsPublishedNow) {
  constexpr EventTimeMs now = 1000 * kHour;
  auto e = Engine::Create(Config{}, [] { return now; });
  ASSERT_TRUE(e.ok()) << e.status();
  engine_ = std::move(*e);
  const std::string& body = Story("rail-strike").body;
  Run(MakeArticle("first", "X", body, now - 2 * kHour));
  std::vector<StoryUpdate> updates;
  ASSERT_TRUE(engine_
                  ->Process(MakeArticle("ahead", "Y", Story("wind-farm").body,
                                        now + 10 * 365 * 24 * kHour),
                            &updates)
                  .ok());
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].canonical.published_at, now);  // taken as published at the clock's time
  const Decision copy = Run(MakeArticle("copy", "Z", body, now - kHour));
  EXPECT_TRUE(copy.duplicate);
  EXPECT_EQ(copy.cluster_id, "first");
  EXPECT_EQ(engine_->stats().evicted_window, 0u);
  EXPECT_EQ(engine_->stats().future_timestamps, 1u);
  // Within max_future_hours (1 h by default) a time is kept as it is.
  ASSERT_TRUE(engine_->Process(MakeArticle("soon", "W", Story("glacier-study").body,
                                           now + kHour / 2),
                               &updates)
                  .ok());
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].canonical.published_at, now + kHour / 2);
  EXPECT_EQ(engine_->stats().future_timestamps, 1u);
}

// max_future_hours = 0 turns the check off (and a reload can turn it on).
TEST_F(EngineTest, MaxFutureHoursZeroKeepsEveryTime) {
  constexpr EventTimeMs now = 1000 * kHour;
  Config c;
  c.cluster.max_future_hours = 0;
  auto e = Engine::Create(c, [] { return now; });
  ASSERT_TRUE(e.ok()) << e.status();
  engine_ = std::move(*e);
  const std::string& body = Story("rail-strike").body;
  Run(MakeArticle("first", "X", body, now));
  Run(MakeArticle("ahead", "Y", Story("wind-farm").body, now + 1000 * kHour));
  EXPECT_EQ(engine_->stats().evicted_window, 1u);  // "first" left with the window
  EXPECT_EQ(engine_->stats().future_timestamps, 0u);
  c.cluster.max_future_hours = 1;
  ASSERT_TRUE(engine_->Reconfigure(c).ok());
  Run(MakeArticle("further", "Z", Story("glacier-study").body, now + 5000 * kHour));
  EXPECT_EQ(engine_->stats().future_timestamps, 1u);
  // "further" is taken as now: far behind "ahead" (already in), it is decided and leaves at
  // once; "ahead" stays.
  EXPECT_EQ(engine_->stats().evicted_window, 2u);
  EXPECT_EQ(engine_->stats().indexed, 1u);
}

TEST_F(EngineTest, CanonicalLeavingTheWindowEmitsAStoryUpdate) {
  Init();
  const std::string& body = Story("wind-farm").body;
  std::vector<StoryUpdate> updates;
  ASSERT_TRUE(engine_->Process(MakeArticle("first", "X", body, 0), &updates).ok());
  ASSERT_TRUE(engine_->Process(MakeArticle("second", "Y", body, 10 * kHour), &updates).ok());
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].canonical.id, "first");
  // 80 h later "first" (0 h) has left the 72 h window; "second" (10 h) has not.
  auto d = engine_->Process(MakeArticle("other", "Z", Story("glacier-study").body, 80 * kHour),
                            &updates);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].event, "canonical_changed");
  EXPECT_EQ(updates[0].cluster_id, "first");
  EXPECT_EQ(updates[0].canonical.id, "second");
  EXPECT_EQ(updates[0].members.size(), 1u);
  EXPECT_EQ(updates[1].event, "created");
}

// One call that evicts several of a cluster's canonicals in turn (event time moved on by more
// than one article's spacing) sends one update with the state after them, and none for a
// cluster it empties: a jump past the whole window used to re-list every story once per
// departing canonical.
TEST_F(EngineTest, EvictionsInOneStepSendOneUpdatePerCluster) {
  Init();
  const std::string& rail = Story("rail-strike").body;
  const std::string& wind = Story("wind-farm").body;
  std::vector<StoryUpdate> updates;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engine_->Process(MakeArticle("r" + std::to_string(i), "S" + std::to_string(i),
                                             rail, i * kHour),
                                 &updates)
                    .ok());
    ASSERT_TRUE(engine_->Process(MakeArticle("w" + std::to_string(i), "T" + std::to_string(i),
                                             wind, i * kHour),
                                 &updates)
                    .ok());
  }
  ASSERT_TRUE(engine_->Process(MakeArticle("r-late", "S9", rail, 50 * kHour), &updates).ok());
  // At 74.5 h every copy from 0-2 h leaves: "rail-strike" keeps its 50 h copy, "wind-farm" is
  // emptied.
  ASSERT_TRUE(engine_
                  ->Process(MakeArticle("other", "Z", Story("glacier-study").body,
                                        74 * kHour + kHour / 2),
                            &updates)
                  .ok());
  EXPECT_EQ(engine_->stats().evicted_window, 6u);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].event, "canonical_changed");
  EXPECT_EQ(updates[0].cluster_id, "r0");
  EXPECT_EQ(updates[0].canonical.id, "r-late");
  EXPECT_EQ(updates[0].size, 1u);
  EXPECT_EQ(updates[1].event, "created");
  EXPECT_EQ(updates[1].cluster_id, "other");
}

// A story update lists the newest cluster.max_story_members members in arrival order, counts
// them all in `size`, and names the canonical (with its title) whatever the cap.
TEST_F(EngineTest, StoryUpdatesListTheNewestMaxStoryMembers) {
  Config c;
  c.cluster.max_story_members = 3;
  Init(c);
  const std::string& body = Story("wind-farm").body;
  std::vector<StoryUpdate> updates;
  for (int i = 0; i < 6; ++i) {
    Article a = MakeArticle("copy" + std::to_string(i), "S" + std::to_string(i), body, i * kHour);
    a.title = "Title " + std::to_string(i);
    ASSERT_TRUE(engine_->Process(a, &updates).ok());
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].size, static_cast<size_t>(i + 1));
    ASSERT_EQ(updates[0].members.size(), std::min<size_t>(i + 1, 3));
    for (size_t k = 0; k < updates[0].members.size(); ++k) {
      const int want = i + 1 - static_cast<int>(updates[0].members.size()) + static_cast<int>(k);
      EXPECT_EQ(updates[0].members[k].id, "copy" + std::to_string(want)) << i;
      EXPECT_EQ(updates[0].members[k].source, "S" + std::to_string(want)) << i;
    }
    EXPECT_EQ(updates[0].canonical.id, "copy0");
    EXPECT_EQ(updates[0].canonical.title, "Title 0");
  }
  std::string json;
  AppendStoryJson(json, updates[0]);
  EXPECT_NE(json.find("\"size\":6"), std::string::npos) << json;
}

// Story members carry keys that name one article for the life of the process: the same key in
// every update that lists it, a different key for every article, and none shared between two
// engines fed the same stream (the daemon makes a new engine after an exactly-once abort).
// StoryJsonWriter, which reuses member JSON by key, then writes every update of a stream with
// growing, capped, merged and expiring stories exactly as AppendStoryJson does.
TEST(EngineStories, MemberKeysNameArticlesAndTheWriterMatchesAppendStoryJson) {
  Config c;
  c.cluster.max_story_members = 3;
  c.cluster.window_hours = 5;  // a story's copies arrive 2 h apart: canonicals leave the window
  std::vector<std::string> written[2];
  std::map<uint64_t, std::string> id_of_key[2];
  int canonical_changes = 0;
  size_t most_listed = 0;
  for (int run = 0; run < 2; ++run) {
    auto engine = Engine::Create(c);
    ASSERT_TRUE(engine.ok());
    StoryJsonWriter writer(run == 0 ? size_t{8} << 20 : 2048);  // the second forgets often
    std::vector<StoryUpdate> updates;
    int t = 0;
    for (int round = 0; round < 10; ++round) {
      for (const Article& story : Stories()) {
        Article a = MakeArticle(std::string(story.id) + "-" + std::to_string(round),
                                "site" + std::to_string(round), story.body, t++ * kHour / 4);
        ASSERT_TRUE((*engine)->Process(a, &updates).ok());
        for (const StoryUpdate& u : updates) {
          for (const StoryMember& m : u.members) {
            ASSERT_NE(m.key, 0u);
            const auto [it, added] = id_of_key[run].try_emplace(m.key, m.id);
            EXPECT_EQ(it->second, m.id) << "key " << m.key << " named two articles";
          }
          std::string want, got;
          AppendStoryJson(want, u);
          writer.Append(got, u);
          ASSERT_EQ(got, want);
          written[run].push_back(got);
          canonical_changes += u.event == "canonical_changed" ? 1 : 0;
          most_listed = std::max(most_listed, u.members.size());
        }
      }
    }
  }
  EXPECT_EQ(written[0], written[1]);  // the same stream, the same records
  for (const auto& [key, id] : id_of_key[0]) EXPECT_FALSE(id_of_key[1].contains(key)) << id;
  EXPECT_EQ(id_of_key[0].size(), id_of_key[1].size());
  EXPECT_GT(canonical_changes, 0);  // the stream did what it is meant to
  EXPECT_EQ(most_listed, 3u);
}

// ProcessInto writes every field of the reused decision: after a duplicate, a replay and an
// article with another kind of id, nothing of the decision before shows through, and each
// decision equals Process's on an engine fed the same stream.
TEST(EngineProcessInto, ReusedDecisionEqualsAFreshOne) {
  auto into = Engine::Create(Config{});
  auto fresh = Engine::Create(Config{});
  ASSERT_TRUE(into.ok() && fresh.ok());
  const std::string& story = Story("wind-farm").body;
  std::vector<Article> stream = {
      MakeArticle("first-article-with-a-long-id", "A", story, 0),
      MakeArticle("copy-of-the-first-one-elsewhere", "B", story, kHour),
      MakeArticle("other", "C", Story("glacier-study").body, 2 * kHour),
      MakeArticle("first-article-with-a-long-id", "A", story, 3 * kHour),  // a replay
      MakeArticle("77", "D", Story("rail-strike").body, 4 * kHour),
      MakeArticle("empty", "E", " -- ", 5 * kHour),  // refused: no words
      MakeArticle("last", "F", Story("museum-theft").body, 6 * kHour)};
  stream[4].id_is_number = true;
  Decision d;
  AnalyzedArticle analyzed;
  int duplicates = 0, replays = 0;
  for (const Article& a : stream) {
    AnalyzeArticle(a, Config{}, analyzed);
    const absl::Status st = (*into)->ProcessInto(a, analyzed, nullptr, d);
    const absl::StatusOr<Decision> want = (*fresh)->Process(a);
    ASSERT_EQ(st.ok(), want.ok()) << a.id;
    if (!st.ok()) continue;
    EXPECT_EQ(d.id, want->id);
    EXPECT_EQ(d.id_is_number, want->id_is_number) << a.id;
    EXPECT_EQ(d.cluster_id, want->cluster_id) << a.id;
    EXPECT_EQ(d.canonical_id, want->canonical_id) << a.id;
    EXPECT_EQ(d.duplicate, want->duplicate) << a.id;
    EXPECT_EQ(d.matched_id, want->matched_id) << a.id;
    EXPECT_EQ(d.similarity, want->similarity) << a.id;
    EXPECT_EQ(d.containment, want->containment) << a.id;
    EXPECT_EQ(d.candidates, want->candidates) << a.id;
    EXPECT_EQ(d.replayed, want->replayed) << a.id;
    duplicates += d.duplicate ? 1 : 0;
    replays += d.replayed ? 1 : 0;
  }
  EXPECT_EQ(duplicates, 1);  // the copy (the replay gives its founder's decision again)
  EXPECT_EQ(replays, 1);
}

TEST_F(EngineTest, MaxArticlesEvictsOldestPublishedFirst) {
  Config c;
  c.cluster.max_articles = 2;
  Init(c);
  Run(MakeArticle("s1", "X", Story("rail-strike").body, 10));
  Run(MakeArticle("s2", "X", Story("wind-farm").body, 5));  // published earliest
  Run(MakeArticle("s3", "X", Story("glacier-study").body, 20));
  EXPECT_EQ(engine_->stats().indexed, 2u);
  EXPECT_EQ(engine_->stats().evicted_capacity, 1u);
  EXPECT_FALSE(Run(MakeArticle("s2-again", "Y", Story("wind-farm").body, 30)).duplicate);
}

TEST_F(EngineTest, RepeatedIdReplaysItsDecision) {
  Init();
  const std::string& body = Story("museum-theft").body;
  Run(MakeArticle("m1", "X", body, 0));
  const Decision first = Run(MakeArticle("m2", "Y", body, kHour));
  const Decision again = Run(MakeArticle("m2", "Y", body, kHour));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.cluster_id, first.cluster_id);
  EXPECT_EQ(again.matched_id, first.matched_id);
  EXPECT_EQ(engine_->stats().articles, 2u);
  EXPECT_EQ(engine_->stats().indexed, 2u);
}

TEST_F(EngineTest, BodyWithoutWordsIsRejectedAndChangesNothing) {
  Init();
  auto d = engine_->Process(MakeArticle("e", "X", " -- ... !! ", 0));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(RejectReason(d.status()), "empty_body");
  EXPECT_EQ(engine_->stats().indexed, 0u);
  // The id is free to use.
  EXPECT_FALSE(Run(MakeArticle("e", "X", Story("wind-farm").body, 0)).replayed);
}

// Hostile bodies at the engine: handled as documented, never a crash.
TEST_F(EngineTest, HostileBodiesAreHandled) {
  Init();
  // Empty, and a body of one repeated word (one distinct shingle).
  auto empty = engine_->Process(MakeArticle("empty", "X", "", 0));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(RejectReason(empty.status()), "empty_body");
  std::string repeated;
  for (int i = 0; i < 20000; ++i) repeated += "news ";
  const Decision r1 = Run(MakeArticle("rep1", "X", repeated, 0));
  EXPECT_FALSE(r1.duplicate);
  // Another one-word page: the same text, so a duplicate (and nothing else matches it).
  const Decision r2 = Run(MakeArticle("rep2", "Y", repeated.substr(0, 5000), kHour));
  EXPECT_TRUE(r2.duplicate);
  EXPECT_FALSE(Run(MakeArticle("story", "Z", Story("wind-farm").body, kHour)).duplicate);
  // NUL bytes and control characters inside the text; invalid UTF-8 (repaired).
  const std::string with_nul = std::string("alpha\0beta gamma\x01" "delta ", 23) + Story("rail-strike").body;
  EXPECT_FALSE(Run(MakeArticle("nul", "X", with_nul, 2 * kHour)).duplicate);
  const std::string bad_utf8 = "caf\xC3\x28 \xFF\xFE " + Story("glacier-study").body;
  EXPECT_FALSE(Run(MakeArticle("utf", "X", bad_utf8, 2 * kHour)).duplicate);
  // The same id twice: the second is a replay of the first decision.
  const Decision again = Run(MakeArticle("rep1", "X", repeated, 0));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.cluster_id, r1.cluster_id);
}

TEST_F(EngineTest, MissingTimestampUsesTheWatermark) {
  Init();
  Run(MakeArticle("a", "X", Story("wind-farm").body, 100 * kHour));
  Article b = MakeArticle("b", "Y", Story("wind-farm").body, 0);
  b.published_at.reset();
  EXPECT_TRUE(Run(b).duplicate);
}

}  // namespace
}  // namespace dedup
