#!/usr/bin/env bash
# Builds the release configuration and runs the spatial benchmark harness
# (Cairn spaces against SQLite's R*Tree and Boost.Geometry's rtree) with its
# defaults: 1M points per dataset (uniform and clustered, 2-D and 3-D), 3
# runs, data in a fresh directory under /var/tmp that is removed afterwards.
# Extra arguments go to cairn-space-bench (see cairn-space-bench --help). The
# tables are printed and kept, with the JSON report, in bench/results/.
#
# Takes several minutes. Results from a busy machine are noisy; see
# BENCHMARKS.md, "Spaces (native)".
set -euo pipefail
cd "$(dirname "$0")/.."
# Configure (and build everything) once; afterwards build only the harness.
if [[ ! -f build/release/build.ninja ]]; then
  bash scripts/build.sh release
fi
cmake --build build/release --target cairn-space-bench -j "$(nproc)"
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/cairn-space-bench-${stamp}"
build/release/bench/cairn-space-bench --json "${out}.json" "$@" | tee "${out}.txt"
echo "bench-space.sh: wrote ${out}.txt and ${out}.json"
