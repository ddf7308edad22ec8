// Arena: bump allocation from large blocks, all freed at once when the arena
// is destroyed. The memtable keeps its keys, values and tree nodes here, so
// an insert costs no malloc and dropping a frozen memtable frees a few dozen
// blocks instead of millions of nodes.
//
// ArenaAllocator adapts an Arena to the standard allocator interface;
// deallocate is a no-op (memory returns with the arena).
//
// Thread-safety: not thread-safe.
#ifndef CAIRN_UTIL_ARENA_H_
#define CAIRN_UTIL_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "util/mutex.h"

namespace cairn {

// Keeps blocks of freed arenas for the next arenas, so a long-lived writer
// reuses memory the OS already handed out instead of faulting in (and
// zeroing) fresh pages for every memtable. Holds at most `max_blocks`.
//
// Thread-safety: thread-safe (arenas are freed on other threads).
class ArenaBlockPool {
 public:
  ArenaBlockPool(size_t block_bytes, size_t max_blocks)
      : block_bytes_(block_bytes), max_blocks_(max_blocks) {}
  size_t block_bytes() const { return block_bytes_; }
  // A block of block_bytes(), recycled when one is free.
  std::unique_ptr<char[]> Take();
  void Give(std::unique_ptr<char[]> block);
  size_t free_blocks() const;

 private:
  const size_t block_bytes_;
  const size_t max_blocks_;
  mutable Mutex mu_;
  std::vector<std::unique_ptr<char[]>> free_ GUARDED_BY(mu_);
};

class Arena {
 public:
  explicit Arena(size_t block_bytes = kDefaultBlockBytes) : block_bytes_(block_bytes) {}
  // Blocks come from `pool` and go back to it when the arena is destroyed.
  // The pool is shared (the stated reason: it outlives whichever of the
  // engine and its memtables goes last).
  explicit Arena(std::shared_ptr<ArenaBlockPool> pool)
      : block_bytes_(pool ? pool->block_bytes() : kDefaultBlockBytes), pool_(std::move(pool)) {}
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `n` bytes aligned to `align` (a power of two, at most alignof(max_align_t)),
  // valid until the arena is destroyed. An allocation larger than a quarter
  // of a block gets a block of its own, so little space is wasted.
  char* Allocate(size_t n, size_t align = alignof(std::max_align_t));

  // A copy of `s` in the arena.
  std::string_view Copy(std::string_view s);

  // Bytes of all blocks held (what the arena costs in memory).
  size_t memory_bytes() const { return memory_bytes_; }

  static constexpr size_t kDefaultBlockBytes = 256 * 1024;

 private:
  char* NewBlock(size_t n);

  const size_t block_bytes_;
  std::shared_ptr<ArenaBlockPool> pool_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<bool> pooled_;  // parallel to blocks_: came from (and returns to) pool_
  char* ptr_ = nullptr;
  size_t left_ = 0;
  size_t memory_bytes_ = 0;
};

template <typename T>
class ArenaAllocator {
 public:
  using value_type = T;
  explicit ArenaAllocator(Arena* arena) : arena_(arena) {}
  template <typename U>
  ArenaAllocator(const ArenaAllocator<U>& o) : arena_(o.arena()) {}

  T* allocate(size_t n) {
    return reinterpret_cast<T*>(arena_->Allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T*, size_t) {}
  Arena* arena() const { return arena_; }

  template <typename U>
  bool operator==(const ArenaAllocator<U>& o) const {
    return arena_ == o.arena();
  }

 private:
  Arena* arena_;
};

}  // namespace cairn

#endif  // CAIRN_UTIL_ARENA_H_
