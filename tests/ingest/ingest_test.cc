#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dedup/ingest/consumer.h"
#include "dedup/ingest/offset_tracker.h"

namespace dedup {
namespace {

TEST(OffsetTrackerTest, CommitsOnlyPastCompleteMessagesInOrder) {
  OffsetTracker t;
  const uint64_t a = t.Begin("articles", 0, 10, 100);
  const uint64_t b = t.Begin("articles", 0, 11, 50);
  t.Add(a);
  t.Add(b);
  t.Release(a);
  t.Release(b);
  EXPECT_EQ(t.in_flight(), 2u);
  EXPECT_EQ(t.in_flight_bytes(), 150u);
  t.Done(b);  // the later message finishes first: nothing may be committed yet
  EXPECT_TRUE(t.TakeCommittable().empty());
  t.Done(a);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 0, 12}}));
  EXPECT_TRUE(t.TakeCommittable().empty());
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.in_flight_bytes(), 0u);
}

TEST(OffsetTrackerTest, ReleaseGuardsAMessageWhoseOutputsAreStillBeingMade) {
  OffsetTracker t;
  const uint64_t a = t.Begin("articles", 1, 5, 10);
  t.Add(a);
  t.Done(a);  // the first output is acknowledged before the second is produced
  EXPECT_TRUE(t.TakeCommittable().empty());
  t.Add(a);
  t.Release(a);
  EXPECT_TRUE(t.TakeCommittable().empty());
  t.Done(a);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 1, 6}}));
}

TEST(OffsetTrackerTest, PartitionsAreIndependentAndDropForgets) {
  OffsetTracker t;
  const uint64_t a = t.Begin("articles", 0, 1, 10);
  const uint64_t b = t.Begin("articles", 1, 7, 10);
  t.Release(b);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 1, 8}}));
  t.DropPartition("articles", 0);
  EXPECT_EQ(t.in_flight(), 0u);
  (void)a;
  EXPECT_TRUE(t.TakeCommittable().empty());
}

// The partition a message was last tracked under, dropped or cleared, then used again: tracked
// afresh (ASan reports a use after free if a remembered partition outlives its removal).
TEST(OffsetTrackerTest, APartitionDroppedOrClearedIsTrackedAfreshWhenItReturns) {
  OffsetTracker t;
  t.Release(t.Begin("articles", 0, 1, 10));
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 0, 2}}));
  t.DropPartition("articles", 0);
  t.Release(t.Begin("articles", 0, 5, 10));
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 0, 6}}));
  t.Clear();
  const uint64_t a = t.Begin("articles", 0, 9, 10);
  const uint64_t b = t.Begin("other", 0, 3, 10);  // same partition number, another topic
  t.Release(b);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"other", 0, 4}}));
  t.Release(a);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 0, 10}}));
}

// Random interleavings of Begin, Add, Release and Done over three partitions (completions out
// of order, gaps between offsets, now and then an offset below every pending one, as after a
// rewind) against a model that keeps each partition's pending offsets in a std::map: the same
// offsets become committable at the same moments, with the same counts in flight.
TEST(OffsetTrackerTest, MatchesAMapModelUnderRandomInterleavings) {
  struct Message {
    uint64_t token;
    int32_t partition;
    int64_t offset;
    int unacked;  // outputs produced and not acknowledged
    bool released;
    size_t bytes;
  };
  std::mt19937_64 rng(7);
  OffsetTracker t;
  std::map<int32_t, std::map<int64_t, int>> model;  // partition -> offset -> open count
  std::map<int32_t, int64_t> next_offset = {{0, 0}, {1, 100}, {2, 5000}};
  std::vector<Message> live;
  std::vector<TopicPartitionOffset> want;
  size_t bytes = 0, rewinds = 0, out_of_order = 0;
  for (int step = 0; step < 30000; ++step) {
    const uint64_t action = rng() % 10;
    if (action < 3 || live.empty()) {
      const auto partition = static_cast<int32_t>(rng() % 3);
      auto& pending = model[partition];
      int64_t offset = next_offset[partition];
      if (rng() % 50 == 0 && !pending.empty() && pending.begin()->first > 20) {
        offset = pending.begin()->first - 1 - static_cast<int64_t>(rng() % 10);  // a rewind
        ++rewinds;
      } else {
        next_offset[partition] += 1 + (rng() % 8 == 0 ? static_cast<int64_t>(rng() % 5) : 0);
      }
      if (pending.count(offset) != 0) continue;
      pending[offset] = 1;
      const size_t size = 1 + rng() % 1000;
      bytes += size;
      live.push_back(
          {t.Begin("articles", partition, offset, size), partition, offset, 0, false, size});
    } else {
      const size_t i = rng() % live.size();
      Message& m = live[i];
      if (action < 6 && !m.released) {
        t.Add(m.token);
        ++model[m.partition][m.offset];
        ++m.unacked;
        continue;
      }
      if (action < 8 && !m.released) {
        t.Release(m.token);
        m.released = true;
      } else if (m.unacked > 0) {
        t.Done(m.token);
        --m.unacked;
      } else {
        continue;
      }
      auto& pending = model[m.partition];
      if (--pending[m.offset] == 0) {
        if (pending.begin()->first != m.offset) ++out_of_order;
        int64_t committable = -1;
        while (!pending.empty() && pending.begin()->second == 0) {
          committable = pending.begin()->first + 1;
          pending.erase(pending.begin());
        }
        if (committable >= 0) {
          std::erase_if(want, [&](const auto& o) { return o.partition == m.partition; });
          want.push_back({"articles", m.partition, committable});
        }
      }
      if (m.released && m.unacked == 0) {
        bytes -= m.bytes;
        live.erase(live.begin() + static_cast<ptrdiff_t>(i));
      }
    }
    if (rng() % 20 == 0) {
      std::vector<TopicPartitionOffset> got = t.TakeCommittable();
      const auto by_partition = [](const auto& a, const auto& b) {
        return a.partition < b.partition;
      };
      std::sort(got.begin(), got.end(), by_partition);
      std::sort(want.begin(), want.end(), by_partition);
      ASSERT_EQ(got, want) << "step " << step;
      want.clear();
    }
    ASSERT_EQ(t.in_flight(), live.size()) << "step " << step;
    ASSERT_EQ(t.in_flight_bytes(), bytes) << "step " << step;
  }
  EXPECT_GT(rewinds, 10u);
  EXPECT_GT(out_of_order, 1000u);
}

// An offset delivered again while still pending starts over under its new token; the old
// token's acknowledgements are then ignored, and nothing is left open for ever.
TEST(OffsetTrackerTest, AnOffsetTrackedTwiceCompletesOnce) {
  OffsetTracker t;
  const uint64_t a = t.Begin("articles", 0, 4, 10);
  t.Add(a);
  const uint64_t b = t.Begin("articles", 0, 4, 10);
  t.Release(b);
  EXPECT_EQ(t.TakeCommittable(), (std::vector<TopicPartitionOffset>{{"articles", 0, 5}}));
  t.Release(a);
  t.Done(a);
  EXPECT_TRUE(t.TakeCommittable().empty());
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.in_flight_bytes(), 0u);
}

// A trimmed librdkafka statistics document (the fields ParseConsumerLag reads, and neighbours).
constexpr char kStats[] = R"({
  "name": "dedupd#consumer-1", "type": "consumer", "ts": 1, "brokers": {},
  "topics": {
    "articles": {"topic": "articles", "partitions": {
      "0": {"partition": 0, "fetch_state": "active", "committed_offset": 90, "hi_offset": 100,
            "consumer_lag": 10, "consumer_lag_stored": 4},
      "1": {"partition": 1, "fetch_state": "none", "consumer_lag": -1},
      "-1": {"partition": -1, "consumer_lag": -1}}},
    "more": {"topic": "more", "partitions": {
      "3": {"partition": 3, "consumer_lag": 0}}}}})";

TEST(ConsumerLagTest, ReadsKnownLagPerAssignedPartition) {
  absl::StatusOr<std::vector<PartitionLag>> lags = ParseConsumerLag(kStats);
  ASSERT_TRUE(lags.ok()) << lags.status();
  ASSERT_EQ(lags->size(), 2u);
  EXPECT_EQ((*lags)[0].topic, "articles");
  EXPECT_EQ((*lags)[0].partition, 0);
  EXPECT_EQ((*lags)[0].lag, 10);
  EXPECT_EQ((*lags)[1].topic, "more");
  EXPECT_EQ((*lags)[1].partition, 3);
  EXPECT_EQ((*lags)[1].lag, 0);
}

TEST(ConsumerLagTest, NoTopicsIsEmptyAndGarbageIsAnError) {
  absl::StatusOr<std::vector<PartitionLag>> none = ParseConsumerLag(R"({"name": "x"})");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(ParseConsumerLag("{not json").ok());
}

// dedupd's default fetch.max.bytes (1 MiB) must not refuse a consumer whose user raises
// message.max.bytes above it: librdkafka requires fetch.max.bytes >= message.max.bytes.
TEST(ConsumerConfigTest, DefaultFetchSizeFollowsALargerMessageMaxBytes) {
  KafkaConfig config;
  config.brokers = "127.0.0.1:1";  // nothing listens there: the clients are made, never polled
  {
    absl::StatusOr<std::unique_ptr<Consumer>> plain = Consumer::Create(config, nullptr);
    ASSERT_TRUE(plain.ok()) << plain.status();
  }
  config.consumer_properties = {{"message.max.bytes", std::to_string(4 * kDefaultFetchMaxBytes)}};
  absl::StatusOr<std::unique_ptr<Consumer>> large = Consumer::Create(config, nullptr);
  ASSERT_TRUE(large.ok()) << large.status();
  // A user's own fetch.max.bytes wins, and librdkafka's objection reaches the caller.
  config.consumer_properties.emplace_back("fetch.max.bytes", "100000");
  absl::StatusOr<std::unique_ptr<Consumer>> refused = Consumer::Create(config, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("fetch.max.bytes"), std::string::npos)
      << refused.status();
}

// The prefetch: librdkafka 2.0 stops fetching for a second whenever queued.max.messages.kbytes
// of input wait, so its 64 MiB default made a backlog of 3.3 KB articles arrive at ~20,000 a
// second. dedupd's default is 128 MiB; a user's own value wins.
TEST(ConsumerConfigTest, PrefetchDefaultsTo128MiBAndTheUsersValueWins) {
  KafkaConfig config;
  config.brokers = "127.0.0.1:1";  // nothing listens there: the clients are made, never polled
  absl::StatusOr<std::unique_ptr<Consumer>> plain = Consumer::Create(config, nullptr);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->ClientProperty("queued.max.messages.kbytes").value_or(""), "131072");
  EXPECT_EQ((*plain)->ClientProperty("fetch.max.bytes").value_or(""),
            std::to_string(kDefaultFetchMaxBytes));
  EXPECT_EQ((*plain)->ClientProperty("no.such.property").status().code(),
            absl::StatusCode::kNotFound);
  config.consumer_properties = {{"queued.max.messages.kbytes", "16384"}};
  absl::StatusOr<std::unique_ptr<Consumer>> own = Consumer::Create(config, nullptr);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ((*own)->ClientProperty("queued.max.messages.kbytes").value_or(""), "16384");
}

}  // namespace
}  // namespace dedup
