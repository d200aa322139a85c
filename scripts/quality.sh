#!/usr/bin/env bash
# Scores file mode on the labelled dev set (default ../shared/bench/wire-dev) with the project's
# scorer and, when python3 is there, the reference scorer; fails if pairwise F1 < MIN_F1.
#   scripts/quality.sh [DATASET_DIR] [--config FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/bench/wire-dev}"
shift || true
MIN_F1="${MIN_F1:-0.98}"
if [ ! -f "$DATA/articles.jsonl" ]; then
  echo "quality: no dataset at $DATA; skipped"
  exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
./build/dedupd dedup "$@" --input "$DATA/articles.jsonl" --output "$out/pred.jsonl"
./build/dedupd score "$DATA/labels.tsv" "$out/pred.jsonl" | tee "$out/score.txt"
if [ -f "$DATA/../score.py" ]; then
  echo "reference scorer:"
  python3 "$DATA/../score.py" "$DATA/labels.tsv" "$out/pred.jsonl" | sed -n '2,4p'
fi
f1=$(tail -n 1 "$out/score.txt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pairwise_f1"])')
python3 -c "import sys; sys.exit(0 if $f1 >= $MIN_F1 else 1)" || {
  echo "quality: pairwise F1 $f1 is below $MIN_F1"
  exit 1
}
echo "quality: pairwise F1 $f1 >= $MIN_F1"
