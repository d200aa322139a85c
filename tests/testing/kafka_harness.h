// Integration-test harness: an in-process mock Kafka cluster (librdkafka's, real protocol on
// loopback), a producer and reader for test data, and the dedupd daemon as a child process.
#ifndef DEDUP_TESTS_TESTING_KAFKA_HARNESS_H_
#define DEDUP_TESTS_TESTING_KAFKA_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <ios>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dedup::testing {

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

class MockKafka {
 public:
  // Starts `brokers` mock brokers and creates each topic with `partitions` partitions.
  MockKafka(int brokers, const std::vector<std::string>& topics, int partitions);
  ~MockKafka();
  const std::string& bootstrap() const { return bootstrap_; }

  // Produces synchronously (waits for acknowledgement). Empty key: no key.
  void Produce(const std::string& topic, const std::string& key, const std::string& value);
  // Reads every record of `topic` from the beginning until `at_least` records were read or the
  // timeout passed.
  std::vector<Record> ReadAll(const std::string& topic, size_t at_least,
                              std::chrono::milliseconds timeout);

  // Fault injection (librdkafka's mock API). The next `errors.size()` requests of Kafka API
  // `api_key` (0 Produce, 1 Fetch, 25 AddOffsetsToTxn, 26 EndTxn, ...) from any client fail with
  // these error codes, in order.
  void PushRequestErrors(int16_t api_key, const std::vector<int>& errors);
  // Metadata requests for `topic` fail with `error` (0 clears it).
  void SetTopicError(const std::string& topic, int error);
  void SetBrokerDown(int32_t broker_id);
  void SetBrokerUp(int32_t broker_id);
  // Delays every response of the broker by `rtt_ms`.
  void SetBrokerRtt(int32_t broker_id, int rtt_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string bootstrap_;
};

// dedupd run as a child process, stderr captured to a file. `env` entries ("NAME=value") are
// added to the child's environment.
class DaemonProcess {
 public:
  DaemonProcess(const std::string& config_path, const std::string& log_path,
                const std::vector<std::string>& env = {});
  ~DaemonProcess();  // SIGKILLs a still-running child
  void Signal(int signo);
  // Waits for exit; returns the exit code, or -1 on timeout, or 128+signal if killed.
  int Wait(std::chrono::milliseconds timeout);
  // What this process wrote to the log (earlier runs appended to the same file are skipped).
  std::string Log() const;
  // The port of the operations endpoint, read from the log line "http endpoint listening";
  // 0 if it did not appear in time.
  int WaitHttpPort(std::chrono::milliseconds timeout) const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::streamoff log_start_ = 0;  // where this process's lines begin in an appended log
};

// Writes a config for the daemon against `bootstrap` with the default topics, the operations
// endpoint on a free port (see WaitHttpPort) and librdkafka statistics every second; `extra` is
// appended verbatim (TOML). Returns the path.
// `workers` sets [daemon] workers (-1: one per CPU but one; 0: parse and analyse inline).
// `kafka_extra` goes into the [kafka] table (e.g. "exactly_once = true\n"), `daemon_extra` into
// [daemon].
std::string WriteDaemonConfig(const std::string& dir, const std::string& bootstrap,
                              const std::string& group, const std::string& extra = "",
                              int workers = -1, const std::string& kafka_extra = "",
                              const std::string& daemon_extra = "");

// A top-level field of a JSON object: a string's value, or other values as minified JSON;
// "<missing>" or "<bad json>".
std::string JsonField(const std::string& json, const char* key);

// Polls `pred` every 50 ms until true or the timeout; returns its last value.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace dedup::testing

#endif  // DEDUP_TESTS_TESTING_KAFKA_HARNESS_H_
