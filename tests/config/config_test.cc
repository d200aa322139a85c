#include "dedup/config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testing/fixtures.h"

namespace dedup {
namespace {

std::string Error(std::string_view toml) {
  auto c = ParseConfig(toml, "test.toml");
  EXPECT_FALSE(c.ok()) << toml;
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(Config, EmptyTextGivesDefaults) {
  auto c = ParseConfig("", "empty");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->text.shingle_words, 3);
  EXPECT_EQ(c->sketch.num_hashes, 128);
  EXPECT_EQ(c->cluster.canonical_policy, CanonicalPolicy::kEarliest);
  EXPECT_DOUBLE_EQ(c->cluster.window_hours, 72.0);
}

TEST(Config, ReadsValues) {
  auto c = ParseConfig(R"(
[text]
shingle_words = 3
[match]
jaccard_threshold = 0.6
containment_threshold = 1
[cluster]
canonical_policy = "source_priority"
source_priority = ["Wire", "BBC News"]
window_hours = 24.5
max_story_members = 50
max_future_hours = 0.5
)", "t");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->text.shingle_words, 3);
  EXPECT_DOUBLE_EQ(c->match.jaccard_threshold, 0.6);
  EXPECT_DOUBLE_EQ(c->match.containment_threshold, 1.0);
  EXPECT_EQ(c->cluster.canonical_policy, CanonicalPolicy::kSourcePriority);
  EXPECT_EQ(c->cluster.source_priority.size(), 2u);
  EXPECT_DOUBLE_EQ(c->cluster.window_hours, 24.5);
  EXPECT_EQ(c->cluster.max_story_members, 50);
  EXPECT_DOUBLE_EQ(c->cluster.max_future_hours, 0.5);
}

TEST(Config, RefusesUnknownKeyNamingIt) {
  const std::string e = Error("[text]\nshingle_wrods = 4\n");
  EXPECT_NE(e.find("text.shingle_wrods"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("test.toml:2"), std::string::npos) << e;
}

TEST(Config, RefusesUnknownSectionAndTopLevelKey) {
  EXPECT_NE(Error("[textt]\n").find("[textt]: unknown section"), std::string::npos);
  EXPECT_NE(Error("shingle_words = 4\n").find("shingle_words: unknown top-level key"),
            std::string::npos);
}

TEST(Config, RefusesOutOfRangeValueNamingKeyAndValue) {
  const std::string e = Error("[match]\njaccard_threshold = 1.5\n");
  EXPECT_NE(e.find("match.jaccard_threshold"), std::string::npos) << e;
  EXPECT_NE(e.find("1.5"), std::string::npos) << e;
  const std::string m = Error("[cluster]\nmax_story_members = 0\n");
  EXPECT_NE(m.find("cluster.max_story_members: must be between 1 and 1000000 (got 0)"),
            std::string::npos)
      << m;
  const std::string f = Error("[cluster]\nmax_future_hours = -2\n");
  EXPECT_NE(f.find("cluster.max_future_hours: must be between 0 and 87600 (got -2)"),
            std::string::npos)
      << f;
}

TEST(Config, RefusesWrongType) {
  const std::string e = Error("[text]\nshingle_words = \"five\"\n");
  EXPECT_NE(e.find("text.shingle_words: expected an integer, got a string"), std::string::npos)
      << e;
}

TEST(Config, RefusesBadChoices) {
  EXPECT_NE(Error("[cluster]\ncanonical_policy = \"newest\"\n").find("must be one of"),
            std::string::npos);
  EXPECT_NE(Error("[log]\nlevel = \"loud\"\n").find("log.level"), std::string::npos);
  EXPECT_NE(Error("[sketch]\nnum_hashes = 100\n").find("multiple of 8"), std::string::npos);
}

TEST(Config, SourcePriorityPolicyNeedsAList) {
  EXPECT_NE(Error("[cluster]\ncanonical_policy = \"source_priority\"\n")
                .find("cluster.source_priority"),
            std::string::npos);
}

TEST(Config, ReportsSyntaxErrorsWithLine) {
  const std::string e = Error("[text]\nshingle_words = = 3\n");
  EXPECT_NE(e.find("test.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("TOML syntax error"), std::string::npos) << e;
}

// Texts on which Debian 12's toml++ reaches undefined behaviour (it asks whether a character in
// U+00A1..U+0499 is whitespace) are refused before it parses them; non-ASCII text where TOML
// allows it still parses.
TEST(Config, RefusesTextsTheTomlParserMisreadsAndKeepsUnicodeInStringsAndComments) {
  // Found by the config fuzzer: U+03A0 inside a table header.
  std::string e = Error("[kafka]\nbrokers = \"b:9092\"\n[kafka\xCE\xA0onsumer]\n");
  EXPECT_NE(e.find("test.toml:3: TOML syntax error: a non-ASCII character outside a string"),
            std::string::npos) << e;
  e = Error("\xCC\xAA");  // upstream issue 295
  EXPECT_NE(e.find("test.toml:1:"), std::string::npos) << e;
  e = Error("[cluster]\ncanonical_policy = \"\"\"\\\n  \xC2\xA7\"\"\"\n");  // issue 190
  EXPECT_NE(e.find("test.toml:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("after a line-ending backslash"), std::string::npos) << e;
  e = Error("[cluster]\ncanonical_policy = \"\"\"\\\xC3\xA9\"\"\"\n");
  EXPECT_NE(e.find("after a backslash"), std::string::npos) << e;
  // Found by the config fuzzer: quotes glued to a bare value are part of it to toml++, which
  // then asks whether U+FEF7 is whitespace.
  for (const char* glued : {"brokers = 93\"mi5b\xEF\xBB\xB7s\" = 10\n", "brokers = 1.'\xC3\xA9'\n",
                            "brokers = true\"\"\"\xC3\xA9\"\"\"\n", "brokers=[1,2\"\xC3\xA9\"]\n",
                            "brokers = {a = 1\"\xC3\xA9\"}\n", "brokers = 1=\"\xC3\xA9\"\n",
                            "brokers = 1979-05-27 07:32:00\"\xC3\xA9\"\n"}) {
    e = Error(std::string("[kafka]\n") + glued);
    EXPECT_NE(e.find("test.toml:2: TOML syntax error: a non-ASCII character outside a string"),
              std::string::npos) << glued << ": " << e;
  }
  static constexpr char kWithNul[] = "[kafka]\nbrokers = 93\"mi5\0b\xEF\xBB\xB7s\" = 10\n";
  e = Error(std::string_view(kWithNul, sizeof kWithNul - 1));
  EXPECT_NE(e.find("test.toml:2:"), std::string::npos) << e;
  // Where a string may start, it is one, however compactly written.
  for (const char* ok : {"[kafka]\ngroup_id=\"d\xC3\xA9\"\n", "kafka.group_id='d\xC3\xA9'\n",
                         "[cluster]\nsource_priority=[\"\xC3\xA9\",'\xC3\xA9',\"\"\"\xC3\xA9\"\"\"]\n",
                         "[cluster]\nsource_priority = [ # a \"quoted\" comment\n"
                         "  \"\xC3\xA9\", # \xC3\xA9\n  '\xC3\xA9'\n]\n",
                         "[\"kafka\"]\n\"group_id\" = \"\xC3\xA9\"\n",
                         "kafka = {group_id=\"\xC3\xA9\",brokers = \"h:9092\"}\n"}) {
    auto parsed = ParseConfig(ok, "test.toml");
    EXPECT_TRUE(parsed.ok()) << ok << ": " << parsed.status();
  }

  auto c = ParseConfig(
      "# Quellen \xE2\x86\x92 Priorit\xC3\xA4t\n"
      "[cluster]\n"
      "canonical_policy = 'source_priority' # \xC3\xA9\n"
      "source_priority = [\"S\xC3\xBC\x64\x64" "eutsche\", 'Le Monde \xC3\xA9" "dition', "
      "\"\"\"\xCE\xA0\"\"\", '''\xCE\xA3''']\n"
      "[kafka]\n"
      "group_id = \"d\xC3\xA9" "dup\"\n",
      "test.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cluster.source_priority,
            (std::vector<std::string>{"S\xC3\xBC\x64\x64" "eutsche", "Le Monde \xC3\xA9" "dition",
                                      "\xCE\xA0", "\xCE\xA3"}));
}

TEST(Config, ExampleFileParsesToDefaults) {
  const std::string path = testing::SourceDir() + "/config/dedupd.toml";
  auto c = LoadConfigFile(path);
  ASSERT_TRUE(c.ok()) << c.status();
  const Config d;
  EXPECT_EQ(c->text.shingle_words, d.text.shingle_words);
  EXPECT_EQ(c->boilerplate.min_articles, d.boilerplate.min_articles);
  EXPECT_EQ(c->boilerplate.max_lines_per_source, d.boilerplate.max_lines_per_source);
  EXPECT_EQ(c->boilerplate.headline_lines, d.boilerplate.headline_lines);
  EXPECT_EQ(c->boilerplate.max_headlines, d.boilerplate.max_headlines);
  EXPECT_EQ(c->sketch.num_hashes, d.sketch.num_hashes);
  EXPECT_EQ(c->sketch.seed, d.sketch.seed);
  EXPECT_DOUBLE_EQ(c->index.lsh_threshold, d.index.lsh_threshold);
  EXPECT_EQ(c->index.max_candidates, d.index.max_candidates);
  EXPECT_EQ(c->index.max_bucket_scan, d.index.max_bucket_scan);
  EXPECT_DOUBLE_EQ(c->match.jaccard_threshold, d.match.jaccard_threshold);
  EXPECT_DOUBLE_EQ(c->match.containment_threshold, d.match.containment_threshold);
  EXPECT_EQ(c->match.min_containment_shingles, d.match.min_containment_shingles);
  EXPECT_DOUBLE_EQ(c->match.min_containment_jaccard, d.match.min_containment_jaccard);
  EXPECT_EQ(c->match.min_lead_overlap, d.match.min_lead_overlap);
  EXPECT_DOUBLE_EQ(c->match.number_containment_threshold, d.match.number_containment_threshold);
  EXPECT_EQ(c->match.min_numbers, d.match.min_numbers);
  EXPECT_DOUBLE_EQ(c->cluster.window_hours, d.cluster.window_hours);
  EXPECT_EQ(c->cluster.max_articles, d.cluster.max_articles);
  EXPECT_EQ(c->cluster.max_story_members, d.cluster.max_story_members);
  EXPECT_EQ(c->input.max_article_bytes, d.input.max_article_bytes);
  EXPECT_EQ(c->http.listen, d.http.listen);
  // Every setting that needs a restart is at its default too.
  EXPECT_EQ(RestartRequiredChanges(d, *c), std::vector<std::string>{});
}

TEST(Config, PresignIsASwitchThatNeedsARestart) {
  auto off = ParseConfig("[daemon]\npresign = false\n", "test.toml");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->daemon.presign);
  EXPECT_TRUE(Config{}.daemon.presign);
  EXPECT_EQ(RestartRequiredChanges(Config{}, *off), std::vector<std::string>{"daemon.presign"});
  auto bad = ParseConfig("[daemon]\npresign = 1\n", "test.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("daemon.presign"), std::string_view::npos)
      << bad.status();
}

TEST(Config, KafkaPropertiesPassThroughWithDottedOrQuotedNames) {
  auto c = ParseConfig(R"(
[kafka]
brokers = "b1:9092,b2:9092"
input_topics = ["a", "b"]
[kafka.consumer]
session.timeout.ms = 6000
"fetch.wait.max.ms" = 50
enable.partition.eof = false
[kafka.producer]
compression.type = "zstd"
)", "t");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kafka.brokers, "b1:9092,b2:9092");
  EXPECT_EQ(c->kafka.input_topics, (std::vector<std::string>{"a", "b"}));
  using P = std::vector<std::pair<std::string, std::string>>;
  P consumer = c->kafka.consumer_properties;
  std::sort(consumer.begin(), consumer.end());
  EXPECT_EQ(consumer, (P{{"enable.partition.eof", "false"},
                         {"fetch.wait.max.ms", "50"},
                         {"session.timeout.ms", "6000"}}));
  EXPECT_EQ(c->kafka.producer_properties, (P{{"compression.type", "zstd"}}));
}

TEST(Config, RefusesEmptyTopicList) {
  EXPECT_NE(Error("[kafka]\ninput_topics = []\n").find("kafka.input_topics"), std::string::npos);
}

TEST(Config, HttpListenIsValidated) {
  auto c = ParseConfig("[http]\nlisten = \"[::1]:0\"\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->http.listen, "[::1]:0");
  EXPECT_TRUE(ParseConfig("[http]\nlisten = \"\"\n", "t.toml").ok());
  EXPECT_TRUE(ParseConfig("[http]\nlisten = \":9464\"\n", "t.toml").ok());
  const std::string e = Error("[http]\nlisten = \"localhost\"\n");
  EXPECT_NE(e.find("http.listen"), std::string::npos) << e;
  EXPECT_NE(e.find("host:port"), std::string::npos) << e;
  EXPECT_NE(Error("[http]\nlisten = \"127.0.0.1:70000\"\n").find("0-65535"), std::string::npos);
}

TEST(Config, ReloadableChangesNeedNoRestart) {
  auto next = ParseConfig(
      "[match]\njaccard_threshold = 0.7\n[cluster]\nwindow_hours = 24.0\n"
      "canonical_policy = \"longest\"\n[log]\nlevel = \"debug\"\n"
      "[index]\nmax_candidates = 50\n[daemon]\nmax_inflight_messages = 10\n",
      "t.toml");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(RestartRequiredChanges(Config{}, *next), std::vector<std::string>{});
  std::vector<std::string> changed;
  for (const ConfigChange& c : DiffConfigs(Config{}, *next)) {
    EXPECT_FALSE(c.needs_restart) << c.key;
    changed.push_back(c.key);
  }
  EXPECT_EQ(changed, (std::vector<std::string>{"index.max_candidates", "match.jaccard_threshold",
                                               "cluster.canonical_policy", "cluster.window_hours",
                                               "daemon.max_inflight_messages", "log.level"}));
}

TEST(Config, RestartRequiredChangesNameEachKey) {
  auto next = ParseConfig(
      "[kafka]\nbrokers = \"other:9092\"\ninput_topics = [\"a\", \"b\"]\n"
      "[kafka.consumer]\n\"fetch.min.bytes\" = 10\n"
      "[sketch]\nnum_hashes = 64\n[index]\nlsh_threshold = 0.3\n[http]\nlisten = \"\"\n"
      "[match]\njaccard_threshold = 0.7\n",
      "t.toml");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(RestartRequiredChanges(Config{}, *next),
            (std::vector<std::string>{"sketch.num_hashes", "index.lsh_threshold", "kafka.brokers",
                                      "kafka.input_topics", "kafka.consumer", "http.listen"}));
}

TEST(Config, MissingFileIsAnError) {
  auto c = LoadConfigFile("/nonexistent/dedupd.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(std::string(c.status().message()).find("/nonexistent/dedupd.toml"), std::string::npos);
}

}  // namespace
}  // namespace dedup
