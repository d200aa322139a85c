#include "testing/kafka_harness.h"

#include <simdjson.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "testing/fixtures.h"

namespace dedup::testing {
namespace {

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "kafka_harness: %s\n", msg.c_str());
  std::abort();
}

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      Die(k + ": " + err);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) Die(err);
  return rk;
}

}  // namespace

struct MockKafka::Impl {
  rd_kafka_t* host = nullptr;  // hosts the mock cluster
  rd_kafka_mock_cluster_t* mc = nullptr;
  rd_kafka_t* producer = nullptr;
};

MockKafka::MockKafka(int brokers, const std::vector<std::string>& topics, int partitions)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = NewClient(RD_KAFKA_PRODUCER, {{"client.id", "test-mock-host"}});
  impl_->mc = rd_kafka_mock_cluster_new(impl_->host, brokers);
  if (impl_->mc == nullptr) Die("mock cluster");
  for (const auto& t : topics) {
    if (rd_kafka_mock_topic_create(impl_->mc, t.c_str(), partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Die("topic " + t);
    }
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(impl_->mc);
  impl_->producer = NewClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_},
                                                  {"client.id", "test-producer"},
                                                  {"linger.ms", "0"},
                                                  {"reconnect.backoff.max.ms", "500"},
                                                  {"enable.idempotence", "true"},
                                                  {"message.max.bytes", "8000000"}});
}

MockKafka::~MockKafka() {
  rd_kafka_flush(impl_->producer, 5000);
  rd_kafka_destroy(impl_->producer);
  rd_kafka_mock_cluster_destroy(impl_->mc);
  rd_kafka_destroy(impl_->host);
}

void MockKafka::PushRequestErrors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> errs;
  for (int e : errors) errs.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(impl_->mc, api_key, errs.size(), errs.data());
}

void MockKafka::SetTopicError(const std::string& topic, int error) {
  rd_kafka_mock_topic_set_error(impl_->mc, topic.c_str(), static_cast<rd_kafka_resp_err_t>(error));
}

void MockKafka::SetBrokerDown(int32_t broker_id) {
  if (rd_kafka_mock_broker_set_down(impl_->mc, broker_id)) Die("broker down");
}

void MockKafka::SetBrokerUp(int32_t broker_id) {
  if (rd_kafka_mock_broker_set_up(impl_->mc, broker_id)) Die("broker up");
}

void MockKafka::SetBrokerRtt(int32_t broker_id, int rtt_ms) {
  if (rd_kafka_mock_broker_set_rtt(impl_->mc, broker_id, rtt_ms)) Die("broker rtt");
}

void MockKafka::Produce(const std::string& topic, const std::string& key, const std::string& value) {
  rd_kafka_resp_err_t err = rd_kafka_producev(
      impl_->producer, RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("produce: ") + rd_kafka_err2str(err));
  if (rd_kafka_flush(impl_->producer, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Die(std::string("flush: ") + std::to_string(rd_kafka_outq_len(impl_->producer)) +
        " still queued");
  }
}

std::vector<Record> MockKafka::ReadAll(const std::string& topic, size_t at_least,
                                       std::chrono::milliseconds timeout) {
  rd_kafka_t* c = NewClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap_},
                                                {"group.id", "test-reader"},
                                                {"enable.auto.commit", "false"},
                                                {"enable.partition.eof", "false"},
                                                {"auto.offset.reset", "earliest"}});
  // Assign every partition from the beginning (no group membership needed). The mock keeps ~5 MB
  // a partition: when a producer still writing pushes out records this reader has not reached,
  // its fetch is out of range, and the reset goes on from the oldest record left (librdkafka's
  // default, the end, skipped every record left: a flaky empty read of ~900 KB story updates).
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(c, topic.c_str(), nullptr);
  if (rd_kafka_metadata(c, 0, rkt, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) Die("metadata");
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(8);
  for (int i = 0; i < md->topic_cnt; ++i) {
    for (int p = 0; p < md->topics[i].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(parts, topic.c_str(), md->topics[i].partitions[p].id)
          ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_assign(c, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  std::vector<Record> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < at_least && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Record r;
      r.topic = topic;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* val;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          r.headers[name] = std::string(static_cast<const char*>(val), size);
        }
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return out;
}

DaemonProcess::DaemonProcess(const std::string& config_path, const std::string& log_path,
                             const std::vector<std::string>& env)
    : log_path_(log_path) {
  const std::string bin = BinaryPath();
  std::vector<std::string> env_copy = env;  // putenv keeps the pointers
  {
    std::ifstream existing(log_path, std::ios::ate);  // the log is appended to: skip earlier runs
    if (existing) log_start_ = existing.tellg();
  }
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that crashed
    FILE* f = std::freopen(log_path.c_str(), "a", stderr);
    (void)f;
    for (std::string& e : env_copy) putenv(e.data());
    execl(bin.c_str(), bin.c_str(), "run", "--config", config_path.c_str(), nullptr);
    _exit(127);
  }
  if (pid_ < 0) Die("fork");
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void DaemonProcess::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int DaemonProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string DaemonProcess::Log() const {
  std::ifstream in(log_path_);
  in.seekg(log_start_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string WriteDaemonConfig(const std::string& dir, const std::string& bootstrap,
                              const std::string& group, const std::string& extra, int workers,
                              const std::string& kafka_extra, const std::string& daemon_extra) {
  const std::string path = dir + "/dedupd-" + group + ".toml";
  std::ofstream f(path);
  f << "[kafka]\nbrokers = \"" << bootstrap << "\"\ngroup_id = \"" << group << "\"\n"
    << kafka_extra
    << "[kafka.consumer]\nsession.timeout.ms = 6000\nauto.commit.interval.ms = 200\n"
    << "statistics.interval.ms = 1000\n"
    << "[kafka.producer]\nlinger.ms = 1\n"
    << "[daemon]\npoll_timeout_ms = 50\nshutdown_timeout_ms = 5000\nworkers = " << workers << "\n"
    << daemon_extra
    << "[log]\nlevel = \"info\"\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n"
    << extra;
  return path;
}

int DaemonProcess::WaitHttpPort(std::chrono::milliseconds timeout) const {
  int port = 0;
  WaitFor(
      [&] {
        const std::string log = Log();
        const size_t line = log.find("http endpoint listening");
        if (line == std::string::npos) return false;
        // logfmt: address=127.0.0.1:PORT; JSON: "address":"127.0.0.1:PORT"
        size_t start = log.find("address", line);
        if (start == std::string::npos) return false;
        start = log.find_first_not_of("=\":", start + 7);
        const size_t end = log.find_first_of("\" \n", start);
        if (start == std::string::npos || end == std::string::npos) return false;
        const std::string address = log.substr(start, end - start);
        port = std::atoi(address.c_str() + address.rfind(':') + 1);
        return port > 0;
      },
      timeout);
  return port;
}

std::string JsonField(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(json).get(e) != simdjson::SUCCESS) return "<bad json>";
  simdjson::dom::element v;
  if (e[key].get(v) != simdjson::SUCCESS) return "<missing>";
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return std::string(simdjson::minify(v));
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

}  // namespace dedup::testing
