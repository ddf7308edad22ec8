// The one place where the posix backend turns an errno into a Status.
#ifndef CAIRN_STORAGE_BACKENDS_POSIX_POSIX_ERROR_H_
#define CAIRN_STORAGE_BACKENDS_POSIX_POSIX_ERROR_H_

#include <string_view>

#include "cairn/status.h"

namespace cairn {

// The Status for `err` (an errno value) returned by operation `op` on `path`:
// NOT_FOUND for ENOENT, IO_ERROR otherwise. The message names the operation,
// the path and the system's description of the error, e.g.
// "write /data/db/seg-1: no space left on device (ENOSPC)".
Status PosixError(std::string_view op, std::string_view path, int err);

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_POSIX_POSIX_ERROR_H_
