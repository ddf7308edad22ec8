#include "engine/bloom.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

namespace cairn {
namespace {

TEST(BloomTest, NeverMissesAMemberAndRarelyAdmitsOthers) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> members(20000);
  std::unordered_set<uint64_t> set;
  for (auto& h : members) set.insert(h = rng());
  std::string filter = BuildBloomFilter(members);
  for (uint64_t h : members) ASSERT_TRUE(BloomMayContain(filter, h));
  int false_positives = 0, trials = 100000;
  for (int i = 0; i < trials; i++) {
    uint64_t h = rng();
    if (!set.count(h) && BloomMayContain(filter, h)) false_positives++;
  }
  // 10 bits per key: about 1% in theory; allow twice that.
  EXPECT_LT(false_positives, trials / 50);
  EXPECT_GT(false_positives, 0);
}

TEST(BloomTest, BlockedFilterNeverMissesAMemberAndRarelyAdmitsOthers) {
  for (size_t n : {1, 7, 20000}) {
    std::mt19937_64 rng(n);
    std::vector<uint64_t> members(n);
    std::unordered_set<uint64_t> set;
    for (auto& h : members) set.insert(h = rng());
    const std::string filter = BuildBlockedBloomFilter(members);
    ASSERT_EQ((filter.size() - 1) % 64, 0u);
    for (uint64_t h : members) {
      BlockedBloomPrefetch(filter, h);
      ASSERT_TRUE(BlockedBloomMayContain(filter, h));
    }
    int false_positives = 0, trials = 100000;
    for (int i = 0; i < trials; i++) {
      uint64_t h = rng();
      if (!set.count(h) && BlockedBloomMayContain(filter, h)) false_positives++;
    }
    // 10 bits per key in 512-bit blocks: a little over 1%; allow twice that.
    if (n == 20000) EXPECT_LT(false_positives, trials / 50);
  }
  EXPECT_TRUE(BlockedBloomMayContain("", 42));
  EXPECT_TRUE(BlockedBloomMayContain(BuildBlockedBloomFilter({}), 42));
}

TEST(BloomTest, EmptyOrMissingFilterMayContainAnything) {
  EXPECT_TRUE(BloomMayContain("", 42));
  EXPECT_TRUE(BloomMayContain(BuildBloomFilter({}), 42));
}

}  // namespace
}  // namespace cairn
