#!/usr/bin/env bash
# Builds a native configuration: build.sh release | asan
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
jobs="$(nproc)"
case "$flavour" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build/release -j "$jobs" ;;
  asan)
    # The sanitizer build uses clang, so every change is compiled by both
    # Debian compilers.
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCAIRN_SANITIZE=ON -DCAIRN_BUILD_BENCH=OFF >/dev/null
    cmake --build build/asan -j "$jobs" ;;
  *) echo "build.sh: unknown flavour '$flavour' (release | asan)" >&2; exit 2 ;;
esac
