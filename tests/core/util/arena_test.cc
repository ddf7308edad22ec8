#include "util/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {
namespace {

TEST(ArenaTest, AllocationsAreAlignedDistinctAndStable) {
  Arena arena(1024);
  std::vector<std::pair<char*, size_t>> blocks;
  for (size_t i = 1; i < 600; i += 7) {
    const size_t align = size_t{1} << (i % 4);  // 1, 2, 4, 8
    char* p = arena.Allocate(i, align);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
    std::memset(p, static_cast<int>(i & 0xff), i);
    blocks.emplace_back(p, i);
  }
  // Later allocations never overwrite earlier ones.
  for (const auto& [p, n] : blocks) {
    for (size_t k = 0; k < n; k++) ASSERT_EQ(static_cast<unsigned char>(p[k]), n & 0xff);
  }
}

TEST(ArenaTest, LargeAllocationGetsItsOwnBlockAndKeepsTheCurrentOne) {
  Arena arena(1024);
  char* a = arena.Allocate(10, 1);
  const size_t before = arena.memory_bytes();
  EXPECT_EQ(before, 1024u);
  char* big = arena.Allocate(5000, 8);
  EXPECT_EQ(arena.memory_bytes(), before + 5000);
  // The small allocation after it still comes from the first block.
  char* b = arena.Allocate(10, 1);
  EXPECT_EQ(b, a + 10);
  EXPECT_NE(big, nullptr);
}

TEST(ArenaTest, CopyHoldsTheBytes) {
  Arena arena;
  std::string s(300, 'q');
  s[17] = '\0';  // binary safe
  std::string_view c = arena.Copy(s);
  s.assign(300, 'z');
  EXPECT_EQ(c.size(), 300u);
  EXPECT_EQ(c[17], '\0');
  EXPECT_EQ(c[299], 'q');
  EXPECT_TRUE(arena.Copy("").empty());
}

TEST(ArenaTest, AllocatorBacksAStandardContainer) {
  Arena arena(4096);
  using Alloc = ArenaAllocator<std::pair<const int, int>>;
  std::map<int, int, std::less<>, Alloc> m{Alloc(&arena)};
  for (int i = 0; i < 2000; i++) m[(i * 7919) % 2000] = i;
  ASSERT_EQ(m.size(), 2000u);
  int prev = -1;
  for (const auto& [k, v] : m) {
    EXPECT_EQ(k, prev + 1);
    EXPECT_EQ((v * 7919) % 2000, k);
    prev = k;
  }
  EXPECT_GE(arena.memory_bytes(), 2000 * sizeof(std::pair<const int, int>));
}

// Blocks of a destroyed arena go back to the pool, up to its limit, and the
// next arena reuses them.
TEST(ArenaTest, PoolRecyclesBlocksUpToItsLimit) {
  auto pool = std::make_shared<ArenaBlockPool>(1024, 3);
  const char* first_block;
  {
    Arena arena(pool);
    first_block = arena.Allocate(100, 1);
    for (int i = 0; i < 20; i++) arena.Allocate(200, 1);  // 5 blocks in all
    arena.Allocate(5000, 1);                              // its own block: not pooled
    EXPECT_EQ(pool->free_blocks(), 0u);
  }
  EXPECT_EQ(pool->free_blocks(), 3u);
  Arena again(pool);
  char* p = again.Allocate(10, 1);
  EXPECT_EQ(pool->free_blocks(), 2u);
  std::memset(p, 1, 10);
  (void)first_block;
  Arena unpooled(std::shared_ptr<ArenaBlockPool>(nullptr));
  EXPECT_NE(unpooled.Allocate(10, 1), nullptr);
  EXPECT_EQ(unpooled.memory_bytes(), Arena::kDefaultBlockBytes);
}

}  // namespace
}  // namespace cairn
