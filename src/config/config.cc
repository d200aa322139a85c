#include "dedup/config/config.h"

#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dedup/base/host_port.h"
#include "dedup/base/log.h"
#include "dedup/base/status.h"

// Header-only and without exceptions: errors are values here. Debian's libtomlplusplus.so is
// built with exceptions (its symbols live in toml::ex), so the shared library is not linked.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>
#include "dedup/base/strings.h"

namespace dedup {
namespace {

// Context for one key while it is being applied: its dotted name and where it stands.
struct KeyRef {
  std::string name;
  std::string where;
};

absl::Status KeyError(const KeyRef& k, std::string_view problem) {
  return absl::InvalidArgumentError(Cat(k.where, ": ", k.name, ": ", problem));
}

std::string TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

absl::Status ReadInt(const toml::node& n, const KeyRef& k, int64_t lo, int64_t hi, int64_t& out) {
  if (!n.is_integer()) return KeyError(k, Cat("expected an integer, got ", TypeName(n)));
  const int64_t v = n.as_integer()->get();
  if (v < lo || v > hi) {
    return KeyError(k, Cat("must be between ", lo, " and ", hi, " (got ", v, ")"));
  }
  out = v;
  return absl::OkStatus();
}

absl::Status ReadInt(const toml::node& n, const KeyRef& k, int64_t lo, int64_t hi, int& out) {
  int64_t v = 0;
  DEDUP_RETURN_IF_ERROR(ReadInt(n, k, lo, hi, v));
  out = static_cast<int>(v);
  return absl::OkStatus();
}

absl::Status ReadDouble(const toml::node& n, const KeyRef& k, double lo, double hi, double& out) {
  double v;
  if (n.is_floating_point()) {
    v = n.as_floating_point()->get();
  } else if (n.is_integer()) {
    v = static_cast<double>(n.as_integer()->get());
  } else {
    return KeyError(k, Cat("expected a number, got ", TypeName(n)));
  }
  if (!(v >= lo && v <= hi)) {
    return KeyError(k, Cat("must be between ", lo, " and ", hi, " (got ", v, ")"));
  }
  out = v;
  return absl::OkStatus();
}

absl::Status ReadBool(const toml::node& n, const KeyRef& k, bool& out) {
  if (!n.is_boolean()) return KeyError(k, Cat("expected true or false, got ", TypeName(n)));
  out = n.as_boolean()->get();
  return absl::OkStatus();
}

absl::Status ReadString(const toml::node& n, const KeyRef& k, std::string& out) {
  if (!n.is_string()) return KeyError(k, Cat("expected a string, got ", TypeName(n)));
  out = n.as_string()->get();
  return absl::OkStatus();
}

absl::Status ReadNonEmpty(const toml::node& n, const KeyRef& k, std::string& out) {
  DEDUP_RETURN_IF_ERROR(ReadString(n, k, out));
  if (out.empty()) return KeyError(k, "must not be empty");
  return absl::OkStatus();
}

absl::Status ReadChoice(const toml::node& n, const KeyRef& k,
                        std::initializer_list<std::string_view> choices, std::string& out) {
  std::string v;
  DEDUP_RETURN_IF_ERROR(ReadString(n, k, v));
  for (std::string_view c : choices) {
    if (v == c) {
      out = v;
      return absl::OkStatus();
    }
  }
  std::string list;
  for (std::string_view c : choices) list = list.empty() ? std::string(c) : Cat(list, ", ", c);
  return KeyError(k, Cat("must be one of ", list, " (got \"", v, "\")"));
}

absl::Status ReadStringList(const toml::node& n, const KeyRef& k, std::vector<std::string>& out) {
  const toml::array* arr = n.as_array();
  if (arr == nullptr) return KeyError(k, Cat("expected an array of strings, got ", TypeName(n)));
  out.clear();
  for (const toml::node& e : *arr) {
    if (!e.is_string()) return KeyError(k, Cat("expected an array of strings, found ", TypeName(e)));
    out.push_back(e.as_string()->get());
  }
  return absl::OkStatus();
}

// A table of librdkafka properties: strings, integers and booleans, passed on as strings.
// TOML reads an unquoted dotted key (session.timeout.ms = 6000) as nested tables; those are
// flattened back to the dotted property name, so both spellings work.
absl::Status FlattenProperties(const toml::table& t, const std::string& prefix, const KeyRef& k,
                               std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [key, v] : t) {
    const std::string name = prefix.empty() ? std::string(key.str()) : Cat(prefix, ".", key.str());
    if (v.is_table()) {
      DEDUP_RETURN_IF_ERROR(FlattenProperties(*v.as_table(), name, k, out));
    } else if (v.is_string()) {
      out.emplace_back(name, v.as_string()->get());
    } else if (v.is_integer()) {
      out.emplace_back(name, Cat(v.as_integer()->get()));
    } else if (v.is_boolean()) {
      out.emplace_back(name, v.as_boolean()->get() ? "true" : "false");
    } else {
      return KeyError(KeyRef{Cat(k.name, ".", name), k.where},
                      Cat("expected a string, integer or boolean, got ", TypeName(v)));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadProperties(const toml::node& n, const KeyRef& k,
                            std::vector<std::pair<std::string, std::string>>& out) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return KeyError(k, Cat("expected a table of librdkafka properties, got ", TypeName(n)));
  out.clear();
  return FlattenProperties(*t, "", k, out);
}

using Applier = std::function<absl::Status(const toml::node&, const KeyRef&, Config&)>;

const absl::flat_hash_map<std::string, Applier>& Schema() {
  constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
  static const auto* schema = new absl::flat_hash_map<std::string, Applier>{
      // [input]
      {"input.id_field", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.id_field); }},
      {"input.body_field", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.body_field); }},
      {"input.title_field", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.title_field); }},
      {"input.source_field", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.source_field); }},
      {"input.url_field", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.url_field); }},
      {"input.published_at_field",
       [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.input.published_at_field); }},
      {"input.max_article_bytes",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 1024, int64_t{1} << 30, c.input.max_article_bytes);
       }},
      // [text]
      {"text.shingle_words", [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 16, c.text.shingle_words); }},
      {"text.include_title", [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.text.include_title); }},
      // [boilerplate]
      {"boilerplate.enabled", [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.boilerplate.enabled); }},
      {"boilerplate.min_articles",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 1000, c.boilerplate.min_articles); }},
      {"boilerplate.max_lines_per_source",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 16, 10000000, c.boilerplate.max_lines_per_source);
       }},
      {"boilerplate.max_sources",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 10000000, c.boilerplate.max_sources); }},
      {"boilerplate.min_kept_tokens",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 0, 100000, c.boilerplate.min_kept_tokens); }},
      {"boilerplate.headline_lines",
       [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.boilerplate.headline_lines); }},
      {"boilerplate.max_headlines",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 0, 100000000, c.boilerplate.max_headlines); }},
      // [sketch]
      {"sketch.num_hashes",
       [](auto& n, auto& k, Config& c) -> absl::Status {
         DEDUP_RETURN_IF_ERROR(ReadInt(n, k, 16, 1024, c.sketch.num_hashes));
         if (c.sketch.num_hashes % 8 != 0) {
           return KeyError(k, Cat("must be a multiple of 8 (got ", c.sketch.num_hashes, ")"));
         }
         return absl::OkStatus();
       }},
      {"sketch.seed", [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 0, kMaxI64, c.sketch.seed); }},
      {"sketch.algorithm",
       [](auto& n, auto& k, Config& c) { return ReadChoice(n, k, {"oph", "minhash"}, c.sketch.algorithm); }},
      {"sketch.kernel",
       [](auto& n, auto& k, Config& c) { return ReadChoice(n, k, {"auto", "scalar", "avx2", "avx512"}, c.sketch.kernel); }},
      // [index]
      {"index.lsh_threshold",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.05, 0.95, c.index.lsh_threshold); }},
      {"index.false_positive_weight",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 1.0, c.index.false_positive_weight); }},
      {"index.false_negative_weight",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 1.0, c.index.false_negative_weight); }},
      {"index.max_candidates",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 100000, c.index.max_candidates); }},
      {"index.max_bucket_scan",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 100000, c.index.max_bucket_scan); }},
      // [match]
      {"match.jaccard_threshold",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 1.0, c.match.jaccard_threshold); }},
      {"match.containment_threshold",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 1.0, c.match.containment_threshold); }},
      {"match.min_containment_shingles",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 1, 1000000, c.match.min_containment_shingles);
       }},
      {"match.min_containment_jaccard",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 1.0, c.match.min_containment_jaccard); }},
      {"match.min_lead_overlap",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 0, 24, c.match.min_lead_overlap); }},
      {"match.number_containment_threshold",
       [](auto& n, auto& k, Config& c) {
         return ReadDouble(n, k, 0.0, 1.0, c.match.number_containment_threshold);
       }},
      {"match.min_numbers",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 1000, c.match.min_numbers); }},
      // [cluster]
      {"cluster.canonical_policy",
       [](auto& n, auto& k, Config& c) -> absl::Status {
         std::string v;
         DEDUP_RETURN_IF_ERROR(ReadChoice(n, k, {"earliest", "longest", "source_priority"}, v));
         c.cluster.canonical_policy = v == "earliest" ? CanonicalPolicy::kEarliest
                                      : v == "longest" ? CanonicalPolicy::kLongest
                                                       : CanonicalPolicy::kSourcePriority;
         return absl::OkStatus();
       }},
      {"cluster.source_priority",
       [](auto& n, auto& k, Config& c) { return ReadStringList(n, k, c.cluster.source_priority); }},
      {"cluster.window_hours",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.001, 24.0 * 365 * 10, c.cluster.window_hours); }},
      {"cluster.max_future_hours",
       [](auto& n, auto& k, Config& c) { return ReadDouble(n, k, 0.0, 24.0 * 365 * 10, c.cluster.max_future_hours); }},
      {"cluster.max_articles",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 1000000000, c.cluster.max_articles); }},
      {"cluster.max_story_members",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 1000000, c.cluster.max_story_members); }},
      // [kafka]
      {"kafka.brokers", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.kafka.brokers); }},
      {"kafka.group_id", [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.kafka.group_id); }},
      {"kafka.input_topics",
       [](auto& n, auto& k, Config& c) -> absl::Status {
         DEDUP_RETURN_IF_ERROR(ReadStringList(n, k, c.kafka.input_topics));
         if (c.kafka.input_topics.empty()) return KeyError(k, "must name at least one topic");
         for (const std::string& t : c.kafka.input_topics) {
           if (t.empty()) return KeyError(k, "topic names must not be empty");
         }
         return absl::OkStatus();
       }},
      {"kafka.decisions_topic",
       [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.kafka.decisions_topic); }},
      {"kafka.stories_topic",
       [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.kafka.stories_topic); }},
      {"kafka.dead_letter_topic",
       [](auto& n, auto& k, Config& c) { return ReadNonEmpty(n, k, c.kafka.dead_letter_topic); }},
      {"kafka.consumer",
       [](auto& n, auto& k, Config& c) { return ReadProperties(n, k, c.kafka.consumer_properties); }},
      {"kafka.producer",
       [](auto& n, auto& k, Config& c) { return ReadProperties(n, k, c.kafka.producer_properties); }},
      {"kafka.exactly_once", [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.kafka.exactly_once); }},
      {"kafka.transactional_id",
       [](auto& n, auto& k, Config& c) { return ReadString(n, k, c.kafka.transactional_id); }},
      // [daemon]
      {"daemon.shutdown_timeout_ms",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 100, 3600000, c.daemon.shutdown_timeout_ms); }},
      {"daemon.poll_timeout_ms",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, 1, 10000, c.daemon.poll_timeout_ms); }},
      {"daemon.max_inflight_messages",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 1, 100000000, c.daemon.max_inflight_messages);
       }},
      {"daemon.max_inflight_bytes",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 1 << 20, int64_t{1} << 40, c.daemon.max_inflight_bytes);
       }},
      {"daemon.workers",
       [](auto& n, auto& k, Config& c) { return ReadInt(n, k, -1, 256, c.daemon.workers); }},
      {"daemon.presign",
       [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.daemon.presign); }},
      {"daemon.restore_state",
       [](auto& n, auto& k, Config& c) { return ReadBool(n, k, c.daemon.restore_state); }},
      {"daemon.transaction_interval_ms",
       [](auto& n, auto& k, Config& c) {
         return ReadInt(n, k, 1, 60000, c.daemon.transaction_interval_ms);
       }},
      // [log]
      {"log.level",
       [](auto& n, auto& k, Config& c) -> absl::Status {
         DEDUP_RETURN_IF_ERROR(ReadString(n, k, c.log.level));
         auto lv = ParseLogLevel(c.log.level);
         if (!lv.ok()) return KeyError(k, SV(lv.status().message()));
         return absl::OkStatus();
       }},
      {"log.format",
       [](auto& n, auto& k, Config& c) { return ReadChoice(n, k, {"logfmt", "json"}, c.log.format); }},
      // [http]
      {"http.listen",
       [](auto& n, auto& k, Config& c) -> absl::Status {
         DEDUP_RETURN_IF_ERROR(ReadString(n, k, c.http.listen));
         if (c.http.listen.empty()) return absl::OkStatus();
         std::string host, port;
         if (absl::Status s = SplitHostPort(c.http.listen, &host, &port); !s.ok()) {
           return KeyError(k, Cat(s.message(), " (or \"\" for no endpoint)"));
         }
         return absl::OkStatus();
       }},
  };
  return *schema;
}

std::string Where(std::string_view origin, const toml::node& n) {
  const auto& src = n.source();
  if (src.begin.line == 0) return std::string(origin);
  return Cat(origin, ":", src.begin.line);
}

absl::Status CrossCheck(const Config& c, std::string_view origin) {
  if (c.index.false_positive_weight + c.index.false_negative_weight <= 0) {
    return absl::InvalidArgumentError(Cat(
        origin, ": index.false_positive_weight, index.false_negative_weight: must not both be 0"));
  }
  if (c.cluster.canonical_policy == CanonicalPolicy::kSourcePriority &&
      c.cluster.source_priority.empty()) {
    return absl::InvalidArgumentError(Cat(
        origin, ": cluster.source_priority: must list at least one source when "
                "cluster.canonical_policy = \"source_priority\""));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<ConfigChange> DiffConfigs(const Config& a, const Config& b) {
  std::vector<ConfigChange> out;
#define DEDUP_KEY(section, field, name, restart) \
  if (!(a.section.field == b.section.field)) out.push_back({name, restart})
  DEDUP_KEY(input, id_field, "input.id_field", true);
  DEDUP_KEY(input, body_field, "input.body_field", true);
  DEDUP_KEY(input, title_field, "input.title_field", true);
  DEDUP_KEY(input, source_field, "input.source_field", true);
  DEDUP_KEY(input, url_field, "input.url_field", true);
  DEDUP_KEY(input, published_at_field, "input.published_at_field", true);
  DEDUP_KEY(input, max_article_bytes, "input.max_article_bytes", true);
  DEDUP_KEY(text, shingle_words, "text.shingle_words", true);
  DEDUP_KEY(text, include_title, "text.include_title", true);
  DEDUP_KEY(boilerplate, enabled, "boilerplate.enabled", true);
  DEDUP_KEY(boilerplate, min_articles, "boilerplate.min_articles", true);
  DEDUP_KEY(boilerplate, max_lines_per_source, "boilerplate.max_lines_per_source", true);
  DEDUP_KEY(boilerplate, max_sources, "boilerplate.max_sources", true);
  DEDUP_KEY(boilerplate, min_kept_tokens, "boilerplate.min_kept_tokens", true);
  DEDUP_KEY(boilerplate, headline_lines, "boilerplate.headline_lines", true);
  DEDUP_KEY(boilerplate, max_headlines, "boilerplate.max_headlines", true);
  DEDUP_KEY(sketch, num_hashes, "sketch.num_hashes", true);
  DEDUP_KEY(sketch, seed, "sketch.seed", true);
  DEDUP_KEY(sketch, algorithm, "sketch.algorithm", true);
  DEDUP_KEY(sketch, kernel, "sketch.kernel", true);
  DEDUP_KEY(index, lsh_threshold, "index.lsh_threshold", true);
  DEDUP_KEY(index, false_positive_weight, "index.false_positive_weight", true);
  DEDUP_KEY(index, false_negative_weight, "index.false_negative_weight", true);
  DEDUP_KEY(index, max_bucket_scan, "index.max_bucket_scan", true);
  DEDUP_KEY(index, max_candidates, "index.max_candidates", false);
  DEDUP_KEY(match, jaccard_threshold, "match.jaccard_threshold", false);
  DEDUP_KEY(match, containment_threshold, "match.containment_threshold", false);
  DEDUP_KEY(match, min_containment_shingles, "match.min_containment_shingles", false);
  DEDUP_KEY(match, min_containment_jaccard, "match.min_containment_jaccard", false);
  DEDUP_KEY(match, min_lead_overlap, "match.min_lead_overlap", false);
  DEDUP_KEY(match, number_containment_threshold, "match.number_containment_threshold", false);
  DEDUP_KEY(match, min_numbers, "match.min_numbers", false);
  DEDUP_KEY(cluster, canonical_policy, "cluster.canonical_policy", false);
  DEDUP_KEY(cluster, source_priority, "cluster.source_priority", false);
  DEDUP_KEY(cluster, window_hours, "cluster.window_hours", false);
  DEDUP_KEY(cluster, max_future_hours, "cluster.max_future_hours", false);
  DEDUP_KEY(cluster, max_articles, "cluster.max_articles", false);
  DEDUP_KEY(cluster, max_story_members, "cluster.max_story_members", false);
  DEDUP_KEY(kafka, brokers, "kafka.brokers", true);
  DEDUP_KEY(kafka, group_id, "kafka.group_id", true);
  DEDUP_KEY(kafka, input_topics, "kafka.input_topics", true);
  DEDUP_KEY(kafka, decisions_topic, "kafka.decisions_topic", true);
  DEDUP_KEY(kafka, stories_topic, "kafka.stories_topic", true);
  DEDUP_KEY(kafka, dead_letter_topic, "kafka.dead_letter_topic", true);
  DEDUP_KEY(kafka, consumer_properties, "kafka.consumer", true);
  DEDUP_KEY(kafka, producer_properties, "kafka.producer", true);
  DEDUP_KEY(kafka, exactly_once, "kafka.exactly_once", true);
  DEDUP_KEY(kafka, transactional_id, "kafka.transactional_id", true);
  DEDUP_KEY(daemon, workers, "daemon.workers", true);
  DEDUP_KEY(daemon, presign, "daemon.presign", true);
  DEDUP_KEY(daemon, restore_state, "daemon.restore_state", true);
  DEDUP_KEY(daemon, transaction_interval_ms, "daemon.transaction_interval_ms", true);
  DEDUP_KEY(daemon, shutdown_timeout_ms, "daemon.shutdown_timeout_ms", false);
  DEDUP_KEY(daemon, poll_timeout_ms, "daemon.poll_timeout_ms", false);
  DEDUP_KEY(daemon, max_inflight_messages, "daemon.max_inflight_messages", false);
  DEDUP_KEY(daemon, max_inflight_bytes, "daemon.max_inflight_bytes", false);
  DEDUP_KEY(log, level, "log.level", false);
  DEDUP_KEY(log, format, "log.format", false);
  DEDUP_KEY(http, listen, "http.listen", true);
#undef DEDUP_KEY
  return out;
}

std::vector<std::string> RestartRequiredChanges(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const ConfigChange& c : DiffConfigs(a, b)) {
    if (c.needs_restart) out.push_back(c.key);
  }
  return out;
}

void ApplyLogSettings(const LogConfig& log) {
  if (auto lv = ParseLogLevel(log.level); lv.ok()) SetLogLevel(*lv);
  if (auto lf = ParseLogFormat(log.format); lf.ok()) SetLogFormat(*lf);
}

std::string_view CanonicalPolicyName(CanonicalPolicy p) {
  switch (p) {
    case CanonicalPolicy::kEarliest: return "earliest";
    case CanonicalPolicy::kLongest: return "longest";
    case CanonicalPolicy::kSourcePriority: return "source_priority";
  }
  return "earliest";
}

namespace {

// Debian 12's toml++ (3.3) reaches __builtin_unreachable (undefined behaviour) when it asks
// whether a non-ASCII character in U+00A1..U+0499, U+2C5E..U+2FFF, U+3001..U+3057 or
// U+FB26..U+FEFE is whitespace (upstream issues 190 and 295, fixed in 2026 by PR 305). It asks
// for characters outside strings and comments (any non-ASCII there is invalid TOML anyway),
// inside a bare value (a number, date or boolean: toml++ reads one up to whitespace, ']', '}',
// ',' or '#', quotes included, so `93"é"` is one bare value to it), after a backslash in a
// multi-line basic string, and for the first character after a line-ending backslash's
// whitespace. This scan refuses those texts before the parser sees them, with the line;
// everything else goes on to toml++. It follows TOML's grammar only as far as that needs: a
// quote opens a string where a key or a value may start, not inside a bare value.
absl::Status RefuseWhatTomlppMisreads(std::string_view t, std::string_view origin) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  enum class Expect { kKey, kValue, kAfterValue };  // what may start at the next token
  Expect expect = Expect::kKey;
  std::string open;  // the arrays ('[') and inline tables ('{') the scan is in, innermost last
  bool bare = false;  // inside a bare value
  int line = 1;
  const auto at = [&](size_t i, std::string_view what) {
    return t.substr(i, what.size()) == what;
  };
  const auto refuse = [&](std::string_view problem) {
    return absl::InvalidArgumentError(Cat(origin, ":", line, ": TOML syntax error: ", problem));
  };
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  constexpr std::string_view kOutside = "a non-ASCII character outside a string or comment";
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool non_ascii = static_cast<unsigned char>(c) >= 0x80;
    switch (in) {
      case In::kCode:
        if (bare) {
          if (!is_space(c) && c != ']' && c != '}' && c != ',' && c != '#') {
            if (non_ascii) return refuse(kOutside);
            break;  // a quote too: part of the bare value to toml++
          }
          bare = false;
        }
        if (c == '#') {
          in = In::kComment;
        } else if (is_space(c)) {
          // a new line starts a key unless an array (or an invalid multi-line inline table) is open
          if (c == '\n' && open.empty()) expect = Expect::kKey;
        } else if (c == '=') {
          expect = Expect::kValue;
        } else if (c == '[' || c == '{') {
          if (expect == Expect::kValue) {  // else '[' starts a table header
            open.push_back(c);
            if (c == '{') expect = Expect::kKey;
          }
        } else if (c == ']' || c == '}') {
          if (!open.empty() && open.back() == (c == ']' ? '[' : '{')) open.pop_back();
          expect = Expect::kAfterValue;
        } else if (c == ',') {
          if (!open.empty()) expect = open.back() == '[' ? Expect::kValue : Expect::kKey;
        } else if (c == '"' || c == '\'') {
          if (expect == Expect::kValue) expect = Expect::kAfterValue;
          if (at(i, "\"\"\"")) {
            in = In::kMultiBasic;
            i += 2;
          } else if (at(i, "'''")) {
            in = In::kMultiLiteral;
            i += 2;
          } else {
            in = c == '"' ? In::kBasic : In::kLiteral;
          }
        } else if (non_ascii) {
          return refuse(kOutside);
        } else if (expect != Expect::kKey) {  // a bare value (or what follows one: invalid)
          bare = true;
          expect = Expect::kAfterValue;
        }
        break;
      case In::kComment:
        if (c == '\n') {
          in = In::kCode;
          if (open.empty()) expect = Expect::kKey;
        }
        break;
      case In::kBasic:
        if (c == '\\') {
          ++i;  // whatever is escaped (an invalid escape is toml++'s to report)
        } else if (c == '"' || c == '\n') {
          in = In::kCode;
        }
        break;
      case In::kLiteral:
        if (c == '\'' || c == '\n') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\') {
          size_t j = i + 1;
          if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80) {
            return refuse("a non-ASCII character after a backslash in a multi-line string");
          }
          if (j < t.size() && is_space(t[j])) {  // a line-ending backslash: what follows it
            while (j < t.size() && is_space(t[j])) {
              if (t[j] == '\n') ++line;
              ++j;
            }
            if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80) {
              return refuse(
                  "a non-ASCII character first after a line-ending backslash in a multi-line "
                  "string (write it as \\uXXXX)");
            }
            i = j - 1;
            continue;
          }
          ++i;
        } else if (at(i, "\"\"\"")) {
          i += 2;
          while (i + 1 < t.size() && t[i + 1] == '"') ++i;  // up to two quotes before the end
          in = In::kCode;
        }
        break;
      case In::kMultiLiteral:
        if (at(i, "'''")) {
          i += 2;
          while (i + 1 < t.size() && t[i + 1] == '\'') ++i;
          in = In::kCode;
        }
        break;
    }
    if (c == '\n') ++line;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> ParseConfig(std::string_view toml_text, std::string_view origin) {
  DEDUP_RETURN_IF_ERROR(RefuseWhatTomlppMisreads(toml_text, origin));
  toml::parse_result parsed = toml::parse(toml_text, origin);
  if (!parsed) {
    const auto& e = parsed.error();
    return absl::InvalidArgumentError(Cat(origin, ":", e.source().begin.line, ":",
                                                   e.source().begin.column,
                                                   ": TOML syntax error: ", e.description()));
  }
  const toml::table& root = parsed.table();
  Config config;
  const auto& schema = Schema();
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const toml::table* section_table = section_node.as_table();
    if (section_table == nullptr) {
      return absl::InvalidArgumentError(Cat(
          Where(origin, section_node), ": ", section, ": unknown top-level key (settings go in "
          "sections such as [cluster]; see config/dedupd.toml)"));
    }
    bool known_section = false;
    for (const auto& [name, applier] : schema) {
      if (name.size() > section.size() && name.compare(0, section.size(), section) == 0 &&
          name[section.size()] == '.') {
        known_section = true;
        break;
      }
    }
    if (!known_section) {
      return absl::InvalidArgumentError(
          Cat(Where(origin, section_node), ": [", section, "]: unknown section"));
    }
    for (const auto& [key, node] : *section_table) {
      KeyRef ref{Cat(section, ".", key.str()), Where(origin, node)};
      auto it = schema.find(ref.name);
      if (it == schema.end()) return KeyError(ref, "unknown key");
      DEDUP_RETURN_IF_ERROR(it->second(node, ref, config));
    }
  }
  DEDUP_RETURN_IF_ERROR(CrossCheck(config, origin));
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Cat(path, ": cannot open config file"));
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::DataLossError(Cat(path, ": read error"));
  return ParseConfig(buf.str(), path);
}

}  // namespace dedup
