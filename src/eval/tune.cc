#include "dedup/eval/tune.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "dedup/index/lsh.h"

namespace dedup {

std::string FormatTuning(const Config& c) {
  const LshParams p = OptimalLshParams(c.index.lsh_threshold, c.sketch.num_hashes,
                                       c.index.false_positive_weight,
                                       c.index.false_negative_weight);
  std::string out;
  absl::StrAppendFormat(&out,
                        "LSH: %d bands x %d rows (of %d MinHash values), chosen for "
                        "lsh_threshold = %.2f\n"
                        "  false-positive mass (integral of P(candidate) below the threshold): %.4f\n"
                        "  false-negative mass (integral of P(missed) above the threshold):    %.4f\n\n",
                        p.bands, p.rows, c.sketch.num_hashes, c.index.lsh_threshold,
                        p.false_positive_mass, p.false_negative_mass);
  out += "P(a pair becomes a candidate) by Jaccard similarity of their shingle sets:\n";
  out += "  J     P(candidate)\n";
  for (int i = 1; i <= 20; ++i) {
    const double s = i * 0.05;
    const double pc = CandidateProbability(s, p.bands, p.rows);
    const int bar = static_cast<int>(std::lround(pc * 40));
    absl::StrAppendFormat(&out, "  %.2f  %.4f  %s%s\n", s, pc, std::string(bar, '#'),
                          std::abs(s - c.index.lsh_threshold) < 0.025 ? "   <- lsh_threshold" : "");
  }
  out += "\nTruncated copies: a copy keeping a share q of its story (contained in it) has J = q.\n";
  for (double q : {0.25, 1.0 / 3, 0.5, 0.75}) {
    absl::StrAppendFormat(&out, "  keeps %3.0f%%: P(candidate) %.3f\n", q * 100,
                          CandidateProbability(q, p.bands, p.rows));
  }
  absl::StrAppendFormat(
      &out,
      "\nVerification: a candidate matches when J >= %.2f, or containment >= %.2f (shorter text\n"
      "of >= %d shingles, J >= %.2f, leads sharing >= %d shingles); and, when both texts carry\n"
      ">= %d numbers (dates aside), >= %.0f%% of the shorter one's numbers appear in the other.\n"
      "Shingles: %d words. Window: %.0f h of event time, at most %d articles.\n",
      c.match.jaccard_threshold, c.match.containment_threshold, c.match.min_containment_shingles,
      c.match.min_containment_jaccard, c.match.min_lead_overlap, c.match.min_numbers,
      c.match.number_containment_threshold * 100, c.text.shingle_words, c.cluster.window_hours,
      c.cluster.max_articles);
  out +=
      "\nWhich knob for which symptom (measure with `dedupd eval`):\n"
      "  reprints missed, copies very noisy (typos, OCR)   -> [text] shingle_words down (3 -> 2),\n"
      "                                                       [match] containment_threshold down\n"
      "  truncated copies missed                           -> [index] lsh_threshold down (more\n"
      "                                                       candidates), containment_threshold\n"
      "  different stories merged, same site               -> [boilerplate] min_articles down\n"
      "  different stories merged, related topic           -> [match] jaccard_threshold and\n"
      "                                                       containment_threshold up,\n"
      "                                                       shingle_words up\n"
      "  templated briefs merged (earnings, results)       -> [match] number_containment_threshold\n"
      "                                                       up, min_numbers down\n"
      "  a story glued under another page pulls it in      -> [match] min_lead_overlap up\n"
      "  late reprints start new clusters                  -> [cluster] window_hours up\n"
      "  too slow / too many candidates per article        -> [index] lsh_threshold up,\n"
      "                                                       max_bucket_scan down\n";
  return out;
}

}  // namespace dedup
