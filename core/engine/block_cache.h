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

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

class BlockCache {
 public:
  using Block = std::shared_ptr<const std::string>;

  explicit BlockCache(size_t capacity_bytes);

  // The cached block at (file_id, offset), or nullptr. Counts a hit or a miss.
  Block Lookup(uint64_t file_id, uint64_t offset);

  // Caches `block`, evicting least-recently-used blocks past the budget. A
  // block counts against the budget with the bytes its buffer holds: its
  // capacity (a reused buffer may hold more than the block), or its size
  // when it is short enough to live inside the string object. A block larger
  // than the whole budget is not cached.
  void Insert(uint64_t file_id, uint64_t offset, Block block);

  // Drops every block of `file_id` (the file was removed or rewritten).
  void EraseFile(uint64_t file_id);

  // A buffer of exactly `size` bytes, with unspecified contents, for a block
  // about to be read and inserted. Its capacity is AcquireCapacity(size).
  // It reuses the buffer of a recently evicted block of that capacity that
  // nobody held any more when one is at hand; otherwise it allocates. A miss
  // followed by an eviction then costs no allocation, no zero-fill and no
  // free. At most kPooledBuffers buffers wait outside the budget.
  std::shared_ptr<std::string> Acquire(size_t size);
  // Under AddressSanitizer nothing is pooled, so that a read through a view
  // of an evicted block stays a use-after-free it reports, not a read of
  // whatever block reused the buffer.
  static constexpr size_t kPooledBuffers = kUnderAddressSanitizer ? 0 : 16;
  // Buffers come in a few capacities, so that one evicted buffer fits the
  // next block of about its size: `size` rounded up to a multiple of 128
  // bytes (at most 6% more for a 2 KiB block). Sizes above kPooledBytes are
  // allocated as they are and never pooled.
  static constexpr size_t kPooledBytes = 64 * 1024;
  static constexpr size_t AcquireCapacity(size_t size) {
    return size > kPooledBytes || size <= 15 ? size : (size + 127) / 128 * 128;
  }

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
    size_t charge = 0;      // see Insert; kept here so eviction reads no cold block
    uint32_t prev = kNone;  // towards the most recently used
    uint32_t next = kNone;  // towards the least recently used; the free list
  };

  static uint64_t HashKey(const Key& k);
  // A table slot holds (low 32 bits of the key's hash) << 32 | (entry + 1);
  // 0 is empty. Probes and deletions compare and rehash from the slot alone,
  // so they touch an entry only when its hash matches.
  static uint64_t MakeSlot(uint64_t hash, uint32_t e) { return hash << 32 | (uint64_t{e} + 1); }
  static uint32_t SlotEntry(uint64_t slot) { return static_cast<uint32_t>(slot) - 1; }
  static uint32_t SlotHash(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
  // The table slot holding `key`, or the empty slot where it would go.
  size_t FindSlot(const Key& key, uint64_t hash) const REQUIRES(mu_);
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
  std::vector<uint64_t> slots_ GUARDED_BY(mu_);  // see MakeSlot
  // Buffers of evicted blocks nobody held, for Acquire.
  std::vector<std::shared_ptr<std::string>> pool_ GUARDED_BY(mu_);
  size_t count_ GUARDED_BY(mu_) = 0;
  size_t usage_ GUARDED_BY(mu_) = 0;
  uint64_t hits_ GUARDED_BY(mu_) = 0;
  uint64_t misses_ GUARDED_BY(mu_) = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_BLOCK_CACHE_H_
