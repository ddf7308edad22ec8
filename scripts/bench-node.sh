#!/usr/bin/env bash
# npm run bench:node: builds the native harness and the wasm package, then
# runs the Node benchmark (cairndb against the JS peers and the native
# engine). Extra arguments go to bench/node/bench.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
bash scripts/build-wasm.sh
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
node bench/node/bench.mjs --json "bench/results/node-bench-$stamp.json" "$@" | tee "bench/results/node-bench-$stamp.txt"
