#!/usr/bin/env bash
# Checks the .deb: metadata, contents, maintainer scripts, the extracted binary and config, and
# the unit (systemd-analyze verify). With --install (root; CI does this): installs it for real,
# checks the user, permissions and that nothing was enabled, then purges it.
#   scripts/check-package.sh build/dedupd_0.1.0_amd64.deb [--install]
set -euo pipefail
deb="$1"
install="${2:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-package: FAIL: $*"; exit 1; }

info="$(dpkg-deb -I "$deb")"
for field in "Package: dedupd" "Depends: .*librdkafka1" "Depends: .*libsystemd0" \
             "Depends: .*libsimdjson" "Section: net"; do
  grep -q "$field" <<<"$info" || fail "control lacks '$field'"
done
contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for path in ./usr/bin/dedupd ./usr/bin/dedupd-devbroker ./etc/dedupd/dedupd.toml \
            ./usr/lib/systemd/system/dedupd.service ./usr/lib/sysusers.d/dedupd.conf \
            ./usr/share/doc/dedupd/OPERATIONS.md; do
  grep -qx "$path" <<<"$contents" || fail "package lacks $path"
done
# Research-licensed corpora and test fixtures never ship.
if grep -E 'shared|fixtures|wire-dev|reuters|bbc' <<<"$contents"; then fail "data files in the package"; fi

mkdir "$tmp/control" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx "/etc/dedupd/dedupd.toml" "$tmp/control/conffiles" || fail "config is not a conffile"
# Enables and starts nothing by surprise.
if grep -E 'systemctl (enable|start|restart)|deb-systemd-helper enable|deb-systemd-invoke start' \
     "$tmp/control"/post* "$tmp/control"/pre* 2>/dev/null; then
  fail "a maintainer script enables or starts the service"
fi

dpkg-deb -x "$deb" "$tmp/root"
version="$("$tmp/root/usr/bin/dedupd" --version)"
[[ "$version" == "dedupd "* ]] || fail "dedupd --version: $version"
"$tmp/root/usr/bin/dedupd" check-config --config "$tmp/root/etc/dedupd/dedupd.toml" >/dev/null \
  || fail "the packaged config does not pass check-config"
grep -q '^ExecStart=/usr/bin/dedupd run --config /etc/dedupd/dedupd.toml$' \
  "$tmp/root/usr/lib/systemd/system/dedupd.service" || fail "the unit does not run /usr/bin/dedupd"
bash "$here/tests/deploy/verify_unit.sh" "$tmp/root/usr/lib/systemd/system/dedupd.service" \
  "$tmp/root/usr/bin/dedupd" >/dev/null || fail "unit does not verify"
echo "check-package: $(basename "$deb"): metadata, contents, scripts, binary ($version), config, unit OK"

if [ "$install" = "--install" ]; then
  [ "$(id -u)" -eq 0 ] || fail "--install needs root"
  if dpkg-query -W dedupd >/dev/null 2>&1; then fail "dedupd is already installed here; not touching it"; fi
  trap 'dpkg --purge dedupd >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  dpkg -i "$deb" >/dev/null || fail "dpkg -i"
  getent passwd dedupd >/dev/null || fail "no dedupd user after install"
  [ "$(stat -c '%U:%G %a' /etc/dedupd/dedupd.toml)" = "root:dedupd 640" ] \
    || fail "config permissions $(stat -c '%U:%G %a' /etc/dedupd/dedupd.toml)"
  # The service user can read its config (ExecStartPre / ExecReload run check-config as it).
  setpriv --reuid=dedupd --regid=dedupd --clear-groups \
    /usr/bin/dedupd check-config --config /etc/dedupd/dedupd.toml >/dev/null \
    || fail "user dedupd cannot check its config"
  state="$(systemctl is-enabled dedupd.service 2>/dev/null || true)"
  [ "$state" = "disabled" ] || fail "after install the unit is '$state', want disabled"
  dpkg --purge dedupd >/dev/null || fail "dpkg --purge"
  [ ! -e /usr/bin/dedupd ] || fail "/usr/bin/dedupd left after purge"
  [ ! -e /etc/dedupd/dedupd.toml ] || fail "config left after purge"
  echo "check-package: installed (user dedupd, config root:dedupd 640, unit disabled), purged"
fi
