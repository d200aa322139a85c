#include "dedup/workers/worker_pool.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <thread>

namespace dedup {

int DefaultWorkerCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  const int cpus = sched_getaffinity(0, sizeof(set), &set) == 0
                       ? CPU_COUNT(&set)
                       : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(0, cpus - 1);
}

void BecomeBatchWorker() {
  pthread_setname_np(pthread_self(), "dedupd-worker");
  const sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

}  // namespace dedup
