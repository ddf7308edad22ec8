// Runs the workload on Cairn through its public API, with the POSIX storage
// backend, strict durability and a ThreadScheduler so checkpoints run in the
// background, as a native host would.
//
// Any engine error ends the process (Fatal): the numbers of a failed run are
// meaningless.
//
// Thread-safety: the functions are independent; a CairnStore is used by one
// thread at a time.
#ifndef CAIRN_BENCH_CAIRN_RUNNER_H_
#define CAIRN_BENCH_CAIRN_RUNNER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bench/measurements.h"
#include "bench/workload.h"
#include "cairn/db.h"
#include "storage-backends/posix/thread_scheduler.h"

namespace cairn::bench {

// The block cache budget Cairn runs with (its default); the SQLite peer gets
// a page cache of the same size.
size_t CairnCacheBytes();

// An open Cairn database and the scheduler its checkpoints run on.
class CairnStore {
 public:
  // Opens `dir`, creating the database when `create`; `mmap_reads` sets
  // Options::mmap_reads.
  CairnStore(const std::string& dir, bool direct_io, bool create, bool mmap_reads = true);
  // Closes the database (Fatal on failure), then stops the scheduler.
  ~CairnStore();
  CairnStore(const CairnStore&) = delete;
  CairnStore& operator=(const CairnStore&) = delete;

  Database& db() { return *db_; }
  // Closes now and returns the seconds Close() took. Idempotent.
  double Close();

  // The document's data as of `as_of` (now when unset); nullopt when absent.
  std::optional<std::string> GetData(const std::string& id, std::optional<uint64_t> as_of);

 private:
  ThreadScheduler scheduler_;  // declared first: outlives db_
  std::unique_ptr<Database> db_;
  bool closed_ = false;
};

// A fresh database in `dir` (which must not hold one): ingest, single puts,
// rewrites, close. The disk's sync latency is probed in `probe_dir` (on the
// same filesystem, outside the database) around the single puts.
WriteRun CairnWrites(const Workload& workload, const std::string& dir, bool direct_io,
                     const std::string& probe_dir);

// Opens the database written by CairnWrites, makes one untimed warm-up pass
// of random lookups, then measures `runs` passes of each kind of lookup.
// `as_of` is the seq to read AS OF.
ReadSamples CairnReads(const Workload& workload, const std::string& dir, uint64_t as_of, int runs);

// Opens the database once, with memory and statistics; meant to run in a
// fresh process (see probe.h).
OpenProbe CairnProbeOpen(const Workload& workload, const std::string& dir);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_CAIRN_RUNNER_H_
