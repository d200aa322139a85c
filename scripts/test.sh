#!/usr/bin/env bash
# The README's test command: installs dependencies, builds Release into build/, runs every test.
# Extra arguments go to cmake (CI passes -DDEDUP_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}" bash scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
