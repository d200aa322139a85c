// Per-stage costs of the engine on ~450-word articles built from the fixture stories, and the
// daemon's offset bookkeeping per message.
//
//   build/bench/engine_bench                 all stages
//   build/bench/engine_bench --benchmark_filter=Engine
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "dedup/engine/engine.h"
#include "dedup/index/lsh.h"
#include "dedup/ingest/offset_tracker.h"
#include "dedup/parse/article_json.h"
#include "dedup/sketch/minhash.h"
#include "dedup/text/document.h"
#include "dedup/text/normalize.h"
#include "dedup/text/shingle.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

// About 450 words: three fixture stories back to back.
std::string LongBody(size_t first) {
  const auto& s = testing::Stories();
  std::string body;
  for (size_t i = 0; i < 3; ++i) body += s[(first + i) % s.size()].body + "\n\n";
  return body;
}

// The same text as news sites publish it: curly quotes and apostrophes, dashes, an entity or
// two. Such text takes the full normalisation path (one non-ASCII byte or '&' is enough).
std::string TypesetBody(size_t first) {
  std::string out;
  bool open = true;
  for (char c : LongBody(first)) {
    if (c == '\'') {
      out += "\xE2\x80\x99";
    } else if (c == '"') {
      out += open ? "\xE2\x80\x9C" : "\xE2\x80\x9D";
      open = !open;
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out.push_back(c);
    }
  }
  return out + "Copyright &copy; 2026 \xE2\x80\x94 all rights reserved.\n";
}

// range(0): 0 = plain ASCII text, 1 = typeset text.
std::string BenchBody(const benchmark::State& state) {
  return state.range(0) == 0 ? LongBody(0) : TypesetBody(0);
}

// `n` different ~450-word ASCII bodies: the fixture stories' words drawn at random into lines of
// 5-60 words. A benchmark that repeats one text lets the branch predictor learn its every word
// boundary and length; a stream of real articles does not, and these bodies do not either.
std::vector<std::string> VariedBodies(size_t n) {
  std::vector<std::string> words;
  std::vector<std::string_view> tokens;
  for (const Article& a : testing::Stories()) {
    const std::string text = NormalizeText(a.body);
    Tokenize(text, tokens);
    words.insert(words.end(), tokens.begin(), tokens.end());
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> bodies(n);
  for (std::string& body : bodies) {
    for (int left = 450; left > 0;) {
      const int line = std::min<int>(left, static_cast<int>(5 + rng() % 56));
      for (int i = 0; i < line; ++i) {
        body += words[rng() % words.size()];
        body += rng() % 8 == 0 ? ", " : " ";
      }
      body += ".\n";
      left -= line;
    }
  }
  return bodies;
}

void BM_Normalize(benchmark::State& state) {
  const std::string body = BenchBody(state);
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeText(body));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetLabel(state.range(0) == 0 ? "ascii" : "typeset");
}
BENCHMARK(BM_Normalize)->Arg(0)->Arg(1);

// What the engine does with the default config (3-word shingles, folded as signature version 5
// wants; no sort).
// range(0): 0 = the ASCII body, 1 = typeset, 2 = 64 varied ASCII bodies in turn (VariedBodies).
void BM_AnalyzeAndShingle(benchmark::State& state) {
  const std::vector<std::string> bodies =
      state.range(0) == 2 ? VariedBodies(64) : std::vector<std::string>{BenchBody(state)};
  const int k = Config{}.text.shingle_words;
  Document doc;
  std::vector<uint64_t> shingles;
  size_t next = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& body = bodies[next];
    next = next + 1 == bodies.size() ? 0 : next + 1;
    AnalyzeText(body, doc);
    DistinctShingles(doc.word_hashes, k, ShingleHash::kFold, shingles);
    benchmark::DoNotOptimize(shingles.data());
    bytes += body.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetLabel(state.range(0) == 0 ? "ascii" : state.range(0) == 1 ? "typeset" : "varied");
}
BENCHMARK(BM_AnalyzeAndShingle)->Arg(0)->Arg(1)->Arg(2);

// The ~450-word article's distinct 3-word shingles from its word hashes: 0 hashes them with
// XXH3 (signature version 4), 1 folds them (version 5).
void BM_DistinctShingles(benchmark::State& state) {
  Document doc;
  AnalyzeText(LongBody(0), doc);
  const ShingleHash kind = state.range(0) == 0 ? ShingleHash::kXxh3 : ShingleHash::kFold;
  std::vector<uint64_t> shingles;
  for (auto _ : state) {
    DistinctShingles(doc.word_hashes, 3, kind, shingles);
    benchmark::DoNotOptimize(shingles.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * shingles.size()));
  state.SetLabel(state.range(0) == 0 ? "xxh3" : "fold");
}
BENCHMARK(BM_DistinctShingles)->Arg(0)->Arg(1);

// Signs the ~450-word article's shingles with `hasher`, labelled with what signs.
void SignArticle(benchmark::State& state, const MinHasher& hasher) {
  Document doc;
  AnalyzeText(LongBody(0), doc);
  std::vector<uint64_t> shingles;
  ShingleSet(doc.word_hashes, 5, ShingleHash::kXxh3, shingles);
  std::vector<uint32_t> sig(static_cast<size_t>(hasher.num_hashes()));
  for (auto _ : state) {
    hasher.Sign(shingles, sig);
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetLabel(std::string(hasher.kernel_name()) + " shingles=" +
                 std::to_string(shingles.size()));
}

void BM_MinHash(benchmark::State& state) {
  const MinHashKernel kernel = AvailableMinHashKernels()[static_cast<size_t>(state.range(0))];
  SignArticle(state, MinHasher(128, 1, kernel));
}
BENCHMARK(BM_MinHash)->DenseRange(0, static_cast<int>(AvailableMinHashKernels().size()) - 1);

// Signature version 5 ([sketch] algorithm = "oph", the default): one hash per shingle.
void BM_OnePermutation(benchmark::State& state) {
  SignArticle(state, MinHasher(128, 1, AvailableMinHashKernels().front(),
                               SketchAlgorithm::kOnePermutation));
}
BENCHMARK(BM_OnePermutation);

// LSH insert + query + remove on a window of 100,000 documents: signatures of 4,000 stories with
// 10% of their values changed per copy (25 copies of each in the window, as large stories
// have), at the default 28 bands x 2 rows and bucket cap.
void BM_LshQueryInsert(benchmark::State& state) {
  const Config config;
  LshIndex index(OptimalLshParams(config.index.lsh_threshold, config.sketch.num_hashes, 0.5, 0.5),
                 static_cast<size_t>(config.index.max_bucket_scan));
  constexpr size_t kWindow = 100000;
  std::mt19937_64 rng(3);
  std::vector<std::vector<uint16_t>> stories(4000, std::vector<uint16_t>(128));
  for (auto& s : stories) {
    for (auto& v : s) v = static_cast<uint16_t>(rng());
  }
  std::vector<std::vector<uint16_t>> sigs(kWindow);
  auto make = [&](size_t i) {
    std::vector<uint16_t> s = stories[i % stories.size()];
    for (auto& v : s) {
      if (rng() % 10 == 0) v = static_cast<uint16_t>(rng());
    }
    return s;
  };
  for (size_t i = 0; i < kWindow; ++i) {
    sigs[i] = make(i);
    index.Insert(static_cast<DocHandle>(i), sigs[i]);
  }
  std::vector<DocHandle> out;
  size_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<uint16_t> s = make(next);
    state.ResumeTiming();
    out.clear();
    index.Query(s, out);
    index.Remove(static_cast<DocHandle>(next), sigs[next]);  // the oldest leaves
    index.Insert(static_cast<DocHandle>(next), s);
    sigs[next] = std::move(s);
    next = (next + 1) % kWindow;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel("candidates=" + std::to_string(out.size()));
}
BENCHMARK(BM_LshQueryInsert);

void BM_Parse(benchmark::State& state) {
  std::string json = R"({"id":"a1","source":"S","title":"T","published_at":"2026-01-01T00:00:00Z","body":)";
  std::string body;
  for (char c : LongBody(0)) {
    if (c == '\n') body += "\\n";
    else if (c == '"') body += "\\\"";
    else body += c;
  }
  json += "\"" + body + "\"}";
  ArticleParser parser(InputConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(parser.Parse(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_Parse);

// A reprint stream for the engine benchmarks: each of the 8 fixture stories reprinted 40 times
// in a row, each copy with its own first line (so no two articles are identical), one article
// every `spacing_ms` of event time.
class ReprintStream {
 public:
  explicit ReprintStream(EventTimeMs spacing_ms) : spacing_ms_(spacing_ms) {
    for (size_t i = 0; i < testing::Stories().size(); ++i) bodies_.push_back(LongBody(i));
  }
  // Article n of the stream, into `a` (id, source, body, published_at).
  void Fill(int64_t n, Article& a) const {
    a.id = std::to_string(n);
    a.source = "Site" + std::to_string(n % 40);
    a.body = "Edition " + std::to_string(n) + " of the day\n" +
             bodies_[static_cast<size_t>(n / 40) % bodies_.size()];
    a.published_at = n * spacing_ms_;
  }

 private:
  EventTimeMs spacing_ms_;
  std::vector<std::string> bodies_;
};

// The whole engine per article, steady state: one article every 6 s, ~43,000 in the 72 h window
// (each story's copies in one cluster of thousands).
void BM_EngineProcess(benchmark::State& state) {
  auto engine = Engine::Create(Config{});
  const ReprintStream stream(6 * 1000);
  int64_t n = 0;
  Article a;
  for (auto _ : state) {
    state.PauseTiming();
    stream.Fill(n, a);
    state.ResumeTiming();
    benchmark::DoNotOptimize(engine.value()->Process(a));
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineProcess);

// What the daemon's pipeline thread does per article after the workers' analysis: the engine
// with story updates, and the decision and story JSON it produces. The stream above with article
// fields as sites send them (URL, title), one article every 1,000 s: the 72 h window holds ~260
// articles, so a story's cluster has up to 40 members and each member_added update lists them.
// 1 writes the stories as the daemon does (StoryJsonWriter: a story's earlier members' JSON
// copied), 0 writes every member of every record (AppendStoryJson).
void BM_EngineProcessWithOutputs(benchmark::State& state) {
  auto engine = Engine::Create(Config{});
  const ReprintStream stream(1000 * 1000);
  int64_t n = 0;
  Article a;
  AnalyzedArticle analyzed;
  std::vector<StoryUpdate> updates;
  std::string json;
  const Config config;
  const bool writer_reuses = state.range(0) == 1;
  StoryJsonWriter writer;
  for (auto _ : state) {
    state.PauseTiming();
    stream.Fill(n, a);
    a.id = "wire-" + std::to_string(n) + "-2026";
    a.url = "https://www.site" + std::to_string(n % 40) + ".example.com/news/2026/11/30/story-" +
            std::to_string(n);
    a.title = "Edition " + std::to_string(n / 40) + ": the story of the day, reprinted";
    AnalyzeArticle(a, config, analyzed);  // the workers' share, not timed
    state.ResumeTiming();
    absl::StatusOr<Decision> d = engine.value()->Process(a, analyzed, &updates);
    json.clear();
    AppendDecisionJson(json, *d);
    for (const StoryUpdate& u : updates) {
      json.clear();
      if (writer_reuses) {
        writer.Append(json, u);
      } else {
        AppendStoryJson(json, u);
      }
    }
    benchmark::DoNotOptimize(json.data());
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(writer_reuses ? "story_writer" : "append_story_json");
}
BENCHMARK(BM_EngineProcessWithOutputs)->Arg(0)->Arg(1);

// The daemon's offset bookkeeping per message, as the pipeline thread does it flat out: messages
// in runs of 50 from each of 32 partitions, each with a decision and a story update produced
// (Begin, Add twice, Release), the broker's acknowledgements arriving ~500 messages later, and
// the committable offsets taken every 100 messages.
void BM_OffsetTracker(benchmark::State& state) {
  OffsetTracker t;
  std::vector<uint64_t> open;  // tokens produced and not yet acknowledged, oldest first
  size_t first = 0;
  std::vector<int64_t> next(32, 0);
  uint64_t n = 0;
  for (auto _ : state) {
    const auto partition = static_cast<int32_t>((n / 50) % 32);
    const uint64_t token = t.Begin("articles", partition, next[static_cast<size_t>(partition)]++,
                                   3000);
    t.Add(token);
    t.Add(token);
    t.Release(token);
    open.push_back(token);
    if (open.size() - first > 500) {
      t.Done(open[first]);
      t.Done(open[first]);
      if (++first == 4096) {
        open.erase(open.begin(), open.begin() + static_cast<ptrdiff_t>(first));
        first = 0;
      }
    }
    if (++n % 100 == 0) benchmark::DoNotOptimize(t.TakeCommittable());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OffsetTracker);

// The article after a gap in event time longer than the window: it evicts the whole window
// (range(0) articles of the stream above, whose stories have thousands of copies each) before
// it is decided. Reports that one article's time and the story updates it produced.
void BM_WindowJump(benchmark::State& state) {
  const int64_t held = state.range(0);
  const EventTimeMs window_ms = 72 * 3600 * 1000LL;
  const ReprintStream stream(window_ms / (held + 1));
  std::vector<StoryUpdate> updates;
  Article a;
  size_t produced = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = Engine::Create(Config{});
    for (int64_t n = 0; n < held; ++n) {
      stream.Fill(n, a);
      (void)engine.value()->Process(a);  // no story updates while filling (faster set-up)
    }
    stream.Fill(held, a);
    a.published_at = *a.published_at + 2 * window_ms;
    state.ResumeTiming();
    benchmark::DoNotOptimize(engine.value()->Process(a, &updates));
    state.PauseTiming();
    produced = updates.size();
    engine->reset();  // not timed: freeing the engine
    state.ResumeTiming();
  }
  state.counters["story_updates"] = static_cast<double>(produced);
}
BENCHMARK(BM_WindowJump)->Arg(20000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dedup

BENCHMARK_MAIN();
