// The storage interface: every byte Cairn reads or writes goes through it.
//
// Modelled on SQLite's sqlite3_io_methods, leveldb's Env and RocksDB's
// FileSystem. A Storage is one database directory holding a flat set of
// named files. Calls are synchronous; a backend never throws and never
// starts threads or keeps clocks.
//
// File names: 1..64 bytes of [A-Za-z0-9._-], not starting with '.'. A
// backend rejects any other name with INVALID_ARGUMENT, so no name can reach
// outside the directory. Use IsValidFileName() to check.
//
// Durability contract (every backend that declares durable_sync):
//  - File::Sync() returns only once the file's written bytes and its size are
//    on stable storage.
//  - Creating a file (OpenFile with create), Rename and Remove make the change
//    of names durable before they return (the posix backend fsyncs the
//    directory).
//
// Thread-safety: a Storage may be called from several threads at once. A
// File may be used by several threads at once for Read; Write, Truncate and
// Sync calls on one File must not overlap each other.
#ifndef CAIRN_STORAGE_H_
#define CAIRN_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/status.h"

namespace cairn {

// What a backend can promise. Optional features are declared, not guessed.
struct StorageCapabilities {
  // Sync() reaches stable storage (false for memory-only backends).
  bool durable_sync = false;
  // Files opened with FileOptions::direct bypass the OS page cache.
  bool direct_io = false;
  // Rename replaces the target atomically.
  bool atomic_rename = false;
  // Lock() excludes other processes, not only other opens in this process.
  bool cross_process_lock = false;
  // File::Map returns mappings (reads of mapped bytes make no backend call).
  bool memory_map = false;
  // Human-readable backend name: "posix", "memory", "fault(memory)", ...
  std::string name;
};

struct FileOptions {
  // Create the file when it does not exist. Without it a missing file is
  // NOT_FOUND.
  bool create = false;
  // A hint: writes to this file are append-mostly, 4096-byte aligned in both
  // offset and length, and may bypass the page cache (O_DIRECT). Backends
  // that cannot honour it ignore it silently.
  bool direct = false;
};

// The alignment of every write the engine issues to log segments.
inline constexpr size_t kStorageBlockSize = 4096;

// A read-only view of a file's bytes in memory, from File::Map. The view
// stays valid until the mapping is destroyed, even after the File is
// destroyed or the file removed.
class FileMapping {
 public:
  virtual ~FileMapping() = default;
  virtual std::string_view bytes() const = 0;
};

class File {
 public:
  virtual ~File() = default;

  // Reads up to `n` bytes at `offset` into `out`. Sets *got to the number of
  // bytes that exist there (fewer than n at end of file) and zero-fills
  // out[*got, n). Reading past the end is not an error.
  virtual Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) = 0;

  // Like Read, but only when the bytes can be had without waiting for the
  // device: they are in the OS page cache, or the backend keeps its files in
  // memory. Otherwise sets *cached to false, reads nothing, and may start
  // loading the bytes in the background (posix: the kernel's readahead
  // does), so that a later call finds them. The default reads and sets
  // *cached to true: a backend that cannot tell treats every read as cheap.
  virtual Status ReadIfCached(uint64_t offset, size_t n, uint8_t* out, size_t* got, bool* cached) {
    *cached = true;
    return Read(offset, n, out, got);
  }

  // Writes `n` bytes at `offset`, extending the file if needed (a gap reads
  // as zeros). The bytes are not durable until Sync() returns OK.
  virtual Status Write(uint64_t offset, const uint8_t* data, size_t n) = 0;

  // Makes every completed Write and Truncate durable (fdatasync).
  virtual Status Sync() = 0;

  // The current size in bytes.
  virtual Result<uint64_t> Size() = 0;

  // Sets the size; a larger size extends with zeros.
  virtual Status Truncate(uint64_t size) = 0;

  // Maps the file's first `size` bytes (0 < size <= Size()) read-only into
  // memory, so that reading them costs no call into the backend. Only for a
  // file that nobody writes or truncates while the mapping lives (the engine
  // maps its immutable index tables, nothing else); removing or renaming the
  // file leaves the mapping readable. A backend that cannot map returns a
  // null mapping (the default); the caller then reads with Read.
  virtual Result<std::unique_ptr<FileMapping>> Map(uint64_t size) {
    (void)size;
    return std::unique_ptr<FileMapping>();
  }

  // True when writes bypass the OS page cache (O_DIRECT took effect).
  virtual bool IsDirect() const { return false; }
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Opens `name`. On success the caller owns the File; it must be destroyed
  // before the Storage.
  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                                 const FileOptions& options) = 0;

  // Sets *names to every file in the directory (any order), excluding the
  // lock file the backend may keep.
  virtual Status List(std::vector<std::string>* names) = 0;

  // Removes `name`; NOT_FOUND when it does not exist.
  virtual Status Remove(const std::string& name) = 0;

  // Renames `from` to `to`, replacing `to` when it exists.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;

  // Takes the exclusive lock on the directory. LOCKED when another open
  // (in this process or, where cross_process_lock, another) holds it.
  virtual Status Lock() = 0;

  // Releases the lock taken by Lock(). Destroying the Storage releases it too.
  virtual Status Unlock() = 0;

  virtual StorageCapabilities Capabilities() const = 0;

  // Where this storage lives, for error messages ("/data/db", "memory").
  virtual std::string Describe() const = 0;
};

// True when `name` is an acceptable file name (see the file comment).
bool IsValidFileName(std::string_view name);

// Returns INVALID_ARGUMENT naming `name` when it is not a valid file name.
Status CheckFileName(std::string_view name);

}  // namespace cairn

#endif  // CAIRN_STORAGE_H_
