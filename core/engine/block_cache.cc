#include "engine/block_cache.h"

#include <algorithm>
#include <atomic>
#include <utility>

namespace cairn {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

uint64_t BlockCache::HashKey(const Key& k) {
  uint64_t h =
      k.file_id * 0x9E3779B97F4A7C15ull ^ (k.offset >> 12) * 0xC2B2AE3D27D4EB4Full ^ k.offset;
  h ^= h >> 32;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}

size_t BlockCache::FindSlot(const Key& key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t h = static_cast<uint32_t>(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint64_t s = slots_[i];
    if (s == 0 || (SlotHash(s) == h && entries_[SlotEntry(s)].key == key)) return i;
  }
}

void BlockCache::EraseSlot(size_t slot) {
  // Backward-shift deletion keeps every probe chain unbroken without
  // tombstones. The home of each slot comes from the hash bits it holds
  // (the table never has more than 2^32 slots).
  const size_t mask = slots_.size() - 1;
  size_t hole = slot;
  for (size_t i = (slot + 1) & mask; slots_[i] != 0; i = (i + 1) & mask) {
    const size_t home = SlotHash(slots_[i]) & mask;
    // Move slot i into the hole unless its home lies cyclically in (hole, i].
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (!stays) {
      slots_[hole] = slots_[i];
      hole = i;
    }
  }
  slots_[hole] = 0;
}

void BlockCache::GrowTable() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(64, old.size() * 2), 0);
  const size_t mask = slots_.size() - 1;
  for (uint64_t s : old) {
    if (s == 0) continue;
    size_t i = SlotHash(s) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void BlockCache::Unlink(uint32_t e) {
  Entry& x = entries_[e];
  if (x.prev != kNone)
    entries_[x.prev].next = x.next;
  else
    head_ = x.next;
  if (x.next != kNone)
    entries_[x.next].prev = x.prev;
  else
    tail_ = x.prev;
  x.prev = x.next = kNone;
}

void BlockCache::PushFront(uint32_t e) {
  Entry& x = entries_[e];
  x.prev = kNone;
  x.next = head_;
  if (head_ != kNone) entries_[head_].prev = e;
  head_ = e;
  if (tail_ == kNone) tail_ = e;
}

void BlockCache::Remove(uint32_t e, size_t slot) {
  EraseSlot(slot);
  Unlink(e);
  Entry& x = entries_[e];
  usage_ -= x.charge;
  // Only the cache holds the block (a reader takes its copy under mu_), so
  // its buffer can serve the next Acquire. use_count() is a relaxed load:
  // the fence orders the last reader's release of its copy before the
  // buffer's next writes, as the shared_ptr's own destructor would.
  if (pool_.size() < kPooledBuffers && x.block.use_count() == 1 &&
      x.block->capacity() == AcquireCapacity(x.block->capacity())) {
    std::atomic_thread_fence(std::memory_order_acquire);
    pool_.push_back(std::const_pointer_cast<std::string>(std::move(x.block)));
  }
  x.block.reset();
  x.next = free_;
  free_ = e;
  count_--;
}

BlockCache::Block BlockCache::Lookup(uint64_t file_id, uint64_t offset) {
  MutexLock lock(&mu_);
  if (count_ == 0) {
    misses_++;
    return nullptr;
  }
  const Key key{file_id, offset};
  const uint64_t s = slots_[FindSlot(key, HashKey(key))];
  if (s == 0) {
    misses_++;
    return nullptr;
  }
  hits_++;
  const uint32_t e = SlotEntry(s);
  // Move to the front: most recently used.
  if (head_ != e) {
    Unlink(e);
    PushFront(e);
  }
  return entries_[e].block;
}

void BlockCache::Insert(uint64_t file_id, uint64_t offset, Block block) {
  if (block == nullptr) return;
  const Key key{file_id, offset};
  const uint64_t hash = HashKey(key);
  // std::string keeps up to 15 bytes inside the object, where capacity()
  // says 15 whatever the size.
  const size_t bytes = block->size() <= 15 ? block->size() : block->capacity();
  Block dropped;  // released after the lock
  MutexLock lock(&mu_);

  // A block already cached under this key is replaced: the newest copy wins,
  // and an oversize replacement must not leave the stale copy behind.
  if (count_ > 0) {
    const size_t slot = FindSlot(key, hash);
    if (slots_[slot] != 0) {
      const uint32_t e = SlotEntry(slots_[slot]);
      dropped = entries_[e].block;  // freed after the lock, and never pooled
      Remove(e, slot);
    }
  }
  if (bytes > capacity_) return;

  if ((count_ + 1) * 2 > slots_.size()) GrowTable();
  uint32_t e;
  if (free_ != kNone) {
    e = free_;
    free_ = entries_[e].next;
  } else {
    e = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  entries_[e].key = key;
  entries_[e].block = std::move(block);
  entries_[e].charge = bytes;
  PushFront(e);
  slots_[FindSlot(key, hash)] = MakeSlot(hash, e);
  count_++;
  usage_ += bytes;
  EvictLocked();
}

void BlockCache::EraseFile(uint64_t file_id) {
  MutexLock lock(&mu_);
  for (uint32_t e = head_; e != kNone;) {
    const uint32_t next = entries_[e].next;
    const Key& key = entries_[e].key;
    if (key.file_id == file_id) Remove(e, FindSlot(key, HashKey(key)));
    e = next;
  }
}

void BlockCache::EvictLocked() {
  while (usage_ > capacity_ && tail_ != kNone) {
    const uint32_t victim = tail_;
    const Key& key = entries_[victim].key;
    Remove(victim, FindSlot(key, HashKey(key)));
  }
  // The next victims have not been touched for as long as any block, so
  // they are out of the CPU cache. Fetch what evicting them will read ahead
  // of time: the next victim's table slot and block (the entry was fetched
  // by the previous eviction), and the entry after it.
  if (tail_ != kNone) {
    const Entry& next = entries_[tail_];
    __builtin_prefetch(&slots_[HashKey(next.key) & (slots_.size() - 1)]);
    __builtin_prefetch(next.block.get());
    if (next.prev != kNone) __builtin_prefetch(&entries_[next.prev]);
  }
}

std::shared_ptr<std::string> BlockCache::Acquire(size_t size) {
  const size_t capacity = AcquireCapacity(size);
  std::shared_ptr<std::string> buffer;
  {
    MutexLock lock(&mu_);
    for (size_t i = 0; i < pool_.size(); i++) {
      if (pool_[i]->capacity() == capacity) {
        buffer = std::move(pool_[i]);
        pool_[i] = std::move(pool_.back());
        pool_.pop_back();
        break;
      }
    }
  }
  if (buffer == nullptr) {
    buffer = std::make_shared<std::string>();
    buffer->reserve(capacity);  // exactly: from the inline buffer, reserve allocates what it is asked
  }
  buffer->resize(size);
  return buffer;
}

size_t BlockCache::usage() const {
  MutexLock lock(&mu_);
  return usage_;
}

uint64_t BlockCache::hits() const {
  MutexLock lock(&mu_);
  return hits_;
}

uint64_t BlockCache::misses() const {
  MutexLock lock(&mu_);
  return misses_;
}

}  // namespace cairn
