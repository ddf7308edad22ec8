#include "engine/block_cache.h"

#include <algorithm>
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

size_t BlockCache::FindSlot(const Key& key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = HashKey(key) & mask;; i = (i + 1) & mask) {
    const uint32_t s = slots_[i];
    if (s == 0 || entries_[s - 1].key == key) return i;
  }
}

void BlockCache::EraseSlot(size_t slot) {
  // Backward-shift deletion keeps every probe chain unbroken without
  // tombstones.
  const size_t mask = slots_.size() - 1;
  size_t hole = slot;
  for (size_t i = (slot + 1) & mask; slots_[i] != 0; i = (i + 1) & mask) {
    const size_t home = HashKey(entries_[slots_[i] - 1].key) & mask;
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
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(64, old.size() * 2), 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t s : old) {
    if (s == 0) continue;
    size_t i = HashKey(entries_[s - 1].key) & mask;
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
  usage_ -= x.block->size();
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
  const uint32_t s = slots_[FindSlot(Key{file_id, offset})];
  if (s == 0) {
    misses_++;
    return nullptr;
  }
  hits_++;
  // Move to the front: most recently used.
  if (head_ != s - 1) {
    Unlink(s - 1);
    PushFront(s - 1);
  }
  return entries_[s - 1].block;
}

void BlockCache::Insert(uint64_t file_id, uint64_t offset, Block block) {
  if (block == nullptr) return;
  const Key key{file_id, offset};
  const size_t bytes = block->size();
  Block dropped;  // released after the lock
  MutexLock lock(&mu_);

  // A block already cached under this key is replaced: the newest copy wins,
  // and an oversize replacement must not leave the stale copy behind.
  if (count_ > 0) {
    const size_t slot = FindSlot(key);
    if (slots_[slot] != 0) {
      const uint32_t e = slots_[slot] - 1;
      dropped = std::move(entries_[e].block);
      entries_[e].block = dropped;  // Remove reads its size
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
  PushFront(e);
  slots_[FindSlot(key)] = e + 1;
  count_++;
  usage_ += bytes;
  EvictLocked();
}

void BlockCache::EraseFile(uint64_t file_id) {
  MutexLock lock(&mu_);
  for (uint32_t e = head_; e != kNone;) {
    const uint32_t next = entries_[e].next;
    if (entries_[e].key.file_id == file_id) Remove(e, FindSlot(entries_[e].key));
    e = next;
  }
}

void BlockCache::EvictLocked() {
  while (usage_ > capacity_ && tail_ != kNone) {
    const uint32_t victim = tail_;
    Remove(victim, FindSlot(entries_[victim].key));
  }
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
