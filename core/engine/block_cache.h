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
#include <memory>
#include <string>
#include <vector>

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
  static constexpr uint32_t kNone = UINT32_MAX;
  // Entries live in one vector and form an intrusive doubly-linked LRU list
  // by index, and an open-addressing table maps keys to them: a lookup or
  // an insert allocates nothing and touches a few cache lines, where a
  // std::list plus std::unordered_map allocated nodes and walked chains.
  struct Entry {
    Key key{};
    Block block;
    uint32_t prev = kNone;  // towards the most recently used
    uint32_t next = kNone;  // towards the least recently used; the free list
  };

  static uint64_t HashKey(const Key& k);
  // The table slot holding `key`, or the empty slot where it would go.
  size_t FindSlot(const Key& key) const REQUIRES(mu_);
  void EraseSlot(size_t slot) REQUIRES(mu_);  // backward-shift deletion
  void GrowTable() REQUIRES(mu_);
  void Unlink(uint32_t e) REQUIRES(mu_);
  void PushFront(uint32_t e) REQUIRES(mu_);
  // Drops entry e (its slot is `slot`) and frees it.
  void Remove(uint32_t e, size_t slot) REQUIRES(mu_);
  void EvictLocked() REQUIRES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  std::vector<Entry> entries_ GUARDED_BY(mu_);
  uint32_t free_ GUARDED_BY(mu_) = kNone;        // free entries, linked by next
  uint32_t head_ GUARDED_BY(mu_) = kNone;        // most recently used
  uint32_t tail_ GUARDED_BY(mu_) = kNone;        // least recently used
  std::vector<uint32_t> slots_ GUARDED_BY(mu_);  // entry index + 1; 0 is empty
  size_t count_ GUARDED_BY(mu_) = 0;
  size_t usage_ GUARDED_BY(mu_) = 0;
  uint64_t hits_ GUARDED_BY(mu_) = 0;
  uint64_t misses_ GUARDED_BY(mu_) = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_BLOCK_CACHE_H_
