// What the engine runners measure, independent of the engine.
#ifndef CAIRN_BENCH_MEASUREMENTS_H_
#define CAIRN_BENCH_MEASUREMENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cairn::bench {

// One run of the write phases on a fresh database: batched ingest, single
// durable puts, batched rewrites, then close.
struct WriteRun {
  double ingest_seconds = 0;
  double single_put_seconds = 0;
  double rewrite_seconds = 0;
  double close_seconds = 0;  // includes whatever work the engine defers to close
  // Process CPU time (every thread) during the same phases.
  double ingest_cpu_seconds = 0;
  double single_put_cpu_seconds = 0;
  double rewrite_cpu_seconds = 0;
  // SyncLatencyMs() of the disk measured right before and right after the
  // single puts, averaged: what one fdatasync cost while they ran.
  double sync_ms = 0;
  uint64_t disk_bytes = 0;  // size of the database directory after close
  // Cairn only: the last seq after the batched ingest, and the last seq
  // before the rewrites (the AS OF point for reads).
  uint64_t seq_after_ingest = 0;
  uint64_t seq_before_rewrites = 0;
  // Cairn only: Stats.direct_io, whether O_DIRECT took effect on the log.
  bool direct_io = false;
  // Engine statistics after the writes, for the report (name, value).
  std::vector<std::pair<std::string, double>> stats;
};

// One measured pass of lookups.
struct GetPass {
  double per_second = 0;
  double cpu_us = 0;  // process CPU microseconds per lookup
};

// Lookups per second of each measured pass, one sample per pass.
struct ReadSamples {
  std::vector<double> current;            // random ids, current version
  std::vector<double> current_rewritten;  // rewritten ids, current version
  std::vector<double> as_of;              // random ids, AS OF before the rewrites (Cairn)
  std::vector<double> as_of_rewritten;    // rewritten ids, AS OF (Cairn)
  // Random ids, current version, with Options::mmap_reads off (Cairn).
  std::vector<double> current_unmapped;
  // Process CPU microseconds per lookup of the `current` and `as_of` passes.
  std::vector<double> current_cpu_us;
  std::vector<double> as_of_cpu_us;
};

// One open of an existing database in a fresh process.
struct OpenProbe {
  double open_ms = 0;            // opening the database
  double open_first_get_ms = 0;  // opening it and answering one point lookup
  uint64_t rss_before = 0;       // VmRSS before the open
  uint64_t rss_open = 0;         // after open and the first lookup
  uint64_t rss_warm = 0;         // after the warm-up lookups
  uint64_t anon_before = 0;      // RssAnon before the open
  uint64_t anon_warm = 0;        // RssAnon after the warm-up lookups
  uint64_t warm_gets = 0;
  std::vector<std::pair<std::string, double>> stats;  // engine statistics after warm-up
};

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_MEASUREMENTS_H_
