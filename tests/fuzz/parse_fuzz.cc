// libFuzzer target: the article parser, then the engine on whatever parses (one engine across
// inputs, capped small, so state-dependent paths are reached too).
#include <cstddef>
#include <cstdint>
#include <memory>
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
  static std::unique_ptr<dedup::Engine> engine = *dedup::Engine::Create(config);
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dedup::Article> article = parser.Parse(json);
  if (!article.ok()) {
    (void)parser.TryExtractId(json);
    return 0;
  }
  std::vector<dedup::StoryUpdate> updates;
  absl::StatusOr<dedup::Decision> d = engine->Process(*article, &updates);
  if (d.ok()) {
    std::string out;
    dedup::AppendDecisionJson(out, *d);
    for (const dedup::StoryUpdate& u : updates) dedup::AppendStoryJson(out, u);
  }
  return 0;
}
