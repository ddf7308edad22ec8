#!/usr/bin/env bash
# Builds the release configuration and runs the query benchmark (NQL against
# SQLite with equivalent indexes, FTS5, a recursive CTE and a join) with its
# defaults: 1M documents, 3 runs after a timed first pass and an untimed
# second one, data in a fresh directory under /var/tmp that is removed
# afterwards. Extra arguments go to cairn-query-bench (--docs, --runs,
# --only, --dir). The table is printed and kept, with the JSON report, in
# bench/results/.
#
# Takes a few minutes. Results from a busy machine are noisy; see
# BENCHMARKS.md, "Queries: NQL against SQLite".
set -euo pipefail
cd "$(dirname "$0")/.."
# Configure (and build everything) once; afterwards build only the harness.
if [[ ! -f build/release/build.ninja ]]; then
  bash scripts/build.sh release
fi
cmake --build build/release --target cairn-query-bench -j "$(nproc)"
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/cairn-query-bench-${stamp}"
build/release/bench/cairn-query-bench --json "${out}.json" "$@" | tee "${out}.txt"
echo "bench-query.sh: wrote ${out}.txt and ${out}.json"
