// dedupd-devbroker: a Kafka cluster for demos, tests and load tests, on librdkafka's mock
// cluster (the real Kafka protocol on loopback; no Apache Kafka server needed).
//
//   dedupd-devbroker [--brokers N] [--partitions N] [--config FILE] [--topic NAME[:PARTITIONS]]...
//                    [--bootstrap-file PATH] [--prefault-mib N]
//
// Creates the topics named in FILE's [kafka] section (input topics, decisions, stories, dead
// letters) and any --topic, prints "bootstrap=HOST:PORT,..." on stdout (and into
// --bootstrap-file, written atomically once the cluster is ready), then runs until SIGTERM or
// SIGINT. Limits of the mock: each partition keeps about 5 MB; no CreateTopics requests.
// --prefault-mib N (load tests): N MiB (at most 1024) of heap are touched before the cluster
// starts and kept, and all threads allocate from that heap: the mock copies every message it
// receives into its logs, and on fresh memory each 4 KiB took a page fault (a third of the
// mock's CPU in a flat-out load test), on the cores the measured daemon shares.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "dedup/base/allocator.h"
#include "dedup/base/strings.h"
#include "dedup/config/config.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Usage() {
  std::cerr << "usage: dedupd-devbroker [--brokers N] [--partitions N] [--config FILE]\n"
               "                        [--topic NAME[:PARTITIONS]]... [--bootstrap-file PATH]\n"
               "                        [--prefault-mib N]\n";
  return 2;
}

// Parses `text` for `option` as a whole number in [lo, hi]; says why not on stderr.
template <typename T>
bool Number(std::string_view option, std::string_view text, int64_t lo, int64_t hi, T& out) {
  int64_t n = 0;
  std::string err;
  if (!dedup::ParseIntArg(option, text, lo, hi, n, err)) {
    std::cerr << "dedupd-devbroker: " << err << "\n";
    return false;
  }
  out = static_cast<T>(n);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // dedupd's allocator settings: the mock cluster builds each fetch response in memory it frees
  // once sent; glibc's defaults gave it back and the next response faulted its pages in again.
  dedup::ConfigureAllocator();
  int brokers = 1;
  int partitions = 3;
  long prefault_mib = 0;
  std::string config_path, bootstrap_file;
  std::vector<std::pair<std::string, int>> topics;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--brokers" && (v = next())) {
      if (!Number(a, v, 1, 64, brokers)) return Usage();
    } else if (a == "--partitions" && (v = next())) {
      if (!Number(a, v, 1, 10000, partitions)) return Usage();
    } else if (a == "--config" && (v = next())) {
      config_path = v;
    } else if (a == "--topic" && (v = next())) {
      extra.emplace_back(v);
    } else if (a == "--bootstrap-file" && (v = next())) {
      bootstrap_file = v;
    } else if (a == "--prefault-mib" && (v = next())) {
      if (!Number(a, v, 0, 1024, prefault_mib)) return Usage();
    } else {
      return Usage();
    }
  }
  if (!config_path.empty()) {
    auto config = dedup::LoadConfigFile(config_path);
    if (!config.ok()) {
      std::cerr << "dedupd-devbroker: " << config.status().message() << "\n";
      return 3;
    }
    for (const auto& t : config->kafka.input_topics) topics.emplace_back(t, partitions);
    topics.emplace_back(config->kafka.decisions_topic, partitions);
    topics.emplace_back(config->kafka.stories_topic, partitions);
    topics.emplace_back(config->kafka.dead_letter_topic, partitions);
  }
  for (const std::string& t : extra) {
    const size_t colon = t.rfind(':');
    if (colon == std::string::npos) {
      topics.emplace_back(t, partitions);
    } else {
      int n = 0;
      if (!Number("--topic NAME:PARTITIONS", t.substr(colon + 1), 1, 10000, n)) return Usage();
      topics.emplace_back(t.substr(0, colon), n);
    }
  }
  // After the arguments and the config are accepted (a refused one touches no memory), before
  // librdkafka starts the threads that are to share the one arena.
  if (prefault_mib > 0) dedup::PrefaultHeap(static_cast<size_t>(prefault_mib) << 20, true);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "client.id", "dedupd-devbroker", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    std::cerr << "dedupd-devbroker: " << errstr << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == nullptr) {
    std::cerr << "dedupd-devbroker: cannot start the mock cluster\n";
    rd_kafka_destroy(rk);
    return 1;
  }
  for (const auto& [name, parts] : topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mc, name.c_str(), parts, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "dedupd-devbroker: topic " << name << ": " << rd_kafka_err2str(err) << "\n";
      rd_kafka_mock_cluster_destroy(mc);
      rd_kafka_destroy(rk);
      return 1;
    }
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
  if (!bootstrap_file.empty()) {
    const std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), bootstrap_file.c_str());
  }
  std::cout << "bootstrap=" << bootstrap << std::endl;
  for (const auto& [name, parts] : topics) {
    std::cerr << "dedupd-devbroker: topic " << name << " (" << parts << " partitions)\n";
  }

  struct sigaction sa {};
  sa.sa_handler = &OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  std::cerr << "dedupd-devbroker: stopped\n";
  return 0;
}
