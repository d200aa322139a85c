#include "dedup/eval/evaluate.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "dedup/base/sorted.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/base/time.h"
#include "dedup/engine/engine.h"
#include "dedup/eval/score.h"
#include "dedup/parse/article_json.h"
#include "dedup/text/document.h"
#include "dedup/text/shingle.h"

namespace dedup {
namespace {

struct Row {
  Article article;
  std::string label;
  bool ok = false;  // the engine gave a decision
  Decision decision;
};

// Splits text into lines of at most `width` bytes, breaking at spaces where possible.
std::vector<std::string> Wrap(const std::string& text, size_t width, size_t max_lines) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size() && out.size() < max_lines) {
    const size_t nl = text.find('\n', pos);
    const size_t para_end = nl == std::string::npos ? text.size() : nl;
    std::string_view para(text.data() + pos, para_end - pos);
    if (para.empty()) out.emplace_back();
    while (!para.empty() && out.size() < max_lines) {
      size_t take = std::min(width, para.size());
      if (take < para.size()) {
        const size_t sp = para.substr(0, take).rfind(' ');
        if (sp != std::string_view::npos && sp > width / 2) take = sp + 1;
      }
      // Do not cut a UTF-8 sequence.
      while (take < para.size() && take > 0 && (static_cast<unsigned char>(para[take]) & 0xC0) == 0x80) {
        --take;
      }
      out.emplace_back(para.substr(0, take));
      para.remove_prefix(take);
    }
    pos = para_end + 1;
  }
  return out;
}

size_t DisplayWidth(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

void SideBySide(std::ostream& out, const std::string& left_head, const std::string& left,
                const std::string& right_head, const std::string& right, const EvalOptions& o) {
  const size_t w = static_cast<size_t>(o.column_width);
  auto l = Wrap(left_head + "\n" + left, w, static_cast<size_t>(o.max_lines));
  auto r = Wrap(right_head + "\n" + right, w, static_cast<size_t>(o.max_lines));
  const size_t n = std::max(l.size(), r.size());
  for (size_t i = 0; i < n; ++i) {
    const std::string a = i < l.size() ? l[i] : "";
    const std::string b = i < r.size() ? r[i] : "";
    out << "  " << a << std::string(w > DisplayWidth(a) ? w - DisplayWidth(a) : 0, ' ') << " | "
        << b << "\n";
  }
}

std::vector<uint64_t> Shingles(const std::string& body, int k) {
  Document d;
  AnalyzeText(body, d);
  std::vector<uint64_t> s;
  ShingleSet(d.word_hashes, k, ShingleHash::kXxh3, s);  // exact sets: any collision-free hash
  return s;
}

// Exact Jaccard and containment (of the smaller in the larger) of two sorted shingle sets.
std::pair<double, double> Exact(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  const size_t both = CountCommonSorted<uint64_t>(a, b);
  const double uni = static_cast<double>(a.size() + b.size() - both);
  const double small = static_cast<double>(std::min(a.size(), b.size()));
  const double common = static_cast<double>(both);
  return {uni > 0 ? common / uni : 0.0, small > 0 ? common / small : 0.0};
}

std::string Head(const Row& r, const std::string& role) {
  return Cat(role, ": ", r.article.id, " [", r.label, "] ", r.article.source, " ",
             r.article.published_at ? FormatRfc3339Ms(*r.article.published_at) : "");
}

}  // namespace

absl::Status RunEvaluation(const Config& config, const EvalOptions& o, std::ostream& out) {
  // Labels.
  absl::flat_hash_map<std::string, std::string> labels;
  {
    std::ifstream lf(o.labels_path);
    if (!lf) return absl::NotFoundError(Cat(o.labels_path, ": cannot open"));
    std::string line;
    while (std::getline(lf, line)) {
      if (line.empty() || line[0] == '#') continue;
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      labels[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  // Run the engine.
  std::ifstream in(o.articles_path);
  if (!in) return absl::NotFoundError(Cat(o.articles_path, ": cannot open"));
  std::ofstream pred;
  if (!o.predictions_path.empty()) {
    pred.open(o.predictions_path);
    if (!pred) return absl::NotFoundError(Cat(o.predictions_path, ": cannot open"));
  }
  DEDUP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Create(config));
  ArticleParser parser(config.input);
  std::vector<Row> rows;
  std::string line, buf;
  size_t unusable = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    auto a = parser.Parse(line);
    if (!a.ok()) {
      ++unusable;
      continue;
    }
    Row r;
    r.article = std::move(*a);
    auto it = labels.find(AV(r.article.id));
    r.label = it == labels.end() ? Cat("unlabelled:", r.article.id) : it->second;
    auto d = engine->Process(r.article);
    if (d.ok()) {
      r.ok = true;
      r.decision = std::move(*d);
      if (pred.is_open()) {
        buf.clear();
        AppendDecisionJson(buf, r.decision);
        pred << buf << "\n";
      }
    }
    rows.push_back(std::move(r));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Score (articles without a decision are their own clusters).
  std::vector<std::string> truth, clusters;
  for (const Row& r : rows) {
    truth.push_back(r.label);
    clusters.push_back(r.ok ? Cat("c:", r.decision.cluster_id) : Cat("x:", r.article.id));
  }
  const ClusteringScore s = ScorePartitions(truth, clusters);
  const EngineStats st = engine->stats();
  out << absl::StrFormat("articles %d (unusable lines %d), %.1f s, %.0f articles/s\n", rows.size(),
                         unusable, seconds,
                         static_cast<double>(rows.size()) / std::max(seconds, 1e-9));
  const double processed = static_cast<double>(std::max<uint64_t>(st.articles, 1));
  out << absl::StrFormat("candidates per article %.2f, rejected by verification %.2f, merges %d\n",
                         static_cast<double>(st.candidates) / processed,
                         static_cast<double>(st.candidates_rejected) / processed,
                         st.clusters_merged);
  out << FormatScore(s);

  // Index rows by id and gather, per predicted cluster, the count of each label.
  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < rows.size(); ++i) by_id[rows[i].article.id] = i;
  std::map<std::pair<std::string, std::string>, size_t> cell;  // (cluster, label) -> count
  for (size_t i = 0; i < rows.size(); ++i) ++cell[{clusters[i], truth[i]}];
  std::map<std::string, size_t> story_size;
  for (const auto& t : truth) ++story_size[t];

  // False matches.
  struct Err {
    size_t row, other;
    double weight;
  };
  std::vector<Err> false_matches, misses;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (!r.ok || !r.decision.duplicate) continue;
    auto it = by_id.find(r.decision.matched_id);
    if (it == by_id.end() || rows[it->second].label == r.label) continue;
    const double w = static_cast<double>(cell[{clusters[i], r.label}]) *
                     static_cast<double>(cell[{clusters[i], rows[it->second].label}]);
    false_matches.push_back({i, it->second, w});
  }
  // Misses: a new cluster although an earlier article of the story exists.
  absl::flat_hash_map<std::string, std::vector<size_t>> earlier;
  const int k = config.text.shingle_words;
  const EventTimeMs window_ms = HoursToMs(config.cluster.window_hours);
  size_t beyond_window = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    auto& prev = earlier[r.label];
    if (r.ok && !r.decision.duplicate && !r.decision.replayed && !prev.empty()) {
      // A miss whose every earlier copy had left the window is the window's doing.
      const EventTimeMs t = r.article.published_at.value_or(0);
      bool in_window = false;
      for (size_t j : prev) {
        in_window |= t - rows[j].article.published_at.value_or(0) <= window_ms;
      }
      if (in_window) {
        misses.push_back({i, prev.front(), static_cast<double>(story_size[r.label])});
      } else {
        ++beyond_window;
      }
    }
    prev.push_back(i);
  }
  auto by_weight = [](const Err& a, const Err& b) { return a.weight > b.weight; };
  std::stable_sort(false_matches.begin(), false_matches.end(), by_weight);
  std::stable_sort(misses.begin(), misses.end(), by_weight);
  out << absl::StrFormat(
      "\nfalse matches: %d   misses: %d (and %d more whose earlier copies had all left the %.0f h "
      "window)\n",
      false_matches.size(), misses.size(), beyond_window, config.cluster.window_hours);

  for (size_t e = 0; e < false_matches.size() && e < static_cast<size_t>(o.worst); ++e) {
    const Row& a = rows[false_matches[e].row];
    const Row& b = rows[false_matches[e].other];
    const auto [jac, con] = Exact(Shingles(a.article.body, k), Shingles(b.article.body, k));
    out << absl::StrFormat(
        "\n== FALSE MATCH %d: estimated J %.2f C %.2f, exact (whole text) J %.2f C %.2f, "
        "%.0f wrong pairs\n",
        e + 1, a.decision.similarity, a.decision.containment, jac, con, false_matches[e].weight);
    SideBySide(out, Head(a, "article"), a.article.body, Head(b, "matched"), b.article.body, o);
  }
  for (size_t e = 0; e < misses.size() && e < static_cast<size_t>(o.worst); ++e) {
    const Row& a = rows[misses[e].row];
    const auto sa = Shingles(a.article.body, k);
    // The earlier same-story article most similar to it.
    size_t best = misses[e].other;
    std::pair<double, double> best_score{-1, -1};
    for (size_t j : earlier[a.label]) {
      if (j >= misses[e].row) break;
      const auto sc = Exact(sa, Shingles(rows[j].article.body, k));
      if (sc.second > best_score.second) {
        best_score = sc;
        best = j;
      }
    }
    const Row& b = rows[best];
    out << absl::StrFormat(
        "\n== MISS %d: story of %d articles; closest earlier copy: exact (whole text) J %.2f "
        "C %.2f\n",
        e + 1, story_size[a.label], best_score.first, best_score.second);
    SideBySide(out, Head(a, "article"), a.article.body, Head(b, "earlier copy"), b.article.body, o);
  }
  return absl::OkStatus();
}

}  // namespace dedup
