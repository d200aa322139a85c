#!/usr/bin/env bash
# Instructions an article in file mode on one thread, by stage, counted by callgrind.
#   scripts/instructions.sh [ARTICLES.jsonl] [LINES]
# Defaults: ../shared/bench/wire-dev/articles.jsonl if present (else the bundled sample), its
# first 2000 lines. DEDUPD=PATH: the dedupd binary (default build/dedupd; any build with symbols).
# COMPARE=PATH: a second binary, counted the same way, and the ratio of the totals.
# CONFIG=FILE: a dedupd config for both runs (default: the built-in one), e.g. to price a
# feature by counting with it switched off.
#
# Why: the build machines are shared, and the same binary's run time varies by up to 40% from
# run to run (docs/BENCHMARKS.md). An instruction count does not: the same build and input give
# the same count, so a change that saves 2% of the instructions shows as 2%. It does not see
# cache misses or mispredicted branches (a change can save instructions and lose time): confirm
# a speed-up in time, alternating the two builds, before calling it one.
#
# Only the work on each line is counted (parsing, analysis, the engine, the decision's JSON:
# callgrind's --toggle-collect on those functions), not start-up. glibc's memset and memcpy are
# told not to use `rep stosb`/`rep movsb`, which callgrind counts once per byte or so; the vector
# loops it uses instead are what it costs on the machines without the fast-strings path.
# Needs valgrind (Debian package `valgrind`, in scripts/install-deps.sh's list). Takes ~5 s per
# 2000 lines.
set -euo pipefail
# The input, the config and the binaries are named from the caller's directory.
. "$(dirname "$0")/articles-lib.sh"
input="$(articles_input instructions "${1:-}")" || exit 2
binaries=()
for bin in "${DEDUPD:-$(dirname "$0")/../build/dedupd}" ${COMPARE:+"$COMPARE"}; do
  [ -x "$bin" ] || { echo "instructions: not an executable: $bin" >&2; exit 2; }
  binaries+=("$(realpath "$bin")")
done
config=()
if [ -n "${CONFIG:-}" ]; then
  [ -f "$CONFIG" ] || { echo "instructions: no such config file: $CONFIG" >&2; exit 2; }
  config=(--config "$(realpath "$CONFIG")")
fi
cd "$(dirname "$0")/.."
lines="${2:-2000}"
[[ "$lines" =~ ^[1-9][0-9]*$ ]] || { echo "instructions: LINES must be a positive integer" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instructions: needs valgrind (apt-get install valgrind)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
head -n "$lines" "$input" > "$work/articles.jsonl"
articles="$(grep -c . "$work/articles.jsonl" || true)"

count() {  # count BINARY: prints the stage table's lines for it, then TOTAL
  local bin="$1" out="$work/callgrind.$RANDOM"
  GLIBC_TUNABLES=glibc.cpu.x86_rep_stosb_threshold=1000000000:glibc.cpu.x86_rep_movsb_threshold=1000000000 \
    valgrind --tool=callgrind --callgrind-out-file="$out" \
      --toggle-collect='dedup::ArticleParser::ParseIntoPadded*' \
      --toggle-collect='dedup::AnalyzeArticle*' \
      --toggle-collect='dedup::(anonymous namespace)::LineDecider::Decide*' \
      "$bin" dedup "${config[@]}" --workers 0 --input "$work/articles.jsonl" --output /dev/null 2>"$work/valgrind.log" ||
    { echo "instructions: the run under valgrind failed:" >&2; tail -n 5 "$work/valgrind.log" >&2; exit 1; }
  callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
    python3 "$work/stages.py" "$articles" "$bin"
}

cat > "$work/stages.py" <<'EOF'
import re, sys
articles, binary = int(sys.argv[1]), sys.argv[2]
total, incl = 0, {}
for line in sys.stdin:
    m = re.match(r'\s*([\d,]+) \([ \d.]+%\)\s+(.*)$', line)
    if not m:
        continue
    n, what = int(m.group(1).replace(',', '')), m.group(2)
    if what.startswith('PROGRAM TOTALS'):
        total = n
        continue
    # "file:function(args) [object]": a function's lines can be listed under several files
    # (its own and the headers inlined into it); its inclusive cost is the largest.
    fn = what.split(':', 1)[1] if ':' in what.split('(', 1)[0] else what
    name = fn.split('(', 1)[0]
    incl[name] = max(incl.get(name, 0), n)
def k(*names):
    return sum(incl.get(n, 0) for n in names) / articles / 1000
stages = [
    ('json', k('dedup::ArticleParser::ParseIntoPadded'), []),
    ('text', k('dedup::AnalyzeArticle'),
     [('unicode', k('dedup::MapNonAscii')), ('numbers', k('dedup::HashNumbers'))]),
    ('boilerplate', k('dedup::BoilerplateFilter::ClassifyAndLearn'), []),
    ('signing', k('dedup::SignKept'),
     [('shingles', k('dedup::DistinctShingles')), ('oph', k('dedup::OnePermutationSign')),
      ('minhash', k('dedup::MinHasher::Sign') - k('dedup::OnePermutationSign')),
      ('lead', k('dedup::LeadShingles'))]),
    ('index', k('dedup::LshIndex::QueryAndInsert', 'dedup::LshIndex::Remove'), []),
    ('scoring', k('dedup::ScorePair'), []),
    ('output', k('dedup::AppendDecisionJson'), []),
]
missing = [name for name, v, _ in stages if v <= 0]
if total <= 0 or missing:
    # A stage's function renamed or inlined away would otherwise read as free.
    sys.exit(f'instructions: no count for {", ".join(missing) or "the run"} in {binary}: '
             'see the stage functions in scripts/instructions.sh')
known = sum(s[1] for s in stages)
per = total / articles / 1000
parts = []
for name, v, sub in stages:
    detail = ' '.join(f'{n}={x:.1f}k' for n, x in sub if x > 0.05)
    parts.append(f'{name}={v:.1f}k' + (f' ({detail})' if detail else ''))
parts.append(f'other={per - known:.1f}k')
print(f'{binary}: instructions_per_article={per * 1000:.0f} over {articles} articles')
print('  ' + '  '.join(parts))
print(f'TOTAL {total}')
EOF

a="$(count "${binaries[0]}")"
echo "$a" | grep -v '^TOTAL'
if [ "${#binaries[@]}" -eq 2 ]; then
  b="$(count "${binaries[1]}")"
  echo "$b" | grep -v '^TOTAL'
  ta="$(echo "$a" | sed -n 's/^TOTAL //p')"
  tb="$(echo "$b" | sed -n 's/^TOTAL //p')"
  python3 -c "print(f'ratio (COMPARE / DEDUPD) = {$tb / $ta:.4f}')"
fi
