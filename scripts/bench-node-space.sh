#!/usr/bin/env bash
# npm run bench:node:space: builds the wasm package, then runs the Node space
# benchmark (cairndb spaces on the Node and memory backends against the npm
# spatial indexes flatbush, rbush and kdbush). Extra arguments go to
# bench/node/space-bench.mjs (--points N --runs R --queries Q --lines L
# --native build/release/bench/cairn-space-bench ...). The table is printed
# and kept, with the JSON report, in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/node-space-bench-${stamp}"
node --expose-gc bench/node/space-bench.mjs --json "${out}.json" "$@" | tee "${out}.txt"
echo "bench-node-space.sh: wrote ${out}.txt and ${out}.json"
