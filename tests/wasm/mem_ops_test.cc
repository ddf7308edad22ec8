// The wasm build's memcpy, memmove and memcmp (wasm/mem_ops.h), checked
// natively against the C library at every length up to a few hundred bytes,
// every alignment of source and destination, and (for memmove) every
// overlap in both directions.
#include "wasm/mem_ops.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace cairn {
namespace {

constexpr size_t kMaxLength = 300;
constexpr size_t kAlignments = 16;

std::vector<unsigned char> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

TEST(WasmMemOpsTest, CopyMatchesMemcpyAtEveryLengthAndAlignment) {
  const std::vector<unsigned char> src = RandomBytes(kMaxLength + kAlignments + 32, 1);
  for (size_t n = 0; n <= kMaxLength; n++) {
    for (size_t sa = 0; sa < kAlignments; sa++) {
      for (size_t da = 0; da < kAlignments; da++) {
        // Guard bytes around the destination must stay untouched.
        std::vector<unsigned char> got(kMaxLength + 2 * kAlignments + 32, 0xA5);
        std::vector<unsigned char> want = got;
        void* r = wasm_mem::Copy(got.data() + 16 + da, src.data() + sa, n);
        std::memcpy(want.data() + 16 + da, src.data() + sa, n);
        ASSERT_EQ(r, got.data() + 16 + da);
        ASSERT_EQ(got, want) << "n=" << n << " src align " << sa << " dest align " << da;
      }
    }
  }
}

TEST(WasmMemOpsTest, MoveMatchesMemmoveForEveryOverlap) {
  const std::vector<unsigned char> init = RandomBytes(2 * kMaxLength + 64, 2);
  for (size_t n = 0; n <= kMaxLength; n += (n < 64 ? 1 : 7)) {
    // Source at 32 + s, destination at 32 + d: every shift from -(n + 8)
    // to n + 8, which covers overlap both ways and disjoint ranges.
    for (size_t s = 0; s < 8; s++) {
      for (size_t d = 0; d <= n + 16; d++) {
        std::vector<unsigned char> got = init, want = init;
        void* r = wasm_mem::Move(got.data() + 8 + d, got.data() + 8 + s, n);
        std::memmove(want.data() + 8 + d, want.data() + 8 + s, n);
        ASSERT_EQ(r, got.data() + 8 + d);
        ASSERT_EQ(got, want) << "n=" << n << " src " << s << " dest " << d;
        got = init;
        want = init;
        wasm_mem::Move(got.data() + 8 + s, got.data() + 8 + d, n);
        std::memmove(want.data() + 8 + s, want.data() + 8 + d, n);
        ASSERT_EQ(got, want) << "n=" << n << " src " << d << " dest " << s;
      }
    }
  }
}

int Sign(int v) { return (v > 0) - (v < 0); }

TEST(WasmMemOpsTest, CompareMatchesMemcmpWhereverTheFirstDifferenceIs) {
  const std::vector<unsigned char> a = RandomBytes(kMaxLength + kAlignments, 3);
  for (size_t n = 0; n <= kMaxLength; n++) {
    for (size_t align = 0; align < kAlignments; align += 3) {
      std::vector<unsigned char> b(a);
      EXPECT_EQ(wasm_mem::Compare(a.data() + align, b.data() + align, n), 0);
      // A difference at each position, in each direction, including bytes
      // with the top bit set (compared as unsigned).
      for (size_t at = 0; at < n; at++) {
        for (const int delta : {1, -1, 0x80}) {
          b = a;
          b[align + at] = static_cast<unsigned char>(b[align + at] + delta);
          const int want = Sign(std::memcmp(a.data() + align, b.data() + align, n));
          ASSERT_EQ(Sign(wasm_mem::Compare(a.data() + align, b.data() + align, n)), want)
              << "n=" << n << " difference at " << at;
          ASSERT_EQ(Sign(wasm_mem::Compare(b.data() + align, a.data() + align, n)), -want);
        }
      }
    }
  }
}

}  // namespace
}  // namespace cairn
