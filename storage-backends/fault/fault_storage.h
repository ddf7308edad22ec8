// The fault-injecting storage backend, for crash and power-cut tests.
//
// A FaultFileSystem holds, for every file, the bytes the running process sees
// ("current") and the bytes that would survive a power cut ("durable"). Sync
// copies current to durable; creating, renaming and removing files are
// durable at once (as the posix backend makes them). Storages made by
// NewStorage() are views onto one FaultFileSystem, so a test can "restart"
// by destroying the Database and opening a new Storage on the same system.
//
// Injected faults:
//  - FailWrite / FailSync: the Nth call from now fails with EIO or ENOSPC
//    (IO_ERROR), applying nothing.
//  - TearWrite: the Nth write from now reaches the disk only up to `keep`
//    bytes, and then the power is cut (see PowerCut); the call fails.
//  - PowerCut: every file reverts to its durable bytes; every File and
//    Storage opened before the cut fails every later call with IO_ERROR
//    ("power cut") and its lock is released, as if the process died.
//
// Thread-safety: thread-safe (one mutex).
#ifndef CAIRN_STORAGE_BACKENDS_FAULT_FAULT_STORAGE_H_
#define CAIRN_STORAGE_BACKENDS_FAULT_FAULT_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cairn/storage.h"

namespace cairn {

enum class FaultKind : uint8_t {
  kEIO,     // IO_ERROR "injected EIO: input/output error"
  kENOSPC,  // IO_ERROR "injected ENOSPC: no space left on device"
};

class FaultFileSystem {
 public:
  FaultFileSystem();
  ~FaultFileSystem();

  // A new Storage over this file system. The FaultFileSystem must outlive it.
  std::unique_ptr<Storage> NewStorage();

  // The `nth` (1 = next) Write call from now, on any file, fails.
  void FailWrite(uint64_t nth, FaultKind kind);
  // The `nth` (1 = next) Sync call from now fails.
  void FailSync(uint64_t nth, FaultKind kind);
  // The `nth` (1 = next) Write call reaches the disk for only its first
  // `keep` bytes, then the power is cut.
  void TearWrite(uint64_t nth, size_t keep);
  // Every Sync call from now sleeps `micros` first, as a device's flush
  // takes time (0, the default, for none). Concurrent writers then share
  // commits, as they do on a disk.
  void SetSyncDelay(uint64_t micros);
  // Clears every armed fault.
  void ClearFaults();

  // Reverts every file to its durable bytes and kills all open handles.
  void PowerCut();

  // While on, File::ReadIfCached reports every read as one that would wait
  // for the device (as a posix file written with O_DIRECT and not read
  // since), so callers take their fallback path. Read is unaffected.
  void SetColdReads(bool cold);
  // How many File::ReadIfCached calls reported a miss.
  uint64_t cold_misses() const;

  // Counts since construction, for tests that choose an N.
  uint64_t writes() const;
  uint64_t syncs() const;

  // Direct access for damage tests: the current bytes of `name` (empty when
  // missing), and an overwrite of both current and durable bytes.
  std::string ReadRaw(const std::string& name) const;
  void WriteRaw(const std::string& name, const std::string& bytes);
  std::vector<std::string> FileNames() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_FAULT_FAULT_STORAGE_H_
