#include "engine/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <list>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cairn {
namespace {

BlockCache::Block MakeBlock(size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

// A block whose contents name its key, so a reader can tell a wrong block.
BlockCache::Block TaggedBlock(uint64_t file_id, uint64_t offset, size_t pad) {
  std::string s = std::to_string(file_id) + ":" + std::to_string(offset) + ":";
  s.append(pad, '.');
  return std::make_shared<const std::string>(std::move(s));
}

TEST(BlockCacheTest, MissThenHitCounts) {
  BlockCache cache(1000);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 0u);

  auto block = MakeBlock(100);
  cache.Insert(1, 0, block);
  EXPECT_EQ(cache.Lookup(1, 0), block);
  EXPECT_EQ(cache.Lookup(1, 4096), nullptr);  // other offset
  EXPECT_EQ(cache.Lookup(2, 0), nullptr);     // other file
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 3u);
  EXPECT_EQ(cache.usage(), 100u);
  EXPECT_EQ(cache.capacity(), 1000u);
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsedFirst) {
  BlockCache cache(300);
  cache.Insert(1, 0, MakeBlock(100, 'a'));
  cache.Insert(1, 1, MakeBlock(100, 'b'));
  cache.Insert(1, 2, MakeBlock(100, 'c'));
  // Touch a: b becomes the least recently used.
  ASSERT_NE(cache.Lookup(1, 0), nullptr);
  cache.Insert(1, 3, MakeBlock(100, 'd'));
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_NE(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 3), nullptr);
  EXPECT_EQ(cache.usage(), 300u);

  // Order now (most recent first): d, c, a. A 200-byte block evicts a and c.
  cache.Insert(1, 4, MakeBlock(200, 'e'));
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 3), nullptr);
  EXPECT_NE(cache.Lookup(1, 4), nullptr);
  EXPECT_EQ(cache.usage(), 300u);
}

TEST(BlockCacheTest, BlockOfExactlyTheBudgetIsCached) {
  BlockCache cache(100);
  cache.Insert(1, 0, MakeBlock(40));
  cache.Insert(1, 1, MakeBlock(100));
  EXPECT_NE(cache.Lookup(1, 1), nullptr);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 100u);
}

TEST(BlockCacheTest, OversizeBlockIsNotCachedAndEvictsNothing) {
  BlockCache cache(100);
  cache.Insert(1, 0, MakeBlock(60));
  cache.Insert(1, 1, MakeBlock(101));
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 60u);
}

TEST(BlockCacheTest, ZeroBudgetCachesNothing) {
  BlockCache cache(0);
  cache.Insert(1, 0, MakeBlock(1));
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(BlockCacheTest, InsertReplacesTheBlockAtTheSameKey) {
  BlockCache cache(1000);
  cache.Insert(1, 0, MakeBlock(100, 'a'));
  auto newer = MakeBlock(300, 'b');
  cache.Insert(1, 0, newer);
  EXPECT_EQ(cache.Lookup(1, 0), newer);
  EXPECT_EQ(cache.usage(), 300u);
}

TEST(BlockCacheTest, OversizeReplacementDropsTheStaleBlock) {
  BlockCache cache(100);
  cache.Insert(1, 0, MakeBlock(50, 'a'));
  cache.Insert(1, 0, MakeBlock(500, 'b'));
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(BlockCacheTest, NullBlockIsIgnored) {
  BlockCache cache(100);
  cache.Insert(1, 0, nullptr);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(BlockCacheTest, EraseFileDropsOnlyThatFile) {
  BlockCache cache(10000);
  for (uint64_t off = 0; off < 5; off++) {
    cache.Insert(7, off * 4096, MakeBlock(100));
    cache.Insert(8, off * 4096, MakeBlock(10));
  }
  EXPECT_EQ(cache.usage(), 550u);
  cache.EraseFile(7);
  EXPECT_EQ(cache.usage(), 50u);
  for (uint64_t off = 0; off < 5; off++) {
    EXPECT_EQ(cache.Lookup(7, off * 4096), nullptr);
    EXPECT_NE(cache.Lookup(8, off * 4096), nullptr);
  }
  cache.EraseFile(99);  // no blocks: no effect
  EXPECT_EQ(cache.usage(), 50u);
  // The budget freed by EraseFile is usable again.
  cache.Insert(7, 0, MakeBlock(9000));
  EXPECT_NE(cache.Lookup(7, 0), nullptr);
}

TEST(BlockCacheTest, EvictedBlockStaysValidForItsHolder) {
  BlockCache cache(100);
  cache.Insert(1, 0, MakeBlock(100, 'q'));
  BlockCache::Block held = cache.Lookup(1, 0);
  ASSERT_NE(held, nullptr);
  cache.Insert(1, 1, MakeBlock(100, 'r'));  // evicts (1, 0)
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(*held, std::string(100, 'q'));
}

TEST(BlockCacheTest, AcquireReusesTheBufferOfAnEvictedBlockNobodyHolds) {
  if (BlockCache::kPooledBuffers == 0) GTEST_SKIP() << "no buffer pool under AddressSanitizer";
  BlockCache cache(256);
  std::shared_ptr<std::string> first = cache.Acquire(100);
  ASSERT_EQ(first->size(), 100u);
  EXPECT_EQ(first->capacity(), 128u);  // rounded up to a multiple of 128
  first->assign(100, 'a');
  const char* buffer = first->data();
  cache.Insert(1, 0, std::move(first));
  EXPECT_EQ(cache.usage(), 128u);  // a block counts with its whole buffer
  cache.Insert(1, 1, MakeBlock(200, 'b'));  // evicts (1, 0), which nobody holds
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 200u);
  std::shared_ptr<std::string> next = cache.Acquire(110);  // the same capacity
  EXPECT_EQ(next->data(), buffer);
  EXPECT_EQ(next->size(), 110u);
  EXPECT_EQ(next.use_count(), 1);
  EXPECT_EQ(*cache.Lookup(1, 1), std::string(200, 'b'));
  cache.Insert(1, 2, std::move(next));  // evicts (1, 1)
  EXPECT_EQ(cache.usage(), 128u);
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
}

TEST(BlockCacheTest, AcquireNeverHandsOutABlockSomeoneHolds) {
  BlockCache cache(128);
  std::shared_ptr<std::string> block = cache.Acquire(100);
  block->assign(100, 'q');
  cache.Insert(1, 0, std::move(block));
  BlockCache::Block held = cache.Lookup(1, 0);
  cache.Insert(1, 1, MakeBlock(100, 'r'));  // evicts (1, 0) while it is held
  std::shared_ptr<std::string> fresh = cache.Acquire(100);
  EXPECT_NE(fresh->data(), held->data());
  fresh->assign(100, 'z');
  EXPECT_EQ(*held, std::string(100, 'q'));
}

TEST(BlockCacheTest, AcquireReusesOnlyABufferOfItsCapacity) {
  if (BlockCache::kPooledBuffers == 0) GTEST_SKIP() << "no buffer pool under AddressSanitizer";
  BlockCache cache(1024);
  std::shared_ptr<std::string> block = cache.Acquire(1000);
  const char* pooled = block->data();
  cache.Insert(1, 0, std::move(block));
  cache.Insert(1, 1, MakeBlock(1000));  // evicts (1, 0) and keeps its buffer
  {
    std::shared_ptr<std::string> small = cache.Acquire(800);  // capacity 896, not 1024
    EXPECT_NE(small->data(), pooled);
    EXPECT_EQ(small->size(), 800u);
    EXPECT_EQ(small->capacity(), 896u);
  }
  std::shared_ptr<std::string> exact = cache.Acquire(1000);
  EXPECT_EQ(exact->data(), pooled);
  EXPECT_EQ(exact->size(), 1000u);
  // The pool is empty now: the next request allocates.
  std::shared_ptr<std::string> other = cache.Acquire(1000);
  EXPECT_NE(other->data(), pooled);
  // Blocks past kPooledBytes are allocated at their size.
  EXPECT_EQ(cache.Acquire(BlockCache::kPooledBytes + 1)->capacity(), BlockCache::kPooledBytes + 1);
}

// The cache against a straightforward LRU model over random operations.
TEST(BlockCacheTest, MatchesReferenceModel) {
  struct ModelEntry {
    uint64_t file;
    uint64_t offset;
    size_t bytes;
  };
  std::mt19937_64 rng(42);
  const size_t capacity = 2000;
  BlockCache cache(capacity);
  std::list<ModelEntry> model;  // front: most recent
  uint64_t hits = 0, misses = 0;
  auto find = [&](uint64_t f, uint64_t o) {
    for (auto it = model.begin(); it != model.end(); ++it) {
      if (it->file == f && it->offset == o) return it;
    }
    return model.end();
  };
  for (int step = 0; step < 20000; step++) {
    const uint64_t f = rng() % 3;
    const uint64_t o = rng() % 16;
    const int op = static_cast<int>(rng() % 10);
    if (op < 5) {
      BlockCache::Block b = cache.Lookup(f, o);
      auto it = find(f, o);
      if (it == model.end()) {
        misses++;
        EXPECT_EQ(b, nullptr) << "step " << step;
      } else {
        hits++;
        ASSERT_NE(b, nullptr) << "step " << step;
        EXPECT_EQ(b->size(), it->bytes);
        model.splice(model.begin(), model, it);
      }
    } else if (op < 9) {
      const size_t bytes = rng() % 700;
      cache.Insert(f, o, MakeBlock(bytes));
      auto it = find(f, o);
      if (it != model.end()) model.erase(it);
      if (bytes <= capacity) {
        model.push_front({f, o, bytes});
        size_t used = 0;
        for (const auto& e : model) used += e.bytes;
        while (used > capacity) {
          used -= model.back().bytes;
          model.pop_back();
        }
      }
    } else {
      cache.EraseFile(f);
      model.remove_if([&](const ModelEntry& e) { return e.file == f; });
    }
    size_t used = 0;
    for (const auto& e : model) used += e.bytes;
    ASSERT_EQ(cache.usage(), used) << "step " << step;
    ASSERT_LE(cache.usage(), capacity);
  }
  EXPECT_EQ(cache.hits(), hits);
  EXPECT_EQ(cache.misses(), misses);
}

TEST(BlockCacheTest, ConcurrentUseSmoke) {
  const size_t capacity = 64 * 1024;
  BlockCache cache(capacity);
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  std::atomic<uint64_t> lookups{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      for (int i = 0; i < kOps; i++) {
        const uint64_t f = rng() % 4;
        const uint64_t o = (rng() % 64) * 4096;
        const int op = static_cast<int>(rng() % 20);
        if (op < 12) {
          lookups++;
          BlockCache::Block b = cache.Lookup(f, o);
          const std::string tag = std::to_string(f) + ":" + std::to_string(o) + ":";
          if (b != nullptr && b->compare(0, tag.size(), tag) != 0) wrong++;
        } else if (op < 19) {
          cache.Insert(f, o, TaggedBlock(f, o, rng() % 4000));
        } else {
          cache.EraseFile(f);
        }
        if (cache.usage() > capacity) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.hits() + cache.misses(), lookups.load());
  EXPECT_LE(cache.usage(), capacity);
}

}  // namespace
}  // namespace cairn
