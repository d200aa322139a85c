// libFuzzer target: the article parser, then the engine on whatever parses (one engine across
// inputs, capped small, so state-dependent paths are reached too), and its story records
// written both ways (StoryJsonWriter must match AppendStoryJson). A twin engine gets each
// article presigned (as the daemon's workers do) and must decide exactly as the first.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dedup/config/config.h"
#include "dedup/engine/engine.h"
#include "dedup/parse/article_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const dedup::Config config = [] {
    dedup::Config c;
    c.cluster.max_articles = 500;
    c.input.max_article_bytes = 1 << 20;
    return c;
  }();
  static dedup::ArticleParser parser(config.input);
  // One fixed wall clock for both engines: an event time past it plus max_future_hours is taken
  // as the clock's time, which two reads of the real clock could give differently.
  static const dedup::Engine::WallClock clock = [] { return dedup::EventTimeMs{1767225600000}; };
  static std::unique_ptr<dedup::Engine> engine = *dedup::Engine::Create(config, clock);
  static std::shared_ptr<dedup::Presigner> presigner = *dedup::Presigner::Create(config);
  static std::unique_ptr<dedup::Engine> twin = *dedup::Engine::Create(config, clock, presigner);
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dedup::Article> article = parser.Parse(json);
  if (!article.ok()) {
    (void)parser.TryExtractId(json);
    return 0;
  }
  std::vector<dedup::StoryUpdate> updates;
  absl::StatusOr<dedup::Decision> d = engine->Process(*article, &updates);
  static dedup::AnalyzedArticle analyzed;
  dedup::AnalyzeArticle(*article, config, analyzed);
  presigner->Presign(*article, analyzed);
  std::vector<dedup::StoryUpdate> twin_updates;
  absl::StatusOr<dedup::Decision> twin_d = twin->Process(*article, analyzed, &twin_updates);
  if (d.ok() != twin_d.ok() || twin_updates.size() != updates.size()) __builtin_trap();
  if (d.ok()) {
    std::string out, twin_out;
    dedup::AppendDecisionJson(out, *d);
    dedup::AppendDecisionJson(twin_out, *twin_d);
    if (out != twin_out) __builtin_trap();
    for (size_t i = 0; i < updates.size(); ++i) {
      std::string a, b;
      dedup::AppendStoryJson(a, updates[i]);
      dedup::AppendStoryJson(b, twin_updates[i]);
      if (a != b) __builtin_trap();
    }
    // The daemon's story writer (small, so it forgets too) writes what AppendStoryJson writes.
    static dedup::StoryJsonWriter writer(64 << 10);
    for (const dedup::StoryUpdate& u : updates) {
      std::string want, got;
      dedup::AppendStoryJson(want, u);
      writer.Append(got, u);
      if (got != want) __builtin_trap();
      out += got;
    }
  }
  return 0;
}
