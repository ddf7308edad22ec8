// The POSIX storage backend: a database directory on a local filesystem.
//
// - pread/pwrite; Sync is fdatasync; creating, renaming and removing a file
//   fsync the directory before returning.
// - Lock() takes flock(LOCK_EX|LOCK_NB) on the file "LOCK" in the directory
//   and also registers the directory in a process-wide table, so a second open
//   in this process or in another one fails with LOCKED.
// - Files opened with FileOptions::direct use O_DIRECT where the filesystem
//   accepts it (the engine writes them 4096-aligned); where it refuses (tmpfs),
//   or when PosixOptions::direct_io is false, they silently use buffered I/O.
//   Writes that are not aligned fall back to a buffered descriptor.
// - Every errno becomes a Status in one helper (IO_ERROR naming the call,
//   file and strerror; ENOSPC says "no space left on device").
//
// Thread-safety: as the Storage contract.
#ifndef CAIRN_STORAGE_BACKENDS_POSIX_POSIX_STORAGE_H_
#define CAIRN_STORAGE_BACKENDS_POSIX_POSIX_STORAGE_H_

#include <memory>
#include <string>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {

struct PosixOptions {
  // Use O_DIRECT for files opened with FileOptions::direct.
  bool direct_io = true;
  // Create the directory (one level) when it does not exist.
  bool create_dir = true;
};

// Opens the directory `dir` as a Storage. NOT_FOUND when it does not exist
// and create_dir is false; IO_ERROR when it is not a directory.
Result<std::unique_ptr<Storage>> OpenPosixStorage(const std::string& dir,
                                                  const PosixOptions& options = {});

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_POSIX_POSIX_STORAGE_H_
