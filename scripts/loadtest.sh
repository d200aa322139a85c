#!/usr/bin/env bash
# End-to-end load test on this machine: dedupd-devbroker + dedupd run + dedupd-loadgen.
#   scripts/loadtest.sh [ARTICLES.jsonl] [COUNT] [RATE]    (RATE 0 = as fast as possible)
# Defaults: ../shared/bench/wire-dev/articles.jsonl if present (else the bundled sample; a named
# ARTICLES file that does not exist is an error),
# 20000 articles, as fast as possible. The mock broker keeps about 5 MB per partition, so the
# input topic gets 32 partitions to hold a burst of ~40,000 wire-dev articles.
# Prints throughput, latency percentiles, dedupd's peak RSS and CPU an article (also by thread:
# the pipeline thread's share bounds what one dedupd can decide with cores to spare), and what the
# load generator and the devbroker cost an article on the same cores (harness_cpu_us_per_article):
# on C shared cores dedupd can decide at most C / (the three summed) articles a second.
# BROKER_CPUS=0 DAEMON_CPUS=1: the broker and the load generator on CPU 0, dedupd on CPU 1.
# SERIES=FILE: per-decision CSV (publish time, latency, publish -> decision produced).
# PARTITIONS=N (default 32): partitions per topic. Fewer make the devbroker's fetches cheaper (it
# walks each partition's log per fetch) but hold less: a burst larger than ~5 MB a partition
# loses its oldest messages before dedupd reads them.
# WORKERS=N: dedupd's [daemon] workers (default: the config's, one per CPU but one).
# PRESIGN=true|false: dedupd's [daemon] presign (default: the config's, true); the run prints
# how many articles the workers signed on a right guess (used) and on a wrong one (redone).
# LINGER_MS (default: dedupd's own, 5): dedupd's producer linger.ms; 1 for the latency
# measurement (each decision waits less for its batch, at ~12 us more of dedupd's CPU an
# article). FETCH_WAIT_MS (default 10):
# fetch.wait.max.ms of dedupd's consumer and of the load generator's decision reader (the
# devbroker answers an empty fetch only after that wait, even if data arrives meanwhile).
# WARMUP=N (default 0): publish N articles first, at RATE, and wait for their decisions before
# the measured COUNT (the stream's next articles): the measured run then meets a daemon whose
# consumer buffers, heap and index window are already filled, as in a long-running deployment
# (a lone burst also pays their first growth: fresh pages, ~one fault per 4 KiB received).
# Both are worth knowing: a catch-up after a restart is the cold case.
# DEDUPD=PATH: the dedupd binary to measure (default build/dedupd).
# PREFAULT_MIB=N: heap the devbroker touches before the run (default: what the run's messages
# will fill, see below; 0: none, as the devbroker did before 2026-12-02).
# RUNS=N (default 1): N runs, each with a fresh devbroker and dedupd, then the median of each
# figure. COMPARE=PATH: a second dedupd binary, run alternately with the first (RUNS pairs, in
# the order A B, B A, A B, ...): the machines here vary by tens of percent from minute to minute,
# so two builds are compared in alternating runs, never one run each. (SERIES and RESTART apply
# to single runs only.)
# The latency measurement in docs/BENCHMARKS.md:
#   PARTITIONS=4 FETCH_WAIT_MS=2 LINGER_MS=1 scripts/loadtest.sh ../shared/bench/wire-dev/articles.jsonl 15000 5000
set -euo pipefail
if [ -z "${_LOADTEST_ONE_RUN:-}" ] && { [ "${RUNS:-1}" != "1" ] || [ -n "${COMPARE:-}" ]; }; then
  # Repeated runs: this script once per run, one line per run, then the medians per binary.
  [[ "${RUNS:-1}" =~ ^[1-9][0-9]*$ ]] || { echo "loadtest: RUNS must be a positive integer" >&2; exit 2; }
  binaries=()
  for bin in "${DEDUPD:-$(dirname "$0")/../build/dedupd}" ${COMPARE:+"$COMPARE"}; do
    [ -x "$bin" ] || { echo "loadtest: not an executable: $bin" >&2; exit 2; }
    binaries+=("$(realpath "$bin")")
  done
  summary="$(mktemp)"
  trap 'rm -f "$summary"' EXIT
  status=0
  for run in $(seq "${RUNS:-1}"); do
    # Every other run in the other order (A B, B A, ...): the first of two back-to-back runs
    # measured faster often enough to bias a fixed order.
    order=("${binaries[@]}")
    if [ "${#binaries[@]}" -eq 2 ] && [ $((run % 2)) -eq 0 ]; then
      order=("${binaries[1]}" "${binaries[0]}")
    fi
    for bin in "${order[@]}"; do
      result=ok
      if ! out="$(_LOADTEST_ONE_RUN=1 DEDUPD="$bin" RESTART=0 SERIES= "$0" "$@" 2>&1)"; then
        status=1
        result=FAILED
        echo "run $run $bin failed:" >&2
        echo "$out" | tail -n 5 >&2
      fi
      line="$(/usr/bin/python3 - "$bin" "$out" "$result" <<'PY'
import re, sys
bin, out, result = sys.argv[1], sys.argv[2], sys.argv[3]
if result == "FAILED":
    print("\t".join([bin, "nan", "nan", "nan", "nan", "FAILED"]))
    sys.exit(0)
def grab(pattern):
    m = re.search(pattern, out, re.M)
    return m.group(1) if m else "nan"
print("\t".join([bin, grab(r"throughput=([0-9.]+)"), grab(r"^latency_ms .*p99=([0-9.]+)"),
                  grab(r"dedupd_cpu_us_per_article=([0-9.]+)"),
                  grab(r"dedupd_thread_cpu_us_per_article pipeline=([0-9.]+)"),
                  "MISSING" if "MISSING" in out else "ok"]))
PY
)"
      echo "$line" >> "$summary"
      IFS=$'\t' read -r b thr p99 cpu pipeline ok <<< "$line"
      echo "run $run $b: throughput=$thr decisions/s p99=${p99} ms dedupd_cpu_us_per_article=$cpu pipeline_thread=$pipeline $ok"
    done
  done
  /usr/bin/python3 - "$summary" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
for b in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == b]
    def med(i):
        v = [float(r[i]) for r in mine if r[i] != "nan"]
        return "%.1f" % statistics.median(v) if v else "nan"
    print("median of %d runs, %s: throughput=%s decisions/s p99=%s ms dedupd_cpu_us_per_article=%s"
          " pipeline_thread=%s" % (len(mine), b, med(1), med(2), med(3), med(4)))
PY
  exit "$status"
fi
if [ -n "${DEDUPD:-}" ]; then  # taken from the caller's directory, as the input is
  [ -x "$DEDUPD" ] || { echo "loadtest: not an executable: $DEDUPD" >&2; exit 2; }
  DEDUPD="$(realpath "$DEDUPD")"
  export DEDUPD
fi
. "$(dirname "$0")/articles-lib.sh"
input="$(articles_input loadtest "${1:-}")" || exit 2
cd "$(dirname "$0")/.."
count="${2:-20000}"
rate="${3:-0}"
warmup="${WARMUP:-0}"
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "loadtest: WARMUP must be a whole number of articles" >&2; exit 2; }
work="$(mktemp -d)"
. scripts/devbroker-lib.sh
trap stop_all EXIT
# What the devbroker's logs will hold, touched before the run (the mock copies every message
# into fresh memory otherwise: a page fault every 4 KiB on the cores dedupd shares): the input
# as published plus ~2 KiB an article of decisions and story updates, within what the mock keeps
# (~5 MB a partition of the four topics) and the broker's 1 GiB cap.
# A flat-out burst larger than the input topic holds loses its oldest messages before dedupd
# reads them (the run then reports them MISSING): warned about here.
# With a warm-up, the devbroker's logs take the warm-up's messages too (then drop the oldest).
prefault_mib="$(/usr/bin/python3 - "$input" "$count" "${PARTITIONS:-32}" "$rate" "$warmup" <<'PY'
import os, sys
path, count, partitions, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
warmup = int(sys.argv[5])
with open(path, "rb") as f:
    lines = sum(1 for l in f if l.strip())
avg = os.path.getsize(path) / max(lines, 1)
burst = max(count, warmup)  # the warm-up is decided before the measured articles are published
if rate == 0 and burst * avg > 0.9 * partitions * 5e6:
    print("loadtest: warning: %d articles of ~%.0f bytes may not fit the devbroker's %d partitions "
          "(~5 MB each); raise PARTITIONS if decisions go MISSING" % (burst, avg, partitions),
          file=sys.stderr)
print(int(min((warmup + count) * (avg + 2048) / 2**20, 4 * partitions * 5, 1024)))
PY
)"
start_devbroker "${PARTITIONS:-32}" "${PREFAULT_MIB:-$prefault_mib}"
sed "s|^brokers = .*|brokers = \"$bootstrap\"|; s|^listen = .*|listen = \"127.0.0.1:0\"|" config/dedupd.toml > "$work/dedupd.toml"
# Low-latency client settings, as a latency-sensitive deployment would set them.
sed -i "s|^\[kafka.consumer\]|[kafka.consumer]\nfetch.wait.max.ms = ${FETCH_WAIT_MS:-10}|" "$work/dedupd.toml"
if [ -n "${WORKERS:-}" ]; then
  sed -i "s|^workers = .*|workers = ${WORKERS}|" "$work/dedupd.toml"
fi
if [ -n "${PRESIGN:-}" ]; then
  sed -i "s|^presign = .*|presign = ${PRESIGN}|" "$work/dedupd.toml"
fi
if [ -n "${LINGER_MS:-}" ]; then
  sed -i "s|^\[kafka.producer\]|[kafka.producer]\nlinger.ms = ${LINGER_MS}|" "$work/dedupd.toml"
fi
# Measure the steady state: publishing starts once dedupd owns its partitions.
start_daemon "$work/dedupd.toml"
loadgen=("${pin_broker[@]}" ./build/dedupd-loadgen --brokers "$bootstrap" --input "$input"
  --pid "$daemon_pid" --broker-pid "$broker_pid" --timeout-s 300 --fetch-wait-ms "${FETCH_WAIT_MS:-10}")
if [ "$warmup" -gt 0 ]; then
  # Its report is left out (only its rate, in words that the RUNS summary does not read).
  if ! warm="$("${loadgen[@]}" --count "$warmup" --rate "$rate" 2>&1)"; then
    echo "$warm" >&2
    echo "loadtest: the warm-up run failed" >&2
    exit 1
  fi
  echo "warmup: $warmup articles first, at $(echo "$warm" | sed -n 's/.*throughput=\([0-9]*\).*/\1/p') decisions/s (not counted below)"
fi
"${loadgen[@]}" --first "$warmup" --count "$count" --rate "$rate" ${SERIES:+--series "$SERIES"}
# dedupd's share of the latency, from its /metrics (histogram bucket bounds): since_timestamp =
# input message timestamp -> decision handed to the producer (dedupd_end_to_end_latency_seconds:
# includes the publisher's linger and the broker), in_dedupd = consumer hands the message over ->
# decision handed to the producer (dedupd_processing_latency_seconds), and the engine stage.
addr="$(grep -o 'http endpoint listening" address=[0-9.:]*' "$work/dedupd.log" | sed 's/.*address=//')"
/usr/bin/python3 - "$addr" <<'PY'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
text = urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=5).read().decode()
out = []
means = []
families = list(text_string_to_metric_families(text))
for family in families:
    if family.name not in ("dedupd_end_to_end_latency_seconds", "dedupd_stage_duration_seconds",
                           "dedupd_processing_latency_seconds"):
        continue
    if family.name == "dedupd_stage_duration_seconds":
        sums = {s.labels["stage"]: s.value for s in family.samples if s.name.endswith("_sum")}
        counts = {s.labels["stage"]: s.value for s in family.samples if s.name.endswith("_count")}
        for stage in ("analyze", "engine", "emit"):
            if counts.get(stage):
                means.append("%s %.1f" % (stage, sums[stage] / counts[stage] * 1e6))
    buckets = {}
    for s in family.samples:
        if s.name.endswith("_bucket"):
            key = s.labels.get("stage") or {"dedupd_end_to_end_latency_seconds": "since_timestamp",
                                             "dedupd_processing_latency_seconds": "in_dedupd"}[family.name]
            buckets.setdefault(key, []).append(
                (float(s.labels["le"]), s.value))
    for key in ("since_timestamp", "in_dedupd", "engine"):
        b = buckets.get(key)
        if not b or b[-1][1] == 0:
            continue
        q = {p: next(le for le, c in b if c >= p / 100 * b[-1][1]) * 1000 for p in (50, 99)}
        out.append("%s p50<=%.3g p99<=%.3g" % (key, q[50], q[99]))
print("dedupd_latency_ms (bucket bounds): " + "  ".join(out))
held = {f.name: f.samples for f in families
        if f.name in ("dedupd_index_articles", "dedupd_index_evictions")}
if held:
    evicted = {s.labels.get("reason"): int(s.value) for s in held.get("dedupd_index_evictions", [])
               if s.name.endswith("_total")}
    print("dedupd_index: articles=%d evicted_window=%d evicted_capacity=%d" % (
        int(held["dedupd_index_articles"][0].value) if held.get("dedupd_index_articles") else -1,
        evicted.get("window", 0), evicted.get("capacity", 0)))
presigned = {s.labels.get("result"): int(s.value) for f in families
             if f.name == "dedupd_presigned" for s in f.samples if s.name.endswith("_total")}
if presigned:
    print("dedupd_presigned (signed on the workers' guess): used=%d redone=%d" % (
        presigned.get("used", 0), presigned.get("redone", 0)))
if means:
    print("dedupd_stage_mean_us (wall time per article in each stage): " + "  ".join(means))
PY

# RESTART=1: then stop dedupd, start it again and report how long restoring the index from the
# input took (restart with state; every article above is re-read without output).
if [ "${RESTART:-0}" = "1" ]; then
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  lines_before=$(wc -l < "$work/dedupd.log")
  t0=$(date +%s.%N)
  start_daemon "$work/dedupd.toml"
  for _ in $(seq 1200); do
    tail -n +"$lines_before" "$work/dedupd.log" | grep -q 'msg="index restored"' && break
    sleep 0.1
  done
  t1=$(date +%s.%N)
  echo "restart: $(tail -n +"$lines_before" "$work/dedupd.log" | grep 'msg="index restored"' | sed 's/.*msg="index restored" //')" \
       "(process start to restored: $(python3 -c "print(round($t1 - $t0, 1))") s)"
fi
