#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan+UBSan, everything instrumented) into build-fuzz/
# and runs each for SECONDS (default 30) from the seed corpus in tests/fuzz/corpus/ (copied:
# the repository's corpus is not written to). A crash leaves its input in build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      targets: parse normalize config linereader
# FUZZ_RUNS=N FUZZ_SEED=S run N inputs per target from seed S instead of for SECONDS: the same
# inputs on every machine (CI's smoke), so a new finding comes from exploring, not from CI.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(parse normalize config linereader)
mkdir -p build-fuzz
# The build's output goes to a log, shown when the build fails (CI keeps only this script's).
if ! CC=clang-14 CXX=clang++-14 BUILD_DIR=build-fuzz BUILD_TYPE=RelWithDebInfo \
     bash scripts/build.sh -DDEDUP_FUZZ=ON -DDEDUP_BUILD_TESTS=OFF -DDEDUP_BUILD_BENCH=OFF \
     >build-fuzz/build.log 2>&1; then
  grep -E -A12 "error|FAILED" build-fuzz/build.log | head -80 || tail -40 build-fuzz/build.log
  echo "fuzz: the fuzz targets did not build (build-fuzz/build.log)"
  exit 1
fi
mkdir -p build-fuzz/crashes
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  corpus="$(mktemp -d)"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  if [ -n "${FUZZ_RUNS:-}" ]; then
    budget=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
    echo "fuzz: $t for $FUZZ_RUNS inputs from seed ${FUZZ_SEED:-1}"
  else
    budget=(-max_total_time="$seconds")
    echo "fuzz: $t for ${seconds}s"
  fi
  if ! build-fuzz/tests/fuzz/"${t}"_fuzz "$corpus" "${budget[@]}" -max_len=65536 \
       -rss_limit_mb=2048 -artifact_prefix=build-fuzz/crashes/"$t"- -print_final_stats=1 \
       >"build-fuzz/$t.log" 2>&1; then
    tail -40 "build-fuzz/$t.log"
    for f in build-fuzz/crashes/"$t"-*; do  # CI keeps only its log: print the input there
      [ -f "$f" ] && echo "$f, base64: $(base64 -w0 "$f" | head -c 8000)"
    done
    echo "fuzz: $t FAILED (input in build-fuzz/crashes/)"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/$t.log" | tr '\n' ' '
  echo
  rm -rf "$corpus"
done
echo "fuzz: all targets ran without a finding"
