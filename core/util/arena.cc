#include "util/arena.h"

#include <cstring>

namespace cairn {

char* Arena::Allocate(size_t n, size_t align) {
  const size_t pad = (align - (reinterpret_cast<uintptr_t>(ptr_) & (align - 1))) & (align - 1);
  if (ptr_ != nullptr && n + pad <= left_) {
    char* out = ptr_ + pad;
    ptr_ += n + pad;
    left_ -= n + pad;
    return out;
  }
  if (n > block_bytes_ / 4) return NewBlock(n);  // keeps the current block's free space
  if (pool_ != nullptr) {
    blocks_.push_back(pool_->Take());
    pooled_.push_back(true);
    memory_bytes_ += block_bytes_;
    ptr_ = blocks_.back().get();
  } else {
    ptr_ = NewBlock(block_bytes_);
  }
  left_ = block_bytes_;
  // new[] memory is aligned for any fundamental type.
  char* out = ptr_;
  ptr_ += n;
  left_ -= n;
  return out;
}

std::string_view Arena::Copy(std::string_view s) {
  if (s.empty()) return std::string_view();
  char* p = Allocate(s.size(), 1);
  std::memcpy(p, s.data(), s.size());
  return std::string_view(p, s.size());
}

char* Arena::NewBlock(size_t n) {
  blocks_.push_back(std::unique_ptr<char[]>(new char[n]));  // not zero-filled
  pooled_.push_back(false);
  memory_bytes_ += n;
  return blocks_.back().get();
}

Arena::~Arena() {
  for (size_t i = 0; i < blocks_.size(); i++) {
    if (pooled_[i]) pool_->Give(std::move(blocks_[i]));
  }
}

std::unique_ptr<char[]> ArenaBlockPool::Take() {
  {
    MutexLock l(&mu_);
    if (!free_.empty()) {
      std::unique_ptr<char[]> block = std::move(free_.back());
      free_.pop_back();
      return block;
    }
  }
  return std::unique_ptr<char[]>(new char[block_bytes_]);
}

void ArenaBlockPool::Give(std::unique_ptr<char[]> block) {
  MutexLock l(&mu_);
  if (free_.size() < max_blocks_) free_.push_back(std::move(block));
}

size_t ArenaBlockPool::free_blocks() const {
  MutexLock l(&mu_);
  return free_.size();
}

}  // namespace cairn
