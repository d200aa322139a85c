#include "dedup/parse/article_json.h"

#include <algorithm>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "dedup/base/json_writer.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"

namespace dedup {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

struct ArticleParser::Impl {
  InputConfig config;
  simdjson::dom::parser parser;
};

ArticleParser::ArticleParser(const InputConfig& config) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
}
ArticleParser::~ArticleParser() = default;

namespace {

// Reads an optional string field: absent or null leaves `out` untouched. The view points into
// the parser's buffers (valid until its next parse).
absl::Status OptionalString(simdjson::dom::object obj, std::string_view field,
                            std::optional<std::string_view>& out) {
  simdjson::dom::element e;
  if (obj.at_key(field).get(e) != simdjson::SUCCESS || e.is_null()) return absl::OkStatus();
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) {
    return RejectError("bad_field", Cat("field \"", field, "\" must be a string"));
  }
  out = v;
  return absl::OkStatus();
}

absl::Status OptionalString(simdjson::dom::object obj, std::string_view field, std::string& out) {
  std::optional<std::string_view> v;
  DEDUP_RETURN_IF_ERROR(OptionalString(obj, field, v));
  if (v.has_value()) out.assign(*v);
  return absl::OkStatus();
}

absl::Status ReadId(simdjson::dom::object obj, std::string_view field, Article& a) {
  simdjson::dom::element e;
  if (obj.at_key(field).get(e) != simdjson::SUCCESS || e.is_null()) {
    return RejectError("missing_id", Cat("missing required field \"", field, "\""));
  }
  std::string_view s;
  int64_t i;
  uint64_t u;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    if (s.empty()) return RejectError("bad_id", Cat("field \"", field, "\" is empty"));
    a.id.assign(s);
  } else if (e.get_int64().get(i) == simdjson::SUCCESS) {
    a.id = Cat(i);
    a.id_is_number = true;
  } else if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    a.id = Cat(u);
    a.id_is_number = true;
  } else {
    return RejectError("bad_id",
                       Cat("field \"", field, "\" must be a string or an integer"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Article> ArticleParser::Parse(std::string_view json) {
  Article a;
  DEDUP_RETURN_IF_ERROR(ParseInto(json, a));
  return a;
}

absl::Status ArticleParser::ParseInto(std::string_view json, Article& a) {
  return ParseArticle(json, /*padded=*/false, a);
}

absl::Status ArticleParser::ParseIntoPadded(std::string_view json, Article& a) {
  return ParseArticle(json, /*padded=*/true, a);
}

absl::Status ArticleParser::ParseArticle(std::string_view json, bool padded, Article& a) {
  a.id.clear();
  a.id_is_number = false;
  a.source.clear();
  a.url.clear();
  a.title.clear();
  a.body.clear();
  a.published_at.reset();
  const InputConfig& cfg = impl_->config;
  if (static_cast<int64_t>(json.size()) > cfg.max_article_bytes) {
    return RejectError("too_large", Cat("message is ", json.size(),
                                                 " bytes, over input.max_article_bytes = ",
                                                 cfg.max_article_bytes));
  }
  simdjson::dom::element root;
  const auto err = impl_->parser.parse(json.data(), json.size(), !padded).get(root);
  if (err == simdjson::UTF8_ERROR) return RejectError("invalid_utf8", "message is not valid UTF-8");
  if (err != simdjson::SUCCESS) {
    return RejectError("not_json", Cat("not valid JSON: ", simdjson::error_message(err)));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return RejectError("not_object", "message is JSON but not an object");
  }
  DEDUP_RETURN_IF_ERROR(ReadId(obj, cfg.id_field, a));
  simdjson::dom::element body;
  if (obj.at_key(cfg.body_field).get(body) != simdjson::SUCCESS || body.is_null()) {
    return RejectError("missing_body",
                       Cat("missing required field \"", cfg.body_field, "\""));
  }
  std::string_view body_text;
  if (body.get_string().get(body_text) != simdjson::SUCCESS) {
    return RejectError("bad_body", Cat("field \"", cfg.body_field, "\" must be a string"));
  }
  a.body.assign(body_text);
  DEDUP_RETURN_IF_ERROR(OptionalString(obj, cfg.title_field, a.title));
  DEDUP_RETURN_IF_ERROR(OptionalString(obj, cfg.source_field, a.source));
  DEDUP_RETURN_IF_ERROR(OptionalString(obj, cfg.url_field, a.url));
  std::optional<std::string_view> published;
  DEDUP_RETURN_IF_ERROR(OptionalString(obj, cfg.published_at_field, published));
  if (published.has_value() && !published->empty()) {
    auto t = ParseRfc3339Ms(*published);
    if (!t.ok()) {
      return RejectError("bad_timestamp", Cat("field \"", cfg.published_at_field,
                                                       "\": ", t.status().message()));
    }
    a.published_at = *t;
  }
  return absl::OkStatus();
}

std::optional<std::string> ArticleParser::TryExtractId(std::string_view json) {
  if (static_cast<int64_t>(json.size()) > impl_->config.max_article_bytes) return std::nullopt;
  simdjson::dom::element root;
  if (impl_->parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  Article a;
  if (!ReadId(obj, impl_->config.id_field, a).ok()) return std::nullopt;
  return a.id;
}

namespace {
void AppendId(std::string& out, const std::string& id, bool is_number) {
  if (is_number) {
    out.append(id);
  } else {
    AppendJsonString(out, id);
  }
}
}  // namespace

void AppendDecisionJson(std::string& out, const Decision& d) {
  out.append("{\"id\":");
  AppendId(out, d.id, d.id_is_number);
  out.append(",\"cluster_id\":");
  AppendJsonString(out, d.cluster_id);
  out.append(",\"canonical_id\":");
  AppendJsonString(out, d.canonical_id);
  out.append(d.duplicate ? ",\"duplicate\":true,\"matched_id\":" : ",\"duplicate\":false,\"matched_id\":");
  if (d.duplicate) {
    AppendJsonString(out, d.matched_id);
  } else {
    out.append("null");
  }
  out.append(",\"similarity\":");
  AppendJsonNumber(out, d.similarity);
  out.append(",\"containment\":");
  AppendJsonNumber(out, d.containment);
  out.push_back('}');
}

namespace {
// An RFC 3339 timestamp as a JSON string (its characters need no escaping).
void AppendJsonTime(std::string& out, EventTimeMs ms) {
  out.push_back('"');
  AppendRfc3339Ms(out, ms);
  out.push_back('"');
}

void AppendMemberFields(std::string& out, const StoryMember& m) {
  out.append("\"id\":");
  AppendId(out, m.id, m.id_is_number);
  out.append(",\"source\":");
  AppendJsonString(out, m.source);
  out.append(",\"url\":");
  AppendJsonString(out, m.url);
  out.append(",\"published_at\":");
  AppendJsonTime(out, m.published_at);
}
}  // namespace

namespace {
// A story record up to and including `"members":[`.
void AppendStoryHead(std::string& out, const StoryUpdate& s) {
  out.append("{\"cluster_id\":");
  AppendJsonString(out, s.cluster_id);
  out.append(",\"event\":");
  AppendJsonString(out, s.event);
  out.append(",\"merged_into\":");
  if (s.merged_into.empty()) {
    out.append("null");
  } else {
    AppendJsonString(out, s.merged_into);
  }
  out.append(",\"absorbed\":[");
  for (size_t i = 0; i < s.absorbed.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, s.absorbed[i]);
  }
  out.append("],\"canonical_changed\":");
  out.append(s.canonical_changed ? "true" : "false");
  out.append(",\"updated_at\":");
  AppendJsonTime(out, s.updated_at);
  out.append(",\"canonical\":");
  if (s.members.empty()) {
    out.append("null");
  } else {
    out.push_back('{');
    AppendMemberFields(out, s.canonical);
    out.append(",\"title\":");
    AppendJsonString(out, s.canonical.title);
    out.push_back('}');
  }
  out.append(",\"size\":");
  out.append(std::to_string(std::max(s.size, s.members.size())));
  out.append(",\"members\":[");
}

// One element of a story record's "members".
void AppendStoryMember(std::string& out, const StoryMember& m) {
  out.push_back('{');
  AppendMemberFields(out, m);
  out.append(",\"similarity\":");
  AppendJsonNumber(out, m.similarity);
  out.push_back('}');
}
}  // namespace

void AppendStoryJson(std::string& out, const StoryUpdate& s) {
  AppendStoryHead(out, s);
  for (size_t i = 0; i < s.members.size(); ++i) {
    if (i) out.push_back(',');
    AppendStoryMember(out, s.members[i]);
  }
  out.append("]}");
}

StoryJsonWriter::StoryJsonWriter(size_t max_bytes) : max_bytes_(max_bytes) {}

bool StoryJsonWriter::Update(Entry& e, const StoryUpdate& s) {
  const std::vector<StoryMember>& members = s.members;
  // The previous list continues into this one if this one's first member is in it and every
  // member after that one is this one's next: keep from there, append the rest.
  size_t keep_from = e.keys.size();
  if (!e.keys.empty()) {
    const auto first = std::find(e.keys.begin(), e.keys.end(), members.front().key);
    const size_t from = static_cast<size_t>(first - e.keys.begin());
    const size_t kept = e.keys.size() - from;
    if (from < e.keys.size() && kept <= members.size()) {
      bool continues = true;
      for (size_t i = 0; i < kept && continues; ++i) continues = e.keys[from + i] == members[i].key;
      if (continues) keep_from = from;
    }
  }
  if (keep_from == e.keys.size()) {  // nothing to keep
    e.json.clear();
    e.keys.clear();
    e.starts.clear();
  } else if (keep_from > 0) {
    const uint32_t cut = e.starts[keep_from];
    e.json.erase(0, cut);
    e.keys.erase(e.keys.begin(), e.keys.begin() + static_cast<ptrdiff_t>(keep_from));
    e.starts.erase(e.starts.begin(), e.starts.begin() + static_cast<ptrdiff_t>(keep_from));
    for (uint32_t& start : e.starts) start -= cut;
  }
  for (size_t i = e.keys.size(); i < members.size(); ++i) {
    if (!e.json.empty()) e.json.push_back(',');
    if (e.json.size() > UINT32_MAX) return false;
    e.starts.push_back(static_cast<uint32_t>(e.json.size()));
    e.keys.push_back(members[i].key);
    AppendStoryMember(e.json, members[i]);
  }
  return true;
}

void StoryJsonWriter::Append(std::string& out, const StoryUpdate& s) {
  const auto keyed = [](const StoryMember& m) { return m.key != 0; };
  auto it = entries_.find(s.cluster_id);
  const bool remember = s.members.size() >= 2 && s.event != "merged" &&
                        std::all_of(s.members.begin(), s.members.end(), keyed);
  if (remember && it == entries_.end()) it = entries_.try_emplace(s.cluster_id).first;
  // Not remembered, or over 4 GiB of member JSON: written in full, the cluster forgotten.
  if (!remember || !Update(it->second, s)) {
    if (it != entries_.end()) Forget(it);
    AppendStoryJson(out, s);
    return;
  }
  Entry& e = it->second;
  AppendStoryHead(out, s);
  out.append(e.json);
  out.append("]}");
  e.last_used = ++clock_;
  bytes_ -= e.bytes;
  e.bytes = it->first.size() + e.json.capacity() + e.keys.capacity() * sizeof(uint64_t) +
            e.starts.capacity() * sizeof(uint32_t) + sizeof(Entry);
  bytes_ += e.bytes;
  if (bytes_ > max_bytes_) ForgetOldest();
}

void StoryJsonWriter::Forget(absl::flat_hash_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  entries_.erase(it);
}

void StoryJsonWriter::ForgetOldest() {
  // The least recently written half goes at a time (the newest, just written, stays), so the
  // scan is paid once per many records.
  std::vector<uint64_t> stamps;
  while (bytes_ > max_bytes_ && entries_.size() > 1) {
    stamps.clear();
    for (const auto& kv : entries_) stamps.push_back(kv.second.last_used);
    const size_t drop = stamps.size() / 2;
    std::nth_element(stamps.begin(), stamps.begin() + static_cast<ptrdiff_t>(drop - 1),
                     stamps.end());
    const uint64_t cutoff = stamps[drop - 1];
    absl::erase_if(entries_, [&](const auto& kv) {
      if (kv.second.last_used > cutoff) return false;
      bytes_ -= kv.second.bytes;
      return true;
    });
  }
}

void AppendErrorJson(std::string& out, const std::optional<std::string>& id, bool id_is_number,
                     const absl::Status& error) {
  out.append("{\"id\":");
  if (id.has_value()) {
    AppendId(out, *id, id_is_number);
  } else {
    out.append("null");
  }
  out.append(",\"error\":");
  AppendJsonString(out, SV(error.message()));
  out.append(",\"reason\":");
  AppendJsonString(out, RejectReason(error));
  out.push_back('}');
}

}  // namespace dedup
