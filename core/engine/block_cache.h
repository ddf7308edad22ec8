// BlockCache: an LRU cache of file blocks with a byte budget, shared by the
// log reader and the index tables.
//
// Blocks are handed out as shared_ptr because a reader may still hold a block
// after it has been evicted (the stated reason for shared ownership).
//
// Thread-safety: thread-safe (one internal mutex).
#ifndef CAIRN_ENGINE_BLOCK_CACHE_H_
#define CAIRN_ENGINE_BLOCK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "util/mutex.h"

namespace cairn {

class BlockCache {
 public:
  using Block = std::shared_ptr<const std::string>;

  explicit BlockCache(size_t capacity_bytes);

  // The cached block at (file_id, offset), or nullptr. Counts a hit or a miss.
  Block Lookup(uint64_t file_id, uint64_t offset);

  // Caches `block`, evicting least-recently-used blocks past the budget. A
  // block larger than the whole budget is not cached.
  void Insert(uint64_t file_id, uint64_t offset, Block block);

  // Drops every block of `file_id` (the file was removed or rewritten).
  void EraseFile(uint64_t file_id);

  size_t usage() const;
  size_t capacity() const { return capacity_; }
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Key {
    uint64_t file_id;
    uint64_t offset;
    bool operator==(const Key& o) const { return file_id == o.file_id && offset == o.offset; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return static_cast<size_t>(k.file_id * 0x9E3779B97F4A7C15ull ^ (k.offset >> 12) * 0xC2B2AE3D27D4EB4Full ^ k.offset);
    }
  };
  struct Entry {
    Key key;
    Block block;
  };

  void EvictLocked() REQUIRES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // front: most recently used
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map_ GUARDED_BY(mu_);
  size_t usage_ GUARDED_BY(mu_) = 0;
  uint64_t hits_ GUARDED_BY(mu_) = 0;
  uint64_t misses_ GUARDED_BY(mu_) = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_BLOCK_CACHE_H_
