// The checksum of every on-disk record and block: XXH3-64 (FORMAT.md).
#ifndef CAIRN_UTIL_CHECKSUM_H_
#define CAIRN_UTIL_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace cairn {

uint64_t Checksum64(const void* data, size_t n);

}  // namespace cairn

#endif  // CAIRN_UTIL_CHECKSUM_H_
