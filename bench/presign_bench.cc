// presign_bench FILE [LAG ...]: what signing ahead on a guess (engine/analyze.h) gains and costs,
// on one thread, with the daemon's split of the work.
//
// For each LAG (default 0 64 512): the articles of FILE (JSON lines) are analysed and presigned
// LAG articles ahead of the engine (as the daemon's workers run ahead of its pipeline thread),
// then decided. Prints the guess's hit rate, the mean time an article of AnalyzeArticle and of
// Presign (the workers' share) and of Engine::Process (the pipeline thread's share), against
// the same engine without a presigner at the same lag (analyses made that far ahead are cold in
// the cache either way): medians of 5 rounds, each round running every configuration once (this
// machine's speed drifts from minute to minute). The decisions are compared too: any
// difference is an error (exit status 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <string>
#include <vector>

#include "dedup/engine/engine.h"
#include "dedup/parse/article_json.h"

namespace {

using Clock = std::chrono::steady_clock;
double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Item {
  dedup::Article article;
  dedup::AnalyzedArticle analyzed;
};

struct Run {
  double analyze_us = 0, presign_us = 0, engine_us = 0;
  uint64_t used = 0, redone = 0;
  std::vector<std::string> decisions;
};

Run RunOnce(const std::vector<dedup::Article>& articles, const dedup::Config& config, long lag,
            bool presign) {
  std::shared_ptr<dedup::Presigner> presigner;
  if (presign) presigner = *dedup::Presigner::Create(config);
  auto engine = *dedup::Engine::Create(config, nullptr, presigner);
  Run r;
  std::deque<Item> ahead;
  std::vector<Item> spare;
  dedup::Decision d;
  const auto decide = [&] {
    Item& it = ahead.front();
    const auto t0 = Clock::now();
    const absl::Status st = engine->ProcessInto(it.article, it.analyzed, nullptr, d);
    r.engine_us += Us(Clock::now() - t0);
    r.decisions.push_back(st.ok() ? d.id + " " + d.cluster_id + " " + d.matched_id
                                  : std::string(st.message()));
    spare.push_back(std::move(it));
    ahead.pop_front();
  };
  for (const dedup::Article& a : articles) {
    Item it;
    if (!spare.empty()) {
      it = std::move(spare.back());
      spare.pop_back();
    }
    it.article = a;
    const auto t0 = Clock::now();
    dedup::AnalyzeArticle(it.article, config, it.analyzed);
    const auto t1 = Clock::now();
    if (presigner != nullptr) presigner->Presign(it.article, it.analyzed);
    r.analyze_us += Us(t1 - t0);
    r.presign_us += Us(Clock::now() - t1);
    ahead.push_back(std::move(it));
    while (static_cast<long>(ahead.size()) > lag) decide();
  }
  while (!ahead.empty()) decide();
  const dedup::EngineStats s = engine->stats();
  r.used = s.presigned_used;
  r.redone = s.presigned_redone;
  const double n = static_cast<double>(articles.size());
  r.analyze_us /= n;
  r.presign_us /= n;
  r.engine_us /= n;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: presign_bench FILE.jsonl [LAG ...]\n");
    return 2;
  }
  dedup::Config config;
  dedup::ArticleParser parser(config.input);
  std::vector<dedup::Article> articles;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {
    dedup::Article a;
    if (parser.ParseInto(line, a).ok()) articles.push_back(std::move(a));
  }
  if (articles.empty()) {
    std::fprintf(stderr, "presign_bench: no articles in %s\n", argv[1]);
    return 2;
  }
  std::vector<long> lags;
  for (int i = 2; i < argc; ++i) {
    char* end = nullptr;
    const long lag = std::strtol(argv[i], &end, 10);
    if (end == argv[i] || *end != '\0' || lag < 0) {
      std::fprintf(stderr, "presign_bench: a lag is a number of articles >= 0, not %s\n", argv[i]);
      return 2;
    }
    lags.push_back(lag);
  }
  if (lags.empty()) lags = {0, 64, 512};
  // Round by round: every configuration once a round; for each lag, without then with.
  constexpr int kRounds = 5;
  std::vector<std::vector<Run>> without(lags.size()), with(lags.size());
  for (int round = 0; round < kRounds; ++round) {
    for (size_t l = 0; l < lags.size(); ++l) {
      without[l].push_back(RunOnce(articles, config, lags[l], false));
      with[l].push_back(RunOnce(articles, config, lags[l], true));
    }
  }
  const auto median = [](std::vector<Run>& rs, double Run::*field) {
    std::vector<double> v;
    for (const Run& r : rs) v.push_back(r.*field);
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  std::printf("articles=%zu, medians of %d rounds\n", articles.size(), kRounds);
  int status = 0;
  for (size_t l = 0; l < lags.size(); ++l) {
    const Run& r = with[l][0];
    const double base = median(without[l], &Run::engine_us);
    const double engine_us = median(with[l], &Run::engine_us);
    bool same = true;
    for (const Run& each : with[l]) same &= each.decisions == without[0][0].decisions;
    for (const Run& each : without[l]) same &= each.decisions == without[0][0].decisions;
    std::printf("lag=%ld: hit=%.4f (used %lu, redone %lu) analyze_us=%.2f presign_us=%.2f "
                "engine_us=%.2f against %.2f without a presigner (%.2fx) decisions %s\n",
                lags[l], static_cast<double>(r.used) / static_cast<double>(r.used + r.redone),
                static_cast<unsigned long>(r.used), static_cast<unsigned long>(r.redone),
                median(with[l], &Run::analyze_us), median(with[l], &Run::presign_us), engine_us,
                base, engine_us / base, same ? "identical" : "DIFFER");
    if (!same) status = 1;
  }
  return status;
}
