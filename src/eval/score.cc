#include "dedup/eval/score.h"

#include <simdjson.h>

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dedup/base/json_writer.h"
#include "dedup/base/strings.h"

namespace dedup {
namespace {

using Counts = absl::flat_hash_map<std::string, uint64_t>;

uint64_t Comb2(uint64_t n) { return n * (n - 1) / 2; }

// A cluster key that keeps the JSON type: "s:abc" for strings, "n:7" for numbers, raw otherwise.
std::string ClusterKey(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return Cat("s:", s);
  return Cat("j:", simdjson::minify(e));
}

}  // namespace

ClusteringScore ScorePartitions(const std::vector<std::string>& truth,
                                const std::vector<std::string>& pred) {
  ClusteringScore r;
  const uint64_t n = truth.size();
  r.n_items = n;
  Counts a, b, cont;
  for (size_t i = 0; i < truth.size(); ++i) {
    ++a[truth[i]];
    ++b[pred[i]];
    std::string key = truth[i];
    key.push_back('\0');
    key.append(pred[i]);
    ++cont[key];
  }
  uint64_t sum_ij = 0, sum_a = 0, sum_b = 0;
  for (const auto& [k, v] : cont) sum_ij += Comb2(v);
  for (const auto& [k, v] : a) sum_a += Comb2(v);
  for (const auto& [k, v] : b) sum_b += Comb2(v);
  const uint64_t total = Comb2(n);
  using LD = long double;
  const LD p = sum_b ? static_cast<LD>(sum_ij) / sum_b : 1.0L;
  const LD rc = sum_a ? static_cast<LD>(sum_ij) / sum_a : 1.0L;
  const LD f = (p + rc) > 0 ? 2 * p * rc / (p + rc) : 0.0L;
  LD ari = 1.0L;
  if (total) {
    const LD expected = static_cast<LD>(sum_a) * static_cast<LD>(sum_b) / static_cast<LD>(total);
    const LD max_index = (static_cast<LD>(sum_a) + static_cast<LD>(sum_b)) / 2;
    const LD denom = max_index - expected;
    ari = denom != 0 ? (static_cast<LD>(sum_ij) - expected) / denom : 1.0L;
  }
  LD bp = 0, br = 0;
  for (const auto& [key, v] : cont) {
    const size_t sep = key.find('\0');
    const std::string tc = key.substr(0, sep), pc = key.substr(sep + 1);
    bp += static_cast<LD>(v) * v / b[pc];
    br += static_cast<LD>(v) * v / a[tc];
  }
  if (n) {
    bp /= n;
    br /= n;
  } else {
    bp = br = 1;
  }
  const LD bf = (bp + br) > 0 ? 2 * bp * br / (bp + br) : 0.0L;
  r.pairwise_precision = static_cast<double>(p);
  r.pairwise_recall = static_cast<double>(rc);
  r.pairwise_f1 = static_cast<double>(f);
  r.ari = static_cast<double>(ari);
  r.bcubed_precision = static_cast<double>(bp);
  r.bcubed_recall = static_cast<double>(br);
  r.bcubed_f1 = static_cast<double>(bf);
  r.n_pred_clusters = b.size();
  r.n_true_clusters = a.size();
  for (const auto& [k, v] : b) r.n_pred_singletons += (v == 1);
  for (const auto& [k, v] : a) r.n_true_singletons += (v == 1);
  r.true_pairs = sum_a;
  r.pred_pairs = sum_b;
  r.tp_pairs = sum_ij;
  return r;
}

absl::StatusOr<ClusteringScore> ScoreFiles(const std::string& labels_path,
                                           const std::string& predictions_path) {
  std::ifstream lf(labels_path);
  if (!lf) return absl::NotFoundError(Cat(labels_path, ": cannot open"));
  std::vector<std::string> ids, truth;
  absl::flat_hash_map<std::string, size_t> index;
  std::string line;
  for (size_t ln = 1; std::getline(lf, line); ++ln) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' ||
        line.find_first_not_of(" \t") == std::string::npos) {
      continue;
    }
    std::vector<std::string> parts = absl::StrSplit(line, '\t');
    if (parts.size() < 2) {
      return absl::InvalidArgumentError(
          Cat(labels_path, ":", ln, ": expected id<TAB>story_id"));
    }
    if (!index.emplace(std::string(parts[0]), ids.size()).second) {
      return absl::InvalidArgumentError(
          Cat(labels_path, ":", ln, ": duplicate id \"", parts[0], "\""));
    }
    ids.emplace_back(parts[0]);
    truth.emplace_back(parts[1]);
  }

  std::ifstream pf;
  std::istream* pin = &std::cin;
  if (predictions_path != "-") {
    pf.open(predictions_path);
    if (!pf) return absl::NotFoundError(Cat(predictions_path, ": cannot open"));
    pin = &pf;
  }
  ClusteringScore counts;
  std::vector<std::string> pred(ids.size());
  std::vector<bool> seen(ids.size(), false);
  simdjson::dom::parser parser;
  while (std::getline(*pin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element root, id_el, cl_el;
    simdjson::dom::object obj;
    if (parser.parse(line).get(root) != simdjson::SUCCESS ||
        root.get_object().get(obj) != simdjson::SUCCESS ||
        obj.at_key("id").get(id_el) != simdjson::SUCCESS ||
        obj.at_key("cluster_id").get(cl_el) != simdjson::SUCCESS) {
      ++counts.unparseable_lines;
      continue;
    }
    // score.py compares ids as str(): a number id 7 matches label "7".
    std::string_view sid;
    std::string id = id_el.get_string().get(sid) == simdjson::SUCCESS
                         ? std::string(sid)
                         : std::string(simdjson::minify(id_el));
    auto it = index.find(id);
    if (it == index.end()) {
      ++counts.extra_predictions;
      continue;
    }
    if (seen[it->second]) {
      ++counts.duplicate_predictions;
      continue;
    }
    seen[it->second] = true;
    pred[it->second] = ClusterKey(cl_el);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen[i]) {
      ++counts.missing_predictions;
      if (counts.missing_examples.size() < 5) counts.missing_examples.push_back(ids[i]);
      pred[i] = Cat("missing:", ids[i]);  // own singleton; cannot collide with s:/j:
    }
  }
  ClusteringScore r = ScorePartitions(truth, pred);
  r.missing_predictions = counts.missing_predictions;
  r.extra_predictions = counts.extra_predictions;
  r.duplicate_predictions = counts.duplicate_predictions;
  r.unparseable_lines = counts.unparseable_lines;
  r.missing_examples = std::move(counts.missing_examples);
  return r;
}

std::string FormatScore(const ClusteringScore& s) {
  std::string out = absl::StrFormat("items               %d\n", s.n_items);
  if (s.missing_predictions) {
    absl::StrAppendFormat(&out, "MISSING predictions %d (scored as singletons), e.g. %s\n",
                          s.missing_predictions, absl::StrJoin(s.missing_examples, ", "));
  }
  if (s.extra_predictions || s.duplicate_predictions || s.unparseable_lines) {
    absl::StrAppendFormat(&out, "ignored lines       extra=%d duplicate=%d unparseable=%d\n",
                          s.extra_predictions, s.duplicate_predictions, s.unparseable_lines);
  }
  absl::StrAppendFormat(&out,
                        "pairwise  P %.4f  R %.4f  F1 %.4f   (tp %d / pred %d / true %d pairs)\n",
                        s.pairwise_precision, s.pairwise_recall, s.pairwise_f1, s.tp_pairs,
                        s.pred_pairs, s.true_pairs);
  absl::StrAppendFormat(&out, "ARI       %.4f\n", s.ari);
  absl::StrAppendFormat(&out, "B-cubed   P %.4f  R %.4f  F1 %.4f\n", s.bcubed_precision,
                        s.bcubed_recall, s.bcubed_f1);
  absl::StrAppendFormat(&out, "clusters  predicted %d (singletons %d)   true %d (singletons %d)\n",
                        s.n_pred_clusters, s.n_pred_singletons, s.n_true_clusters,
                        s.n_true_singletons);
  // The machine-readable line, keys sorted as score.py's json.dumps(sort_keys=True) prints them.
  auto num = [](double v) { return absl::StrFormat("%.17g", v); };
  absl::StrAppend(
      &out, "{\"ari\": ", num(s.ari), ", \"bcubed_f1\": ", num(s.bcubed_f1),
      ", \"bcubed_precision\": ", num(s.bcubed_precision), ", \"bcubed_recall\": ",
      num(s.bcubed_recall), ", \"duplicate_predictions\": ", s.duplicate_predictions,
      ", \"extra_predictions\": ", s.extra_predictions, ", \"missing_predictions\": ",
      s.missing_predictions, ", \"n_items\": ", s.n_items, ", \"n_pred_clusters\": ",
      s.n_pred_clusters, ", \"n_pred_singletons\": ", s.n_pred_singletons,
      ", \"n_true_clusters\": ", s.n_true_clusters, ", \"n_true_singletons\": ",
      s.n_true_singletons, ", \"pairwise_f1\": ", num(s.pairwise_f1),
      ", \"pairwise_precision\": ", num(s.pairwise_precision), ", \"pairwise_recall\": ",
      num(s.pairwise_recall), ", \"pred_pairs\": ", s.pred_pairs, ", \"tp_pairs\": ", s.tp_pairs,
      ", \"true_pairs\": ", s.true_pairs, ", \"unparseable_lines\": ", s.unparseable_lines, "}\n");
  return out;
}

}  // namespace dedup
