// dedupd's typed configuration, loaded from one TOML file.
//
// Every key has a default (the values below), a unit in its name where it has one, a validator,
// and a line of documentation in config/dedupd.toml. Unknown keys and bad values are refused
// with the key and the problem named. Thread-safety: a Config is a plain value; copy it freely.
#ifndef DEDUP_CONFIG_CONFIG_H_
#define DEDUP_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace dedup {

struct InputConfig {
  std::string id_field = "id";
  std::string body_field = "body";
  std::string title_field = "title";
  std::string source_field = "source";
  std::string url_field = "url";
  std::string published_at_field = "published_at";
  int64_t max_article_bytes = 4 * 1024 * 1024;
};

struct TextConfig {
  int shingle_words = 3;
  bool include_title = false;
};

struct BoilerplateConfig {
  bool enabled = true;
  int min_articles = 2;
  int64_t max_lines_per_source = 4096;
  int64_t max_sources = 20000;
  int min_kept_tokens = 20;
  bool headline_lines = true;
  int64_t max_headlines = 200000;
};

struct SketchConfig {
  int num_hashes = 128;
  int64_t seed = 1;
  std::string algorithm = "oph";  // "oph" (signature version 5) or "minhash" (4)
  std::string kernel = "auto";    // MinHash kernel ("minhash" only)
};

struct IndexConfig {
  double lsh_threshold = 0.2;
  double false_positive_weight = 0.5;
  double false_negative_weight = 0.5;
  int max_candidates = 200;
  int max_bucket_scan = 32;
};

struct MatchConfig {
  double jaccard_threshold = 0.5;
  double containment_threshold = 0.6;
  int min_containment_shingles = 20;
  double min_containment_jaccard = 0.1;
  int min_lead_overlap = 2;
  double number_containment_threshold = 0.5;
  int min_numbers = 1;
};

enum class CanonicalPolicy { kEarliest, kLongest, kSourcePriority };

struct ClusterConfig {
  CanonicalPolicy canonical_policy = CanonicalPolicy::kEarliest;
  std::vector<std::string> source_priority;
  double window_hours = 72.0;
  // An event time (published_at, else the message timestamp) more than this far ahead of the
  // host's clock is taken as the clock's time: one article dated years ahead would otherwise
  // move the window's watermark with it and evict everything. 0: no check.
  double max_future_hours = 1.0;
  int64_t max_articles = 1000000;
  // A story update lists at most this many members, the newest (its `size` counts them all): a
  // story reprinted thousands of times would otherwise cost O(members) per new copy and outgrow
  // the broker's message size limit. Every article's decision names its cluster regardless.
  int64_t max_story_members = 1000;
};

// Kafka connection and topics. consumer_properties / producer_properties pass straight to
// librdkafka (validated by librdkafka, not here), after the settings dedupd needs.
struct KafkaConfig {
  std::string brokers = "localhost:9092";
  std::string group_id = "dedupd";
  std::vector<std::string> input_topics = {"articles"};
  std::string decisions_topic = "dedup.decisions";
  std::string stories_topic = "dedup.stories";
  std::string dead_letter_topic = "dedup.dead-letter";
  std::vector<std::pair<std::string, std::string>> consumer_properties;
  std::vector<std::pair<std::string, std::string>> producer_properties;
  // Exactly-once: outputs and input offsets committed together in producer transactions.
  bool exactly_once = false;
  // The transactional.id (unique per instance, stable across its restarts). Empty: derived as
  // "dedupd-<group_id>-<hostname>".
  std::string transactional_id;
};

struct DaemonConfig {
  int64_t shutdown_timeout_ms = 10000;
  int64_t poll_timeout_ms = 100;
  int64_t max_inflight_messages = 20000;
  int64_t max_inflight_bytes = 256 * 1024 * 1024;
  int workers = -1;  // parse/analysis threads; -1: one per CPU but one; 0: none (all on one thread)
  // The workers also sign each article on a guess of the lines the engine drops (the engine
  // uses it when right): less work on the pipeline thread, a little more in all.
  bool presign = true;
  // On assignment, rebuild the index by re-reading each partition's window before its committed
  // offset (without output).
  bool restore_state = true;
  // Exactly-once: how often the open transaction is committed.
  int64_t transaction_interval_ms = 100;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "logfmt";
};

// The operations endpoint (/metrics, /healthz, /readyz). Empty listen: no endpoint.
struct HttpConfig {
  std::string listen = "127.0.0.1:9464";
};

struct Config {
  InputConfig input;
  TextConfig text;
  BoilerplateConfig boilerplate;
  SketchConfig sketch;
  IndexConfig index;
  MatchConfig match;
  ClusterConfig cluster;
  KafkaConfig kafka;
  DaemonConfig daemon;
  LogConfig log;
  HttpConfig http;
};

// Parses TOML text. `origin` names the source in error messages (a path, or "<string>").
// Keys absent from the text keep their defaults.
absl::StatusOr<Config> ParseConfig(std::string_view toml_text, std::string_view origin);

// Reads and parses a TOML file.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

std::string_view CanonicalPolicyName(CanonicalPolicy p);

// Live reload. These settings take effect on reload (SIGHUP) without losing state: all of
// [match] and [cluster], index.max_candidates, [log], and daemon.shutdown_timeout_ms,
// poll_timeout_ms, max_inflight_messages and max_inflight_bytes. Every other setting shapes
// state or connections (brokers, topics, signature size, LSH bands, tokenising, the endpoint)
// and needs a restart. Returns the dotted names of such settings that differ, in file order;
// empty when `next` can be applied to a process running `running`.
std::vector<std::string> RestartRequiredChanges(const Config& running, const Config& next);

// Every setting that differs between two configs, in file order, and whether it needs a restart.
struct ConfigChange {
  std::string key;  // dotted, e.g. "match.jaccard_threshold"; "kafka.consumer" for its table
  bool needs_restart = false;
};
std::vector<ConfigChange> DiffConfigs(const Config& running, const Config& next);

// Applies [log] (level and format) to the process's logger.
void ApplyLogSettings(const LogConfig& log);

}  // namespace dedup

#endif  // DEDUP_CONFIG_CONFIG_H_
