#!/usr/bin/env bash
# Configures and builds dedupd (Release) into build/. Extra arguments go to cmake.
#   BUILD_DIR=build-x scripts/build.sh -DDEDUP_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "$@"
cmake --build "$BUILD_DIR" -j "$(nproc)"
