#include "engine/block_cache.h"

#include <utility>

namespace cairn {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

BlockCache::Block BlockCache::Lookup(uint64_t file_id, uint64_t offset) {
  MutexLock lock(&mu_);
  auto it = map_.find(Key{file_id, offset});
  if (it == map_.end()) {
    misses_++;
    return nullptr;
  }
  hits_++;
  // Move to the front: most recently used. splice keeps iterators valid.
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->block;
}

void BlockCache::Insert(uint64_t file_id, uint64_t offset, Block block) {
  if (block == nullptr) return;
  const Key key{file_id, offset};
  const size_t bytes = block->size();
  MutexLock lock(&mu_);

  // A block already cached under this key is replaced: the newest copy wins,
  // and an oversize replacement must not leave the stale copy behind.
  auto it = map_.find(key);
  if (it != map_.end()) {
    usage_ -= it->second->block->size();
    lru_.erase(it->second);
    map_.erase(it);
  }
  if (bytes > capacity_) return;

  lru_.push_front(Entry{key, std::move(block)});
  map_.emplace(key, lru_.begin());
  usage_ += bytes;
  EvictLocked();
}

void BlockCache::EraseFile(uint64_t file_id) {
  MutexLock lock(&mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->key.file_id == file_id) {
      usage_ -= it->block->size();
      map_.erase(it->key);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

void BlockCache::EvictLocked() {
  while (usage_ > capacity_ && !lru_.empty()) {
    Entry& victim = lru_.back();
    usage_ -= victim.block->size();
    map_.erase(victim.key);
    lru_.pop_back();
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
