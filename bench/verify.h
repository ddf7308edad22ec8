// Correctness check of a benchmark run: both engines must hold exactly the
// workload's final state, or the timings compare different work.
//
// Checked: document counts (and Cairn's version count); sampled documents,
// byte for byte, in both engines against the generator; Cairn's AS OF view
// before the rewrites (old versions come back) and after the ingest (the
// single puts are not there yet); an id never written is absent in both.
//
// Thread-safety: uses the stores it is given; one thread.
#ifndef CAIRN_BENCH_VERIFY_H_
#define CAIRN_BENCH_VERIFY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/cairn_runner.h"
#include "bench/measurements.h"
#include "bench/sqlite_runner.h"
#include "bench/workload.h"

namespace cairn::bench {

struct VerifyResult {
  size_t checks = 0;                  // comparisons made
  std::vector<std::string> failures;  // each names the id, engine and what differed
  bool ok() const { return failures.empty(); }
};

// `cairn_run` is the WriteRun that wrote the Cairn database (for its seqs).
VerifyResult VerifyStores(const Workload& workload, const WriteRun& cairn_run, CairnStore& cairn,
                          SqliteStore& sqlite);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_VERIFY_H_
