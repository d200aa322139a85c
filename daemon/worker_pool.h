// The daemon's parallel stage: JSON parsing and text analysis (AnalyzeArticle) of consumed
// messages on worker threads, handed back to the pipeline thread in consumption order.
//
// Only the stateless half of processing runs here; the engine (boilerplate learning, index,
// clusters) stays on the pipeline thread, in order, so the daemon decides exactly as file mode
// does. With zero workers the work is done inline at Submit.
//
// Bounded: at most kMaxPending messages or kMaxPendingBytes of payload are queued.
// Thread-safety: Submit, TakeReady, WaitReady and Pending are called by the pipeline thread only;
// workers synchronise through the mutex.
#ifndef DEDUP_DAEMON_WORKER_POOL_H_
#define DEDUP_DAEMON_WORKER_POOL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "dedup/config/config.h"
#include "dedup/engine/article.h"
#include "dedup/engine/engine.h"
#include "dedup/ingest/consumer.h"

namespace dedup {

// One consumed message and what the workers made of it.
struct ParsedMessage {
  explicit ParsedMessage(InputMessage m) : msg(std::move(m)) {}
  InputMessage msg;
  absl::StatusOr<Article> article = absl::UnknownError("not parsed");
  AnalyzedArticle analyzed;
  double analyze_seconds = 0;  // parse + analysis time on the worker
  bool done = false;
};

class WorkerPool {
 public:
  static constexpr size_t kMaxPending = 512;
  static constexpr size_t kMaxPendingBytes = 64 << 20;

  WorkerPool(const Config& config, int workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Room for another message?
  bool HasRoom() const;
  size_t Pending() const;
  void Submit(InputMessage msg);
  // The oldest submitted message if its work is done, in submission order.
  std::unique_ptr<ParsedMessage> TakeReady();
  // Waits up to timeout_ms until the oldest message is done (returns at once if none pending).
  void WaitReady(int timeout_ms);
  // Drops every submitted message once the workers are done with it (after a rewind).
  void Discard();

 private:
  void Work(ParsedMessage& m);
  void WorkerLoop();
  bool HasWorkOrStop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !todo_.empty(); }
  bool FrontDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_order_.empty() || in_order_.front()->done;
  }

  Config config_;
  int workers_;
  std::vector<std::thread> threads_;
  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<ParsedMessage>> in_order_ ABSL_GUARDED_BY(mu_);
  std::deque<ParsedMessage*> todo_ ABSL_GUARDED_BY(mu_);
  size_t pending_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace dedup

#endif  // DEDUP_DAEMON_WORKER_POOL_H_
