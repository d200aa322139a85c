// Prometheus metrics: counters, gauges and histograms, with labels, rendered in the Prometheus
// text exposition format (version 0.0.4).
//
// A Registry owns metric families; a family owns one series per label set. Register families
// once at start-up and keep the returned references (they stay valid as long as the Registry);
// series made by WithLabels are created on first use and also stay valid until Clear().
//
// Thread-safety: updating a series (Inc, Set, Observe) is lock-free and may happen on any thread.
// Registering, WithLabels, Clear and Render take a mutex; Render may run on another thread (the
// HTTP endpoint) while series are updated.
#ifndef DEDUP_OPS_METRICS_H_
#define DEDUP_OPS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dedup {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1.0);
  // For mirroring a monotonic count kept elsewhere (e.g. the engine's statistics).
  void Set(double v) { bits_.store(Bits(v), std::memory_order_relaxed); }
  double value() const { return Value(bits_.load(std::memory_order_relaxed)); }

 private:
  static uint64_t Bits(double v);
  static double Value(uint64_t b);
  std::atomic<uint64_t> bits_{0};
};

class Gauge {
 public:
  void Set(double v);
  void Add(double v);
  double value() const;

 private:
  std::atomic<uint64_t> bits_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, strictly increasing (+Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count per bound, then the total count (for +Inf).
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // non-cumulative, one per bound
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_bits_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

template <typename T>
class Family {
 public:
  // The series for `labels` (names in the order the family was declared with), made on first use.
  T& WithLabels(const std::vector<std::string>& values);
  // The series without labels (for families declared with no label names).
  T& Get() { return WithLabels({}); }
  // Drops every series (e.g. consumer lag for partitions no longer assigned). References taken
  // before are invalid afterwards.
  void Clear();

  // Use Registry::Add*; public only so that the registry can hold families in place.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds);
  void Render(std::string& out) const;

 private:

  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};

class Registry {
 public:
  // REQUIRES: `name` is a valid Prometheus metric name not registered before.
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<double> bounds,
                                  std::vector<std::string> label_names = {});

  // Every family in registration order, in the text exposition format.
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::deque<Family<Counter>> counters_;
  std::deque<Family<Gauge>> gauges_;
  std::deque<Family<Histogram>> histograms_;
  // Registration order: (type, index into its deque).
  std::vector<std::pair<MetricType, size_t>> order_;
};

// Bucket bounds: start, start*factor, ... (count values).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A label value or HELP text escaped for the exposition format.
std::string EscapeLabelValue(std::string_view v);

}  // namespace dedup

#endif  // DEDUP_OPS_METRICS_H_
