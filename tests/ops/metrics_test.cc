#include "dedup/ops/metrics.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace dedup {
namespace {

TEST(MetricsTest, RendersCountersGaugesWithHelpTypeAndLabels) {
  Registry r;
  Family<Counter>& consumed = r.AddCounter("dedupd_test_consumed_total", "Articles consumed.");
  Family<Counter>& dead = r.AddCounter("dedupd_test_dead_total", "Dead letters.", {"reason"});
  Family<Gauge>& size = r.AddGauge("dedupd_test_size", "Size.");
  consumed.Get().Inc();
  consumed.Get().Inc(2);
  dead.WithLabels({"bad_json"}).Inc();
  dead.WithLabels({"quote\"back\\slash\nnewline"}).Inc(4);
  size.Get().Set(12.5);
  EXPECT_EQ(r.Render(),
            "# HELP dedupd_test_consumed_total Articles consumed.\n"
            "# TYPE dedupd_test_consumed_total counter\n"
            "dedupd_test_consumed_total 3\n"
            "# HELP dedupd_test_dead_total Dead letters.\n"
            "# TYPE dedupd_test_dead_total counter\n"
            "dedupd_test_dead_total{reason=\"bad_json\"} 1\n"
            "dedupd_test_dead_total{reason=\"quote\\\"back\\\\slash\\nnewline\"} 4\n"
            "# HELP dedupd_test_size Size.\n"
            "# TYPE dedupd_test_size gauge\n"
            "dedupd_test_size 12.5\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  Family<Histogram>& h =
      r.AddHistogram("dedupd_test_seconds", "Latency.", {0.001, 0.01, 0.1}, {"stage"});
  Histogram& e = h.WithLabels({"engine"});
  for (double v : {0.0005, 0.001, 0.005, 0.05, 3.0}) e.Observe(v);
  EXPECT_EQ(r.Render(),
            "# HELP dedupd_test_seconds Latency.\n"
            "# TYPE dedupd_test_seconds histogram\n"
            "dedupd_test_seconds_bucket{stage=\"engine\",le=\"0.001\"} 2\n"
            "dedupd_test_seconds_bucket{stage=\"engine\",le=\"0.01\"} 3\n"
            "dedupd_test_seconds_bucket{stage=\"engine\",le=\"0.1\"} 4\n"
            "dedupd_test_seconds_bucket{stage=\"engine\",le=\"+Inf\"} 5\n"
            "dedupd_test_seconds_sum{stage=\"engine\"} 3.0565\n"
            "dedupd_test_seconds_count{stage=\"engine\"} 5\n");
}

TEST(MetricsTest, ClearDropsSeries) {
  Registry r;
  Family<Gauge>& lag = r.AddGauge("dedupd_test_lag", "Lag.", {"topic", "partition"});
  lag.WithLabels({"articles", "0"}).Set(5);
  lag.Clear();
  lag.WithLabels({"articles", "1"}).Set(7);
  const std::string out = r.Render();
  EXPECT_EQ(out.find("partition=\"0\""), std::string::npos) << out;
  EXPECT_NE(out.find("dedupd_test_lag{topic=\"articles\",partition=\"1\"} 7\n"), std::string::npos)
      << out;
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Registry r;
  Counter& c = r.AddCounter("dedupd_test_total", "n").Get();
  Histogram& h = r.AddHistogram("dedupd_test_h", "h", {1, 2}).Get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(1.5);
        if (i % 1000 == 0) (void)r.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000);
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_EQ(h.sum(), 60000);
  EXPECT_EQ(h.CumulativeCounts(), (std::vector<uint64_t>{0, 40000, 40000}));
}

TEST(MetricsTest, ExponentialBuckets) {
  EXPECT_EQ(ExponentialBuckets(0.001, 10, 3), (std::vector<double>{0.001, 0.01, 0.1}));
}

}  // namespace
}  // namespace dedup
