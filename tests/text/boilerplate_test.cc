#include "dedup/text/boilerplate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

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

// A source's table holds what max_lines_per_source needs once pruned, however many lines one
// article brought (a 4 MiB article can have ~100,000), and its established lines survive.
TEST(Boilerplate, OneHugeArticleDoesNotKeepItsSourceTableLarge) {
  BoilerplateConfig cfg;
  cfg.min_articles = 2;
  cfg.max_lines_per_source = 4096;
  BoilerplateFilter f(cfg);
  const uint64_t footer = 0x5DEECE66DULL;
  for (int a = 0; a < 3; ++a) f.Learn("s", std::vector<uint64_t>{footer});
  const size_t normal = f.memory_bytes();
  std::vector<uint64_t> huge(100000);
  for (size_t i = 0; i < huge.size(); ++i) huge[i] = (i + 1) * 0x9E3779B97F4A7C15ULL;
  std::vector<char> bp(huge.size());
  f.ClassifyAndLearn("s", huge, bp);
  EXPECT_LE(f.num_lines(), 4096u);
  // 4,097 lines at most three quarters full: 8,192 slots of 8 bytes.
  EXPECT_LE(f.memory_bytes(), 8192u * 8u);
  EXPECT_GE(f.memory_bytes(), normal);
  EXPECT_EQ(Classify(f, "s", {footer}), (std::vector<char>{1}));
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

// The documented rules, written plainly (a map a source, pruned and evicted as the header
// says), against the filter over a long stream: tables grown many times, pruned, rebuilt and
// sources forgotten. Line hashes are well mixed 64-bit values, as the text analysis gives.
class ModelFilter {
 public:
  explicit ModelFilter(const BoilerplateConfig& c) : c_(c) {}
  std::vector<char> ClassifyAndLearn(const std::string& source,
                                     const std::vector<uint64_t>& lines) {
    Table& t = sources_[source];
    t.last_used = ++clock_;
    std::vector<char> out(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto it = t.counts.find(lines[i]);
      out[i] = it != t.counts.end() && it->second >= static_cast<uint32_t>(c_.min_articles);
    }
    // Each distinct line counted once, in the order of first occurrence; before each count
    // the table grows (doubling from 16 slots) if one more line would fill it past 3/4.
    std::set<uint64_t> seen;
    for (const uint64_t h : lines) {
      if (!seen.insert(h).second) continue;
      if (4 * (t.counts.size() + 1) > 3 * t.slots) t.slots = SlotsFor(t.counts.size() + 1);
      ++t.counts[h];
    }
    const auto cap = static_cast<size_t>(c_.max_lines_per_source);
    if (t.counts.size() > cap) {
      std::erase_if(t.counts, [](const auto& kv) { return kv.second <= 1; });
      while (t.counts.size() > cap - cap / 4) {
        for (auto& kv : t.counts) kv.second /= 2;
        std::erase_if(t.counts, [](const auto& kv) { return kv.second == 0; });
      }
      t.slots = SlotsFor(cap + 1);  // the slots cap + 1 lines need, and no more
    }
    if (sources_.size() > static_cast<size_t>(c_.max_sources)) {
      std::vector<uint64_t> stamps;
      for (const auto& kv : sources_) stamps.push_back(kv.second.last_used);
      std::sort(stamps.begin(), stamps.end());
      const uint64_t cutoff = stamps[std::max<size_t>(1, sources_.size() / 10) - 1];
      std::erase_if(sources_, [&](const auto& kv) { return kv.second.last_used <= cutoff; });
    }
    return out;
  }
  size_t num_lines() const {
    size_t n = 0;
    for (const auto& kv : sources_) n += kv.second.counts.size();
    return n;
  }
  size_t memory_bytes() const {  // 8 bytes a slot
    size_t n = 0;
    for (const auto& kv : sources_) n += 8 * kv.second.slots;
    return n;
  }

 private:
  struct Table {
    std::map<uint64_t, uint32_t> counts;
    size_t slots = 0;
    uint64_t last_used = 0;
  };
  static size_t SlotsFor(size_t lines) {
    size_t slots = 16;
    while (4 * lines > 3 * slots) slots *= 2;
    return slots;
  }
  BoilerplateConfig c_;
  std::map<std::string, Table> sources_;
  uint64_t clock_ = 0;
};

TEST(Boilerplate, FollowsTheDocumentedRulesOverALongStream) {
  BoilerplateConfig cfg;
  cfg.min_articles = 3;
  cfg.max_lines_per_source = 700;
  cfg.max_sources = 5;
  BoilerplateFilter filter(cfg);
  ModelFilter model(cfg);
  std::mt19937_64 rng(17);
  // Each source has a small set of recurring lines (its boilerplate) among fresh ones.
  const auto line = [](int source, uint64_t n) {
    return (static_cast<uint64_t>(source) * 0x9E3779B97F4A7C15ULL + n) * 0xD6E8FEB86659FD93ULL;
  };
  size_t boilerplate_seen = 0;
  for (int a = 0; a < 6000; ++a) {
    // Four busy sources (their tables outgrow the cap and are pruned) and, one article in ten,
    // one of thirty rare ones (past five sources, the least recently seen are forgotten).
    const int s = static_cast<int>(rng() % 10 == 0 ? 4 + rng() % 30 : rng() % 4);
    std::vector<uint64_t> lines(1 + rng() % 40);
    for (uint64_t& h : lines) h = rng() % 4 == 0 ? line(s, rng() % 25) : rng();
    std::vector<char> got(lines.size(), 7);
    filter.ClassifyAndLearn("s" + std::to_string(s), lines, got);
    ASSERT_EQ(got, model.ClassifyAndLearn("s" + std::to_string(s), lines)) << "article " << a;
    ASSERT_EQ(filter.num_lines(), model.num_lines()) << "article " << a;
    ASSERT_EQ(filter.memory_bytes(), model.memory_bytes()) << "article " << a;
    boilerplate_seen += static_cast<size_t>(std::count(got.begin(), got.end(), 1));
  }
  EXPECT_GT(boilerplate_seen, 5000u);  // the comparison covered lines found to be boilerplate
}

}  // namespace
}  // namespace dedup
