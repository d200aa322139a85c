#include "testing/fixtures.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "dedup/base/json_writer.h"
#include "dedup/config/config.h"
#include "dedup/parse/article_json.h"

namespace dedup::testing {
namespace {
[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "fixtures: %s\n", msg.c_str());
  std::abort();
}
}  // namespace

std::string SourceDir() {
  const char* d = std::getenv("DEDUP_SOURCE_DIR");
  return d != nullptr ? d : DEDUP_SOURCE_DIR;
}

std::string BinaryPath() {
  const char* b = std::getenv("DEDUP_BINARY");
  return b != nullptr ? b : DEDUP_BINARY_PATH;
}

std::string FixtureDir() {
  return SourceDir() + "/tests/fixtures";
}

const std::vector<Article>& Stories() {
  static const std::vector<Article>* stories = [] {
    auto* v = new std::vector<Article>();
    std::ifstream in(FixtureDir() + "/stories.jsonl");
    if (!in) Die("cannot open " + FixtureDir() + "/stories.jsonl");
    ArticleParser parser(InputConfig{});
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto a = parser.Parse(line);
      if (!a.ok()) Die("bad fixture line: " + std::string(a.status().message()));
      v->push_back(*a);
    }
    return v;
  }();
  return *stories;
}

const Article& Story(std::string_view id) {
  for (const Article& a : Stories()) {
    if (a.id == id) return a;
  }
  Die("no fixture story " + std::string(id));
}

Site MakeSite(std::string_view name, int footer_words) {
  Site s;
  s.name = std::string(name);
  s.header = {std::string(name), "Home | World | Business | Sport | Weather | Opinion",
              "Subscribe | Log in | Newsletters", "Latest news"};
  static const char* kFooterWords[] = {
      "this",     "material", "may",       "not",        "be",       "published", "broadcast",
      "rewritten", "or",      "redistributed", "without", "written",  "permission", "from",
      "the",      "editors",  "of",        "our",        "network",  "all",       "content",
      "remains",  "property", "its",       "owners",     "and",      "licensors", "privacy",
      "terms",    "cookies",  "advertise", "contact",    "careers",  "archive"};
  // A pseudo-random word sequence seeded by the name: every site has its own footer, and
  // its 5-word shingles do not repeat.
  uint64_t state = 1469598103934665603ULL;
  for (char c : name) state = (state ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  constexpr size_t kNumWords = sizeof(kFooterWords) / sizeof(kFooterWords[0]);
  std::string footer = "Copyright " + std::string(name) + ".";
  for (int i = 0; i < footer_words; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    footer += " ";
    footer += kFooterWords[(state >> 33) % kNumWords];
  }
  s.footer = {"Related Links", "More news at " + std::string(name), footer};
  return s;
}

std::string Wrap(const Site& site, std::string_view body) {
  std::string out;
  for (const auto& l : site.header) out += l + "\n";
  out += body;
  out += "\n";
  for (const auto& l : site.footer) out += l + "\n";
  return out;
}

std::string FirstParagraphs(std::string_view body, int paragraphs) {
  size_t pos = 0;
  for (int i = 0; i < paragraphs; ++i) {
    const size_t next = body.find("\n\n", pos);
    if (next == std::string_view::npos) return std::string(body);
    pos = next + 2;
  }
  return std::string(body.substr(0, pos - 2));
}

std::string ArticleJsonLine(std::string_view id, std::string_view source, std::string_view body,
                            std::string_view published_at, std::string_view title) {
  std::string out = "{\"id\":";
  AppendJsonString(out, id);
  out += ",\"source\":";
  AppendJsonString(out, source);
  if (!title.empty()) {
    out += ",\"title\":";
    AppendJsonString(out, title);
  }
  out += ",\"body\":";
  AppendJsonString(out, body);
  out += ",\"published_at\":";
  AppendJsonString(out, published_at);
  out += "}";
  return out;
}

Article MakeArticle(std::string id, std::string source, std::string body,
                    EventTimeMs published_at) {
  Article a;
  a.id = std::move(id);
  a.source = std::move(source);
  a.body = std::move(body);
  a.published_at = published_at;
  return a;
}

std::vector<Article> ReprintFeed(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Site> sites;
  for (const char* name : {"Port Gazette", "Valley Courier", "Metro Ledger", "Coast Post",
                           "Hill Tribune", "River Herald"}) {
    sites.push_back(MakeSite(name, 30 + static_cast<int>(sites.size()) * 10));
  }
  const std::vector<Article>& stories = Stories();
  std::vector<std::string> recent_titles;  // the newest last
  std::vector<Article> feed;
  for (int i = 0; i < n; ++i) {
    const Article& story = stories[rng() % stories.size()];
    const bool wire = rng() % 4 == 0;
    const Site& site = sites[rng() % sites.size()];
    const std::string source = wire ? "Wire" : site.name;
    std::string text = rng() % 3 == 0 ? FirstParagraphs(story.body, 1 + rng() % 3) : story.body;
    if (!wire) {
      std::string above;
      if (rng() % 2 == 0) above += story.title + "\n";  // the page's own headline
      if (rng() % 2 == 0 && !recent_titles.empty()) {
        above += "Most read\n";
        for (size_t k = 0; k < 4 && k < recent_titles.size(); ++k) {
          above += recent_titles[recent_titles.size() - 1 - (rng() % recent_titles.size())] + "\n";
        }
      }
      text = Wrap(site, above + text);
    }
    Article a = MakeArticle("feed-" + std::to_string(i), source, std::move(text),
                            static_cast<EventTimeMs>(i) * kHour / 12);
    a.title = story.title + " - " + source;
    recent_titles.push_back(story.title);
    feed.push_back(std::move(a));
  }
  return feed;
}

}  // namespace dedup::testing
