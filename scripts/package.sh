#!/usr/bin/env bash
# Builds the Debian package: build/dedupd_VERSION_ARCH.deb (Release, installed under /usr).
#   scripts/package.sh            then: scripts/check-package.sh build/dedupd_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
bash scripts/build.sh -DCMAKE_INSTALL_PREFIX=/usr "$@" >/dev/null
rm -f "$BUILD_DIR"/dedupd_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
ls "$BUILD_DIR"/dedupd_*.deb
