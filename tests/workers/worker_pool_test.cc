// The worker pool: order, results, bounds and discard, with a message type of the test's own.
// Run under TSan in CI (scripts/tsan.sh).
#include "dedup/workers/worker_pool.h"

#include <gtest/gtest.h>

#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "dedup/base/reject.h"
#include "testing/affinity.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

struct FakeMessage {
  std::string body;
  int64_t ts = 0;
  std::string_view payload() const { return body; }
  std::optional<int64_t> timestamp_ms() const { return ts; }
};

FakeMessage Good(int i) {
  const auto& stories = testing::Stories();
  return {testing::ArticleJsonLine("a" + std::to_string(i), "S", stories[i % stories.size()].body,
                                   "", "t"),
          1000 + i};
}

void DrainInOrder(WorkerPool<FakeMessage>& pool, int n) {
  int next = 0;
  while (next < n) {
    pool.WaitReady(100);
    while (auto m = pool.TakeReady()) {
      if (next % 10 == 3) {
        ASSERT_FALSE(m->article.ok());
        EXPECT_EQ(RejectReason(m->article.status()), "not_json");
      } else {
        ASSERT_TRUE(m->article.ok()) << m->article.status();
        EXPECT_EQ(m->article->id, "a" + std::to_string(next));
        // No published_at in the JSON: the message timestamp stands in.
        EXPECT_EQ(m->article->published_at, 1000 + next);
        EXPECT_FALSE(m->analyzed.doc.lines.empty());
      }
      EXPECT_GT(m->analyze_seconds, 0);
      ++next;
    }
  }
  EXPECT_EQ(pool.Pending(), 0u);
}

TEST(WorkerPoolTest, ResultsComeBackInSubmissionOrder) {
  for (int workers : {0, 1, 4}) {
    WorkerPool<FakeMessage> pool(Config{}, workers);
    const int n = 600;
    int submitted = 0;
    int taken = 0;
    // Submit while there is room, take as results come: the pipeline's pattern.
    while (taken < n) {
      while (submitted < n && pool.HasRoom()) {
        pool.Submit(submitted % 10 == 3 ? FakeMessage{"{broken", 0} : Good(submitted));
        ++submitted;
      }
      pool.WaitReady(100);
      while (auto m = pool.TakeReady()) {
        if (taken % 10 == 3) {
          EXPECT_FALSE(m->article.ok());
        } else {
          ASSERT_TRUE(m->article.ok());
          EXPECT_EQ(m->article->id, "a" + std::to_string(taken));
        }
        ++taken;
      }
    }
    EXPECT_EQ(pool.Pending(), 0u) << workers;
  }
}

TEST(WorkerPoolTest, ParsesAnalysesAndFallsBackToTheMessageTimestamp) {
  WorkerPool<FakeMessage> pool(Config{}, 3);
  for (int i = 0; i < 100; ++i) pool.Submit(i % 10 == 3 ? FakeMessage{"{broken", 0} : Good(i));
  DrainInOrder(pool, 100);
}

// Recycled analysis buffers (Recycle -> Submit) give what fresh ones give: each message's
// analysis equals AnalyzeArticle on a new AnalyzedArticle, across stories of different lengths.
TEST(WorkerPoolTest, RecycledBuffersAnalyseLikeFreshOnes) {
  for (int workers : {0, 2}) {
    WorkerPool<FakeMessage> pool(Config{}, workers);
    int taken = 0;
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 40; ++i) pool.Submit(Good(round * 40 + i));
      while (pool.Pending() > 0) {
        pool.WaitReady(100);
        while (auto m = pool.TakeReady()) {
          ASSERT_TRUE(m->article.ok());
          AnalyzedArticle fresh;
          AnalyzeArticle(*m->article, Config{}, fresh);
          EXPECT_EQ(m->analyzed.doc.word_hashes, fresh.doc.word_hashes) << taken;
          EXPECT_EQ(m->analyzed.doc.number_hashes, fresh.doc.number_hashes) << taken;
          EXPECT_EQ(m->analyzed.doc.lines.size(), fresh.doc.lines.size()) << taken;
          EXPECT_EQ(m->analyzed.headline_hashes, fresh.headline_hashes) << taken;
          pool.Recycle(std::move(m));
          ++taken;
        }
      }
    }
    EXPECT_EQ(taken, 120);
  }
}

TEST(WorkerPoolTest, IsBoundedAndDiscards) {
  WorkerPool<FakeMessage> pool(Config{}, 2);
  size_t n = 0;
  while (pool.HasRoom()) {
    pool.Submit(Good(static_cast<int>(n)));
    ++n;
  }
  EXPECT_EQ(n, WorkerPool<FakeMessage>::kMaxPending);
  pool.Discard();
  EXPECT_EQ(pool.Pending(), 0u);
  EXPECT_TRUE(pool.HasRoom());
  EXPECT_EQ(pool.TakeReady(), nullptr);
}

// Workers presigning while the engine decides and corrects the presigner's table on this thread
// (TSan checks the table's sharing): the decisions are the engine's alone, in order, and most
// articles come signed on a right guess. Inline (no workers) nothing is presigned.
TEST(WorkerPoolTest, PresigningWorkersLeaveTheDecisionsAsTheEngineAlone) {
  const std::vector<Article> feed = testing::ReprintFeed(300, 17);
  const Config config;
  std::vector<std::string> alone;
  {
    auto engine = *Engine::Create(config);
    for (const Article& a : feed) {
      absl::StatusOr<Decision> d = engine->Process(a);
      ASSERT_TRUE(d.ok()) << d.status();
      alone.push_back(d->cluster_id + " " + d->matched_id + " " + std::to_string(d->similarity));
    }
  }
  for (int workers : {0, 2}) {
    auto presigner = *Presigner::Create(config);
    auto engine = *Engine::Create(config, nullptr, presigner);
    WorkerPool<FakeMessage> pool(config, workers, presigner);
    size_t submitted = 0, decided = 0;
    while (decided < feed.size()) {
      // As many in flight as workers: a worker takes each message with fewer than `workers`
      // waiting unstarted, so it presigns every one (WorkerPool presigns only while it keeps up).
      while (submitted < feed.size() && submitted < decided + 2) {
        const Article& a = feed[submitted++];
        pool.Submit({testing::ArticleJsonLine(a.id, a.source, a.body, "", a.title),
                     *a.published_at});
      }
      // Not WaitReady: this thread would analyse waiting messages itself, unsigned. Here every
      // message is left to the workers.
      if (workers > 0 && pool.Pending() > 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      while (auto m = pool.TakeReady()) {
        ASSERT_TRUE(m->article.ok()) << m->article.status();
        EXPECT_EQ(m->analyzed.presigned_by == presigner.get(), workers > 0);
        absl::StatusOr<Decision> d = engine->Process(*m->article, m->analyzed, nullptr);
        ASSERT_TRUE(d.ok()) << d.status();
        EXPECT_EQ(d->cluster_id + " " + d->matched_id + " " + std::to_string(d->similarity),
                  alone[decided])
            << decided;
        ++decided;
        pool.Recycle(std::move(m));
      }
    }
    const EngineStats s = engine->stats();
    EXPECT_EQ(s.presigned_used + s.presigned_redone, workers > 0 ? feed.size() : 0u);
    if (workers > 0) {
      EXPECT_GT(s.presigned_used, feed.size() / 2);
    }
  }
}

// With a long queue the workers are behind: by default they leave signing to the engine; with
// Presign::kAlways (file mode) they sign every message they take.
TEST(WorkerPoolTest, PresignAlwaysSignsEvenWhenBehind) {
  const Config config;
  using Pool = WorkerPool<FakeMessage>;
  for (const Pool::Presign policy : {Pool::Presign::kWhileKeepingUp, Pool::Presign::kAlways}) {
    auto presigner = *Presigner::Create(config);
    Pool pool(config, 1, presigner, policy);
    constexpr int kMessages = 60;
    for (int i = 0; i < kMessages; ++i) pool.Submit(Good(i));
    int presigned = 0;
    for (int taken = 0; taken < kMessages;) {
      // Not WaitReady: every message is left to the worker.
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      while (auto m = pool.TakeReady()) {
        presigned += m->analyzed.presigned_by == presigner.get() ? 1 : 0;
        ++taken;
      }
    }
    if (policy == Pool::Presign::kAlways) {
      EXPECT_EQ(presigned, kMessages);
    } else {
      // Only a message taken with none waiting unstarted is signed: the last, and maybe the
      // first ones if the worker took them before the rest were submitted.
      EXPECT_LT(presigned, kMessages / 2);
    }
  }
}

TEST(WorkerPoolTest, DestroyedWithWorkPending) {
  auto pool = std::make_unique<WorkerPool<FakeMessage>>(Config{}, 4);
  for (int i = 0; i < 200; ++i) pool->Submit(Good(i));
  pool.reset();  // joins the workers; nothing leaks (ASan) or races (TSan)
}

// This process's threads named "dedupd-worker" that run under SCHED_BATCH.
int BatchWorkerThreads() {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "dedupd-worker") continue;
    const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    if (sched_getscheduler(tid) == SCHED_BATCH) ++n;
  }
  return n;
}

// BatchWorkerThreads() once it equals `n`, or after 10 s. A thread appears in /proc/self/task
// a little after it starts and stays there a little after pthread_join returns (the kernel
// wakes the joiner before it removes the exited task).
int BatchWorkerThreadsSettledAt(int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (BatchWorkerThreads() != n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return BatchWorkerThreads();
}

TEST(WorkerPoolTest, WorkersAreNamedBatchThreads) {
  ASSERT_EQ(BatchWorkerThreadsSettledAt(0), 0);  // an earlier test's workers are gone
  auto pool = std::make_unique<WorkerPool<FakeMessage>>(Config{}, 3);
  // The workers name themselves and change their policy when they start.
  EXPECT_EQ(BatchWorkerThreadsSettledAt(3), 3);
  // The pipeline (calling) thread keeps the ordinary policy.
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  pool.reset();
  EXPECT_EQ(BatchWorkerThreadsSettledAt(0), 0);
}

TEST(WorkerPoolTest, DefaultWorkerCountFollowsTheAffinityMask) {
  cpu_set_t all;
  CPU_ZERO(&all);
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  // One CPU is the engine's thread's.
  EXPECT_EQ(DefaultWorkerCount(), CPU_COUNT(&all) - 1);
  // Narrowed to one CPU (as `taskset -c 0 dedupd run` would), no worker: the pipeline thread
  // does everything.
  const testing::OneCpu one;
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(DefaultWorkerCount(), 0);
}

}  // namespace
}  // namespace dedup
