// Threshold guidance behind `dedupd tune`: for the configured settings, the probability that a
// pair at each similarity becomes an LSH candidate (the S-curve), the false-positive and
// false-negative probability mass, what truncated copies look like to the index, and which knob
// to turn for which symptom.
// Thread-safety: a pure function.
#ifndef DEDUP_EVAL_TUNE_H_
#define DEDUP_EVAL_TUNE_H_

#include <string>

#include "dedup/config/config.h"

namespace dedup {

std::string FormatTuning(const Config& config);

}  // namespace dedup

#endif  // DEDUP_EVAL_TUNE_H_
