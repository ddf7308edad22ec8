// The memory storage backend: files held in process memory. Used for
// in-memory databases and tests; nothing survives the Storage object.
//
// Thread-safety: as the Storage contract (one mutex per storage).
#ifndef CAIRN_STORAGE_BACKENDS_MEMORY_MEMORY_STORAGE_H_
#define CAIRN_STORAGE_BACKENDS_MEMORY_MEMORY_STORAGE_H_

#include <memory>
#include <string>

#include "cairn/storage.h"

namespace cairn {

// A new, empty memory storage. `name` is what Describe() returns.
std::unique_ptr<Storage> NewMemoryStorage(std::string name = "memory");

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_MEMORY_MEMORY_STORAGE_H_
