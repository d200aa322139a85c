#include "worker_pool.h"

#include <chrono>

#include "dedup/parse/article_json.h"

namespace dedup {

WorkerPool::WorkerPool(const Config& config, int workers) : config_(config), workers_(workers) {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Work(ParsedMessage& m) {
  const auto start = std::chrono::steady_clock::now();
  thread_local std::unique_ptr<ArticleParser> parser;
  if (!parser) parser = std::make_unique<ArticleParser>(config_.input);
  m.article = parser->Parse(m.msg.payload());
  if (m.article.ok()) {
    // A missing published_at falls back to the Kafka message timestamp.
    if (!m.article->published_at.has_value()) m.article->published_at = m.msg.timestamp_ms();
    AnalyzeArticle(*m.article, config_, m.analyzed);
  }
  m.analyze_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void WorkerPool::WorkerLoop() {
  while (true) {
    ParsedMessage* m = nullptr;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(this, &WorkerPool::HasWorkOrStop));
      if (todo_.empty()) return;  // stopping
      m = todo_.front();
      todo_.pop_front();
    }
    Work(*m);
    absl::MutexLock l(&mu_);
    m->done = true;
  }
}

bool WorkerPool::HasRoom() const {
  absl::MutexLock l(&mu_);
  return in_order_.size() < kMaxPending && pending_bytes_ < kMaxPendingBytes;
}

size_t WorkerPool::Pending() const {
  absl::MutexLock l(&mu_);
  return in_order_.size();
}

void WorkerPool::Submit(InputMessage msg) {
  auto m = std::make_unique<ParsedMessage>(std::move(msg));
  const size_t bytes = m->msg.payload().size();
  if (workers_ == 0) {
    Work(*m);
    m->done = true;
  }
  absl::MutexLock l(&mu_);
  pending_bytes_ += bytes;
  if (workers_ > 0) todo_.push_back(m.get());
  in_order_.push_back(std::move(m));
}

std::unique_ptr<ParsedMessage> WorkerPool::TakeReady() {
  absl::MutexLock l(&mu_);
  if (in_order_.empty() || !in_order_.front()->done) return nullptr;
  std::unique_ptr<ParsedMessage> m = std::move(in_order_.front());
  in_order_.pop_front();
  pending_bytes_ -= m->msg.payload().size();
  return m;
}

void WorkerPool::Discard() {
  while (Pending() > 0) {
    WaitReady(100);
    while (TakeReady() != nullptr) {
    }
  }
}

void WorkerPool::WaitReady(int timeout_ms) {
  absl::MutexLock l(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(this, &WorkerPool::FrontDone),
                       absl::Milliseconds(timeout_ms));
}

}  // namespace dedup
