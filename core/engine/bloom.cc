#include "engine/bloom.h"

#include <algorithm>

namespace cairn {
namespace {

// Double hashing (Kirsch-Mitzenmacher): probe i is h1 + i * h2.
inline uint64_t Probe(uint64_t hash, uint32_t i) {
  const uint64_t h2 = (hash >> 33) | (hash << 31) | 1;
  return hash + i * h2;
}

}  // namespace

std::string BuildBloomFilter(const std::vector<uint64_t>& hashes, int bits_per_key) {
  if (hashes.empty()) return std::string();
  const uint64_t bits = std::max<uint64_t>(64, hashes.size() * static_cast<uint64_t>(bits_per_key));
  const uint64_t bytes = (bits + 7) / 8;
  // ln 2 * bits per key probes minimise false positives.
  const uint32_t probes = std::clamp(static_cast<int>(bits_per_key * 0.69), 1, 30);
  std::string filter(1 + bytes, '\0');
  filter[0] = static_cast<char>(probes);
  const uint64_t nbits = bytes * 8;
  for (uint64_t h : hashes) {
    for (uint32_t i = 0; i < probes; i++) {
      const uint64_t bit = Probe(h, i) % nbits;
      filter[1 + bit / 8] |= static_cast<char>(1 << (bit % 8));
    }
  }
  return filter;
}

bool BloomMayContain(std::string_view filter, uint64_t hash) {
  if (filter.size() < 2) return true;
  const uint32_t probes = static_cast<uint8_t>(filter[0]);
  const uint64_t nbits = (filter.size() - 1) * 8;
  for (uint32_t i = 0; i < probes; i++) {
    const uint64_t bit = Probe(hash, i) % nbits;
    if (!(static_cast<uint8_t>(filter[1 + bit / 8]) & (1 << (bit % 8)))) return false;
  }
  return true;
}

namespace {

constexpr uint64_t kBlockBits = 512;

// The block of `hash` among `blocks`, by multiply-shift (no division).
inline uint64_t BlockOf(uint64_t hash, uint64_t blocks) { return ((hash >> 32) * blocks) >> 32; }

// Probe i within the block: (g + i * step) mod 512.
inline uint32_t BitInBlock(uint64_t hash, uint32_t i) {
  const uint32_t g = static_cast<uint32_t>(hash);
  const uint32_t step = ((g >> 15) | (g << 17)) | 1;
  return (g + i * step) & (kBlockBits - 1);
}

}  // namespace

std::string BuildBlockedBloomFilter(const std::vector<uint64_t>& hashes, int bits_per_key) {
  if (hashes.empty()) return std::string();
  const uint64_t bits = hashes.size() * static_cast<uint64_t>(bits_per_key);
  const uint64_t blocks = std::max<uint64_t>(1, (bits + kBlockBits - 1) / kBlockBits);
  const uint32_t probes = std::clamp(static_cast<int>(bits_per_key * 0.69), 1, 30);
  std::string filter(1 + blocks * (kBlockBits / 8), '\0');
  filter[0] = static_cast<char>(probes);
  for (uint64_t h : hashes) {
    char* block = filter.data() + 1 + BlockOf(h, blocks) * (kBlockBits / 8);
    for (uint32_t i = 0; i < probes; i++) {
      const uint32_t bit = BitInBlock(h, i);
      block[bit / 8] |= static_cast<char>(1 << (bit % 8));
    }
  }
  return filter;
}

void BlockedBloomPrefetch(std::string_view filter, uint64_t hash) {
  if (filter.size() < 1 + kBlockBits / 8) return;
  const uint64_t blocks = (filter.size() - 1) / (kBlockBits / 8);
  __builtin_prefetch(filter.data() + 1 + BlockOf(hash, blocks) * (kBlockBits / 8));
}

bool BlockedBloomMayContain(std::string_view filter, uint64_t hash) {
  if (filter.size() < 1 + kBlockBits / 8 || (filter.size() - 1) % (kBlockBits / 8) != 0) {
    return true;  // empty (or not a blocked filter): may contain anything
  }
  const uint32_t probes = static_cast<uint8_t>(filter[0]);
  const uint64_t blocks = (filter.size() - 1) / (kBlockBits / 8);
  const char* block = filter.data() + 1 + BlockOf(hash, blocks) * (kBlockBits / 8);
  for (uint32_t i = 0; i < probes; i++) {
    const uint32_t bit = BitInBlock(hash, i);
    if (!(static_cast<uint8_t>(block[bit / 8]) & (1 << (bit % 8)))) return false;
  }
  return true;
}

}  // namespace cairn
