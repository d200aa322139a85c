#include <gtest/gtest.h>

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

}  // namespace
}  // namespace dedup
