#include "dedup/workers/worker_pool.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <thread>

namespace dedup {

int DefaultWorkerCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void BecomeBatchWorker() {
  pthread_setname_np(pthread_self(), "dedupd-worker");
  const sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

}  // namespace dedup
