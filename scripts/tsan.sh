#!/usr/bin/env bash
# The concurrent code under ThreadSanitizer (clang 14): the worker pool, file mode on it (lines
# handed to the workers as views into the reader's buffers), the metrics registry (lock-free
# updates while rendering) and the HTTP endpoint server. The daemon's Kafka tests are
# not run here: librdkafka from Debian is not TSan-instrumented, and TSan reports races inside it
# that it cannot see synchronised.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=clang-14 CXX=clang++-14 BUILD_DIR=build-tsan BUILD_TYPE=RelWithDebInfo \
  bash scripts/build.sh -DDEDUP_TSAN=ON -DDEDUP_BUILD_BENCH=OFF >/dev/null
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
for t in worker_pool_test filemode_test ops_test; do
  echo "tsan: $t"
  build-tsan/tests/$t --gtest_brief=1
done
echo "tsan: clean"
