#include "dedup/ops/metrics.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace dedup {
namespace {

uint64_t ToBits(double v) { return std::bit_cast<uint64_t>(v); }
double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

void AtomicAdd(std::atomic<uint64_t>& bits, double v) {
  uint64_t old = bits.load(std::memory_order_relaxed);
  while (!bits.compare_exchange_weak(old, ToBits(FromBits(old) + v), std::memory_order_relaxed)) {
  }
}

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

template <typename T>
constexpr std::string_view TypeName() {
  if constexpr (std::is_same_v<T, Counter>) return "counter";
  else if constexpr (std::is_same_v<T, Gauge>) return "gauge";
  else return "histogram";
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) b.push_back(v);
  return b;
}

uint64_t Counter::Bits(double v) { return ToBits(v); }
double Counter::Value(uint64_t b) { return FromBits(b); }
void Counter::Inc(double v) { AtomicAdd(bits_, v); }

void Gauge::Set(double v) { bits_.store(ToBits(v), std::memory_order_relaxed); }
void Gauge::Add(double v) { AtomicAdd(bits_, v); }
double Gauge::value() const { return FromBits(bits_.load(std::memory_order_relaxed)); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size()]) {
  for (size_t i = 0; i < bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Buckets are few (<= ~20): a linear scan beats a binary search here.
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (v <= bounds_[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  AtomicAdd(sum_bits_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> c(bounds_.size() + 1);
  uint64_t run = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    run += buckets_[i].load(std::memory_order_relaxed);
    c[i] = run;
  }
  // Observations racing with this read may make count lag the buckets: keep +Inf >= the rest.
  c.back() = std::max(run, count_.load(std::memory_order_relaxed));
  return c;
}

double Histogram::sum() const { return FromBits(sum_bits_.load(std::memory_order_relaxed)); }

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<T>& s = series_[values];
  if (!s) {
    if constexpr (std::is_same_v<T, Histogram>) {
      s = std::make_unique<Histogram>(bounds_);
    } else {
      s = std::make_unique<T>();
    }
  }
  return *s;
}

template <typename T>
void Family<T>::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  series_.clear();
}

template <typename T>
void Family<T>::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += EscapeHelp(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName<T>();
  out += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, series] : series_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const std::vector<uint64_t> counts = series->CumulativeCounts();
      for (size_t i = 0; i <= bounds_.size(); ++i) {
        std::string le;
        if (i < bounds_.size()) AppendNumber(le, bounds_[i]);
        else le = "+Inf";
        out += name_;
        out += "_bucket";
        AppendLabels(out, label_names_, values, "le", le);
        out += ' ';
        out += std::to_string(counts[i]);
        out += '\n';
      }
      out += name_;
      out += "_sum";
      AppendLabels(out, label_names_, values);
      out += ' ';
      AppendNumber(out, series->sum());
      out += '\n';
      out += name_;
      out += "_count";
      AppendLabels(out, label_names_, values);
      out += ' ';
      out += std::to_string(counts.back());
      out += '\n';
    } else {
      out += name_;
      AppendLabels(out, label_names_, values);
      out += ' ';
      AppendNumber(out, series->value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  order_.emplace_back(MetricType::kCounter, counters_.size());
  return counters_.emplace_back(std::move(name), std::move(help), std::move(label_names),
                                std::vector<double>{});
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  order_.emplace_back(MetricType::kGauge, gauges_.size());
  return gauges_.emplace_back(std::move(name), std::move(help), std::move(label_names),
                              std::vector<double>{});
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<double> bounds,
                                          std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  order_.emplace_back(MetricType::kHistogram, histograms_.size());
  return histograms_.emplace_back(std::move(name), std::move(help), std::move(label_names),
                                  std::move(bounds));
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [type, i] : order_) {
    switch (type) {
      case MetricType::kCounter: counters_[i].Render(out); break;
      case MetricType::kGauge: gauges_[i].Render(out); break;
      case MetricType::kHistogram: histograms_[i].Render(out); break;
    }
  }
  return out;
}

}  // namespace dedup
