// Resident memory per article held in the index window.
//
//   build/bench/memory_bench [ARTICLES] [WORDS_PER_ARTICLE] [COPIES_PER_STORY] [HELD]
//                                                        (defaults: 1000000 450 1 ARTICLES)
//
// Feeds ARTICLES synthetic articles (random words from a 50,000-word vocabulary, with realistic
// id, source, url and title lengths) through the engine with a window that keeps them all, then
// reports the growth of the process's resident set size per article held. With COPIES_PER_STORY
// > 1 each story is published that many times, each copy with 2% of its words replaced (wire-dev
// averages 7.8 articles per story); 1 makes every article its own cluster (the worst case).
// HELD < ARTICLES caps the window at HELD articles ([cluster] max_articles): past it every new
// article evicts the oldest, and the resident set should stop growing (the steady state of a
// long-running daemon: freed index and cluster memory reused, not leaked or fragmented).
// The allocator is configured as dedupd configures it (dedup/base/allocator.h); the heap bytes
// in use (glibc's count of what was allocated and not freed) are printed beside the resident
// growth. Also printed: the engine's time an article (Process, analysis included) over the last
// tenth of the articles, when the window is nearly full: the cost of a window far larger than
// the caches.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "dedup/base/allocator.h"
#include "dedup/base/strings.h"
#include "dedup/engine/engine.h"

namespace {

long RssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// Bytes the allocator has handed out and not had back (glibc): what the engine holds, whatever
// the heap's layout makes of it in resident pages.
size_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

}  // namespace

int main(int argc, char** argv) {
  dedup::ConfigureAllocator();
  // ARTICLES WORDS COPIES HELD, each optional; a value that is not a whole number in range is
  // refused (atol read "1M" as 1).
  const int64_t kMax[] = {int64_t{1} << 32, 100000, 1000000, int64_t{1} << 32};
  const char* const kNames[] = {"ARTICLES", "WORDS", "COPIES", "HELD"};
  int64_t arg[] = {1000000, 450, 1, -1};
  if (argc > 5) {
    std::fprintf(stderr, "usage: memory_bench [ARTICLES [WORDS [COPIES [HELD]]]]\n");
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::string err;
    if (!dedup::ParseIntArg(kNames[i - 1], argv[i], 1, kMax[i - 1], arg[i - 1], err)) {
      std::fprintf(stderr, "memory_bench: %s\n", err.c_str());
      return 2;
    }
  }
  const long n = static_cast<long>(arg[0]);
  const int words = static_cast<int>(arg[1]);
  const int copies = static_cast<int>(arg[2]);
  const long held = arg[3] < 0 ? n : std::min(n, static_cast<long>(arg[3]));
  dedup::Config config;
  config.cluster.window_hours = 24.0 * 365 * 10;
  config.cluster.max_articles = held;
  auto engine = dedup::Engine::Create(config);
  if (!engine.ok()) return 1;
  std::mt19937_64 rng(1);
  std::vector<std::string> vocab(50000);
  for (size_t i = 0; i < vocab.size(); ++i) vocab[i] = "w" + std::to_string(i * 7919 % 100003);
  const long before = RssKiB();
  const size_t heap_before = HeapInUse();
  dedup::Article a;
  double last_tenth_seconds = 0;  // in Process, over the last tenth of the articles
  for (long i = 0; i < n; ++i) {
    a.id = "a" + std::to_string(1000000000000000L + i);
    a.source = "Site " + std::to_string(i % 40) + " Herald";
    a.url = "https://site" + std::to_string(i % 40) + ".example/news/2026/01/story-" +
            std::to_string(i);
    a.title = "Headline number " + std::to_string(i) + " about something in the news today";
    a.body.clear();
    std::mt19937_64 story_rng(static_cast<uint64_t>(i / copies) * 2654435761ULL + 17);
    for (int w = 0; w < words; ++w) {
      const uint64_t pick = story_rng();
      a.body += vocab[(copies > 1 && rng() % 50 == 0 ? rng() : pick) % vocab.size()];
      a.body += (w % 40 == 39) ? "\n" : " ";
    }
    a.published_at = i * 1000;
    const auto start = std::chrono::steady_clock::now();
    if (!(*engine)->Process(a).ok()) return 1;
    if (i >= n - n / 10) {
      last_tenth_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if ((i + 1) % 100000 == 0) {
      std::fprintf(stderr, "%ld articles, rss %ld MiB\n", i + 1, RssKiB() / 1024);
    }
  }
  const long after = RssKiB();
  const size_t heap_after = HeapInUse();
  const auto s = (*engine)->stats();
  std::printf("articles_held=%zu clusters=%zu rss_growth_mib=%.1f bytes_per_article=%.0f "
              "heap_bytes_per_article=%.0f engine_us_per_article_last_tenth=%.2f\n",
              s.indexed, s.clusters, static_cast<double>(after - before) / 1024.0,
              static_cast<double>(after - before) * 1024.0 / static_cast<double>(s.indexed),
              static_cast<double>(heap_after - heap_before) / static_cast<double>(s.indexed),
              last_tenth_seconds * 1e6 / static_cast<double>(std::max<long>(1, n / 10)));
  return 0;
}
