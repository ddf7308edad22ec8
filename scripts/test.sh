#!/usr/bin/env bash
# npm test: set up, build everything, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
bash scripts/build.sh asan
bash scripts/build-wasm.sh
jobs="$(nproc)"
echo "== native tests (release, g++)"
ctest --test-dir build/release --output-on-failure -j "$jobs" --timeout 600
echo "== native tests (ASan+UBSan, clang)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 900 -LE slow
echo "== JS tests (cairndb: the wasm engine in Node)"
node --test --test-concurrency=2 tests/js/
echo "== browser tests (cairndb in Debian's chromium: OPFS, IndexedDB, demo, crash)"
node --test --test-concurrency=1 tests/browser/
