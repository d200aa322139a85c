#!/usr/bin/env bash
# The README's main job: dedupd as a daemon on an embedded Kafka broker.
# Installs and builds, starts dedupd-devbroker (librdkafka's mock cluster, on loopback) and
# `dedupd run`, publishes the bundled sample stream of reprinted stories, reads the stories
# topic back and prints the clusters, then stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh >/dev/null

work="$(mktemp -d)"
. scripts/devbroker-lib.sh
trap stop_all EXIT

start_devbroker 3
echo "== embedded Kafka broker (librdkafka mock cluster) at $bootstrap"
# The example config, pointed at the embedded broker.
sed "s|^brokers = .*|brokers = \"$bootstrap\"|; s|^listen = .*|listen = \"127.0.0.1:0\"|" \
  config/dedupd.toml > "$work/dedupd.toml"
start_daemon "$work/dedupd.toml"
echo "== dedupd run --config dedupd.toml (pid $daemon_pid)"

n=$(wc -l < examples/sample-articles.jsonl)
echo "== publishing $n articles (examples/sample-articles.jsonl) to topic 'articles'"
kcat -P -b "$bootstrap" -t articles -l examples/sample-articles.jsonl

count() { kcat -C -b "$bootstrap" -t "$1" -e -o beginning -q 2>/dev/null | wc -l; }
for _ in $(seq 200); do [ "$(count dedup.decisions)" -ge "$n" ] && break; sleep 0.1; done
echo "== $(count dedup.decisions) decisions on 'dedup.decisions'," \
     "$(count dedup.stories) story updates on 'dedup.stories'," \
     "$(count dedup.dead-letter) dead letters"
echo
kcat -C -b "$bootstrap" -t dedup.stories -e -o beginning -q -f '%s\n' > "$work/stories.jsonl"
python3 scripts/show-stories.py "$work/stories.jsonl"

addr="$(grep -o 'http endpoint listening" address=[0-9.:]*' "$work/dedupd.log" | sed 's/.*address=//')"
echo
echo "== operations endpoint http://$addr: /readyz says \"$(/usr/bin/python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode().strip())" "http://$addr/readyz")\"; some of /metrics:"
/usr/bin/python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())" "http://$addr/metrics" \
  | grep -E '^(dedupd_(articles_consumed|decisions|duplicates|clusters_created|dead_letters)_total|dedupd_index_articles|dedupd_minhash_kernel_info\{[^}]*\}|dedupd_stage_duration_seconds_(sum|count)\{stage="engine"\}) ' \
  | sed 's/^/   /'

kill -TERM "$daemon_pid"
wait "$daemon_pid" && echo "== dedupd stopped cleanly (exit 0)"
daemon_pid=""
grep -E 'msg=(stopped|"shutting down")' "$work/dedupd.log" | sed 's/^/   /'
