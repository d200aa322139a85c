// JSON wire format: parsing an input article and writing a decision.
//
// Input: one JSON object; field names come from [input] in the config. `id` (string or integer)
// and `body` (string) are required; `title`, `source`, `url` (strings) and `published_at`
// (RFC 3339 string) are optional; null counts as absent; other fields are ignored. Each
// rejection carries a reason code (see base/reject.h):
//   too_large, not_json, invalid_utf8, not_object, missing_id, bad_id, missing_body, bad_body,
//   bad_field (a wrong type for an optional field), bad_timestamp.
//
// Output: {"id":..,"cluster_id":..,"canonical_id":..,"duplicate":..,"matched_id":..,
//          "similarity":..,"containment":..} with matched_id null, similarity and containment 0
// when the article starts a new cluster. Error records: {"id":..|null,"error":"..","reason":".."}.
//
// Thread-safety: an ArticleParser holds a reusable simdjson parser: one per thread.
#ifndef DEDUP_PARSE_ARTICLE_JSON_H_
#define DEDUP_PARSE_ARTICLE_JSON_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/engine/article.h"

namespace dedup {

// Bytes ParseIntoPadded reads past a message's end (simdjson's SIMDJSON_PADDING).
inline constexpr size_t kJsonPadding = 64;

class ArticleParser {
 public:
  explicit ArticleParser(const InputConfig& config);
  ~ArticleParser();
  ArticleParser(const ArticleParser&) = delete;
  ArticleParser& operator=(const ArticleParser&) = delete;

  // Parses one message. Errors are RejectError statuses.
  absl::StatusOr<Article> Parse(std::string_view json);
  // The same into `out`, reusing its strings' memory (a caller parsing one message after another
  // allocates nothing for most). On an error `out` holds part of the message.
  absl::Status ParseInto(std::string_view json, Article& out);
  // ParseInto for a message followed in memory by at least kJsonPadding readable, initialised
  // bytes (whatever they hold): parsed where it is, without the copy into a padded buffer that
  // ParseInto makes. For a reader holding many messages in one buffer (file mode).
  absl::Status ParseIntoPadded(std::string_view json, Article& out);

  // Best effort: the id of a message that failed to parse, if it has a readable one.
  std::optional<std::string> TryExtractId(std::string_view json);

 private:
  absl::Status ParseArticle(std::string_view json, bool padded, Article& out);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends the decision as one JSON object (no newline).
void AppendDecisionJson(std::string& out, const Decision& d);

// Appends a story record (the stories topic):
//   {"cluster_id":..,"event":"created"|"member_added"|"merged"|"canonical_changed",
//    "merged_into":..|null,
//    "absorbed":[..],"canonical_changed":..,"updated_at":"RFC 3339",
//    "canonical":{"id","source","url","title","published_at"}|null,"size":N,
//    "members":[{"id","source","url","published_at","similarity"},..]}
void AppendStoryJson(std::string& out, const StoryUpdate& s);

// Writes story records exactly as AppendStoryJson does, byte for byte, but copies the members'
// JSON of a cluster's previous record instead of writing it again when the new list continues
// it: the same members, the oldest dropped past max_story_members, new ones appended (what
// "member_added" does). A story of N copies otherwise writes O(N^2) member objects over its life.
// Members are recognised by StoryMember::key; a record with an unkeyed member, with fewer than
// two members, or of a merged cluster is written in full and not remembered. Up to `max_bytes`
// of member JSON is remembered, the least recently written clusters forgotten first.
// Thread-safety: not thread-safe.
class StoryJsonWriter {
 public:
  explicit StoryJsonWriter(size_t max_bytes = size_t{8} << 20);
  void Append(std::string& out, const StoryUpdate& s);
  size_t remembered_bytes() const { return bytes_; }
  size_t remembered_clusters() const { return entries_.size(); }

 private:
  struct Entry {
    std::string json;              // the members' objects, comma-separated
    std::vector<uint64_t> keys;    // their keys, in list order
    std::vector<uint32_t> starts;  // where each object starts in json
    uint64_t last_used = 0;
    size_t bytes = 0;  // what bytes_ counts for this entry
  };
  // Makes `e` hold s.members' JSON, reusing what it holds; true if it could be kept.
  bool Update(Entry& e, const StoryUpdate& s);
  void Forget(absl::flat_hash_map<std::string, Entry>::iterator it);
  void ForgetOldest();
  absl::flat_hash_map<std::string, Entry> entries_;
  size_t bytes_ = 0;
  size_t max_bytes_;
  uint64_t clock_ = 0;
};

// Appends an error record: id (or null), the error message and its reason code.
void AppendErrorJson(std::string& out, const std::optional<std::string>& id, bool id_is_number,
                     const absl::Status& error);

}  // namespace dedup

#endif  // DEDUP_PARSE_ARTICLE_JSON_H_
