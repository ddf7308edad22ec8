// Open-time and memory probes in a fresh process.
//
// Resident memory is only meaningful in a process that has not just written
// a million documents (the allocator keeps freed memory), so the harness
// re-runs its own executable with --probe-open; the child opens the database
// once, prints an OpenProbe as "key value" lines on stdout, and exits.
//
// Thread-safety: call from one thread (it forks).
#ifndef CAIRN_BENCH_PROBE_H_
#define CAIRN_BENCH_PROBE_H_

#include <cstdio>
#include <string>
#include <vector>

#include "bench/measurements.h"

namespace cairn::bench {

// Runs this executable with `args` and parses the OpenProbe it prints.
// Fatal when the child fails or prints something else.
OpenProbe RunProbeProcess(const std::vector<std::string>& args);

// Writes `probe` in the format RunProbeProcess parses.
void PrintProbe(const OpenProbe& probe, std::FILE* out);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_PROBE_H_
