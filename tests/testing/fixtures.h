// Test fixtures: the project's own stories (tests/fixtures/stories.jsonl) and helpers that turn
// them into reprints the way news sites do: site boilerplate around them, truncation, edits.
#ifndef DEDUP_TESTS_TESTING_FIXTURES_H_
#define DEDUP_TESTS_TESTING_FIXTURES_H_

#include <string>
#include <string_view>
#include <vector>

#include "dedup/engine/article.h"

namespace dedup::testing {

// The source tree (env DEDUP_SOURCE_DIR, else the path compiled in) and its tests/fixtures.
std::string SourceDir();
std::string FixtureDir();
// The dedupd binary (env DEDUP_BINARY, else the path compiled in).
std::string BinaryPath();

// The stories in tests/fixtures/stories.jsonl, in file order (id = story name).
const std::vector<Article>& Stories();
const Article& Story(std::string_view id);

// A site's boilerplate: header lines above the story, footer lines below.
struct Site {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::string> footer;
};
// A site whose footer alone is `footer_words` words long.
Site MakeSite(std::string_view name, int footer_words);

// `body` wrapped in the site's header and footer.
std::string Wrap(const Site& site, std::string_view body);
// The first `paragraphs` paragraphs of `body` (paragraphs are separated by a blank line).
std::string FirstParagraphs(std::string_view body, int paragraphs);

// One input line: {"id","source","title"?,"body","published_at"} as JSON.
std::string ArticleJsonLine(std::string_view id, std::string_view source, std::string_view body,
                            std::string_view published_at, std::string_view title = "");

Article MakeArticle(std::string id, std::string source, std::string body,
                    EventTimeMs published_at);

inline constexpr EventTimeMs kHour = 3600 * 1000;

// A feed of `n` articles, as a live stream brings them: Stories() published by a wire and
// reprinted by six sites (each with its boilerplate, some copies cut short, some pages echoing
// their own headline or listing recent headlines under "Most read"), every 5 minutes of event
// time (so a long feed leaves the default window). Titles are "<story title> - <site>".
// Deterministic for a seed.
std::vector<Article> ReprintFeed(int n, unsigned seed);

}  // namespace dedup::testing

#endif  // DEDUP_TESTS_TESTING_FIXTURES_H_
