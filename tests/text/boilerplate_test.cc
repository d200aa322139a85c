#include "dedup/text/boilerplate.h"

#include <gtest/gtest.h>

#include <random>

namespace dedup {
namespace {

std::vector<char> Classify(const BoilerplateFilter& f, std::string_view source,
                           const std::vector<uint64_t>& lines) {
  std::vector<char> out(lines.size());
  f.Classify(source, lines, out);
  return out;
}

TEST(Boilerplate, ColdStartFiltersNothingThenLearnsPerSource) {
  BoilerplateConfig cfg;
  cfg.min_articles = 2;
  BoilerplateFilter f(cfg);
  const uint64_t footer = 1001, header = 1002;
  EXPECT_EQ(Classify(f, "site", {header, 1, footer}), (std::vector<char>{0, 0, 0}));
  f.Learn("site", std::vector<uint64_t>{header, 1, footer});
  EXPECT_EQ(Classify(f, "site", {header, 2, footer}), (std::vector<char>{0, 0, 0}));
  f.Learn("site", std::vector<uint64_t>{header, 2, footer});
  // Seen in two earlier articles: boilerplate from the third article on.
  EXPECT_EQ(Classify(f, "site", {header, 3, footer}), (std::vector<char>{1, 0, 1}));
  // Another source has learned nothing.
  EXPECT_EQ(Classify(f, "other", {header, 3, footer}), (std::vector<char>{0, 0, 0}));
}

TEST(Boilerplate, RepeatedLineWithinOneArticleCountsOnce) {
  BoilerplateConfig cfg;
  cfg.min_articles = 2;
  BoilerplateFilter f(cfg);
  f.Learn("s", std::vector<uint64_t>{7, 7, 7});
  EXPECT_EQ(Classify(f, "s", {7}), (std::vector<char>{0}));
}

TEST(Boilerplate, DisabledFiltersNothing) {
  BoilerplateConfig cfg;
  cfg.enabled = false;
  cfg.min_articles = 1;
  BoilerplateFilter f(cfg);
  f.Learn("s", std::vector<uint64_t>{7});
  f.Learn("s", std::vector<uint64_t>{7});
  EXPECT_EQ(Classify(f, "s", {7}), (std::vector<char>{0}));
}

TEST(Boilerplate, MemoryStaysBoundedAndEstablishedLinesSurvive) {
  BoilerplateConfig cfg;
  cfg.min_articles = 2;
  cfg.max_lines_per_source = 64;
  cfg.max_sources = 10;
  BoilerplateFilter f(cfg);
  const uint64_t footer = 42;
  for (uint64_t i = 0; i < 5000; ++i) {
    f.Learn("s", std::vector<uint64_t>{footer, 100000 + i * 3, 100001 + i * 3, 100002 + i * 3});
    ASSERT_LE(f.num_lines(), 64u + 4u);
  }
  EXPECT_EQ(Classify(f, "s", {footer}), (std::vector<char>{1}));
  for (int s = 0; s < 100; ++s) {
    f.Learn("source-" + std::to_string(s), std::vector<uint64_t>{1, 2});
    ASSERT_LE(f.num_sources(), 11u);
  }
}

// The fused form gives what Classify then Learn give, article after article: repeated lines
// (a few and many in one article), several sources, tables pruned, sources evicted.
TEST(Boilerplate, ClassifyAndLearnEqualsClassifyThenLearn) {
  BoilerplateConfig cfg;
  cfg.min_articles = 3;
  cfg.max_lines_per_source = 200;
  cfg.max_sources = 6;
  BoilerplateFilter separate(cfg), fused(cfg);
  std::mt19937 rng(9);
  for (int a = 0; a < 4000; ++a) {
    const std::string source = "s" + std::to_string(rng() % 8);
    std::vector<uint64_t> lines(rng() % 2 == 0 ? rng() % 12 : rng() % 120);
    for (uint64_t& h : lines) h = rng() % 3 == 0 ? rng() % 20 : rng() % 600;
    std::vector<char> want(lines.size()), got(lines.size(), 7);
    separate.Classify(source, lines, want);
    if (!lines.empty()) separate.Learn(source, lines);
    fused.ClassifyAndLearn(source, lines, got);
    ASSERT_EQ(got, want) << "article " << a;
    ASSERT_EQ(fused.num_lines(), separate.num_lines()) << "article " << a;
    ASSERT_EQ(fused.num_sources(), separate.num_sources()) << "article " << a;
  }
}

}  // namespace
}  // namespace dedup
