// Signing ahead on a guess (engine/analyze.h): the engine's results with presigned articles are
// its results without them, whatever the guess; and the guess learns what the engine drops.
#include "dedup/engine/analyze.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "dedup/engine/engine.h"
#include "dedup/parse/article_json.h"
#include "dedup/text/boilerplate.h"
#include "dedup/text/headlines.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

// Everything an engine's Process gives for an article: the decision and the story records.
std::string Outcome(const absl::StatusOr<Decision>& d, const std::vector<StoryUpdate>& updates) {
  std::string out;
  if (!d.ok()) return std::string(d.status().message());
  AppendDecisionJson(out, *d);
  for (const StoryUpdate& u : updates) {
    out += "\n";
    AppendStoryJson(out, u);
  }
  return out;
}

std::vector<std::string> Alone(const Config& config, const std::vector<Article>& feed) {
  auto engine = Engine::Create(config);
  EXPECT_TRUE(engine.ok());
  std::vector<std::string> out;
  std::vector<StoryUpdate> updates;
  for (const Article& a : feed) {
    const absl::StatusOr<Decision> d = (*engine)->Process(a, &updates);
    out.push_back(Outcome(d, updates));
  }
  return out;
}

// Presigns each article `lag` articles ahead of the engine deciding it (the daemon's workers run
// ahead of its pipeline thread). `sabotage` may change an article's presigning before it is
// decided.
struct Presigned {
  std::vector<std::string> outcomes;
  EngineStats stats;
};
template <typename Sabotage>
Presigned WithPresigner(const Config& config, const std::vector<Article>& feed, size_t lag,
                        Sabotage sabotage) {
  auto presigner = Presigner::Create(config);
  EXPECT_TRUE(presigner.ok());
  auto engine = Engine::Create(config, nullptr, *presigner);
  EXPECT_TRUE(engine.ok());
  Presigned r;
  std::deque<AnalyzedArticle> ahead;
  std::vector<StoryUpdate> updates;
  size_t decided = 0;
  const auto decide = [&] {
    const Article& a = feed[decided];
    sabotage(decided, a, ahead.front());
    const absl::StatusOr<Decision> d = (*engine)->Process(a, ahead.front(), &updates);
    r.outcomes.push_back(Outcome(d, updates));
    EXPECT_EQ(ahead.front().presigned_by, nullptr) << "a presigning serves one decision";
    ahead.pop_front();
    ++decided;
  };
  for (const Article& a : feed) {
    AnalyzedArticle& an = ahead.emplace_back();
    AnalyzeArticle(a, config, an);
    (*presigner)->Presign(a, an);
    EXPECT_EQ(an.presigned_by, presigner->get());
    EXPECT_EQ(an.guessed_drop.size(), an.doc.lines.size());
    while (ahead.size() > lag) decide();
  }
  while (!ahead.empty()) decide();
  r.stats = (*engine)->stats();
  return r;
}

const auto kNoSabotage = [](size_t, const Article&, AnalyzedArticle&) {};

TEST(PresignTest, ThePresignedEngineDecidesAsTheEngineAlone) {
  const std::vector<Article> feed = testing::ReprintFeed(400, 7);
  Config config;
  config.cluster.window_hours = 6;  // the feed spans 33 hours: articles leave, canonicals change
  const std::vector<std::string> alone = Alone(config, feed);
  for (const size_t lag : {size_t{0}, size_t{1}, size_t{5}, size_t{60}}) {
    SCOPED_TRACE("lag " + std::to_string(lag));
    const Presigned p = WithPresigner(config, feed, lag, kNoSabotage);
    ASSERT_EQ(p.outcomes.size(), alone.size());
    for (size_t i = 0; i < alone.size(); ++i) ASSERT_EQ(p.outcomes[i], alone[i]) << i;
    EXPECT_EQ(p.stats.presigned_used + p.stats.presigned_redone, feed.size());
    // The guess learns: most articles are signed ahead, even 60 articles ahead in a feed of
    // 400 from six sites still learning their boilerplate.
    EXPECT_GT(p.stats.presigned_used, feed.size() / 2);
    // The feed's sites learn boilerplate and list headlines as it goes: some guesses are wrong.
    if (lag > 0) {
      EXPECT_GT(p.stats.presigned_redone, 0u);
    }
  }
}

// Right after each line is learned, the guess knows it: with no lag every guess is right.
TEST(PresignTest, WithoutLagEveryGuessIsRight) {
  const std::vector<Article> feed = testing::ReprintFeed(200, 3);
  const Presigned p = WithPresigner(Config{}, feed, 0, kNoSabotage);
  EXPECT_EQ(p.stats.presigned_used, feed.size());
  EXPECT_EQ(p.stats.presigned_redone, 0u);
  EXPECT_GT(p.stats.boilerplate_lines, 0u);
  EXPECT_GT(p.stats.headline_lines, 0u);
}

// A wrong guess signed consistently (a worker's view of an older table) is never used: the
// engine compares the guess with its own decision, not the signature with anything.
TEST(PresignTest, AWrongGuessIsSignedAgain) {
  const std::vector<Article> feed = testing::ReprintFeed(300, 11);
  const Config config;
  const std::vector<std::string> alone = Alone(config, feed);
  auto kernel = SelectMinHashKernel(config.sketch.kernel);
  auto algorithm = SelectSketchAlgorithm(config.sketch.algorithm);
  ASSERT_TRUE(kernel.ok() && algorithm.ok());
  const MinHasher hasher(config.sketch.num_hashes, static_cast<uint64_t>(config.sketch.seed),
                         *kernel, *algorithm);
  std::mt19937 rng(5);
  size_t sabotaged = 0;
  const auto flip_a_line = [&](size_t i, const Article&, AnalyzedArticle& an) {
    if (i % 3 != 0 || an.guessed_drop.empty()) return;
    const size_t line = rng() % an.guessed_drop.size();
    an.guessed_drop[line] = !an.guessed_drop[line];
    SignKept(an.doc, an.guessed_drop, config, hasher, an.signed_text);
    ++sabotaged;
  };
  const Presigned p = WithPresigner(config, feed, 2, flip_a_line);
  ASSERT_EQ(p.outcomes.size(), alone.size());
  for (size_t i = 0; i < alone.size(); ++i) ASSERT_EQ(p.outcomes[i], alone[i]) << i;
  EXPECT_GE(p.stats.presigned_redone, sabotaged);
  EXPECT_GT(sabotaged, 90u);
}

// An engine takes presigning only from its own presigner: another one's (here with another
// sketch seed, so another signature for the same guess) is ignored.
TEST(PresignTest, AnotherPresignersWorkIsIgnored) {
  const std::vector<Article> feed = testing::ReprintFeed(80, 19);
  const Config config;
  const std::vector<std::string> alone = Alone(config, feed);
  Config other_config = config;
  other_config.sketch.seed = config.sketch.seed + 1;
  auto other = *Presigner::Create(other_config);
  auto own = *Presigner::Create(config);
  auto engine = *Engine::Create(config, nullptr, own);
  std::vector<StoryUpdate> updates;
  for (size_t i = 0; i < feed.size(); ++i) {
    AnalyzedArticle an;
    AnalyzeArticle(feed[i], config, an);
    other->Presign(feed[i], an);
    const absl::StatusOr<Decision> d = engine->Process(feed[i], an, &updates);
    ASSERT_EQ(Outcome(d, updates), alone[i]) << i;
  }
  EXPECT_EQ(engine->stats().presigned_used + engine->stats().presigned_redone, 0u);
}

// The presigned buffers serve the engine: an article whose presigning the engine took is
// analysed and presigned again like a fresh one (the daemon recycles AnalyzedArticle objects).
TEST(PresignTest, RecycledAnalysisPresignsLikeAFreshOne) {
  const std::vector<Article> feed = testing::ReprintFeed(60, 13);
  const Config config;
  auto presigner = *Presigner::Create(config);
  auto engine = *Engine::Create(config, nullptr, presigner);
  AnalyzedArticle recycled;
  for (const Article& a : feed) {
    AnalyzeArticle(a, config, recycled);
    presigner->Presign(a, recycled);
    AnalyzedArticle fresh;
    AnalyzeArticle(a, config, fresh);
    presigner->Presign(a, fresh);
    EXPECT_EQ(recycled.guessed_drop, fresh.guessed_drop) << a.id;
    EXPECT_EQ(recycled.signed_text.sig, fresh.signed_text.sig) << a.id;
    EXPECT_EQ(recycled.signed_text.shingles, fresh.signed_text.shingles) << a.id;
    EXPECT_EQ(recycled.signed_text.words, fresh.signed_text.words) << a.id;
    ASSERT_TRUE(engine->Process(a, recycled, nullptr).ok());
  }
}

uint64_t LineHash(std::string_view line) {
  Document d;
  AnalyzeText(line, d);
  EXPECT_EQ(d.lines.size(), 1u);
  return d.lines.empty() ? 0 : d.lines[0].hash;
}

TEST(PresignTest, TheTableLearnsWhatTheEngineDrops) {
  Config config;
  config.boilerplate.min_articles = 2;
  auto presigner = *Presigner::Create(config);
  auto engine = *Engine::Create(config, nullptr, presigner);
  const testing::Site site = testing::MakeSite("Port Gazette", 40);
  const uint64_t header = LineHash(site.header[1]);
  const auto& stories = testing::Stories();
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(presigner->Guesses(site.name, header)) << i;
    ASSERT_TRUE(engine
                    ->Process(testing::MakeArticle("a" + std::to_string(i), site.name,
                                                   testing::Wrap(site, stories[i].body), 0))
                    .ok());
  }
  // Seen in two articles: the site's next article drops it, and the guess says so.
  EXPECT_TRUE(presigner->Guesses(site.name, header));
  EXPECT_FALSE(presigner->Guesses("Valley Courier", header));

  // The engine keeping a line guessed dropped takes it out; dropping one guessed kept adds it.
  const uint64_t lines[] = {header, 42};
  const char guess[] = {1, 0};
  const char drop[] = {0, 1};
  presigner->Correct(site.name, lines, guess, drop);
  EXPECT_FALSE(presigner->Guesses(site.name, header));
  EXPECT_TRUE(presigner->Guesses(site.name, 42));
}

TEST(PresignTest, KnownHeadlinesAreGuessedDroppedOnEverySite) {
  const Config config;
  auto presigner = *Presigner::Create(config);
  const Article& story = testing::Story("museum-theft");
  const std::string headline = "Council approves the new harbour ferry timetable";
  presigner->AddHeadlines(HeadlineIndex::Hashes(headline));
  Article page = testing::MakeArticle("p", "Metro Ledger", "Most read\n" + headline + "\n" +
                                                               story.title + "\n" + story.body,
                                      0);
  page.title = story.title;
  AnalyzedArticle an;
  AnalyzeArticle(page, config, an);
  presigner->Presign(page, an);
  ASSERT_GE(an.guessed_drop.size(), 4u);
  EXPECT_EQ(an.guessed_drop[0], 0);  // "Most read": not known
  EXPECT_EQ(an.guessed_drop[1], 1);  // a known headline
  EXPECT_EQ(an.guessed_drop[2], 1);  // its own headline echoed
  EXPECT_EQ(an.guessed_drop[3], 0);  // story text

  // Presigning remembers the article's own headline for the articles after it.
  Article next = testing::MakeArticle("n", "Coast Post", story.title + "\n" + story.body, 0);
  AnalyzedArticle an2;
  AnalyzeArticle(next, config, an2);
  presigner->Presign(next, an2);
  EXPECT_EQ(an2.guessed_drop[0], 1);
}

// A full table forgets old entries (a wrong guess at worst) and keeps taking new ones.
TEST(PresignTest, AFullTableKeepsTakingLines) {
  auto presigner = *Presigner::Create(Config{});
  constexpr size_t kBatch = 1000;
  // Twice the table's entries, in whole batches.
  std::vector<uint64_t> lines((Presigner::kBuckets * Presigner::kWays * 2 / kBatch + 1) * kBatch);
  std::mt19937_64 rng(3);
  for (uint64_t& h : lines) h = rng();
  size_t kept = 0;
  for (size_t i = 0; i < lines.size(); i += kBatch) {
    presigner->AddLines("Wire", std::span<const uint64_t>(lines).subspan(i, kBatch));
    EXPECT_TRUE(presigner->Guesses("Wire", lines[i + kBatch - 1])) << i;
  }
  for (const uint64_t h : lines) kept += presigner->Guesses("Wire", h);
  EXPECT_GT(kept, Presigner::kBuckets * Presigner::kWays / 2);
  EXPECT_LE(kept, Presigner::kBuckets * Presigner::kWays);
}

TEST(PresignTest, BoilerplateFilterReportsLinesItMadeBoilerplate) {
  BoilerplateConfig config;
  config.min_articles = 2;
  BoilerplateFilter f(config);
  const std::vector<uint64_t> a = {1, 2, 3, 2}, b = {1, 4}, c = {1, 2};
  std::vector<char> drop(4);
  std::vector<uint64_t> now;
  f.ClassifyAndLearn("s", a, drop, &now);
  EXPECT_TRUE(now.empty());
  drop.resize(2);
  f.ClassifyAndLearn("s", b, drop, &now);
  EXPECT_EQ(now, std::vector<uint64_t>{1});  // seen in two articles: boilerplate from now on
  now.clear();
  f.ClassifyAndLearn("s", c, drop, &now);
  EXPECT_EQ(drop, (std::vector<char>{1, 0}));
  EXPECT_EQ(now, std::vector<uint64_t>{2});
}

}  // namespace
}  // namespace dedup
