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

#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/engine/article.h"

namespace dedup {

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

  // Best effort: the id of a message that failed to parse, if it has a readable one.
  std::optional<std::string> TryExtractId(std::string_view json);

 private:
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

// Appends an error record: id (or null), the error message and its reason code.
void AppendErrorJson(std::string& out, const std::optional<std::string>& id, bool id_is_number,
                     const absl::Status& error);

}  // namespace dedup

#endif  // DEDUP_PARSE_ARTICLE_JSON_H_
