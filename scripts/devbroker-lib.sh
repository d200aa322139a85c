# Sourced by the demo and the load test: an embedded broker and a daemon that stop with the
# script. Requires: $work (a scratch directory), build/ built.
# BROKER_CPUS / DAEMON_CPUS (taskset lists, e.g. 0 and 1): pin the broker and the daemon to
# CPUs, so that a measurement can keep the broker off the daemon's cores.
broker_pid="" daemon_pid=""
pin_broker=() pin_daemon=()
[ -z "${BROKER_CPUS:-}" ] || pin_broker=(taskset -c "$BROKER_CPUS")
[ -z "${DAEMON_CPUS:-}" ] || pin_daemon=(taskset -c "$DAEMON_CPUS")

stop_all() {
  if [ -n "$daemon_pid" ]; then kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null; fi
  if [ -n "$broker_pid" ]; then kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null; fi
  rm -rf "$work"
}

# start_devbroker PARTITIONS: starts dedupd-devbroker with the example config's topics and sets
# $bootstrap.
start_devbroker() {
  "${pin_broker[@]}" ./build/dedupd-devbroker --config config/dedupd.toml --partitions "$1" \
    --bootstrap-file "$work/bootstrap" >/dev/null 2>"$work/broker.log" &
  broker_pid=$!
  for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.05; done
  bootstrap="$(cat "$work/bootstrap")"
}

# start_daemon CONFIG: starts `dedupd run` (stderr to $work/dedupd.log) and waits until it owns
# its partitions.
start_daemon() {
  "${pin_daemon[@]}" ./build/dedupd run --config "$1" 2>"$work/dedupd.log" &
  daemon_pid=$!
  for _ in $(seq 200); do grep -q 'partitions assigned' "$work/dedupd.log" && break; sleep 0.05; done
}
