#!/usr/bin/env bash
# Shared by the native benchmark scripts: builds the release configuration
# once (afterwards only the harness), then runs bench/<harness> with the
# arguments given, printing its report and keeping it, with the JSON one, in
# bench/results/<harness>-<UTC timestamp>.{txt,json}.
#
# Usage: scripts/run-native-bench.sh <harness> [harness arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${1:?usage: run-native-bench.sh <harness> [arguments...]}"
shift
if [[ ! -f build/release/build.ninja ]]; then
  bash scripts/build.sh release
fi
cmake --build build/release --target "${harness}" -j "$(nproc)"
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/${harness}-${stamp}"
"build/release/bench/${harness}" --json "${out}.json" "$@" | tee "${out}.txt"
echo "${harness}: wrote ${out}.txt and ${out}.json"
