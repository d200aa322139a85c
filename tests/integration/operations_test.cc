// Operations end to end: the metrics endpoint scraped during a run, live reload with good, bad
// and restart-only files, and the systemd notification protocol, against the mock cluster with
// dedupd as a child process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "testing/fixtures.h"
#include "testing/http_get.h"
#include "testing/kafka_harness.h"

namespace dedup {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::HttpGet;
using testing::JsonField;
using testing::MockKafka;
using testing::WaitFor;

const std::vector<std::string> kTopics = {"articles", "dedup.decisions", "dedup.stories",
                                          "dedup.dead-letter"};

class OperationsTest : public ::testing::Test {
 protected:
  OperationsTest() : kafka_(1, kTopics, 2), dir_(::testing::TempDir()) {}
  std::string Config(const std::string& group, const std::string& extra = "") {
    return testing::WriteDaemonConfig(dir_, kafka_.bootstrap(), group, extra);
  }
  std::map<std::string, double> Scrape(int port) {
    testing::HttpResult r = HttpGet(port, "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.headers.find("text/plain; version=0.0.4"), std::string::npos) << r.headers;
    return testing::ParseMetrics(r.body);
  }
  // `key` empty: no key (any partition); one key keeps messages in one partition, in order.
  void Publish(const std::string& id, const std::string& source, const std::string& body,
               const std::string& published_at, const std::string& key = "") {
    kafka_.Produce("articles", key, testing::ArticleJsonLine(id, source, body, published_at, "t"));
  }
  MockKafka kafka_;
  std::string dir_;
};

TEST_F(OperationsTest, MetricsEndpointReportsTheRun) {
  DaemonProcess d(Config("g-metrics"), dir_ + "/metrics.log");
  const int port = d.WaitHttpPort(10s);
  ASSERT_GT(port, 0) << d.Log();
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/readyz").status == 200; }, 20s)) << d.Log();
  EXPECT_NE(HttpGet(port, "/readyz").body.find("2 partitions"), std::string::npos);

  const auto& s = testing::Stories();
  const auto site = testing::MakeSite("Harbour Times", 60);
  for (int i = 0; i < 3; ++i) {
    Publish(s[i].id + "-wire", "Wire", s[i].body, "2026-04-01T0" + std::to_string(i) + ":00:00Z");
    Publish(s[i].id + "-site", site.name, testing::Wrap(site, s[i].body),
            "2026-04-01T0" + std::to_string(i) + ":20:00Z");
  }
  kafka_.Produce("articles", "", "not json");
  kafka_.Produce("articles", "", R"({"id":"no-body"})");
  const auto decisions = kafka_.ReadAll("dedup.decisions", 6, 20s);
  ASSERT_EQ(decisions.size(), 6u) << d.Log();
  int duplicates = 0;
  for (const auto& r : decisions) duplicates += JsonField(r.value, "duplicate") == "true";
  ASSERT_EQ(kafka_.ReadAll("dedup.dead-letter", 2, 20s).size(), 2u);
  const size_t stories = kafka_.ReadAll("dedup.stories", 6, 20s).size();

  std::map<std::string, double> m;
  // Every output acknowledged, and the lag of both partitions reported (statistics every 1 s).
  ASSERT_TRUE(WaitFor(
      [&] {
        m = Scrape(port);
        return m["dedupd_outputs_delivered_total"] == static_cast<double>(6 + stories + 2) &&
               m.count("dedupd_consumer_lag_messages{topic=\"articles\",partition=\"0\"}") &&
               m.count("dedupd_consumer_lag_messages{topic=\"articles\",partition=\"1\"}");
      },
      20s))
      << HttpGet(port, "/metrics").body;
  EXPECT_EQ(m["dedupd_articles_consumed_total"], 8);
  EXPECT_EQ(m["dedupd_decisions_total"], 6);
  EXPECT_EQ(m["dedupd_duplicates_total"], duplicates);
  EXPECT_EQ(duplicates, 3);
  EXPECT_EQ(m["dedupd_story_updates_total"], static_cast<double>(stories));
  EXPECT_EQ(m["dedupd_dead_letters_total{reason=\"not_json\"}"], 1);
  EXPECT_EQ(m["dedupd_dead_letters_total{reason=\"missing_body\"}"], 1);
  EXPECT_EQ(m["dedupd_clusters_created_total"], 3);
  EXPECT_EQ(m["dedupd_index_articles"], 6);
  EXPECT_EQ(m["dedupd_index_clusters"], 3);
  // The boilerplate filter counts the lines of two sources ("Wire" and the site), each in a
  // table of 16 slots of 8 bytes (a few dozen lines: grown once at most).
  EXPECT_EQ(m["dedupd_boilerplate_sources"], 2);
  EXPECT_GE(m["dedupd_boilerplate_table_bytes"], 2 * 16 * 8);
  EXPECT_LE(m["dedupd_boilerplate_table_bytes"], 2 * 128 * 8);
  ASSERT_EQ(m.count("dedupd_future_timestamps_total"), 1u);
  EXPECT_EQ(m["dedupd_future_timestamps_total"], 0);
  // Articles a worker presigned (used, or signed again on a wrong guess); those the pipeline
  // thread analysed itself while waiting are not counted.
  ASSERT_EQ(m.count("dedupd_presigned_total{result=\"used\"}"), 1u);
  ASSERT_EQ(m.count("dedupd_presigned_total{result=\"redone\"}"), 1u);
  EXPECT_LE(m["dedupd_presigned_total{result=\"used\"}"] +
                m["dedupd_presigned_total{result=\"redone\"}"],
            6);
  EXPECT_EQ(m["dedupd_candidates_per_article_count"], 6);
  EXPECT_GE(m["dedupd_candidates_per_article_sum"], 3);  // each copy found its original
  EXPECT_EQ(m["dedupd_stage_duration_seconds_count{stage=\"analyze\"}"], 8);
  EXPECT_EQ(m["dedupd_stage_duration_seconds_count{stage=\"engine\"}"], 6);
  EXPECT_GT(m["dedupd_stage_duration_seconds_sum{stage=\"engine\"}"], 0);
  EXPECT_EQ(m["dedupd_end_to_end_latency_seconds_count"], 6);
  EXPECT_EQ(m["dedupd_end_to_end_latency_seconds_bucket{le=\"+Inf\"}"], 6);
  EXPECT_EQ(m["dedupd_assigned_partitions"], 2);
  EXPECT_EQ(m["dedupd_ready"], 1);
  EXPECT_EQ(m["dedupd_inflight_messages"], 0);
  EXPECT_EQ(m["dedupd_output_delivery_failures_total"], 0);
  EXPECT_GT(m["process_resident_memory_bytes"], 1e6);
  EXPECT_EQ(m["dedupd_build_info{version=\"" DEDUP_VERSION "\"}"], 1);
  bool kernel = false;
  for (const auto& [k, v] : m) kernel |= k.rfind("dedupd_minhash_kernel_info{kernel=", 0) == 0 && v == 1;
  EXPECT_TRUE(kernel);
  // Everything consumed was committed: no lag left.
  EXPECT_TRUE(WaitFor(
      [&] {
        m = Scrape(port);
        return m["dedupd_consumer_lag_messages{topic=\"articles\",partition=\"0\"}"] == 0 &&
               m["dedupd_consumer_lag_messages{topic=\"articles\",partition=\"1\"}"] == 0;
      },
      10s));

  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

TEST_F(OperationsTest, ReloadAppliesLiveSettingsAndRefusesBadOrRestartOnlyFiles) {
  const std::string cfg = Config("g-reload");
  DaemonProcess d(cfg, dir_ + "/reload.log");
  const int port = d.WaitHttpPort(10s);
  ASSERT_GT(port, 0) << d.Log();
  const std::string& body = testing::Story("wind-farm").body;
  // Under the default 72 h window a copy five hours later matches.
  // One key: one partition, so the copies are decided in publication order.
  Publish("orig", "Wire", body, "2026-04-02T00:00:00Z", "k");
  Publish("copy-5h", "Paper", body, "2026-04-02T05:00:00Z", "k");
  auto decisions = kafka_.ReadAll("dedup.decisions", 2, 20s);
  ASSERT_EQ(decisions.size(), 2u) << d.Log();

  // A good file: a one-hour window and debug logging, applied without a restart.
  Config("g-reload", "[cluster]\nwindow_hours = 1.0\n");
  d.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return d.Log().find("config reloaded") != std::string::npos; }, 10s))
      << d.Log();
  EXPECT_NE(d.Log().find("changed=cluster.window_hours"), std::string::npos) << d.Log();
  // State survived (the id is known: its decision replays) and the new window applies: ten hours
  // on, the earlier copies have left it.
  Publish("orig", "Wire", body, "2026-04-02T00:00:00Z", "k");
  Publish("copy-15h", "Daily", body, "2026-04-02T15:00:00Z", "k");
  decisions = kafka_.ReadAll("dedup.decisions", 4, 20s);
  ASSERT_EQ(decisions.size(), 4u) << d.Log();
  std::map<std::string, std::string> dup;
  for (const auto& r : decisions) dup[r.key] += JsonField(r.value, "duplicate");
  EXPECT_EQ(dup["copy-5h"], "true");
  EXPECT_EQ(dup["orig"], "falsefalse");
  EXPECT_EQ(dup["copy-15h"], "false");

  // A file changing a restart-only setting: refused, the key named.
  Config("g-reload", "[sketch]\nnum_hashes = 64\n");
  d.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] { return d.Log().find("needs a restart to change: sketch.num_hashes") != std::string::npos; },
      10s))
      << d.Log();
  // A broken file: refused, the running config kept.
  { std::ofstream(cfg) << "[cluster\nwindow_hours = \n"; }
  d.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return d.Log().find("TOML syntax error") != std::string::npos; }, 10s))
      << d.Log();
  std::map<std::string, double> m = Scrape(port);
  EXPECT_EQ(m["dedupd_config_reloads_total{result=\"ok\"}"], 1);
  EXPECT_EQ(m["dedupd_config_reloads_total{result=\"restart_required\"}"], 1);
  EXPECT_EQ(m["dedupd_config_reloads_total{result=\"invalid\"}"], 1);
  EXPECT_EQ(m["dedupd_config_last_reload_successful"], 0);
  EXPECT_EQ(m["dedupd_index_evictions_total{reason=\"window\"}"], 2);

  // Still running on the reloaded (one-hour) config.
  Publish("copy-15h30", "Gazette", body, "2026-04-02T15:30:00Z", "k");
  decisions = kafka_.ReadAll("dedup.decisions", 5, 20s);
  ASSERT_EQ(decisions.size(), 5u) << d.Log();
  std::string matched;
  for (const auto& r : decisions) {
    if (r.key == "copy-15h30") matched = JsonField(r.value, "matched_id");
  }
  EXPECT_EQ(matched, "copy-15h");
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
}

// With no broker reachable: alive but not ready, and librdkafka's complaints come through
// dedupd's logger as structured records.
TEST_F(OperationsTest, UnreachableBrokerIsAliveNotReadyAndLibrdkafkaLogsAreRouted) {
  const std::string path = dir_ + "/dedupd-unreachable.toml";
  {
    std::ofstream f(path);
    f << "[kafka]\nbrokers = \"127.0.0.1:1\"\ngroup_id = \"g-unreachable\"\n"
      << "[log]\nformat = \"json\"\n[http]\nlisten = \"127.0.0.1:0\"\n";
  }
  DaemonProcess d(path, dir_ + "/unreachable.log");
  const int port = d.WaitHttpPort(10s);
  ASSERT_GT(port, 0) << d.Log();
  ASSERT_TRUE(WaitFor([&] { return d.Log().find("\"component\":\"librdkafka\"") != std::string::npos; },
                      20s))
      << d.Log();
  // Every line is one JSON object; librdkafka's carry its facility.
  std::istringstream lines(d.Log());
  std::string line;
  int routed = 0;
  while (std::getline(lines, line)) {
    ASSERT_EQ(JsonField(line, "ts").find('<'), std::string::npos) << line;
    if (JsonField(line, "component") == "librdkafka") {
      ++routed;
      EXPECT_NE(JsonField(line, "facility"), "<missing>") << line;
      EXPECT_NE(JsonField(line, "level"), "debug") << line;
    }
  }
  EXPECT_GT(routed, 0);
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  // librdkafka logs from the moment the consumer is made, which can be before the processing
  // loop starts (/readyz says "starting" until then): wait for the loop, then check.
  testing::HttpResult ready;
  WaitFor([&] {
    ready = HttpGet(port, "/readyz");
    return ready.body.find("starting") == std::string::npos;
  }, 10s);
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("no partitions assigned"), std::string::npos) << ready.body;
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(30s), 0) << d.Log();
}

// The systemd notification protocol, with this test as the service manager: a datagram socket
// named by $NOTIFY_SOCKET, and $WATCHDOG_USEC.
TEST_F(OperationsTest, NotifiesSystemdAndPingsTheWatchdog) {
  const std::string sock_path = dir_ + "/notify-" + std::to_string(getpid()) + ".sock";
  unlink(sock_path.c_str());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<std::string> received;
  // Collects datagrams until one contains `what` or the timeout passes.
  auto expect = [&](const std::string& what, std::chrono::milliseconds timeout) {
    return WaitFor(
        [&] {
          char buf[4096];
          ssize_t n;
          while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
            received.emplace_back(buf, static_cast<size_t>(n));
            if (received.back().find(what) != std::string::npos) return true;
          }
          return false;
        },
        timeout);
  };

  DaemonProcess d(Config("g-notify"), dir_ + "/notify.log",
                  {"NOTIFY_SOCKET=" + sock_path, "WATCHDOG_USEC=400000"});
  ASSERT_TRUE(expect("READY=1", 20s)) << d.Log();
  // Pings at about half the interval while idle: several in a second.
  received.clear();
  expect("never", 1200ms);
  int pings = 0;
  for (const std::string& r : received) pings += r == "WATCHDOG=1";
  EXPECT_GE(pings, 3);
  EXPECT_LE(pings, 8);

  d.Signal(SIGHUP);
  received.clear();
  ASSERT_TRUE(expect("RELOADING=1", 10s)) << d.Log();
  EXPECT_NE(received.back().find("MONOTONIC_USEC="), std::string::npos) << received.back();
  ASSERT_TRUE(expect("READY=1", 10s)) << d.Log();

  d.Signal(SIGTERM);
  ASSERT_TRUE(expect("STOPPING=1", 10s)) << d.Log();
  EXPECT_EQ(d.Wait(20s), 0) << d.Log();
  close(fd);
  unlink(sock_path.c_str());
}

}  // namespace
}  // namespace dedup
