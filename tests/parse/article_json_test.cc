#include "dedup/parse/article_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "dedup/base/reject.h"

namespace dedup {
namespace {

std::string Reason(std::string_view json, InputConfig cfg = InputConfig{}) {
  ArticleParser p(cfg);
  auto a = p.Parse(json);
  return a.ok() ? "ok" : RejectReason(a.status());
}

TEST(ArticleJson, ParsesAllFields) {
  ArticleParser p(InputConfig{});
  auto a = p.Parse(R"({"id":"x1","url":"https://s.example/a","source":"S","title":"T",)"
                   R"("body":"Hello world","published_at":"2011-12-08T14:03:00Z","extra":[1,2]})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id, "x1");
  EXPECT_FALSE(a->id_is_number);
  EXPECT_EQ(a->source, "S");
  EXPECT_EQ(a->url, "https://s.example/a");
  EXPECT_EQ(a->title, "T");
  EXPECT_EQ(a->body, "Hello world");
  ASSERT_TRUE(a->published_at.has_value());
  EXPECT_EQ(*a->published_at, 1323352980000);
}

// ParseIntoPadded reads the message where it lies: the bytes after it (the next lines of a file
// mode buffer) are padding, never part of the message, whatever they hold.
TEST(ArticleJson, PaddedParseIgnoresWhatFollowsTheMessage) {
  ArticleParser p(InputConfig{});
  const std::string whole_message = R"({"id":"p1","body":"Hello world"})";
  const std::string cut_message = R"({"id":"p2","body":"Hello)";
  // The message, then bytes that would complete or extend it, then kJsonPadding more.
  const std::string buf = whole_message + cut_message + R"( world"})" + "\n" +
                          std::string(kJsonPadding, '}');
  Article a;
  ASSERT_TRUE(p.ParseIntoPadded(std::string_view(buf).substr(0, whole_message.size()), a).ok());
  EXPECT_EQ(a.id, "p1");
  EXPECT_EQ(a.body, "Hello world");
  const absl::Status cut = p.ParseIntoPadded(
      std::string_view(buf).substr(whole_message.size(), cut_message.size()), a);
  EXPECT_EQ(RejectReason(cut), "not_json") << cut;
}

TEST(ArticleJson, IntegerIdAndNullOptionals) {
  ArticleParser p(InputConfig{});
  auto a = p.Parse(R"({"id":42,"body":"b","title":null,"published_at":null})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id, "42");
  EXPECT_TRUE(a->id_is_number);
  EXPECT_FALSE(a->published_at.has_value());
}

// ParseInto reuses one Article for message after message: nothing of an earlier message may
// show through (fields the next one lacks, the id's kind, the timestamp), before or after a
// message that fails to parse.
TEST(ArticleJson, ParseIntoLeavesNothingOfTheMessageBefore) {
  ArticleParser p(InputConfig{});
  Article a;
  const std::string full =
      R"({"id":42,"url":"https://s.example/a","source":"S","title":"A long title here",)"
      R"("body":"A body long enough to be on the heap, not in the string","published_at":)"
      R"("2011-12-08T14:03:00Z"})";
  ASSERT_TRUE(p.ParseInto(full, a).ok());
  EXPECT_TRUE(a.id_is_number);
  EXPECT_EQ(a.title, "A long title here");
  ASSERT_TRUE(p.ParseInto(R"({"id":"y","body":"b"})", a).ok());
  EXPECT_EQ(a.id, "y");
  EXPECT_FALSE(a.id_is_number);
  EXPECT_EQ(a.source, "");
  EXPECT_EQ(a.url, "");
  EXPECT_EQ(a.title, "");
  EXPECT_EQ(a.body, "b");
  EXPECT_FALSE(a.published_at.has_value());
  ASSERT_TRUE(p.ParseInto(full, a).ok());
  EXPECT_FALSE(p.ParseInto(R"({"id":"z","body":"c","title":7})", a).ok());  // bad title
  ASSERT_TRUE(p.ParseInto(R"({"id":"w","body":"d","title":null,"published_at":""})", a).ok());
  EXPECT_EQ(a.id, "w");
  EXPECT_EQ(a.title, "");
  EXPECT_EQ(a.url, "");
  EXPECT_FALSE(a.published_at.has_value());  // an empty published_at counts as absent
  // The same results as Parse, field by field.
  const auto fresh = p.Parse(full);
  ASSERT_TRUE(fresh.ok() && p.ParseInto(full, a).ok());
  EXPECT_EQ(a.id, fresh->id);
  EXPECT_EQ(a.source, fresh->source);
  EXPECT_EQ(a.url, fresh->url);
  EXPECT_EQ(a.title, fresh->title);
  EXPECT_EQ(a.body, fresh->body);
  EXPECT_EQ(a.published_at, fresh->published_at);
}

TEST(ArticleJson, ConfigurableFieldNames) {
  InputConfig cfg;
  cfg.id_field = "guid";
  cfg.body_field = "text";
  EXPECT_EQ(Reason(R"({"guid":"g","text":"t"})", cfg), "ok");
  EXPECT_EQ(Reason(R"({"id":"g","body":"t"})", cfg), "missing_id");
}

TEST(ArticleJson, EachBadInputHasItsReason) {
  EXPECT_EQ(Reason("not json at all"), "not_json");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b")"), "not_json");
  EXPECT_EQ(Reason("[1,2,3]"), "not_object");
  EXPECT_EQ(Reason(R"("just a string")"), "not_object");
  EXPECT_EQ(Reason(R"({"body":"b"})"), "missing_id");
  EXPECT_EQ(Reason(R"({"id":null,"body":"b"})"), "missing_id");
  EXPECT_EQ(Reason(R"({"id":1.5,"body":"b"})"), "bad_id");
  EXPECT_EQ(Reason(R"({"id":["a"],"body":"b"})"), "bad_id");
  EXPECT_EQ(Reason(R"({"id":"","body":"b"})"), "bad_id");
  EXPECT_EQ(Reason(R"({"id":"a"})"), "missing_body");
  EXPECT_EQ(Reason(R"({"id":"a","body":7})"), "bad_body");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b","title":3})"), "bad_field");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b","published_at":"last tuesday"})"), "bad_timestamp");
  EXPECT_EQ(Reason("{\"id\":\"a\",\"body\":\"b\xFF\"}"), "invalid_utf8");
}

TEST(ArticleJson, RejectsOversizeMessages) {
  InputConfig cfg;
  cfg.max_article_bytes = 1024;
  EXPECT_EQ(Reason(R"({"id":"a","body":")" + std::string(2000, 'x') + "\"}", cfg), "too_large");
}

TEST(ArticleJson, ExtractsIdOfUnusableMessage) {
  ArticleParser p(InputConfig{});
  EXPECT_EQ(p.TryExtractId(R"({"id":"a7","body":12})").value_or(""), "a7");
  EXPECT_FALSE(p.TryExtractId("garbage").has_value());
}

TEST(ArticleJson, WritesDecisions) {
  Decision d;
  d.id = "b";
  d.cluster_id = "a";
  d.canonical_id = "a";
  d.duplicate = true;
  d.matched_id = "a";
  d.similarity = 0.83;
  d.containment = 0.97;
  std::string out;
  AppendDecisionJson(out, d);
  EXPECT_EQ(out, R"({"id":"b","cluster_id":"a","canonical_id":"a","duplicate":true,)"
                 R"("matched_id":"a","similarity":0.83,"containment":0.97})");
  Decision n;
  n.id = "7";
  n.id_is_number = true;
  n.cluster_id = "7";
  n.canonical_id = "7";
  out.clear();
  AppendDecisionJson(out, n);
  EXPECT_EQ(out, R"({"id":7,"cluster_id":"7","canonical_id":"7","duplicate":false,)"
                 R"("matched_id":null,"similarity":0,"containment":0})");
}

TEST(ArticleJson, WritesErrors) {
  std::string out;
  AppendErrorJson(out, std::nullopt, false, RejectError("not_json", "not valid JSON"));
  EXPECT_EQ(out, R"({"id":null,"error":"not valid JSON","reason":"not_json"})");
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

// The hostile inputs of the reliability issue, at the parser: each is refused with its reason
// or parsed, never a crash.
TEST(ArticleJsonHostile, FiftyMegabyteBodyIsTooLargeBeforeParsing) {
  const std::string big = R"({"id":"big","body":")" + std::string(50u << 20, 'a') + "\"}";
  EXPECT_EQ(Reason(big), "too_large");
}

TEST(ArticleJsonHostile, DeepNestingIsRefused) {
  EXPECT_EQ(Reason(std::string(100000, '[') + std::string(100000, ']')), "not_json");
  std::string nested = R"({"id":"n","body":"b","extra":)";
  for (int i = 0; i < 5000; ++i) nested += R"({"a":)";
  nested += "1";
  for (int i = 0; i < 5000; ++i) nested += "}";
  nested += "}";
  EXPECT_EQ(Reason(nested), "not_json");
}

TEST(ArticleJsonHostile, NulBytesAndBinaryGarbage) {
  // A raw NUL inside a JSON string is a control character: not JSON.
  EXPECT_EQ(Reason(std::string("{\"id\":\"z\",\"body\":\"a\0b\"}", 23)), "not_json");
  // An escaped NUL is a valid string; the body keeps it.
  ArticleParser p(InputConfig{});
  auto a = p.Parse(R"({"id":"z","body":"before\u0000after"})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->body, std::string("before\0after", 12));
  // Seeded binary garbage: refused, whatever the bytes.
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (int round = 0; round < 200; ++round) {
    std::string junk(1 + round * 7, '\0');
    for (char& c : junk) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      c = static_cast<char>(x);
    }
    const std::string r = Reason(junk);
    EXPECT_TRUE(r == "not_json" || r == "invalid_utf8" || r == "not_object") << r;
  }
}

TEST(ArticleJsonHostile, WrongTypesAndEmptyValues) {
  EXPECT_EQ(Reason(R"(42)"), "not_object");
  EXPECT_EQ(Reason(R"(null)"), "not_object");
  EXPECT_EQ(Reason(""), "not_json");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b","source":5})"), "bad_field");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b","url":{"x":1}})"), "bad_field");
  EXPECT_EQ(Reason(R"({"id":"a","body":"b","published_at":1700000000})"), "bad_field");
  EXPECT_EQ(Reason(R"({"id":true,"body":"b"})"), "bad_id");
  EXPECT_EQ(Reason(R"({"id":"a","body":""})"), "ok");  // parsed; the engine refuses it (empty_body)
}

}  // namespace
}  // namespace dedup

namespace dedup {
namespace {

// A member whose fields are a function of its key (as the engine's are): the writer may reuse
// what it wrote for a key. Ids and URLs need escaping now and then.
StoryMember KeyedMember(uint64_t key) {
  StoryMember m;
  m.key = key;
  m.id = "article-" + std::to_string(key) + (key % 7 == 0 ? "-\"quoted\"\\" : "");
  m.id_is_number = key % 11 == 0;
  if (m.id_is_number) m.id = std::to_string(key);
  m.source = "site" + std::to_string(key % 13) + ".example";
  m.url = "https://" + m.source + "/news/" + std::to_string(key) +
          (key % 5 == 0 ? "/caf\xC3\xA9" : "");
  m.published_at = 1764547200000 + static_cast<int64_t>(key) * 61001;
  m.similarity = key % 3 == 0 ? 1.0 : 0.5 + static_cast<double>(key % 97) / 200.0;
  return m;
}

// Random record sequences for a few clusters, each written by one StoryJsonWriter and by
// AppendStoryJson: byte for byte the same, whatever the list did (grew, lost its oldest, lost
// one in the middle, was reordered, had an unkeyed member, was merged away, emptied), and at any
// memory bound (the smallest forgets clusters all the time).
TEST(StoryJsonWriter, WritesWhatAppendStoryJsonWrites) {
  for (const size_t max_bytes : {size_t{1}, size_t{4096}, size_t{8} << 20}) {
    StoryJsonWriter writer(max_bytes);
    std::mt19937_64 rng(17 + max_bytes);
    std::vector<std::vector<uint64_t>> lists(5);
    uint64_t next_key = 1;
    for (int step = 0; step < 4000; ++step) {
      const size_t c = rng() % lists.size();
      std::vector<uint64_t>& keys = lists[c];
      StoryUpdate u;
      u.cluster_id = "cluster-" + std::to_string(c);
      u.event = "member_added";
      const auto drop_front = [&keys](size_t n) {
        keys.erase(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(std::min(n, keys.size())));
      };
      switch (rng() % 10) {
        case 0:  // one in the middle left the window
          if (!keys.empty()) keys.erase(keys.begin() + static_cast<ptrdiff_t>(rng() % keys.size()));
          break;
        case 1:  // the oldest left
          drop_front(rng() % 4);
          break;
        case 2:
          std::shuffle(keys.begin(), keys.end(), rng);
          break;
        case 3:
          u.event = "merged";
          u.merged_into = "cluster-0";
          keys.clear();
          break;
        case 4:
          u.event = "canonical_changed";
          u.canonical_changed = true;
          break;
        default:  // new members; the newest 30 listed
          for (uint64_t n = 1 + rng() % 2; n > 0; --n) keys.push_back(next_key++);
          if (keys.size() > 30) drop_front(keys.size() - 30);
      }
      for (const uint64_t k : keys) u.members.push_back(KeyedMember(k));
      if (!u.members.empty() && rng() % 50 == 0) u.members[rng() % u.members.size()].key = 0;
      if (!u.members.empty()) {
        u.canonical = u.members.front();
        u.canonical.title = "Title of " + u.cluster_id;
      }
      u.size = u.members.size() + rng() % 2;
      u.updated_at = 1764547200000 + step * 1000;
      std::string want, got = "prefix";
      AppendStoryJson(want, u);
      writer.Append(got, u);
      ASSERT_EQ(got, "prefix" + want) << "step " << step << ", max_bytes " << max_bytes;
      ASSERT_TRUE(writer.remembered_bytes() <= max_bytes || writer.remembered_clusters() <= 1)
          << writer.remembered_bytes();
    }
  }
}

// The writer does reuse: under the contract a key names its fields, so a member changed under
// an old key comes out as it was first written (AppendStoryJson, which keeps nothing, shows the
// change). A changed key is written anew.
TEST(StoryJsonWriter, ReusesAMembersJsonByItsKey) {
  StoryJsonWriter writer;
  StoryUpdate u;
  u.cluster_id = "c";
  u.event = "member_added";
  u.members = {KeyedMember(1), KeyedMember(2)};
  std::string first;
  writer.Append(first, u);
  EXPECT_EQ(writer.remembered_clusters(), 1u);
  u.members[0].url = "https://changed.example/";
  u.members.push_back(KeyedMember(3));
  std::string reused, fresh;
  writer.Append(reused, u);
  AppendStoryJson(fresh, u);
  EXPECT_EQ(reused.find("changed.example"), std::string::npos) << reused;
  EXPECT_NE(fresh.find("changed.example"), std::string::npos);
  u.members[0].key = 99;  // a new key: written from its fields
  std::string rewritten;
  writer.Append(rewritten, u);
  EXPECT_NE(rewritten.find("changed.example"), std::string::npos) << rewritten;
}

}  // namespace
}  // namespace dedup
