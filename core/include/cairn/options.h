// Options that shape a Database: durability, memory, limits and host services.
#ifndef CAIRN_OPTIONS_H_
#define CAIRN_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>

namespace cairn {

// How a write call relates to stable storage.
enum class Durability : uint8_t {
  // Default. A write call returns only after its log record is synced
  // (fdatasync). Concurrent writers share one sync (group commit). An
  // acknowledged write survives kill -9 and power loss.
  kStrict = 0,
  // Chosen explicitly. A write call returns once its record is handed to the
  // storage backend, without a sync; syncs happen at checkpoints, Sync() and
  // Close(). RISK: a power cut or OS crash loses the writes made since the
  // last sync (a process crash alone loses nothing). The log is never left
  // inconsistent: recovery cuts the torn tail.
  kRelaxed = 1,
};

// Documented, enforced limits. Values beyond them are INVALID_ARGUMENT.
struct Limits {
  size_t max_collection_bytes = 64;    // [A-Za-z0-9_-], starts with a letter or '_'
  size_t max_id_bytes = 256;           // UTF-8, no control characters
  size_t max_document_bytes = 1 << 20;  // canonical JSON of the data
  size_t max_depth = 64;               // nesting of arrays and objects
  size_t max_caused_by = 64;           // entries in caused_by
  size_t max_batch_writes = 100000;    // writes in one PutMany
};

// Wall-clock time for version timestamps, in milliseconds since the Unix
// epoch. Hosts may supply their own (tests use a fixed one).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() = 0;
};

// Where background work (checkpoints) runs, and who helps with the
// parallel parts of a large write. Native hosts run tasks on a thread and
// lend helper threads to ParallelFor; the WASM host runs everything inline.
// Thread-safety: both calls may be made from any thread.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `task` at some later point, or now.
  virtual void Schedule(std::function<void()> task) = 0;
  // Calls fn(begin, end) over disjoint ranges that together cover [0, n),
  // on the calling thread and on any helpers the scheduler has, and returns
  // once every call has returned. A scheduler with helpers hands out ranges
  // of `grain` items. fn must be safe to call from several threads at once.
  // The default makes one call, fn(0, n), on the calling thread.
  virtual void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
    (void)grain;
    if (n > 0) fn(0, n);
  }
};

struct Options {
  Durability durability = Durability::kStrict;

  // Byte budget of the block cache shared by the log and the index tables.
  size_t cache_bytes = 64u << 20;

  // Point reads of the index tables go through memory mappings where the
  // storage offers them (StorageCapabilities::memory_map; posix does): a
  // table block then costs no system call and no copy, and the tables'
  // pages are the OS page cache's rather than the block cache's. Every block read is still checked. The mapped pages
  // count toward the process's resident memory (they are shared and
  // reclaimable). A page not yet in memory is read with its neighbours
  // (the kernel's read-around): faster on a cold cache for most databases,
  // wasted I/O for random reads of one far larger than memory, where
  // turning this off reads only the blocks asked for. Another program must
  // not truncate a table file while the database is open: a read of the
  // lost pages would fault (SIGBUS). Off: table reads use File::Read and
  // the block cache.
  bool mmap_reads = true;

  // A log segment is sealed and a new one started past this size.
  uint64_t segment_bytes = 64u << 20;

  // A checkpoint of the in-memory index is taken once this many log bytes
  // were written since the last one, so that open replays at most about this
  // much log.
  uint64_t checkpoint_bytes = 32u << 20;

  Limits limits;

  // Borrowed; must outlive the Database. nullptr: the system clock.
  Clock* clock = nullptr;

  // Borrowed; must outlive the Database. nullptr: background work runs
  // inline in the writing call.
  Scheduler* scheduler = nullptr;

  // Open refuses a directory that holds no database unless this is set.
  bool create_if_missing = true;
};

}  // namespace cairn

#endif  // CAIRN_OPTIONS_H_
