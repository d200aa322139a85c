#!/usr/bin/env bash
# The systemd unit passes `systemd-analyze verify` with no complaint at all (unknown keys and
# other problems are only warnings there, so any output fails this test).
#   verify_unit.sh UNIT_FILE BUILT_BINARY
# The unit names the installed binary; verify checks that executables exist, so a copy points at
# the built binary instead.
set -euo pipefail
unit="$1" built="$2"
installed="$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")"
[ -n "$installed" ] || { echo "no ExecStart in $unit"; exit 1; }
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (scripts/install-deps.sh installs systemd)"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed "s#${installed}#${built}#g" "$unit" > "$tmp/dedupd.service"
grep -q "^ExecStart=${built} run --config " "$tmp/dedupd.service" || { echo "ExecStart does not run $installed"; exit 1; }
for key in 'Type=notify' 'WatchdogSec=' 'ExecReload=.*check-config' 'ExecReload=/bin/kill -HUP \$MAINPID' \
           'ExecStartPre=.*check-config' 'User=dedupd' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes'; do
  grep -q "^${key}" "$tmp/dedupd.service" || { echo "unit lacks ${key}"; exit 1; }
done
out="$(systemd-analyze verify "$tmp/dedupd.service" 2>&1)" || { echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "systemd-analyze verify complained:"; echo "$out"; exit 1; fi
echo "systemd-analyze verify: clean"
# The sandbox's exposure score, for the log (informational).
systemd-analyze security --offline=yes "$tmp/dedupd.service" 2>/dev/null | tail -1 || true
