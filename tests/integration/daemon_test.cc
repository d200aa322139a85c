// The daemon end to end against librdkafka's mock cluster: dedupd run as a child process.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "testing/fixtures.h"
#include "testing/kafka_harness.h"

namespace dedup {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MockKafka;
using testing::Record;

const std::vector<std::string> kTopics = {"articles", "dedup.decisions", "dedup.stories",
                                          "dedup.dead-letter"};

std::string ArticleJson(const std::string& id, const std::string& source, const std::string& body,
                        const std::string& published_at) {
  return testing::ArticleJsonLine(id, source, body, published_at, "t");
}

std::string Field(const std::string& json, const char* key) { return testing::JsonField(json, key); }

std::set<std::string> DecisionIds(const std::vector<Record>& decisions) {
  std::set<std::string> ids;
  for (const auto& r : decisions) ids.insert(Field(r.value, "id"));
  return ids;
}

class DaemonTest : public ::testing::Test {
 protected:
  DaemonTest() : kafka_(1, kTopics, 2), dir_(::testing::TempDir()) {}
  std::string Config(const std::string& group, const std::string& extra = "", int workers = -1) {
    return testing::WriteDaemonConfig(dir_, kafka_.bootstrap(), group, extra, workers);
  }
  std::string LogPath(const std::string& name) { return dir_ + "/" + name + ".log"; }
  MockKafka kafka_;
  std::string dir_;
};

TEST_F(DaemonTest, EveryInputGetsOneDecisionAndReprintsShareAStory) {
  DaemonProcess d(Config("g-basic"), LogPath("basic"));
  const auto& s = testing::Stories();
  const auto site = testing::MakeSite("Port Gazette", 70);
  int n = 0;
  for (const auto& story : {s[0], s[1], s[2]}) {
    kafka_.Produce("articles", "", ArticleJson(story.id + "-wire", "Wire", story.body,
                                               "2026-03-01T0" + std::to_string(n) + ":00:00Z"));
    kafka_.Produce("articles", "", ArticleJson(story.id + "-site", site.name,
                                               testing::Wrap(site, story.body),
                                               "2026-03-01T0" + std::to_string(n) + ":30:00Z"));
    ++n;
  }
  const auto decisions = kafka_.ReadAll("dedup.decisions", 6, 20s);
  ASSERT_EQ(decisions.size(), 6u) << d.Log();
  EXPECT_EQ(DecisionIds(decisions).size(), 6u);
  // Each story's two copies share a cluster; exactly one of them is the duplicate (the copies
  // may sit in different input partitions, so either can be processed first).
  std::map<std::string, std::set<std::string>> clusters_of_story;
  std::map<std::string, int> duplicates_of_story;
  for (const auto& r : decisions) {
    EXPECT_EQ(r.key, Field(r.value, "id"));
    const std::string story = r.key.substr(0, r.key.size() - 5);
    clusters_of_story[story].insert(Field(r.value, "cluster_id"));
    duplicates_of_story[story] += Field(r.value, "duplicate") == "true";
  }
  ASSERT_EQ(clusters_of_story.size(), 3u);
  for (const auto& [story, clusters] : clusters_of_story) {
    EXPECT_EQ(clusters.size(), 1u) << story;
    EXPECT_EQ(duplicates_of_story[story], 1) << story;
  }
  // The stories topic: the last record per cluster lists both copies.
  const auto stories = kafka_.ReadAll("dedup.stories", 6, 20s);
  std::map<std::string, std::string> latest;
  for (const auto& r : stories) latest[r.key] = r.value;  // per-partition order suffices: one key
  ASSERT_EQ(latest.size(), 3u);
  for (const auto& [cluster, value] : latest) {
    EXPECT_EQ(Field(value, "size"), "2") << value;
    EXPECT_NE(value.find("Port Gazette"), std::string::npos);
    EXPECT_EQ(Field(value, "event"), "member_added");
  }
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

TEST_F(DaemonTest, BadMessagesGoToDeadLetterWithReasonAndGoodOnesAround) {
  // Parsing inline (no worker threads): the same outcome as with workers.
  DaemonProcess d(Config("g-dlq", "[input]\nmax_article_bytes = 4096\n", /*workers=*/0),
                  LogPath("dlq"));
  const std::string good = testing::Story("wind-farm").body;
  struct Bad {
    std::string payload, reason;
  };
  const std::vector<Bad> bad = {
      {"this is not json", "not_json"},
      {"[1,2,3]", "not_object"},
      {R"({"body":"no id here"})", "missing_id"},
      {R"({"id":{"x":1},"body":"b"})", "bad_id"},
      {R"({"id":"nb"})", "missing_body"},
      {R"({"id":"bb","body":42})", "bad_body"},
      {"{\"id\":\"utf\",\"body\":\"caf\xC3\x28\"}", "invalid_utf8"},
      {R"({"id":"big","body":")" + std::string(5000, 'x') + "\"}", "too_large"},
      {R"({"id":"empty","body":" ... "})", "empty_body"},
      {R"({"id":"ts","body":"b","published_at":"soon"})", "bad_timestamp"},
  };
  kafka_.Produce("articles", "k0", ArticleJson("good-0", "Wire", good, "2026-03-02T00:00:00Z"));
  for (const auto& b : bad) kafka_.Produce("articles", "kb", b.payload);
  kafka_.Produce("articles", "k1", ArticleJson("good-1", "Paper", good, "2026-03-02T01:00:00Z"));

  const auto dlq = kafka_.ReadAll("dedup.dead-letter", bad.size(), 20s);
  ASSERT_EQ(dlq.size(), bad.size()) << d.Log();
  std::map<std::string, std::string> reason_by_payload;
  for (const auto& r : dlq) {
    reason_by_payload[r.value] = r.headers.count("dedupd.reason") ? r.headers.at("dedupd.reason") : "";
    EXPECT_EQ(r.key, "kb");
    EXPECT_EQ(r.headers.at("dedupd.source.topic"), "articles");
    EXPECT_FALSE(r.headers.at("dedupd.source.offset").empty());
    EXPECT_FALSE(r.headers.at("dedupd.error").empty());
  }
  for (const auto& b : bad) EXPECT_EQ(reason_by_payload[b.payload], b.reason) << b.payload;
  const auto decisions = kafka_.ReadAll("dedup.decisions", 2, 20s);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(DecisionIds(decisions), (std::set<std::string>{"good-0", "good-1"}));
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

// A story whose members' URLs add up past the broker's record size limit: its update is
// trimmed to fit (oldest listed members left out, `size` still counting all), instead of a
// produce error stopping the daemon.
TEST_F(DaemonTest, StoryUpdateTooLargeForARecordIsTrimmedToFit) {
  DaemonProcess d(Config("g-bigstory"), LogPath("bigstory"));
  const std::string body = testing::Story("wind-farm").body;
  constexpr int kCopies = 20;
  for (int i = 0; i < kCopies; ++i) {
    const std::string id = "copy-" + std::to_string(i);
    const std::string url = "https://example.com/" + std::string(60000, 'a') + std::to_string(i);
    std::string json = ArticleJson(id, "S" + std::to_string(i), body, "2026-03-03T00:00:00Z");
    json.insert(1, "\"url\":\"" + url + "\",");
    kafka_.Produce("articles", id, json);
  }
  const auto decisions = kafka_.ReadAll("dedup.decisions", kCopies, 30s);
  ASSERT_EQ(decisions.size(), static_cast<size_t>(kCopies)) << d.Log();
  std::set<std::string> clusters;
  for (const auto& r : decisions) clusters.insert(Field(r.value, "cluster_id"));
  ASSERT_EQ(clusters.size(), 1u);
  // The mock broker keeps ~5 MB a partition: the newest story records are what is left.
  const auto stories = kafka_.ReadAll("dedup.stories", kCopies, 5s);
  ASSERT_FALSE(stories.empty());
  bool saw_full_size = false;
  for (const auto& r : stories) {
    EXPECT_LE(r.value.size(), 900u * 1024) << Field(r.value, "size");
    if (Field(r.value, "size") == std::to_string(kCopies)) {
      saw_full_size = true;
      size_t urls = 0;  // the canonical's and each listed member's
      for (size_t at = r.value.find("\"url\":"); at != std::string::npos;
           at = r.value.find("\"url\":", at + 1)) {
        ++urls;
      }
      EXPECT_GE(urls, 2u);
      EXPECT_LT(urls - 1, static_cast<size_t>(kCopies)) << "some members left out";
    }
  }
  EXPECT_TRUE(saw_full_size);
  EXPECT_NE(d.Log().find("story update trimmed"), std::string::npos) << d.Log();
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

TEST_F(DaemonTest, ResumesFromCommittedOffsetsAfterCleanStop) {
  const std::string cfg = Config("g-resume");
  const auto& s = testing::Stories();
  for (size_t i = 0; i < 4; ++i) {
    kafka_.Produce("articles", "", ArticleJson("first-" + std::to_string(i), "Wire", s[i].body,
                                               "2026-03-03T00:00:00Z"));
  }
  {
    DaemonProcess d(cfg, LogPath("resume1"));
    ASSERT_EQ(kafka_.ReadAll("dedup.decisions", 4, 20s).size(), 4u) << d.Log();
    d.Signal(SIGTERM);
    ASSERT_EQ(d.Wait(20s), 0) << d.Log();
  }
  for (size_t i = 4; i < 8; ++i) {
    kafka_.Produce("articles", "", ArticleJson("second-" + std::to_string(i), "Wire", s[i].body,
                                               "2026-03-03T01:00:00Z"));
  }
  DaemonProcess d(cfg, LogPath("resume2"));
  // A restarted member may wait out a group rebalance first: seconds here, ~20 s once on a
  // machine running two suites at once. The wait ends as soon as the decisions are in.
  ASSERT_EQ(kafka_.ReadAll("dedup.decisions", 8, 60s).size(), 8u) << d.Log();
  // Nothing from before the commit comes again.
  const auto all = kafka_.ReadAll("dedup.decisions", 9, 3s);
  EXPECT_EQ(all.size(), 8u);
  EXPECT_EQ(DecisionIds(all).size(), 8u);
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

TEST_F(DaemonTest, SigtermMidStreamLosesNothing) {
  const std::string cfg = Config("g-sigterm");
  const auto& s = testing::Stories();
  constexpr int kArticles = 600;
  std::string first_log;
  {
    DaemonProcess d(cfg, LogPath("sigterm1"));
    // Input keeps arriving while the daemon is stopped.
    std::thread producer([&] {
      for (int i = 0; i < kArticles; ++i) {
        kafka_.Produce("articles", "", ArticleJson("m-" + std::to_string(i),
                                                   "Site" + std::to_string(i % 7),
                                                   s[static_cast<size_t>(i) % s.size()].body,
                                                   "2026-03-04T00:00:00Z"));
      }
    });
    ASSERT_TRUE(testing::WaitFor(
        [&] { return kafka_.ReadAll("dedup.decisions", 50, 200ms).size() >= 50; }, 20s))
        << d.Log();
    d.Signal(SIGTERM);
    const int rc = d.Wait(20s);
    producer.join();
    ASSERT_EQ(rc, 0) << d.Log();
    first_log = d.Log();
  }
  const size_t before_restart = DecisionIds(kafka_.ReadAll("dedup.decisions", kArticles, 1s)).size();
  EXPECT_LT(before_restart, static_cast<size_t>(kArticles)) << "the stop was not mid-stream";
  DaemonProcess d(cfg, LogPath("sigterm2"));
  std::vector<Record> decisions;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        decisions = kafka_.ReadAll("dedup.decisions", kArticles, 500ms);
        return DecisionIds(decisions).size() >= kArticles;
      },
      60s))  // with room for a group rebalance first, as in ResumesFromCommittedOffsets...
      << DecisionIds(decisions).size() << " of " << kArticles << "\n" << first_log << d.Log();
  EXPECT_EQ(DecisionIds(decisions).size(), static_cast<size_t>(kArticles));
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

TEST_F(DaemonTest, SecondSignalExitsAtOnce) {
  DaemonProcess d(Config("g-twice"), LogPath("twice"));
  std::this_thread::sleep_for(500ms);
  d.Signal(SIGINT);
  d.Signal(SIGINT);
  const int rc = d.Wait(10s);
  EXPECT_TRUE(rc == 0 || rc == 128 + SIGINT) << rc;
}

}  // namespace
}  // namespace dedup
