#include "dedup/eval/score.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dedup {
namespace {

TEST(Score, PerfectClusteringScoresOne) {
  const auto s = ScorePartitions({"a", "a", "b", "c"}, {"x", "x", "y", "z"});
  EXPECT_DOUBLE_EQ(s.pairwise_f1, 1.0);
  EXPECT_DOUBLE_EQ(s.ari, 1.0);
  EXPECT_DOUBLE_EQ(s.bcubed_f1, 1.0);
}

// Values from the reference scorer shared/bench/score.py on the same partitions.
TEST(Score, MatchesReferenceScorer) {
  const auto s = ScorePartitions({"a", "a", "a", "b", "b", "c"}, {"1", "1", "2", "2", "2", "3"});
  EXPECT_EQ(s.tp_pairs, 2u);
  EXPECT_EQ(s.pred_pairs, 4u);
  EXPECT_EQ(s.true_pairs, 4u);
  EXPECT_DOUBLE_EQ(s.pairwise_precision, 0.5);
  EXPECT_DOUBLE_EQ(s.pairwise_recall, 0.5);
  EXPECT_NEAR(s.ari, 0.3181818181818182, 1e-12);
  EXPECT_NEAR(s.bcubed_precision, 0.7777777777777778, 1e-12);
  EXPECT_NEAR(s.bcubed_recall, 0.7777777777777778, 1e-12);
}

TEST(Score, AllSingletonsFollowsScikitLearnConvention) {
  const auto s = ScorePartitions({"a", "b", "c"}, {"1", "2", "3"});
  EXPECT_DOUBLE_EQ(s.ari, 1.0);
  EXPECT_DOUBLE_EQ(s.pairwise_precision, 1.0);
  EXPECT_DOUBLE_EQ(s.pairwise_recall, 1.0);
}

TEST(Score, FilesHandleMissingExtraDuplicateAndTypedClusterIds) {
  const std::string dir = ::testing::TempDir();
  const std::string labels = dir + "/labels.tsv", pred = dir + "/pred.jsonl";
  std::ofstream(labels) << "# comment\nx1\tS1\nx2\tS1\nx3\tS2\n7\tS2\n";
  std::ofstream(pred) << R"({"id":"x1","cluster_id":"c"})" "\n"
                      << R"({"id":"x2","cluster_id":"c"})" "\n"
                      << R"({"id":"x2","cluster_id":"other"})" "\n"
                      << R"({"id":"zz","cluster_id":"c"})" "\n"
                      << R"({"id":7,"cluster_id":5})" "\n"
                      << "garbage\n";
  auto s = ScoreFiles(labels, pred);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->missing_predictions, 1u);  // x3
  EXPECT_EQ(s->extra_predictions, 1u);    // zz
  EXPECT_EQ(s->duplicate_predictions, 1u);
  EXPECT_EQ(s->unparseable_lines, 1u);
  EXPECT_EQ(s->tp_pairs, 1u);  // x1-x2
  EXPECT_DOUBLE_EQ(s->pairwise_recall, 0.5);
  EXPECT_NE(FormatScore(*s).find("MISSING predictions 1"), std::string::npos);
}

TEST(Score, NumberAndStringClusterIdsDiffer) {
  const std::string dir = ::testing::TempDir();
  const std::string labels = dir + "/l2.tsv", pred = dir + "/p2.jsonl";
  std::ofstream(labels) << "a\tS\nb\tS\n";
  std::ofstream(pred) << R"({"id":"a","cluster_id":7})" "\n" << R"({"id":"b","cluster_id":"7"})" "\n";
  auto s = ScoreFiles(labels, pred);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tp_pairs, 0u);
}

}  // namespace
}  // namespace dedup

#include <sstream>

#include "dedup/eval/evaluate.h"
#include "dedup/eval/tune.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

TEST(Evaluate, ScoresTheSampleAndShowsErrorsSideBySide) {
  EvalOptions o;
  o.articles_path = testing::SourceDir() + "/examples/sample-articles.jsonl";
  o.labels_path = testing::SourceDir() + "/examples/sample-labels.tsv";
  o.worst = 2;
  std::ostringstream out;
  ASSERT_TRUE(RunEvaluation(Config{}, o, out).ok());
  const std::string text = out.str();
  EXPECT_NE(text.find("articles 29"), std::string::npos) << text;
  EXPECT_NE(text.find("pairwise  P"), std::string::npos);
  EXPECT_NE(text.find("false matches: "), std::string::npos);
  // The sample has cold-start misses: the first shows both texts, in two columns.
  EXPECT_NE(text.find("== MISS 1:"), std::string::npos) << text;
  EXPECT_NE(text.find(" | earlier copy: "), std::string::npos) << text;
}

TEST(Evaluate, MissingFilesAreErrors) {
  EvalOptions o;
  o.articles_path = "/nonexistent.jsonl";
  o.labels_path = "/nonexistent.tsv";
  std::ostringstream out;
  EXPECT_FALSE(RunEvaluation(Config{}, o, out).ok());
}

TEST(Tune, PrintsTheSCurveForTheConfiguredThreshold) {
  Config c;
  c.index.lsh_threshold = 0.5;
  const std::string t = FormatTuning(c);
  EXPECT_NE(t.find("LSH: 25 bands x 5 rows"), std::string::npos) << t;
  EXPECT_NE(t.find("0.50  "), std::string::npos);
  EXPECT_NE(t.find("<- lsh_threshold"), std::string::npos);
}

}  // namespace
}  // namespace dedup
