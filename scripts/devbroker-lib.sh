# Sourced by the demo and the load test: an embedded broker and a daemon that stop with the
# script. Requires: $work (a scratch directory), build/ built.
# BROKER_CPUS / DAEMON_CPUS (taskset lists, e.g. 0 and 1): pin the broker and the daemon to
# CPUs, so that a measurement can keep the broker off the daemon's cores. DEDUPD=PATH: the dedupd
# binary to run (default build/dedupd), e.g. another checkout's build for a comparison.
broker_pid="" daemon_pid=""
pin_broker=() pin_daemon=()
[ -z "${BROKER_CPUS:-}" ] || pin_broker=(taskset -c "$BROKER_CPUS")
[ -z "${DAEMON_CPUS:-}" ] || pin_daemon=(taskset -c "$DAEMON_CPUS")

stop_all() {
  if [ -n "$daemon_pid" ]; then kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null; fi
  if [ -n "$broker_pid" ]; then kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null; fi
  rm -rf "$work"
}

# start_devbroker PARTITIONS [PREFAULT_MIB]: starts dedupd-devbroker with the example config's
# topics and sets $bootstrap. PREFAULT_MIB: heap the broker touches before it starts, for what
# its logs will hold (see dedupd-devbroker --prefault-mib).
start_devbroker() {
  "${pin_broker[@]}" ./build/dedupd-devbroker --config config/dedupd.toml --partitions "$1" \
    --prefault-mib "${2:-0}" --bootstrap-file "$work/bootstrap" >/dev/null 2>"$work/broker.log" &
  broker_pid=$!
  for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.05; done
  bootstrap="$(cat "$work/bootstrap")"
}

# start_daemon CONFIG: starts `dedupd run` (stderr to $work/dedupd.log) and waits until it owns
# its partitions; fails with the end of its log if it exits first.
start_daemon() {
  "${pin_daemon[@]}" "${DEDUPD:-./build/dedupd}" run --config "$1" 2>"$work/dedupd.log" &
  daemon_pid=$!
  for _ in $(seq 200); do
    grep -q 'partitions assigned' "$work/dedupd.log" && return 0
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
      echo "dedupd exited before it owned its partitions; the end of its log:" >&2
      tail -n 5 "$work/dedupd.log" >&2
      daemon_pid=""
      return 1
    fi
    sleep 0.05
  done
}
