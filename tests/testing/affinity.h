// Test helper: the calling thread's CPU affinity narrowed for a scope.
#ifndef DEDUP_TESTS_TESTING_AFFINITY_H_
#define DEDUP_TESTS_TESTING_AFFINITY_H_

#include <sched.h>

namespace dedup::testing {

// Narrows the calling thread to the first CPU of its affinity mask (as `taskset -c N` would)
// while in scope, and restores the mask on leaving, also when an assertion returns early.
class OneCpu {
 public:
  OneCpu() {
    CPU_ZERO(&saved_);
    if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &saved_)) {
        CPU_SET(c, &one);
        break;
      }
    }
    ok_ = sched_setaffinity(0, sizeof(one), &one) == 0;
  }
  ~OneCpu() {
    if (ok_) sched_setaffinity(0, sizeof(saved_), &saved_);
  }
  OneCpu(const OneCpu&) = delete;
  OneCpu& operator=(const OneCpu&) = delete;

  bool ok() const { return ok_; }  // narrowed (the mask could be read and set)

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

}  // namespace dedup::testing

#endif  // DEDUP_TESTS_TESTING_AFFINITY_H_
