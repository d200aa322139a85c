#!/usr/bin/env bash
# Where file mode's time goes on this machine: `perf record` of RUNS one-thread runs, the
# samples' self time summed per function and per stage.
#   scripts/profile.sh [ARTICLES.jsonl] [RUNS]
# Defaults: ../shared/bench/wire-dev/articles.jsonl if present (else the bundled sample), 4 runs.
# DEDUPD=PATH: the binary to profile (default: a Release build with symbols, -g, made in
# build-prof/ by this script). TOP=N: functions listed (default 25).
#
# The counterpart of scripts/instructions.sh: that counts instructions (the same on every run,
# blind to cache misses and mispredicted branches); this samples time (noisy here, but where
# the misses and mispredictions are). Self time only: a function's share excludes what it calls
# unless that was inlined, and glibc's memmove/memset/malloc, the kernel (reading the input) and
# simdjson are stages of their own. perf's cpu-clock event serves: hardware counters are not
# needed (the machines here have none). Needs `perf` (Debian package linux-perf; not in
# scripts/install-deps.sh's list: no test or CI step uses it).
set -euo pipefail
. "$(dirname "$0")/articles-lib.sh"
input="$(articles_input profile "${1:-}")" || exit 2
runs="${2:-4}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "profile: RUNS must be a positive integer" >&2; exit 2; }
top="${TOP:-25}"
[[ "$top" =~ ^[1-9][0-9]*$ ]] || { echo "profile: TOP must be a positive integer" >&2; exit 2; }
command -v perf >/dev/null || { echo "profile: needs perf (apt-get install linux-perf)" >&2; exit 2; }
if [ -n "${DEDUPD:-}" ]; then  # named from the caller's directory, as the input is
  [ -x "$DEDUPD" ] || { echo "profile: not an executable: $DEDUPD" >&2; exit 2; }
  bin="$(realpath "$DEDUPD")"
fi
cd "$(dirname "$0")/.."
if [ -z "${DEDUPD:-}" ]; then
  cmake -S . -B build-prof -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g \
    -DDEDUP_BUILD_TESTS=OFF -DDEDUP_BUILD_BENCH=OFF >/dev/null
  ninja -C build-prof dedupd >/dev/null
  bin="$PWD/build-prof/dedupd"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for run in $(seq "$runs"); do
  perf record -q -F 10000 -o "$work/perf.$run" "$bin" dedup --workers 0 --input "$input" \
    --output /dev/null 2>"$work/run.$run" ||
    { echo "profile: run $run failed:" >&2; tail -n 5 "$work/run.$run" >&2; exit 1; }
  grep -o 'articles_per_second=[0-9]*' "$work/run.$run" | sed "s/^/run $run: /"
  perf report -i "$work/perf.$run" --no-children --sort sym --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' >>"$work/report" || true
done

python3 - "$work/report" "$runs" "$top" "$bin" <<'EOF'
import collections, re, sys
path, runs, top, binary = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
share = collections.Counter()
for line in open(path):
    m = re.match(r'\s*([\d.]+)%\s+\[(.)\]\s+(.*\S)', line)
    if m:
        share[(m.group(2), m.group(3))] += float(m.group(1)) / runs
# Stages by function name, first match wins (names as perf prints them, demangled).
stages = [
    ('read', lambda k, f: k == 'k' or 'LineReader' in f or f.startswith('__memchr')),
    ('json', lambda k, f: 'simdjson' in f or 'ArticleParser' in f),
    ('text', lambda k, f: any(s in f for s in (
        'AnalyzeText', 'HashNumbers', 'MapNonAscii', 'PlainRun', 'IsMonth', 'CachedShortSegment',
        'HeadlineIndex', 'NormalizeText', 'AnalyzeArticle', 'XXH3_hashLong'))),  # XXH3: line hashes
    ('boilerplate', lambda k, f: 'BoilerplateFilter' in f),
    ('signing', lambda k, f: any(s in f for s in (
        'DistinctShingles', 'OnePermutationSign', 'LeadShingles', 'SignKept', 'MakeNumberSketch',
        'MinHash'))),
    ('index', lambda k, f: 'LshIndex' in f),
    ('scoring', lambda k, f: any(s in f for s in ('ScorePair', 'EstimateJaccard', 'NumberContainment'))),
    ('clusters', lambda k, f: 'ClusterSet' in f or 'MemberTraits' in f),
    ('output', lambda k, f: 'Json' in f and 'simdjson' not in f),
    ('engine', lambda k, f: 'EngineImpl' in f),
    ('libc', lambda k, f: re.match(r'(__)?(mem|str|malloc|free|_int_|cfree)', f) is not None),
]
by_stage, other = collections.Counter(), collections.Counter()
for (kind, fn), v in share.items():
    stage = next((name for name, test in stages if test(kind, fn)), 'other')
    by_stage[stage] += v
    if stage == 'other':
        other[fn] += v
print(f'{binary}: self time by stage, % of samples (mean of {runs} runs)')
print('  ' + '  '.join(f'{s}={by_stage[s]:.1f}' for s, _ in stages + [('other', None)]))
print('  other, largest: ' + '; '.join(f'{fn[:60]} {v:.1f}' for fn, v in other.most_common(4)))
print(f'top {top} functions:')
for (kind, fn), v in share.most_common(top):
    print(f'  {v:5.1f}  {fn[:110]}')
EOF
