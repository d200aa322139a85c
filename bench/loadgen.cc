// dedupd-loadgen: a load test for the daemon through a Kafka cluster (the devbroker or a real
// one). Publishes articles from a JSON-lines file (ids made unique per message), at a fixed rate
// or as fast as possible, reads the decisions back, and prints throughput, end-to-end latency
// percentiles (published -> decision received) and, given its pid, dedupd's resident memory.
//
//   dedupd-loadgen --brokers HOST:PORT --input ARTICLES.jsonl [--count N] [--rate PER_SECOND]
//                  [--topic articles] [--decisions dedup.decisions] [--pid DEDUPD_PID]
//                  [--timeout-s 120] [--series FILE] [--fetch-wait-ms 10]
//                  [--broker-pid BROKER_PID] [--first N]
//
// --rate 0 (the default) publishes as fast as the producer accepts. The article's "id" must be
// a JSON string (the generator prefixes it with "lg<N>-" to keep ids unique across repeats).
// When --count is more than the file holds, the file is published again, and each pass's
// "published_at" values (RFC 3339 strings) move on by the file's span plus an hour, so event
// time keeps going forward as in a live stream: repeated with their own dates, the articles
// would all be older than dedupd's window and leave it as soon as they were decided.
// --series FILE writes one CSV line per decision, "sent_ms,latency_ms,decided_ms" (publish time
// from the start, latency, and how long after publishing dedupd produced the decision, from the
// decision's Kafka timestamp): whether a tail comes from a few stalls or from steady queueing, and
// on which side of dedupd, shows there.
// --first N starts the stream at message number N (default 0): the stream a run with
// --count N + COUNT would publish, from its message N on. A warm-up run with --count N, then a
// measured one with --first N, measures a daemon whose buffers and index a stream has already
// filled (scripts/loadtest.sh WARMUP=N), where a lone run measures one that starts empty.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "dedup/base/allocator.h"
#include "dedup/base/strings.h"
#include "dedup/base/time.h"

namespace {

using Clock = std::chrono::steady_clock;

// The producer's queue.buffering.max.messages.
constexpr long kMaxQueuedMessages = 200000;

// At a fixed rate, how far ahead of its time a message may be published (the rate holds over
// any longer span; the producer's linger.ms of 5 batches messages more coarsely anyway).
constexpr std::chrono::milliseconds kPacingSlack{1};

struct Options {
  std::string brokers, input, topic = "articles", decisions = "dedup.decisions";
  long count = 100000;
  long first = 0;  // the first message's number (ids, event-time passes)
  double rate = 0;
  long pid = 0;
  long broker_pid = 0;  // the devbroker's, when it shares the machine: its CPU is reported too
  int timeout_s = 120;
  int fetch_wait_ms = 10;  // the decisions reader's fetch.wait.max.ms
  std::string series;
};

rd_kafka_t* Client(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& p) {
  char err[512];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  for (const auto& [k, v] : p) {
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "dedupd-loadgen: %s: %s\n", k.c_str(), err);
      std::exit(2);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, c, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "dedupd-loadgen: %s\n", err);
    std::exit(2);
  }
  return rk;
}

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

// The metadata of one topic, requested through `rk` (which also connects the client and fills
// its metadata cache): exactly that topic, without error, in topics[0]; null otherwise.
MetadataPtr TopicMetadata(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &raw, 10000);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
  MetadataPtr md(raw);
  if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
  return md;
}

long RssKiB(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// CPU time (user + system) from a /proc stat file, in seconds; -1 if unreadable. `comm`, when
// given, gets the command (thread) name.
double CpuSecondsFromStat(const std::string& path, std::string* comm = nullptr) {
  std::ifstream f(path);
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // Fields after the command name (which is in parentheses and may hold spaces): utime and
  // stime are the 12th and 13th of them, in clock ticks.
  const size_t open = stat.find('(');
  const size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return -1;
  if (comm != nullptr) *comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU time (all threads) the process has used, in seconds; -1 if unreadable.
double CpuSeconds(long pid) { return CpuSecondsFromStat("/proc/" + std::to_string(pid) + "/stat"); }

// dedupd's CPU time by kind of thread, in seconds: the pipeline thread (the main thread: the
// engine, in order, the daemon's one serial stage), the analysis workers ("dedupd-worker"),
// librdkafka's threads ("rdk:..."), and the rest (the HTTP endpoint).
struct ThreadCpu {
  double pipeline = 0, workers = 0, kafka = 0, other = 0;
  bool ok = false;
};
ThreadCpu DedupdThreadCpu(long pid) {
  ThreadCpu t;
  const std::string main_tid = std::to_string(pid);
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + main_tid + "/task", ec)) {
    std::string comm;
    const double s = CpuSecondsFromStat(task.path().string() + "/stat", &comm);
    if (s < 0) continue;  // the thread ended meanwhile
    if (task.path().filename() == main_tid) {
      t.pipeline += s;
    } else if (comm == "dedupd-worker") {
      t.workers += s;
    } else if (comm.rfind("rdk:", 0) == 0) {
      t.kafka += s;
    } else {
      t.other += s;
    }
    t.ok = true;
  }
  return t;
}

// Writes `line` into `out` with its first "id": "X" rewritten to "id": "lg<n>-X", and the new
// id into `id`; `line` unchanged and an empty id if it has no "id". Both strings are reused from
// message to message (no allocation once they are large enough).
void Reid(const std::string& line, long n, std::string& out, std::string& id) {
  id.clear();
  const size_t k = line.find("\"id\"");
  const size_t colon = k == std::string::npos ? k : line.find(':', k);
  const size_t q = colon == std::string::npos ? colon : line.find('"', colon + 1);
  const size_t end = q == std::string::npos ? q : line.find('"', q + 1);
  if (end == std::string::npos) {
    out.assign(line);
    return;
  }
  char digits[24];
  const auto [ptr, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  (void)ec;
  id.append("lg").append(digits, ptr).append("-").append(line, q + 1, end - q - 1);
  out.assign(line, 0, q + 1);
  out.append(id);
  out.append(line, end, std::string::npos);
}

// The message number n of an id Reid made ("lg<n>-..."), or -1.
long SerialOf(std::string_view id) {
  if (id.size() < 4 || id.substr(0, 2) != "lg") return -1;
  long n = -1;
  const auto [ptr, ec] = std::from_chars(id.data() + 2, id.data() + id.size(), n);
  if (ec != std::errc() || ptr == id.data() + 2 || ptr == id.data() + id.size() || *ptr != '-') {
    return -1;
  }
  return n;
}

// Where the value of the first "published_at": "..." of `line` is (offset and length of the
// string's contents), if there is one.
std::optional<std::pair<size_t, size_t>> FindPublishedAt(const std::string& line) {
  const size_t k = line.find("\"published_at\"");
  if (k == std::string::npos) return std::nullopt;
  const size_t colon = line.find(':', k + 14);
  if (colon == std::string::npos) return std::nullopt;
  const size_t q = line.find_first_not_of(" \t", colon + 1);
  if (q == std::string::npos || line[q] != '"') return std::nullopt;
  const size_t end = line.find('"', q + 1);
  if (end == std::string::npos) return std::nullopt;
  return std::make_pair(q + 1, end - q - 1);
}

// Moves `payload`'s published_at (if any, and parseable) on by shift_ms.
void ShiftPublishedAt(std::string& payload, int64_t shift_ms) {
  if (shift_ms == 0) return;
  const auto at = FindPublishedAt(payload);
  if (!at.has_value()) return;
  const absl::StatusOr<dedup::EventTimeMs> t =
      dedup::ParseRfc3339Ms(std::string_view(payload).substr(at->first, at->second));
  if (!t.ok()) return;
  std::string moved;
  dedup::AppendRfc3339Ms(moved, *t + shift_ms);
  payload.replace(at->first, at->second, moved);
}

// A steady-clock time as nanoseconds since the clock's epoch (how message slots hold it).
int64_t Ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Takes a copy: nth_element reorders, and the series file pairs latencies with publish times.
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  // dedupd's allocator settings: the producer copies every article into memory it frees on
  // delivery; with glibc's defaults the heap gave it back and the next ones faulted their pages
  // in again, on the cores the measured daemon shares.
  dedup::ConfigureAllocator();
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "dedupd-loadgen: %s needs a value\n", a.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    // A number that does not parse is refused, not read as atoi would: "--rate 5k" must not
    // publish 5 a second, nor "--rate fast" as fast as possible (0) at a real cluster.
    const auto integer = [&](int64_t lo, int64_t hi, auto& out) {
      int64_t n = 0;
      std::string err;
      if (!dedup::ParseIntArg(a, v, lo, hi, n, err)) {
        std::fprintf(stderr, "dedupd-loadgen: %s\n", err.c_str());
        std::exit(2);
      }
      out = static_cast<std::remove_reference_t<decltype(out)>>(n);
    };
    if (a == "--brokers") o.brokers = v;
    else if (a == "--input") o.input = v;
    else if (a == "--topic") o.topic = v;
    else if (a == "--decisions") o.decisions = v;
    else if (a == "--count") integer(1, int64_t{1} << 40, o.count);
    else if (a == "--first") integer(0, int64_t{1} << 40, o.first);
    else if (a == "--rate") {
      if (!dedup::ParseDoubleIn(v, 0, 1e9, o.rate)) {
        std::fprintf(stderr, "dedupd-loadgen: --rate must be a number of articles a second from 0 "
                             "(as fast as possible) to 1e9, not \"%s\"\n", v.c_str());
        return 2;
      }
    }
    else if (a == "--pid") integer(1, INT32_MAX, o.pid);
    else if (a == "--broker-pid") integer(1, INT32_MAX, o.broker_pid);
    else if (a == "--timeout-s") integer(1, 86400, o.timeout_s);
    else if (a == "--fetch-wait-ms") integer(0, 60000, o.fetch_wait_ms);
    else if (a == "--series") o.series = v;
    else {
      std::fprintf(stderr, "dedupd-loadgen: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (o.brokers.empty() || o.input.empty()) {
    std::fprintf(stderr, "usage: dedupd-loadgen --brokers HOST:PORT --input ARTICLES.jsonl "
                         "[--count N] [--rate PER_SECOND] [--topic T] [--decisions T] "
                         "[--pid DEDUPD_PID] [--timeout-s S] [--series FILE] "
                         "[--fetch-wait-ms MS] [--broker-pid PID] [--first N]\n");
    return 2;
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(o.input);
    std::string l;
    while (std::getline(in, l)) {
      if (!l.empty()) lines.push_back(l);
    }
  }
  if (lines.empty()) {
    std::fprintf(stderr, "dedupd-loadgen: no articles in %s\n", o.input.c_str());
    return 2;
  }
  // Each repeat of the file follows the previous one in event time (see the top).
  int64_t pass_ms = 0;
  {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const std::string& l : lines) {
      const auto at = FindPublishedAt(l);
      if (!at.has_value()) continue;
      const auto t = dedup::ParseRfc3339Ms(std::string_view(l).substr(at->first, at->second));
      if (!t.ok()) continue;
      lo = std::min(lo, *t);
      hi = std::max(hi, *t);
    }
    if (lo <= hi) pass_ms = hi - lo + dedup::HoursToMs(1);
  }

  // Each message's publish time, by its number less --first: steady-clock ns for the latency
  // (0: not sent yet, or its decision already counted) and wall-clock ms for comparing with
  // Kafka timestamps. The publisher writes a slot before producing the message; the reader
  // takes it (exchanging 0 in) when the decision comes back, so a decision delivered twice
  // counts once.
  struct SentSlot {
    std::atomic<int64_t> steady_ns{0};
    std::atomic<int64_t> wall_ms{0};
  };
  const std::unique_ptr<SentSlot[]> sent(new SentSlot[static_cast<size_t>(o.count)]);
  // The reader's (the main thread reads them after joining it):
  std::vector<double> latencies_ms;
  std::vector<int64_t> sent_at_ns;  // parallel to latencies_ms: when the message was published
  std::vector<double> decided_ms;   // likewise: publish -> decision produced (its timestamp)
  std::atomic<long> received{0};
  std::atomic<bool> producing_done{false};
  Clock::time_point first_decision{}, last_decision{};

  // Reader: from the end of the decisions topic (assigned now, before publishing).
  rd_kafka_t* consumer = Client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", o.brokers},
                                                    {"group.id", "dedupd-loadgen"},
                                                    {"enable.auto.commit", "false"},
                                                    {"auto.offset.reset", "latest"},
                                                    {"socket.nagle.disable", "true"},
                                                    {"fetch.max.bytes", "1048576"},
                                                    {"fetch.wait.max.ms",
                                                     std::to_string(o.fetch_wait_ms)}});
  {
    const MetadataPtr md = TopicMetadata(consumer, o.decisions);
    if (md == nullptr) {
      std::fprintf(stderr, "dedupd-loadgen: no metadata for %s\n", o.decisions.c_str());
      return 1;
    }
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(16);
    // From each partition's current end, looked up now: with OFFSET_END the consumer resolves
    // the end itself, later, and the first decisions waited for that (a start-up artifact of
    // ~200 ms in the first 400 ms of a run's latencies).
    for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
      const int32_t id = md->topics[0].partitions[p].id;
      int64_t low = 0, high = RD_KAFKA_OFFSET_END;
      if (rd_kafka_query_watermark_offsets(consumer, o.decisions.c_str(), id, &low, &high,
                                           10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        high = RD_KAFKA_OFFSET_END;
      }
      rd_kafka_topic_partition_list_add(parts, o.decisions.c_str(), id)->offset = high;
    }
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::thread reader([&] {
    const auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
    while (received.load() < o.count && Clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
      if (m == nullptr) continue;
      const long n = m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key != nullptr
                         ? SerialOf({static_cast<const char*>(m->key), m->key_len})
                         : -1;
      if (n >= o.first && n - o.first < o.count) {
        SentSlot& slot = sent[static_cast<size_t>(n - o.first)];
        const int64_t at = slot.steady_ns.exchange(0);
        if (at != 0) {
          const auto now = Clock::now();
          latencies_ms.push_back(static_cast<double>(Ns(now) - at) / 1e6);
          sent_at_ns.push_back(at);
          rd_kafka_timestamp_type_t type;
          const int64_t ts = rd_kafka_message_timestamp(m, &type);
          const int64_t wall_ms = slot.wall_ms.load();
          decided_ms.push_back(ts >= 0 ? static_cast<double>(ts - wall_ms) : -1.0);
          if (received.fetch_add(1) == 0) first_decision = now;
          last_decision = now;
        }
      }
      rd_kafka_message_destroy(m);
    }
  });

  rd_kafka_t* producer = Client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", o.brokers},
                                                    {"linger.ms", "5"},
                                                    {"socket.nagle.disable", "true"},
                                                    {"queue.buffering.max.messages",
                                                     std::to_string(kMaxQueuedMessages)}});
  // Connected and the input topic's leaders known before the clock starts: otherwise the first
  // messages wait in the producer for its first metadata, which on the devbroker took ~1 s in
  // 9 of 20 flat-out runs (the first decision ~1 s after publishing, the run's throughput about
  // a third lower).
  {
    const MetadataPtr md = TopicMetadata(producer, o.topic);
    if (md == nullptr) {
      std::fprintf(stderr, "dedupd-loadgen: no metadata for %s\n", o.topic.c_str());
      return 1;
    }
  }
  {
    // The producer copies every message into memory it frees on delivery. Flat out, messages
    // are published faster than the broker takes them, and up to the whole run waits in the
    // producer's queue: each 4 KiB of it was a fresh page, faulted in on the cores the measured
    // daemon shares (~20% of this generator's CPU). So what the queue may hold at most (every
    // message of the run with librdkafka's own overhead, within the queue's message limit) is
    // touched before the clock starts.
    size_t bytes = 0;
    const long queued = std::min<long>(o.count, kMaxQueuedMessages);
    for (long k = 0; k < queued; ++k) {
      bytes += lines[static_cast<size_t>(o.first + k) % lines.size()].size() + 256;
    }
    dedup::PrefaultHeap(bytes, /*one_arena=*/false);
  }
  const double cpu_before = o.pid > 0 ? CpuSeconds(o.pid) : -1;
  const ThreadCpu threads_before = o.pid > 0 ? DedupdThreadCpu(o.pid) : ThreadCpu{};
  const double own_cpu_before = CpuSeconds(getpid());
  const double broker_cpu_before = o.broker_pid > 0 ? CpuSeconds(o.broker_pid) : -1;
  const Clock::time_point start = Clock::now();
  std::string payload, id;
  long published = 0;
  long peak_rss = 0;
  for (long k = 0; k < o.count; ++k) {
    if (o.rate > 0) {
      // Sent up to kPacingSlack before its time: one sleep a millisecond's worth of messages,
      // not one a message (at 30,000/s a wake-up every 33 us, on the cores dedupd shares).
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(static_cast<double>(k) / o.rate));
      if (due - Clock::now() > kPacingSlack) std::this_thread::sleep_until(due);
    }
    const long n = o.first + k;  // the message's number in the stream
    Reid(lines[static_cast<size_t>(n) % lines.size()], n, payload, id);
    const auto pass = static_cast<int64_t>(static_cast<size_t>(n) / lines.size());
    ShiftPublishedAt(payload, pass * pass_ms);
    SentSlot& slot = sent[static_cast<size_t>(k)];
    slot.wall_ms.store(dedup::WallClockMs());
    slot.steady_ns.store(Ns(Clock::now()));
    while (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(o.topic.c_str()),
                             RD_KAFKA_V_KEY(const_cast<char*>(id.data()), id.size()),
                             RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 5);
    }
    rd_kafka_poll(producer, 0);
    ++published;
    if (o.pid > 0 && k % 1000 == 0) peak_rss = std::max(peak_rss, RssKiB(o.pid));
  }
  rd_kafka_flush(producer, 30000);
  const double publish_s = std::chrono::duration<double>(Clock::now() - start).count();
  producing_done = true;
  while (reader.joinable()) {
    if (o.pid > 0) peak_rss = std::max(peak_rss, RssKiB(o.pid));
    if (received.load() >= o.count ||
        Clock::now() - start > std::chrono::seconds(o.timeout_s)) {
      reader.join();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double span_s = std::chrono::duration<double>(last_decision - start).count();
  const double cpu_after = o.pid > 0 ? CpuSeconds(o.pid) : -1;
  const ThreadCpu threads_after = o.pid > 0 ? DedupdThreadCpu(o.pid) : ThreadCpu{};
  const double own_cpu_after = CpuSeconds(getpid());
  const double broker_cpu_after = o.broker_pid > 0 ? CpuSeconds(o.broker_pid) : -1;
  std::printf("published=%ld in %.2f s (%.0f/s)  decisions=%ld  throughput=%.0f decisions/s "
              "(publish start -> last decision)\n",
              published, publish_s, static_cast<double>(published) / publish_s, received.load(),
              span_s > 0 ? static_cast<double>(received.load()) / span_s : 0.0);
  std::printf("latency_ms p50=%.1f p95=%.1f p99=%.1f max=%.1f\n",
              Percentile(latencies_ms, 50), Percentile(latencies_ms, 95),
              Percentile(latencies_ms, 99), Percentile(latencies_ms, 100));
  // The share before dedupd's producer took the decision (publish -> decision's timestamp, ms
  // resolution): what remains of the latency is the decision's way back through the broker.
  std::printf("to_decision_ms p50=%.0f p99=%.0f (publish -> decision produced)\n",
              Percentile(decided_ms, 50), Percentile(decided_ms, 99));
  if (o.pid > 0) std::printf("dedupd_rss_mib peak=%.1f\n", static_cast<double>(peak_rss) / 1024.0);
  // dedupd's CPU (all its threads, librdkafka's included) from the first publish to the end of
  // the wait for decisions, per decision received: what one article costs the daemon.
  if (cpu_before >= 0 && cpu_after >= 0 && received.load() > 0) {
    std::printf("dedupd_cpu_us_per_article=%.1f (%.2f s of CPU)\n",
                (cpu_after - cpu_before) * 1e6 / static_cast<double>(received.load()),
                cpu_after - cpu_before);
  }
  // The same by thread. The pipeline thread decides every article in turn: with cores to spare
  // for the rest, 1 s / its share is about the most one dedupd can decide a second.
  if (threads_before.ok && threads_after.ok && received.load() > 0) {
    const double n = static_cast<double>(received.load());
    const double pipeline = (threads_after.pipeline - threads_before.pipeline) * 1e6 / n;
    std::printf("dedupd_thread_cpu_us_per_article pipeline=%.1f workers=%.1f kafka=%.1f "
                "other=%.1f",
                pipeline, (threads_after.workers - threads_before.workers) * 1e6 / n,
                (threads_after.kafka - threads_before.kafka) * 1e6 / n,
                (threads_after.other - threads_before.other) * 1e6 / n);
    if (pipeline > 0) {
      std::printf(" (pipeline thread's ceiling with cores to spare: ~%.0f articles/s)",
                  1e6 / pipeline);
    }
    std::printf("\n");
  }
  // What the load test itself cost over the same span, when it shares the machine with dedupd:
  // this generator (publishing, reading the decisions back) and the devbroker. On a machine of
  // C cores, dedupd can decide at most C / (sum of the three) articles a second.
  if (own_cpu_before >= 0 && own_cpu_after >= 0 && received.load() > 0) {
    const double n = static_cast<double>(received.load());
    std::printf("harness_cpu_us_per_article loadgen=%.1f",
                (own_cpu_after - own_cpu_before) * 1e6 / n);
    if (broker_cpu_before >= 0 && broker_cpu_after >= 0) {
      std::printf(" devbroker=%.1f", (broker_cpu_after - broker_cpu_before) * 1e6 / n);
    }
    std::printf("\n");
  }
  if (received.load() < o.count) {
    // Said in words: a short count is easy to miss in the line above, and it changes what the
    // numbers mean (latency and CPU are then over the decisions that did arrive).
    std::printf("MISSING: %ld of %ld decisions did not arrive within %d s: dedupd fell behind "
                "and the devbroker dropped input it could not hold (about 5 MB a partition; "
                "more partitions hold more), or the daemon failed (see its log)\n",
                o.count - received.load(), o.count, o.timeout_s);
  }
  if (!o.series.empty()) {
    std::ofstream f(o.series);
    f << "sent_ms,latency_ms,decided_ms\n";
    const int64_t start_ns = Ns(start);
    for (size_t i = 0; i < latencies_ms.size(); ++i) {
      const double sent_ms = static_cast<double>(sent_at_ns[i] - start_ns) / 1e6;
      f << sent_ms << ',' << latencies_ms[i] << ',' << decided_ms[i] << '\n';
    }
  }
  rd_kafka_destroy(producer);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return received.load() == o.count ? 0 : 1;
}
