#!/usr/bin/env bash
# File mode on the bundled sample: deduplicate the stream in
# file mode, show the clusters it found, and score them against the sample's labels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== dedupd dedup --input examples/sample-articles.jsonl"
./build/dedupd dedup --input examples/sample-articles.jsonl --output "$out/decisions.jsonl" 2>&1
echo
python3 scripts/show-clusters.py examples/sample-articles.jsonl "$out/decisions.jsonl"
echo
echo "== dedupd score examples/sample-labels.tsv decisions.jsonl"
./build/dedupd score examples/sample-labels.tsv "$out/decisions.jsonl" | head -n -1
