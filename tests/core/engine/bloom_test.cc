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

TEST(BloomTest, EmptyOrMissingFilterMayContainAnything) {
  EXPECT_TRUE(BloomMayContain("", 42));
  EXPECT_TRUE(BloomMayContain(BuildBloomFilter({}), 42));
}

}  // namespace
}  // namespace cairn
