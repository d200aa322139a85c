// Reliability end to end, against the mock cluster with dedupd as a child process: restart with
// state (graceful and SIGKILL), exactly-once with aborted transactions, broker faults, and a
// consumer-group rebalance as a second instance joins and leaves.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include "testing/fixtures.h"
#include "testing/http_get.h"
#include "testing/kafka_harness.h"

namespace dedup {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::JsonField;
using testing::MockKafka;
using testing::Record;
using testing::WaitFor;

const std::vector<std::string> kTopics = {"articles", "dedup.decisions", "dedup.stories",
                                          "dedup.dead-letter"};

// Kafka error codes and API keys used for injection.
constexpr int16_t kFetchApi = 1;
constexpr int16_t kAddOffsetsToTxnApi = 25;
constexpr int kLeaderNotAvailable = 5;
constexpr int kNotLeaderForPartition = 6;
constexpr int kGroupAuthorizationFailed = 30;

// Decisions by article id (every record, so repeats are visible).
std::map<std::string, std::vector<std::string>> ById(const std::vector<Record>& decisions) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Record& r : decisions) out[JsonField(r.value, "id")].push_back(r.value);
  return out;
}

class ReliabilityTest : public ::testing::Test {
 protected:
  ReliabilityTest() : kafka_(1, kTopics, 2), dir_(::testing::TempDir()) {}
  // Decisions by id once `ids` distinct articles are decided (or the timeout passed). Counting
  // records would not do: at-least-once may repeat some.
  std::map<std::string, std::vector<std::string>> Decided(size_t ids,
                                                          std::chrono::milliseconds timeout) {
    std::map<std::string, std::vector<std::string>> by_id;
    WaitFor(
        [&] {
          by_id = ById(kafka_.ReadAll("dedup.decisions", 1u << 30, 3s));
          return by_id.size() >= ids;
        },
        timeout);
    return by_id;
  }
  std::string Config(const std::string& group, const std::string& daemon_extra = "") {
    return testing::WriteDaemonConfig(dir_, kafka_.bootstrap(), group, "", -1, "", daemon_extra);
  }
  // Story i as published by the wire (`-wire`) or reprinted by a site (`-site<n>`).
  void PublishWire(size_t i) {
    const Article& s = testing::Stories()[i];
    kafka_.Produce("articles", "", testing::ArticleJsonLine(s.id + "-wire", "Wire", s.body,
                                                            "2026-05-01T00:00:00Z", "t"));
  }
  void PublishReprint(size_t i, int n) {
    const Article& s = testing::Stories()[i];
    const auto site = testing::MakeSite("Site " + std::to_string(n), 40 + n);
    kafka_.Produce("articles", "",
                   testing::ArticleJsonLine(s.id + "-site" + std::to_string(n), site.name,
                                            testing::Wrap(site, s.body), "2026-05-01T06:00:00Z",
                                            "t"));
  }
  // Publishes the wire copy of stories [0, n), runs a daemon until they are decided, then stops
  // it with `signo`; a second daemon then gets reprints. Returns the reprints' decisions.
  std::map<std::string, std::vector<std::string>> RestartAndReprint(const std::string& group,
                                                                    int signo,
                                                                    const std::string& daemon_extra,
                                                                    std::string* second_log) {
    const size_t n = 4;
    const std::string cfg = Config(group, daemon_extra);
    {
      DaemonProcess a(cfg, dir_ + "/" + group + "-a.log");
      for (size_t i = 0; i < n; ++i) PublishWire(i);
      EXPECT_EQ(kafka_.ReadAll("dedup.decisions", n, 20s).size(), n) << a.Log();
      // Let the at-least-once commit (every 200 ms here) happen before a SIGKILL.
      std::this_thread::sleep_for(1s);
      a.Signal(signo);
      a.Wait(20s);
    }
    DaemonProcess b(cfg, dir_ + "/" + group + "-b.log");
    for (size_t i = 0; i < n; ++i) PublishReprint(i, 1);
    auto by_id = Decided(2 * n, 30s);
    *second_log = b.Log();
    b.Signal(SIGTERM);
    EXPECT_EQ(b.Wait(20s), 0) << b.Log();
    std::map<std::string, std::vector<std::string>> reprints;
    for (auto& [id, values] : by_id) {
      if (id.find("-site") != std::string::npos) reprints[id] = values;
    }
    EXPECT_EQ(reprints.size(), n) << *second_log;
    return reprints;
  }
  MockKafka kafka_;
  std::string dir_;
};

TEST_F(ReliabilityTest, ReprintsOfStoriesSeenBeforeAGracefulRestartStillMatch) {
  std::string log;
  for (const auto& [id, values] : RestartAndReprint("g-restart", SIGTERM, "", &log)) {
    for (const std::string& v : values) {
      EXPECT_EQ(JsonField(v, "duplicate"), "true") << v << "\n" << log;
      EXPECT_EQ(JsonField(v, "matched_id"), id.substr(0, id.find("-site")) + "-wire") << v;
    }
  }
  EXPECT_NE(log.find("msg=\"index restored\" articles=4"), std::string::npos) << log;
}

TEST_F(ReliabilityTest, ReprintsOfStoriesSeenBeforeASigkillStillMatch) {
  std::string log;
  for (const auto& [id, values] : RestartAndReprint("g-kill", SIGKILL, "", &log)) {
    for (const std::string& v : values) {
      EXPECT_EQ(JsonField(v, "duplicate"), "true") << v << "\n" << log;
    }
  }
  EXPECT_NE(log.find("index restored"), std::string::npos) << log;
}

// The same with restore off: the reprints start new stories. (The two tests above can fail.)
TEST_F(ReliabilityTest, WithoutRestoreARestartForgetsEveryStory) {
  std::string log;
  for (const auto& [id, values] :
       RestartAndReprint("g-norestore", SIGTERM, "restore_state = false\n", &log)) {
    for (const std::string& v : values) EXPECT_EQ(JsonField(v, "duplicate"), "false") << v;
  }
  EXPECT_EQ(log.find("index restored"), std::string::npos) << log;
}

// librdkafka 2.0.2's mock cluster runs the transactional protocol (InitProducerId, AddOffsetsToTxn,
// TxnOffsetCommit, EndTxn) but does not keep transactional offset commits, write transaction
// markers or filter aborted records (rdkafka_mock_handlers.c: TxnOffsetCommit only answers,
// Fetch returns "#Aborted: 0"). So here an aborted transaction's records stay visible and a
// restart starts from the beginning: this test checks what the mock can show -- transactions
// commit, an abort is followed by a rewind that rebuilds the index and redoes the work, nothing
// is lost -- and docs/RELIABILITY.md says what only a real broker can show.
TEST_F(ReliabilityTest, ExactlyOnceAbortRewindsRebuildsAndRedoes) {
  const std::string cfg = testing::WriteDaemonConfig(
      dir_, kafka_.bootstrap(), "g-eos", "", -1, "exactly_once = true\ntransactional_id = \"t-eos\"\n");
  DaemonProcess d(cfg, dir_ + "/eos.log");
  const int port = d.WaitHttpPort(10s);
  ASSERT_GT(port, 0) << d.Log();
  for (size_t i = 0; i < 4; ++i) PublishWire(i);
  ASSERT_EQ(kafka_.ReadAll("dedup.decisions", 4, 20s).size(), 4u) << d.Log();
  // The next transactions cannot add their offsets: they must be aborted and redone. Only
  // dedupd sends AddOffsetsToTxn, so the injected errors are all its own.
  kafka_.PushRequestErrors(kAddOffsetsToTxnApi, {kGroupAuthorizationFailed, kGroupAuthorizationFailed});
  for (size_t i = 0; i < 4; ++i) {
    PublishReprint(i, 1);
    PublishReprint(i, 2);
  }
  ASSERT_TRUE(WaitFor([&] { return d.Log().find("transaction aborted") != std::string::npos; }, 20s))
      << d.Log();
  EXPECT_TRUE(WaitFor([&] { return d.Log().find("rewound partition") != std::string::npos; }, 10s))
      << d.Log();
  std::map<std::string, std::vector<std::string>> by_id;
  ASSERT_TRUE(WaitFor(
      [&] {
        by_id = ById(kafka_.ReadAll("dedup.decisions", 1000, 1s));
        if (by_id.size() < 12) return false;
        // Redone after the last abort with a fresh index: each story's three copies are one
        // cluster again in their latest decisions. (With the mock nothing was committed, so the
        // redo covers every message, in an order that may differ from the first time.)
        std::map<std::string, std::set<std::string>> clusters;
        for (const auto& [id, values] : by_id) {
          clusters[id.substr(0, id.rfind('-'))].insert(JsonField(values.back(), "cluster_id"));
        }
        for (const auto& [story, ids] : clusters) {
          if (ids.size() != 1) return false;
        }
        return clusters.size() == 4;
      },
      30s))
      << d.Log();
  EXPECT_EQ(by_id.size(), 12u);
  const std::string metrics = testing::HttpGet(port, "/metrics").body;
  EXPECT_NE(metrics.find("dedupd_transactions_total{result=\"aborted\"} 2"), std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("dedupd_transactions_total{result=\"committed\"} 0"), std::string::npos)
      << metrics;
  // The engine's counters go on from the replaced engines' totals: the first engine made the
  // four stories' clusters, the last one (which redid every message) at least four again.
  EXPECT_GE(testing::ParseMetrics(metrics)["dedupd_clusters_created_total"], 8) << metrics;
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(30s), 0) << d.Log();
}

TEST_F(ReliabilityTest, SlowFailingAndDownBrokerLosesNothing) {
  DaemonProcess d(Config("g-faults"), dir_ + "/faults.log");
  PublishWire(0);
  PublishWire(1);
  ASSERT_EQ(kafka_.ReadAll("dedup.decisions", 2, 20s).size(), 2u) << d.Log();
  // Slow responses.
  kafka_.SetBrokerRtt(1, 300);
  PublishReprint(0, 1);
  PublishReprint(1, 1);
  ASSERT_EQ(Decided(4, 30s).size(), 4u) << d.Log();
  kafka_.SetBrokerRtt(1, 1);  // (0 left the mock broker stalled here)
  // Request errors: fetches fail (retriable), and the decisions topic has no leader for a while.
  kafka_.PushRequestErrors(kFetchApi, {kNotLeaderForPartition, kNotLeaderForPartition,
                                       kNotLeaderForPartition});
  kafka_.SetTopicError("dedup.decisions", kLeaderNotAvailable);
  PublishWire(2);
  PublishWire(3);
  std::this_thread::sleep_for(2s);
  kafka_.SetTopicError("dedup.decisions", 0);
  ASSERT_EQ(Decided(6, 30s).size(), 6u) << d.Log();
  // The broker goes down with input waiting, and comes back. (Everything is published before:
  // the test's own producer does not always reconnect to the mock broker in time.)
  PublishWire(4);
  PublishWire(5);
  PublishReprint(2, 1);
  kafka_.SetBrokerDown(1);
  std::this_thread::sleep_for(2s);
  kafka_.SetBrokerUp(1);
  const auto by_id = Decided(9, 60s);
  EXPECT_EQ(by_id.size(), 9u) << d.Log();
  // At-least-once allows repeats here (the group may drop the member while the broker is down,
  // and input since the last commit is decided again).
  size_t records = 0;
  for (const auto& [id, values] : by_id) records += values.size();
  std::printf("broker faults: %zu inputs, %zu decision records\n", by_id.size(), records);
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(30s), 0) << d.Log();
}

TEST_F(ReliabilityTest, SecondInstanceJoiningAndLeavingLosesNothingAndHandsOverState) {
  const std::string cfg = Config("g-rebalance");
  DaemonProcess a(cfg, dir_ + "/rebalance-a.log");
  for (size_t i = 0; i < 4; ++i) PublishWire(i);
  ASSERT_EQ(kafka_.ReadAll("dedup.decisions", 4, 20s).size(), 4u) << a.Log();
  std::this_thread::sleep_for(500ms);  // commits
  {
    DaemonProcess b(cfg, dir_ + "/rebalance-b.log");
    ASSERT_TRUE(WaitFor([&] { return b.Log().find("partitions assigned\" count=1") != std::string::npos; },
                        30s))
        << b.Log() << a.Log();
    for (size_t i = 0; i < 4; ++i) PublishReprint(i, 1);
    ASSERT_EQ(Decided(8, 30s).size(), 8u) << a.Log() << b.Log();
    std::this_thread::sleep_for(500ms);
    b.Signal(SIGTERM);
    ASSERT_EQ(b.Wait(30s), 0) << b.Log();
  }
  // A takes the partition back and restores it from the input: it now holds every story, so
  // the next reprints all match, whichever partition they land in.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string log = a.Log();
        return log.rfind("partitions assigned\" count=2") != std::string::npos &&
               log.rfind("partitions assigned\" count=2") > log.find("partitions revoked");
      },
      30s))
      << a.Log();
  for (size_t i = 0; i < 4; ++i) PublishReprint(i, 2);
  const auto by_id = Decided(12, 30s);
  ASSERT_EQ(by_id.size(), 12u) << a.Log();
  for (size_t i = 0; i < 4; ++i) {
    const std::string id = testing::Stories()[i].id + "-site2";
    ASSERT_TRUE(by_id.count(id)) << id;
    EXPECT_EQ(JsonField(by_id.at(id).back(), "duplicate"), "true") << by_id.at(id).back() << a.Log();
  }
  a.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(30s), 0) << a.Log();
}

TEST_F(ReliabilityTest, HostileInputIsDeadLetteredOrHandledAndNothingCrashes) {
  const std::string cfg = testing::WriteDaemonConfig(dir_, kafka_.bootstrap(), "g-hostile",
                                                     "[input]\nmax_article_bytes = 1048576\n");
  DaemonProcess d(cfg, dir_ + "/hostile.log");
  std::string deep = R"({"id":"deep","body":"b","x":)";
  for (int i = 0; i < 3000; ++i) deep += "[";
  for (int i = 0; i < 3000; ++i) deep += "]";
  deep += "}";
  std::string garbage(4096, '\0');
  uint64_t x = 88172645463325252u;
  for (char& c : garbage) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  std::string repeated = R"({"id":"one-word","body":")";
  for (int i = 0; i < 5000; ++i) repeated += "again ";
  repeated += "\"}";
  const std::map<std::string, std::string> bad = {
      {"not json at all {", "not_json"},
      {R"({"id":"big","body":")" + std::string(2u << 20, 'x') + "\"}", "too_large"},
      {deep, "not_json"},
      {std::string("{\"id\":\"nul\",\"body\":\"a\0b\"}", 25), "not_json"},
      {garbage, "not_json"},
      {"[\"an\", \"array\"]", "not_object"},
      {R"({"id":"num","body":12345})", "bad_body"},
      {R"({"id":"empty","body":""})", "empty_body"},
      {"{\"id\":\"utf\",\"body\":\"\xC3\x28\"}", "invalid_utf8"},
  };
  for (const auto& [payload, reason] : bad) kafka_.Produce("articles", "bad", payload);
  // Handled, not dead-lettered: a one-word body, and the same id twice.
  kafka_.Produce("articles", "k", repeated);
  PublishWire(0);
  PublishWire(0);
  const auto dlq = kafka_.ReadAll("dedup.dead-letter", bad.size(), 30s);
  ASSERT_EQ(dlq.size(), bad.size()) << d.Log();
  std::map<std::string, std::string> reason_of;
  for (const Record& r : dlq) {
    std::string value = r.value;
    if (r.headers.count("dedupd.truncated_from")) {
      // The 2 MB one: its head is kept, with the original length.
      const std::string big = R"({"id":"big","body":")" + std::string(2u << 20, 'x') + "\"}";
      EXPECT_EQ(r.headers.at("dedupd.truncated_from"), std::to_string(big.size()));
      EXPECT_EQ(value, big.substr(0, 900u * 1024));
      value = big;
    }
    reason_of[value] = r.headers.at("dedupd.reason");
  }
  for (const auto& [payload, reason] : bad) {
    EXPECT_EQ(reason_of[payload], reason) << payload.substr(0, 60);
  }
  const auto decisions = kafka_.ReadAll("dedup.decisions", 3, 30s);
  const auto by_id = ById(decisions);
  ASSERT_EQ(decisions.size(), 3u) << d.Log();
  EXPECT_TRUE(by_id.count("one-word"));
  const std::string wire = testing::Stories()[0].id + "-wire";
  ASSERT_EQ(by_id.at(wire).size(), 2u);
  EXPECT_EQ(by_id.at(wire)[0], by_id.at(wire)[1]);  // the repeat gets the same decision
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(30s), 0) << d.Log();
}

// A backlog far beyond what is processed at once: in-flight and the index stay within their
// caps, lag shows and falls, the index evicts beyond max_articles, nothing crashes.
TEST_F(ReliabilityTest, OverloadStaysWithinCaps) {
  const int n = 1500;
  const std::vector<std::string> words = {"council", "harbour", "budget", "station", "winter",
                                          "market", "festival", "hospital", "island", "museum",
                                          "library", "airport", "village", "storm", "bridge",
                                          "company", "workers", "court", "season", "concert"};
  uint64_t x = 0x2545F4914F6CDD1Du;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < n; ++i) {
    std::string body;
    for (int w = 0; w < 150; ++w) body += words[next() % words.size()] + (w % 12 == 11 ? ". " : " ");
    kafka_.Produce("articles", "", testing::ArticleJsonLine("load-" + std::to_string(i), "S", body,
                                                            "", "t"));
  }
  const std::string cfg = testing::WriteDaemonConfig(
      dir_, kafka_.bootstrap(), "g-overload", "[cluster]\nmax_articles = 200\n", -1, "",
      "max_inflight_messages = 50\n");
  DaemonProcess d(cfg, dir_ + "/overload.log");
  const int port = d.WaitHttpPort(10s);
  ASSERT_GT(port, 0) << d.Log();
  auto metric = [&](const std::string& name) {
    const auto m = testing::ParseMetrics(testing::HttpGet(port, "/metrics").body);
    const auto it = m.find(name);
    return it == m.end() ? -1.0 : it->second;
  };
  double max_inflight = 0, max_rss = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        max_inflight = std::max(max_inflight, metric("dedupd_inflight_messages"));
        max_rss = std::max(max_rss, metric("process_resident_memory_bytes"));
        return metric("dedupd_decisions_total") >= n;
      },
      60s))
      << d.Log();
  EXPECT_LE(max_inflight, 50 + 1);
  EXPECT_EQ(metric("dedupd_index_articles"), 200);
  EXPECT_GE(metric("dedupd_index_evictions_total{reason=\"capacity\"}"), n - 200);
  EXPECT_LT(max_rss, 512.0 * 1024 * 1024);
  // Caught up: the lag drops to zero.
  EXPECT_TRUE(WaitFor([&] {
    const std::string body = testing::HttpGet(port, "/metrics").body;
    return body.find("dedupd_consumer_lag_messages{topic=\"articles\",partition=\"0\"} 0") != std::string::npos &&
           body.find("dedupd_consumer_lag_messages{topic=\"articles\",partition=\"1\"} 0") != std::string::npos;
  }, 20s));
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(30s), 0) << d.Log();
  std::printf("overload: %d backlogged articles, peak in flight %.0f, peak RSS %.0f MB\n", n,
              max_inflight, max_rss / 1048576.0);
}

}  // namespace
}  // namespace dedup
