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
exec bash "$(dirname "$0")/run-native-bench.sh" cairn-query-bench "$@"
