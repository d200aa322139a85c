// Clustering quality against ground truth: the same metrics and conventions as the reference
// scorer shared/bench/score.py.
//
// Labels: `id<TAB>story_id` per line ('#' lines and blank lines ignored). Predictions: JSON lines
// with "id" and "cluster_id" (any JSON scalar; 7 and "7" are different clusters). An id in the
// labels but not in the predictions is its own singleton; an id not in the labels is ignored; a
// repeated id keeps its first line. Metrics: pairwise precision/recall/F1, adjusted Rand index,
// B-cubed precision/recall/F1, cluster counts.
// Thread-safety: pure functions.
#ifndef DEDUP_EVAL_SCORE_H_
#define DEDUP_EVAL_SCORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dedup {

struct ClusteringScore {
  uint64_t n_items = 0;
  double pairwise_precision = 0, pairwise_recall = 0, pairwise_f1 = 0;
  double ari = 0;
  double bcubed_precision = 0, bcubed_recall = 0, bcubed_f1 = 0;
  uint64_t n_pred_clusters = 0, n_true_clusters = 0;
  uint64_t n_pred_singletons = 0, n_true_singletons = 0;
  uint64_t true_pairs = 0, pred_pairs = 0, tp_pairs = 0;
  uint64_t missing_predictions = 0, extra_predictions = 0, duplicate_predictions = 0,
           unparseable_lines = 0;
  std::vector<std::string> missing_examples;  // up to 5
};

// Scores two partitions of the same items: truth[i] and pred[i] are item i's cluster keys.
// REQUIRES: truth.size() == pred.size().
ClusteringScore ScorePartitions(const std::vector<std::string>& truth,
                                const std::vector<std::string>& pred);

// Reads the two files and scores them.
absl::StatusOr<ClusteringScore> ScoreFiles(const std::string& labels_path,
                                           const std::string& predictions_path);

// The human-readable lines and the final JSON line, as score.py prints them.
std::string FormatScore(const ClusteringScore& s);

}  // namespace dedup

#endif  // DEDUP_EVAL_SCORE_H_
