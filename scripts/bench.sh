#!/usr/bin/env bash
# Builds the release configuration and runs the native benchmark harness
# (Cairn against SQLite) with its defaults: 1M documents, 3 runs, data in a
# fresh directory under /var/tmp that is removed afterwards. Extra arguments
# go to cairn-bench (see cairn-bench --help). The table is printed and kept,
# with the JSON report, in bench/results/.
#
# Takes tens of minutes: every run writes fresh databases, and single durable
# puts wait for the disk. Results from a busy machine are noisy; see
# BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/cairn-bench-${stamp}"
build/release/bench/cairn-bench --json "${out}.json" "$@" | tee "${out}.txt"
echo "bench.sh: wrote ${out}.txt and ${out}.json"
