// The parallel stage of the daemon and of file mode: JSON parsing, text analysis
// (AnalyzeArticle) and signing on a guess (Presigner, engine/analyze.h) of messages on worker
// threads, handed back to the thread that runs the engine (the pipeline thread) in submission
// order.
//
// Only the stateless half of processing runs here; the engine (boilerplate learning, index,
// clusters) stays on the pipeline thread, in order, so the daemon decides exactly as file mode
// does (the engine uses a presigned signature only when the guess was its own decision). With
// zero workers the work is done inline at Submit. Only worker threads presign (by default only
// while they keep up with the input; see Presign); the pipeline thread, when it lends a hand
// (WaitReady) or works inline, leaves signing to the engine. Workers are named "dedupd-worker"
// and run under SCHED_BATCH (BecomeBatchWorker).
//
// A template over the message type (InputMessage in the daemon, a line in file mode; tests use
// their own): M needs payload() -> string_view and timestamp_ms() -> optional<int64_t>; a
// padded() -> bool that says true means kJsonPadding readable bytes follow the payload
// (ArticleParser::ParseIntoPadded parses it without a copy).
//
// Bounded: at most kMaxPending messages or kMaxPendingBytes of payload are queued.
// Thread-safety: Submit, TakeReady, WaitReady, Recycle, Pending and Discard are called by the
// pipeline thread only; workers synchronise through mu_ (std::mutex rather than absl::Mutex:
// Debian's Abseil is not TSan-instrumented, so ThreadSanitizer could not check this class with it).
#ifndef DEDUP_WORKERS_WORKER_POOL_H_
#define DEDUP_WORKERS_WORKER_POOL_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "dedup/config/config.h"
#include "dedup/engine/article.h"
#include "dedup/engine/engine.h"
#include "dedup/parse/article_json.h"

namespace dedup {

// One consumed message and what the workers made of it.
template <typename M>
struct Parsed {
  explicit Parsed(M m) : msg(std::move(m)) {}
  M msg;
  // Until parsed: kUnknown (no message: no allocation), or an earlier message's article whose
  // strings the parser reuses (Submit hands spares in; read it only once `done`).
  absl::StatusOr<Article> article;
  AnalyzedArticle analyzed;
  double analyze_seconds = 0;  // parse + analysis (+ presigning) time on the worker
  // When the consumer handed the message over (Submit): the start of dedupd's own latency.
  std::chrono::steady_clock::time_point submitted = std::chrono::steady_clock::now();
  bool done = false;
};

// The number of workers `workers = -1` means: one per CPU this thread may run on (its affinity
// mask, which taskset, systemd's CPUAffinity= and cpusets narrow) but one, left to the thread
// that runs the engine (the daemon's pipeline thread, file mode's calling thread), which is
// busy as long as the workers are: none on one CPU. (One per CPU put three busy threads on
// two CPUs: ~10% fewer decisions a second flat out, docs/BENCHMARKS.md.)
int DefaultWorkerCount();

// Names the calling worker thread ("dedupd-worker" in top -H) and makes it SCHED_BATCH: the
// pipeline thread, the one serial stage, wakes a worker for each message it submits; an
// ordinary woken thread preempts it on its core, and the message it just handed over then waits
// for the pipeline thread to get the core back. Batch threads take their share of the CPU but
// do not preempt on wake-up. No privilege is needed for either.
void BecomeBatchWorker();

template <typename M>
class WorkerPool {
 public:
  static constexpr size_t kMaxPending = 512;
  static constexpr size_t kMaxPendingBytes = 64 << 20;
  static constexpr size_t kSpareArticleBytes = 64 << 10;

  // When workers sign ahead (with a presigner).
  enum class Presign {
    // Only while they keep up: fewer messages wait unstarted than there are workers (the
    // daemon's input comes as it comes; behind, analysis is what the engine waits for).
    kWhileKeepingUp,
    // Always (file mode: the input is all there, and the engine's thread is the bottleneck
    // when the workers have a core of their own).
    kAlways,
  };

  // `presigner` may be null (nothing presigned).
  WorkerPool(const Config& config, int workers, std::shared_ptr<Presigner> presigner = nullptr,
             Presign presign = Presign::kWhileKeepingUp)
      : config_(config), workers_(workers), presigner_(std::move(presigner)), presign_(presign) {
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int workers() const { return workers_; }
  // Room for another message? (HasRoom, Pending and PendingBytes take no lock: in_order_ and
  // pending_bytes_ change only on the pipeline thread, their caller; workers only read
  // in_order_'s front, under mu_.)
  bool HasRoom() const {
    return in_order_.size() < kMaxPending && pending_bytes_ < kMaxPendingBytes;
  }
  size_t Pending() const { return in_order_.size(); }
  size_t PendingBytes() const { return pending_bytes_; }
  void Submit(M msg) {
    auto m = std::make_unique<Parsed<M>>(std::move(msg));
    if (!spare_.empty()) {  // analysis buffers of an earlier message: no regrowing them
      m->analyzed = std::move(spare_.back());
      spare_.pop_back();
    }
    if (!spare_articles_.empty()) {  // and an earlier article's strings, for the parser to fill
      m->article = std::move(spare_articles_.back());
      spare_articles_.pop_back();
    }
    const size_t bytes = m->msg.payload().size();
    if (workers_ == 0) {
      Work(*m, /*presign=*/false);
      m->done = true;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      pending_bytes_ += bytes;
      if (workers_ > 0) todo_.push_back(m.get());
      in_order_.push_back(std::move(m));
    }
    if (workers_ > 0) work_cv_.notify_one();
  }
  // The oldest submitted message if its work is done, in submission order.
  std::unique_ptr<Parsed<M>> TakeReady() {
    std::lock_guard<std::mutex> l(mu_);
    if (in_order_.empty() || !in_order_.front()->done) return nullptr;
    std::unique_ptr<Parsed<M>> m = std::move(in_order_.front());
    in_order_.pop_front();
    pending_bytes_ -= m->msg.payload().size();
    return m;
  }
  // Waits up to timeout_ms until the oldest message is done (returns at once if none pending).
  // Meanwhile the calling thread works on messages no worker has started (oldest first) rather
  // than sleep: the pipeline thread is a third pair of hands, and a wait for a worker's wake-up
  // costs more than the work itself when the cores are shared.
  void WaitReady(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::unique_lock<std::mutex> l(mu_);
    while (!FrontDone()) {
      if (!todo_.empty()) {
        Parsed<M>* m = todo_.front();
        todo_.pop_front();
        l.unlock();
        // The pipeline thread signs this article itself when it decides it: presigning here
        // would only add the guess's cost (and a second signing when it is wrong).
        Work(*m, /*presign=*/false);
        l.lock();
        m->done = true;
        continue;
      }
      if (!done_cv_.wait_until(l, deadline, [this] { return FrontDone() || !todo_.empty(); })) {
        return;  // timed out
      }
    }
  }
  // Takes back a message the pipeline is done with: its analysis buffers (an article's word,
  // number and line vectors, grown to article size) and its article's strings serve a later
  // message; the rest, the Kafka message included, is freed now.
  void Recycle(std::unique_ptr<Parsed<M>> m) {
    if (m == nullptr) return;
    if (spare_.size() < kMaxPending) spare_.push_back(std::move(m->analyzed));
    // An article's strings are kept unless they hold more than kSpareArticleBytes (one message
    // of max_article_bytes would otherwise keep megabytes per spare).
    if (m->article.ok() && spare_articles_.size() < kMaxPending &&
        StringBytes(*m->article) <= kSpareArticleBytes) {
      spare_articles_.push_back(std::move(*m->article));
    }
  }
  // Drops every submitted message once the workers are done with it (after a rewind).
  void Discard() {
    while (Pending() > 0) {
      WaitReady(100);
      while (TakeReady() != nullptr) {
      }
    }
  }

 private:
  void Work(Parsed<M>& m, bool presign) {
    const auto start = std::chrono::steady_clock::now();
    thread_local std::unique_ptr<ArticleParser> parser;
    if (!parser) parser = std::make_unique<ArticleParser>(config_.input);
    if (!m.article.ok()) m.article = Article{};  // no spare was given to this message
    absl::Status st;
    if constexpr (requires(const M& msg) { msg.padded(); }) {
      st = m.msg.padded() ? parser->ParseIntoPadded(m.msg.payload(), *m.article)
                          : parser->ParseInto(m.msg.payload(), *m.article);
    } else {
      st = parser->ParseInto(m.msg.payload(), *m.article);
    }
    if (!st.ok()) m.article = std::move(st);
    if (m.article.ok()) {
      // A missing published_at falls back to the Kafka message timestamp.
      if (!m.article->published_at.has_value()) m.article->published_at = m.msg.timestamp_ms();
      AnalyzeArticle(*m.article, config_, m.analyzed);
      if (presign) presigner_->Presign(*m.article, m.analyzed);
    }
    m.analyze_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  void WorkerLoop() {
    BecomeBatchWorker();
    while (true) {
      Parsed<M>* m = nullptr;
      bool presign = false;
      {
        std::unique_lock<std::mutex> l(mu_);
        work_cv_.wait(l, [this] { return stop_ || !todo_.empty(); });
        if (todo_.empty()) return;  // stopping
        m = todo_.front();
        todo_.pop_front();
        // kWhileKeepingUp: presign while fewer messages wait unstarted than there are workers.
        // Behind, analysis is what the pipeline waits for: signing, which the engine would do
        // anyway, is left to it rather than delay the next message's analysis.
        presign = presigner_ != nullptr &&
                  (presign_ == Presign::kAlways || todo_.size() < static_cast<size_t>(workers_));
      }
      Work(*m, presign);
      bool front;
      {
        std::lock_guard<std::mutex> l(mu_);
        m->done = true;
        front = in_order_.front().get() == m;  // only the oldest's completion unblocks a wait
      }
      if (front) done_cv_.notify_all();
    }
  }
  bool FrontDone() const {  // REQUIRES: mu_ held
    return in_order_.empty() || in_order_.front()->done;
  }

  Config config_;
  int workers_;
  std::shared_ptr<Presigner> presigner_;
  Presign presign_;
  std::vector<std::thread> threads_;
  // Guarded by mu_: todo_, stop_, each Parsed's `done`, and changes to in_order_ and
  // pending_bytes_ (which only the pipeline thread makes, so it reads them without mu_).
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // todo_ gained an item, or stop_
  std::condition_variable done_cv_;  // a message became done
  std::deque<std::unique_ptr<Parsed<M>>> in_order_;
  std::deque<Parsed<M>*> todo_;
  std::vector<AnalyzedArticle> spare_;   // Recycle -> Submit; the pipeline thread's only
  std::vector<Article> spare_articles_;  // the same
  size_t pending_bytes_ = 0;
  bool stop_ = false;
};

}  // namespace dedup

#endif  // DEDUP_WORKERS_WORKER_POOL_H_
