// A file of the posix backend: pread/pwrite on descriptors, optionally
// O_DIRECT. Used only by posix_storage.cc.
#ifndef CAIRN_STORAGE_BACKENDS_POSIX_POSIX_FILE_H_
#define CAIRN_STORAGE_BACKENDS_POSIX_POSIX_FILE_H_

#include <memory>
#include <string>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {

// Opens `name` relative to the directory descriptor `dir_fd`; `path` is its
// full path, used in error messages.
//  - create: create the file when missing (otherwise NOT_FOUND).
//  - try_direct: open with O_DIRECT; when the filesystem refuses (EINVAL)
//    the file silently uses buffered I/O and IsDirect() is false.
// Sets *created when this call may have created the file, so the caller can
// make the new name durable (fsync the directory).
// REQUIRES: `name` is a valid file name.
Result<std::unique_ptr<File>> OpenPosixFile(int dir_fd, const std::string& path,
                                            const std::string& name, bool create, bool try_direct,
                                            bool* created);

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_POSIX_POSIX_FILE_H_
