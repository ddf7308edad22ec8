#!/usr/bin/env bash
# npm run bench:browser: builds the wasm package, then runs the browser
# benchmark in Debian's chromium (cairndb on OPFS and on IndexedDB against
# SQLite's wasm build on opfs-sahpool and Dexie). Extra arguments go to
# bench/browser/bench.mjs. The table is printed and kept, with the JSON
# report, in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/browser-bench-$stamp"
node bench/browser/bench.mjs --json "$out.json" "$@" | tee "$out.txt"
echo "bench-browser.sh: wrote $out.txt and $out.json"
