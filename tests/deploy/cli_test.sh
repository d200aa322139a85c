#!/usr/bin/env bash
# The command line as users meet it: every command refuses options it does not take and
# arguments it does not expect (exit 2, the option named), instead of ignoring them; numbers
# that do not parse are refused, not read as atoi would. Also dedupd-devbroker and, when built
# (the benchmarks are), dedupd-loadgen, found beside dedupd.
#   cli_test.sh DEDUPD
set -uo pipefail
dedupd="$1"
bin_dir="$(dirname "$dedupd")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect NAME EXIT_CODE EXPECTED_SUBSTRING ARGS...   (runs dedupd, or $tool when set)
expect() {
  local name="$1" code="$2" want="$3"
  shift 3
  local out rc
  # A command that took the stray option would go on to run (the daemon without a broker
  # runs until stopped): 10 s, then it counts as a failure.
  out="$(timeout 10 "${tool:-$dedupd}" "$@" 2>&1 </dev/null)"
  rc=$?
  if [ "$rc" -ne "$code" ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL $name: exit $rc (want $code), output: ${out%%$'\n'*} (want: $want)"
    failures=$((failures + 1))
  else
    echo "ok   $name: ${out%%$'\n'*}"
  fi
}

printf '[cluster]\nwindow_hours = 6\n' > "$tmp/ok.toml"
expect run_workers 2 "dedupd run: --workers is not an option of this command" \
  run --config "$tmp/ok.toml" --workers 3
expect run_input 2 "dedupd run: --input is not an option of this command" \
  run --config "$tmp/ok.toml" --input=articles.jsonl
expect run_positional 2 "dedupd run: unexpected argument $tmp/ok.toml" run "$tmp/ok.toml"
expect check_config_extra 2 "dedupd check-config: unexpected argument extra" \
  check-config --config "$tmp/ok.toml" extra
expect tune_workers 2 "dedupd tune: --workers is not an option of this command" tune --workers 2
expect dedup_worst 2 "dedupd dedup: --worst is not an option of this command" dedup --worst 3
expect dedup_unknown 2 "dedupd dedup: unknown option --bogus" dedup --bogus 1
expect dedup_no_value 2 "dedupd dedup: option --input needs a value" dedup --input
expect dedup_workers 2 "--workers must be a whole number from -1 to 1024, not \"many\"" \
  dedup --workers many
expect eval_worst 2 "--worst must be a whole number from 0 to 1000000, not \"abc\"" \
  eval --input a.jsonl --labels b.tsv --worst abc
expect eval_worst_negative 2 "--worst must be a whole number from 0 to 1000000, not \"-1\"" \
  eval --input a.jsonl --labels b.tsv --worst=-1
expect unknown_command 2 "dedupd: unknown command \"frob\"" frob --config x
expect score_arity 2 "dedupd score: expected LABELS.tsv PREDICTIONS.jsonl" score only-one.tsv
# What a command does take still works.
expect check_config_ok 0 ": OK (sketch " check-config --config="$tmp/ok.toml"
printf '{"id":"a","body":"one two three four five six seven eight nine ten"}\n' > "$tmp/in.jsonl"
expect dedup_ok 0 "articles=1 " dedup --config "$tmp/ok.toml" --input "$tmp/in.jsonl" \
  --output "$tmp/out.jsonl" --workers 0

tool="$bin_dir/dedupd-devbroker"
expect devbroker_partitions 2 "--partitions must be a whole number from 1 to 10000, not \"0\"" \
  --partitions 0
expect devbroker_brokers 2 "--brokers must be a whole number from 1 to 64, not \"two\"" \
  --brokers two
expect devbroker_topic 2 "--topic NAME:PARTITIONS must be a whole number from 1 to 10000, not \"x\"" \
  --topic t:x
tool="$bin_dir/dedupd-loadgen"
if [ -x "$tool" ]; then
  # A typo in --rate must not become "as fast as possible" (0) against a real cluster.
  expect loadgen_rate_suffix 2 "--rate must be a number of articles a second" \
    --brokers 127.0.0.1:1 --input "$tmp/in.jsonl" --rate 5k
  expect loadgen_rate_word 2 "not \"fast\"" --brokers 127.0.0.1:1 --input "$tmp/in.jsonl" --rate fast
  expect loadgen_count 2 "--count must be a whole number from 1 to" \
    --brokers 127.0.0.1:1 --input "$tmp/in.jsonl" --count 10.5
  expect loadgen_first 2 "--first must be a whole number from 0 to" \
    --brokers 127.0.0.1:1 --input "$tmp/in.jsonl" --first -1
  expect loadgen_no_value 2 "--timeout-s needs a value" --brokers 127.0.0.1:1 --timeout-s
else
  echo "skip dedupd-loadgen: not built (DEDUP_BUILD_BENCH=OFF)"
fi

[ "$failures" -eq 0 ] && echo "cli: all cases pass" || exit 1
