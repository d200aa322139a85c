#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running dedupd needs.
# The README and .ci/run both call this script; it is the one list of dependencies.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential g++ clang-14 libclang-rt-14-dev cmake ninja-build pkg-config git python3
  # libraries
  libabsl-dev libsimdjson-dev libxxhash-dev libtomlplusplus-dev libutf8proc-dev librdkafka-dev
  libsystemd-dev
  # systemd-analyze (the unit's check) and dpkg-shlibdeps (the .deb's dependencies)
  systemd dpkg-dev
  # Kafka clients for the demo and the interoperability test (Debian python3, not pyenv)
  kcat python3-kafka
  # an independent Prometheus text-format parser for the /metrics interoperability check
  python3-prometheus-client
  # tests and benchmarks (valgrind: scripts/instructions.sh counts instructions with callgrind)
  libgtest-dev libgmock-dev libbenchmark-dev valgrind
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
