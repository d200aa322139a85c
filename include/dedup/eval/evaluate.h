// The evaluation tool behind `dedupd eval`: run the engine over a labelled set of articles (the
// same path as file mode), score the clustering, and explain the worst errors.
//
// Errors are listed with both texts side by side:
//   false matches - an article matched an article of another story (ranked by the wrong pairs
//                   the final clusters hold between the two stories);
//   misses        - an article started a new cluster although an earlier article of its story
//                   was in the stream (ranked by the size of the story); the earlier article
//                   shown is the one with the highest exact shingle containment.
// Thread-safety: a function of its arguments.
#ifndef DEDUP_EVAL_EVALUATE_H_
#define DEDUP_EVAL_EVALUATE_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "dedup/config/config.h"

namespace dedup {

struct EvalOptions {
  std::string articles_path;
  std::string labels_path;
  std::string predictions_path;  // optional: also write the decisions here
  int worst = 5;                 // errors of each kind to show
  int column_width = 58;         // side-by-side column width in characters
  int max_lines = 24;            // lines of each text shown
};

absl::Status RunEvaluation(const Config& config, const EvalOptions& options, std::ostream& out);

}  // namespace dedup

#endif  // DEDUP_EVAL_EVALUATE_H_
