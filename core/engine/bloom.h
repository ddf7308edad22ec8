// Bloom filters over 64-bit key hashes, stored in checkpoint metadata so a
// lookup of a document (or hash) a checkpoint table does not hold skips the
// table seek.
// Format (FORMAT.md): u8 probes, then the bit array (bit i is byte i/8, bit
// i%8). An empty filter may contain everything.
#ifndef CAIRN_ENGINE_BLOOM_H_
#define CAIRN_ENGINE_BLOOM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

// Builds a filter for `hashes` with about `bits_per_key` bits each.
std::string BuildBloomFilter(const std::vector<uint64_t>& hashes, int bits_per_key = 10);

// False only when `hash` was certainly not among the hashes the filter was
// built from.
bool BloomMayContain(std::string_view filter, uint64_t hash);

// A blocked Bloom filter (the version 2 checkpoint filter): every key sets
// its probes within one 64-byte block, so a lookup touches one cache line.
// Format (FORMAT.md): u8 probes, then whole 64-byte blocks.
std::string BuildBlockedBloomFilter(const std::vector<uint64_t>& hashes, int bits_per_key = 10);
bool BlockedBloomMayContain(std::string_view filter, uint64_t hash);
// Starts loading the cache line BlockedBloomMayContain(filter, hash) reads,
// so lookups in several filters wait for memory once, not once per filter.
void BlockedBloomPrefetch(std::string_view filter, uint64_t hash);

}  // namespace cairn

#endif  // CAIRN_ENGINE_BLOOM_H_
