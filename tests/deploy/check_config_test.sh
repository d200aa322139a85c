#!/usr/bin/env bash
# `dedupd check-config`: exit 0 and a summary for a good file; exit 3 and a message naming the
# file, the line where known, the key and the problem for each bad one; exit 2 without --config.
#   check_config_test.sh DEDUPD EXAMPLE_CONFIG
set -uo pipefail
dedupd="$1" example="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect NAME EXIT_CODE EXPECTED_SUBSTRING TOML
expect() {
  local name="$1" code="$2" want="$3" toml="$4"
  printf '%b' "$toml" > "$tmp/$name.toml"
  local out rc
  out="$("$dedupd" check-config --config "$tmp/$name.toml" 2>&1)"
  rc=$?
  if [ "$rc" -ne "$code" ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL $name: exit $rc (want $code), output: $out (want: $want)"
    failures=$((failures + 1))
  else
    echo "ok   $name: $out"
  fi
}

out="$("$dedupd" check-config --config "$example" 2>&1)" && [[ "$out" == *": OK (sketch "* ]] \
  || { echo "FAIL example config: $out"; failures=$((failures + 1)); }
expect out_of_range 3 "out_of_range.toml:2: match.jaccard_threshold: must be between 0 and 1 (got 1.5)" \
  '[match]\njaccard_threshold = 1.5\n'
expect unknown_key 3 "unknown_key.toml:2: cluster.windw_hours: unknown key" '[cluster]\nwindw_hours = 3\n'
expect unknown_section 3 "[clusters]: unknown section" '[clusters]\nwindow_hours = 3\n'
expect wrong_type 3 "cluster.window_hours" '[cluster]\nwindow_hours = "long"\n'
expect syntax 3 "TOML syntax error" '[cluster\n'
expect bad_choice 3 "cluster.canonical_policy" '[cluster]\ncanonical_policy = "newest"\n'
expect no_priority_list 3 "cluster.source_priority" '[cluster]\ncanonical_policy = "source_priority"\n'
expect bad_listen 3 "http.listen" '[http]\nlisten = "localhost"\n'
expect kafka_property 3 "no.such.property" '[kafka.consumer]\n"no.such.property" = 1\n'
expect offset_store 3 "enable.auto.offset.store: must stay false" \
  '[kafka.consumer]\n"enable.auto.offset.store" = true\n'
expect eos_autocommit 3 "enable.auto.commit: must stay false with kafka.exactly_once" \
  '[kafka]\nexactly_once = true\n[kafka.consumer]\n"enable.auto.commit" = true\n'
expect hashes 3 "sketch.num_hashes: must be a multiple of 8" '[sketch]\nnum_hashes = 100\n'
# Properties librdkafka accepts one by one but refuses together when a client is made: what
# `dedupd run` would refuse at start, check-config refuses too.
expect fetch_below_message 3 "kafka.consumer: \`fetch.max.bytes\` must be >= \`message.max.bytes\`" \
  '[kafka.consumer]\n"fetch.max.bytes" = 100000\n'
expect acks_with_idempotence 3 "kafka.producer: \`acks\` must be set to \`all\`" \
  '[kafka.producer]\nacks = "1"\n'
# dedupd's own 1 MiB fetch.max.bytes follows a larger message.max.bytes (librdkafka requires it).
printf '[kafka.consumer]\n"message.max.bytes" = 4000000\n' > "$tmp/large_messages.toml"
out="$("$dedupd" check-config --config "$tmp/large_messages.toml" 2>&1)" && [[ "$out" == *": OK (sketch "* ]] \
  || { echo "FAIL large_messages: $out"; failures=$((failures + 1)); }

"$dedupd" check-config --config "$tmp/missing.toml" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -ne 3 ] || ! grep -q "missing.toml: cannot open config file" "$tmp/out"; then
  echo "FAIL missing file: exit $rc: $(cat "$tmp/out")"; failures=$((failures + 1))
fi
"$dedupd" check-config >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q -- "--config FILE is required" "$tmp/out"; then
  echo "FAIL no --config: exit $rc: $(cat "$tmp/out")"; failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] && echo "check-config: all cases pass" || exit 1
