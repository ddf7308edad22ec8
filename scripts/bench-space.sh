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
exec bash "$(dirname "$0")/run-native-bench.sh" cairn-space-bench "$@"
