// The engine's input (an article) and output (a decision), independent of any wire format.
// Thread-safety: plain values.
#ifndef DEDUP_ENGINE_ARTICLE_H_
#define DEDUP_ENGINE_ARTICLE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "dedup/base/time.h"

namespace dedup {

struct Article {
  std::string id;
  bool id_is_number = false;  // the input gave the id as a JSON integer
  std::string source;
  std::string url;
  std::string title;
  std::string body;
  // Absent: the caller's fallback (Kafka timestamp) or, failing that, the engine's watermark.
  std::optional<EventTimeMs> published_at;
};

struct Decision {
  std::string id;
  bool id_is_number = false;
  std::string cluster_id;
  std::string canonical_id;
  bool duplicate = false;
  std::string matched_id;  // empty when !duplicate
  double similarity = 0;   // estimated Jaccard with matched_id
  double containment = 0;  // estimated containment of the smaller in the larger
  uint32_t candidates = 0; // LSH candidates examined
  bool replayed = false;   // the id was already in the window; its earlier decision is returned
};

}  // namespace dedup

#endif  // DEDUP_ENGINE_ARTICLE_H_
