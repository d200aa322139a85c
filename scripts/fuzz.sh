#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan+UBSan, everything instrumented) into build-fuzz/
# and runs each for SECONDS (default 30) from the seed corpus in tests/fuzz/corpus/ (copied:
# the repository's corpus is not written to). A crash leaves its input in build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      targets: parse normalize config
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(parse normalize config)
CC=clang-14 CXX=clang++-14 BUILD_DIR=build-fuzz BUILD_TYPE=RelWithDebInfo \
  bash scripts/build.sh -DDEDUP_FUZZ=ON -DDEDUP_BUILD_TESTS=OFF -DDEDUP_BUILD_BENCH=OFF >/dev/null
mkdir -p build-fuzz/crashes
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  corpus="$(mktemp -d)"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  echo "fuzz: $t for ${seconds}s"
  if ! build-fuzz/tests/fuzz/"${t}"_fuzz "$corpus" -max_total_time="$seconds" -max_len=65536 \
       -rss_limit_mb=2048 -artifact_prefix=build-fuzz/crashes/"$t"- -print_final_stats=1 \
       >"build-fuzz/$t.log" 2>&1; then
    tail -40 "build-fuzz/$t.log"
    echo "fuzz: $t FAILED (input in build-fuzz/crashes/)"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/$t.log" | tr '\n' ' '
  echo
  rm -rf "$corpus"
done
echo "fuzz: all targets ran ${seconds}s without a finding"
