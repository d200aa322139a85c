// The engine's input (an article) and output (a decision), independent of any wire format.
// Thread-safety: plain values.
#ifndef DEDUP_ENGINE_ARTICLE_H_
#define DEDUP_ENGINE_ARTICLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// One member of a cluster, as the stories output lists it.
struct StoryMember {
  std::string id;
  bool id_is_number = false;
  std::string source;
  std::string url;
  std::string title;  // the canonical's only (StoryUpdate::canonical)
  EventTimeMs published_at = 0;
  double similarity = 1.0;  // estimated Jaccard with the article it matched; 1 for the founder
  // Names this member's fields for the life of the process, 0 when unknown: members with the
  // same non-zero key have equal fields (id, source, url, published_at, similarity), so a story
  // writer may reuse what it wrote for the key before (StoryJsonWriter).
  uint64_t key = 0;
};

// The state of a cluster after it changed. Emitted for every cluster an article changes:
//   event "created"           - the article founded it;
//   event "member_added"      - the article joined it (and `absorbed` names clusters merged in);
//   event "merged"            - it was merged into `merged_into` and no longer exists;
//   event "canonical_changed" - its canonical article left the window and another took its
//                               place (emitted while processing the article whose event time
//                               moved the window).
// `members` are the cluster's articles still in the window, in arrival order: the newest
// cluster.max_story_members of them; `size` counts them all.
struct StoryUpdate {
  std::string cluster_id;
  std::string event;
  std::string merged_into;
  std::vector<std::string> absorbed;
  bool canonical_changed = false;
  StoryMember canonical;
  std::vector<StoryMember> members;
  size_t size = 0;  // members in the window; 0 stands for members.size() (nothing capped)
  EventTimeMs updated_at = 0;  // event time of the article that caused the change
};

// The heap bytes an object's strings hold: what keeping it in a pool for reuse keeps (the
// engine's story members, the daemon's parsed articles).
inline size_t StringBytes(const Article& a) {
  return a.id.capacity() + a.source.capacity() + a.url.capacity() + a.title.capacity() +
         a.body.capacity();
}
inline size_t StringBytes(const StoryMember& m) {
  return m.id.capacity() + m.source.capacity() + m.url.capacity() + m.title.capacity();
}

}  // namespace dedup

#endif  // DEDUP_ENGINE_ARTICLE_H_
