// Hilbert keys: round trips, bijection, unit steps between consecutive keys,
// aligned sub-cubes as key ranges, the published transform, pinned vectors,
// and range decompositions checked against brute force.
#include "spatial/hilbert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>

namespace cairn {
namespace {

uint32_t Mask(int bits) { return bits == 32 ? ~uint32_t{0} : (uint32_t{1} << bits) - 1; }

std::string Key(const std::vector<uint32_t>& p, int bits) {
  std::string k;
  AppendHilbertKey(p.data(), static_cast<int>(p.size()), bits, &k);
  return k;
}

std::vector<uint32_t> Decode(std::string_view key, int dims, int bits) {
  std::vector<uint32_t> p(dims);
  DecodeHilbertKey(key, dims, bits, p.data());
  return p;
}

// The key of index `i` when dims * bits <= 64.
std::string KeyOfIndex(uint64_t i, int dims, int bits) {
  const int total = dims * bits;
  std::string k(HilbertKeyBytes(dims, bits), '\0');
  for (int pos = 0; pos < total; pos++) {
    if ((i >> (total - 1 - pos)) & 1) k[pos / 8] |= static_cast<char>(0x80 >> (pos % 8));
  }
  return k;
}

// Adds 1 to the index a key holds; false when it was the last index.
bool Increment(std::string* key, int dims, int bits) {
  for (int pos = dims * bits - 1; pos >= 0; pos--) {
    const char bit = static_cast<char>(0x80 >> (pos % 8));
    (*key)[pos / 8] ^= bit;
    if ((*key)[pos / 8] & bit) return true;
  }
  return false;
}

std::string RandomKey(std::mt19937_64& rng, int dims, int bits) {
  std::vector<uint32_t> p(dims);
  for (auto& c : p) c = static_cast<uint32_t>(rng()) & Mask(bits);
  return Key(p, bits);
}

uint64_t Manhattan(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  uint64_t d = 0;
  for (size_t i = 0; i < a.size(); i++) d += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return d;
}

TEST(HilbertKey, KeyBytes) {
  EXPECT_EQ(HilbertKeyBytes(1, 1), 1u);
  EXPECT_EQ(HilbertKeyBytes(2, 4), 1u);
  EXPECT_EQ(HilbertKeyBytes(3, 3), 2u);
  EXPECT_EQ(HilbertKeyBytes(3, 32), 12u);
  EXPECT_EQ(HilbertKeyBytes(16, 32), 64u);
  std::vector<uint32_t> p(5, 7);
  EXPECT_EQ(Key(p, 3).size(), 2u);
}

TEST(HilbertKey, RoundTripsEveryShape) {
  std::mt19937_64 rng(1);
  for (int dims = 1; dims <= kMaxDims; dims++) {
    for (int bits = 1; bits <= 32; bits++) {
      for (int n = 0; n < 60; n++) {
        std::vector<uint32_t> p(dims);
        for (auto& c : p) {
          const uint64_t r = rng();
          c = (r % 8 == 0)   ? Mask(bits)
              : (r % 8 == 1) ? 0
                             : static_cast<uint32_t>(r >> 8) & Mask(bits);
        }
        const std::string k = Key(p, bits);
        ASSERT_EQ(k.size(), HilbertKeyBytes(dims, bits));
        const int pad = static_cast<int>(k.size()) * 8 - dims * bits;
        ASSERT_EQ(static_cast<uint8_t>(k.back()) & ((1u << pad) - 1), 0u) << "padding is zero";
        ASSERT_EQ(Decode(k, dims, bits), p) << "dims " << dims << " bits " << bits;
      }
    }
  }
}

// Regression for the published loop bounds at full precision: b = 32
// overflowed `2 << (b-1)`. Every corner and the points next to the middle
// must round trip, and the curve must start at the origin.
TEST(HilbertKey, FullPrecisionBitsRoundTrip) {
  for (int dims = 1; dims <= kMaxDims; dims++) {
    const std::vector<uint32_t> origin(dims, 0);
    EXPECT_EQ(Key(origin, 32), std::string(HilbertKeyBytes(dims, 32), '\0'));
    for (uint32_t v : {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
      std::vector<uint32_t> p(dims, v);
      p[0] = ~v;
      EXPECT_EQ(Decode(Key(p, 32), dims, 32), p) << "dims " << dims << " v " << v;
    }
  }
}

// The orientation FORMAT.md states: from the origin to (2^bits - 1, 0, .., 0),
// and in one dimension the identity.
TEST(HilbertKey, CurveEndsWhereSpecified) {
  for (int dims = 1; dims <= kMaxDims; dims++) {
    for (int bits = 1; bits <= 32; bits++) {
      const std::string first(HilbertKeyBytes(dims, bits), '\0');
      std::string last = first;
      for (int pos = 0; pos < dims * bits; pos++)
        last[pos / 8] |= static_cast<char>(0x80 >> (pos % 8));
      EXPECT_EQ(Decode(first, dims, bits), std::vector<uint32_t>(dims, 0));
      std::vector<uint32_t> end(dims, 0);
      end[0] = Mask(bits);
      EXPECT_EQ(Decode(last, dims, bits), end) << "dims " << dims << " bits " << bits;
    }
  }
  std::mt19937_64 rng(8);
  for (int bits = 1; bits <= 32; bits++) {
    const std::vector<uint32_t> p = {static_cast<uint32_t>(rng()) & Mask(bits)};
    std::string k = Key(p, bits);
    uint64_t v = 0;
    for (int pos = 0; pos < bits; pos++) v = (v << 1) | ((k[pos / 8] >> (7 - pos % 8)) & 1);
    EXPECT_EQ(v, p[0]);
  }
}

TEST(HilbertKey, BijectionOnSmallGrids) {
  for (int dims = 1; dims <= 6; dims++) {
    for (int bits = 1; dims * bits <= 14; bits++) {
      const uint64_t cells = uint64_t{1} << (dims * bits);
      std::set<std::vector<uint32_t>> seen;
      std::string prev;
      for (uint64_t i = 0; i < cells; i++) {
        const std::string k = KeyOfIndex(i, dims, bits);
        ASSERT_TRUE(prev < k) << "memcmp order is index order";
        prev = k;
        const std::vector<uint32_t> p = Decode(k, dims, bits);
        for (uint32_t c : p) ASSERT_LE(c, Mask(bits));
        ASSERT_TRUE(seen.insert(p).second) << "index " << i << " repeats a cell";
        ASSERT_EQ(Key(p, bits), k);
      }
      EXPECT_EQ(seen.size(), cells);
    }
  }
}

TEST(HilbertKey, ConsecutiveKeysAreUnitStepsExhaustively) {
  for (int dims = 1; dims <= 8; dims++) {
    for (int bits = 1; dims * bits <= 16; bits++) {
      std::string k(HilbertKeyBytes(dims, bits), '\0');
      std::vector<uint32_t> prev = Decode(k, dims, bits);
      while (Increment(&k, dims, bits)) {
        const std::vector<uint32_t> p = Decode(k, dims, bits);
        ASSERT_EQ(Manhattan(prev, p), 1u) << "dims " << dims << " bits " << bits;
        prev = p;
      }
    }
  }
}

TEST(HilbertKey, ConsecutiveKeysAreUnitStepsSampled) {
  std::mt19937_64 rng(2);
  for (int dims = 1; dims <= kMaxDims; dims++) {
    for (int bits = 1; bits <= 32; bits++) {
      for (int n = 0; n < 40; n++) {
        std::string k = RandomKey(rng, dims, bits);
        // Also step across the carries of long runs of one bits.
        if (n % 4 == 0) {
          for (int pos = dims * bits - 1 - static_cast<int>(rng() % (dims * bits));
               pos < dims * bits; pos++) {
            k[pos / 8] |= static_cast<char>(0x80 >> (pos % 8));
          }
        }
        const std::vector<uint32_t> a = Decode(k, dims, bits);
        if (!Increment(&k, dims, bits)) continue;
        ASSERT_EQ(Manhattan(a, Decode(k, dims, bits)), 1u) << "dims " << dims << " bits " << bits;
      }
    }
  }
}

// Every aligned sub-cube of side 2^s is the key range of one prefix of
// dims * (bits - s) bits: its cells share the prefix, and any suffix decodes
// into it.
TEST(HilbertKey, AlignedSubcubesAreKeyPrefixes) {
  std::mt19937_64 rng(3);
  for (int dims = 1; dims <= kMaxDims; dims++) {
    for (int bits : {1, 2, 3, 7, 16, 31, 32}) {
      for (int n = 0; n < 30; n++) {
        const int s = static_cast<int>(rng() % (bits + 1));
        const uint32_t low = s == 32 ? ~uint32_t{0} : (uint32_t{1} << s) - 1;
        std::vector<uint32_t> base(dims);
        for (auto& c : base) c = static_cast<uint32_t>(rng()) & Mask(bits) & ~low;
        const std::string kb = Key(base, bits);
        const int prefix = dims * (bits - s);
        std::vector<uint32_t> p = base;
        for (auto& c : p) c |= static_cast<uint32_t>(rng()) & low;
        const std::string kp = Key(p, bits);
        for (int pos = 0; pos < prefix; pos++) {
          ASSERT_EQ(kb[pos / 8] & (0x80 >> (pos % 8)), kp[pos / 8] & (0x80 >> (pos % 8)));
        }
        std::string other = RandomKey(rng, dims, bits);
        for (int pos = 0; pos < prefix; pos++) {
          const char bit = static_cast<char>(0x80 >> (pos % 8));
          other[pos / 8] = static_cast<char>((other[pos / 8] & ~bit) | (kb[pos / 8] & bit));
        }
        const std::vector<uint32_t> q = Decode(other, dims, bits);
        for (int i = 0; i < dims; i++) ASSERT_EQ(q[i] & ~low, base[i]);
      }
    }
  }
}

// Skilling's functions as published (with the Gray decode loop stopped at
// i = 1), where their int shifts cannot overflow: b <= 30.
void PublishedAxestoTranspose(uint32_t* X, int b, int n) {
  uint32_t M = 1 << (b - 1), P, Q, t;
  int i;
  for (Q = M; Q > 1; Q >>= 1) {
    P = Q - 1;
    for (i = 0; i < n; i++) {
      if (X[i] & Q) {
        X[0] ^= P;
      } else {
        t = (X[0] ^ X[i]) & P;
        X[0] ^= t;
        X[i] ^= t;
      }
    }
  }
  for (i = 1; i < n; i++) X[i] ^= X[i - 1];
  t = 0;
  for (Q = M; Q > 1; Q >>= 1) {
    if (X[n - 1] & Q) t ^= Q - 1;
  }
  for (i = 0; i < n; i++) X[i] ^= t;
}

TEST(HilbertKey, MatchesThePublishedTransform) {
  std::mt19937_64 rng(4);
  for (int dims = 1; dims <= kMaxDims; dims++) {
    for (int bits = 1; bits <= 30; bits++) {
      for (int n = 0; n < 20; n++) {
        std::vector<uint32_t> p(dims);
        for (auto& c : p) c = static_cast<uint32_t>(rng()) & Mask(bits);
        std::vector<uint32_t> x = p;
        PublishedAxestoTranspose(x.data(), bits, dims);
        std::string expected(HilbertKeyBytes(dims, bits), '\0');
        int pos = 0;
        for (int q = bits - 1; q >= 0; q--) {
          for (int i = 0; i < dims; i++, pos++) {
            if ((x[i] >> q) & 1) expected[pos / 8] |= static_cast<char>(0x80 >> (pos % 8));
          }
        }
        ASSERT_EQ(Key(p, bits), expected) << "dims " << dims << " bits " << bits;
      }
    }
  }
}

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += kDigits[c >> 4];
    h += kDigits[c & 15];
  }
  return h;
}

struct Vector {
  int bits;
  std::vector<uint32_t> point;
  std::string key;
};

// Listed under "Hilbert keys" in FORMAT.md.
const Vector kVectors[] = {
    {1, {0, 0}, "00"},
    {1, {0, 1}, "40"},
    {1, {1, 1}, "80"},
    {1, {1, 0}, "c0"},
    {2, {3, 0}, "f0"},
    {2, {1, 2}, "70"},
    {3, {5, 2}, "dc"},
    {4, {9}, "90"},
    {1, {1, 1, 1}, "a0"},
    {3, {1, 2, 3}, "1800"},
    {8, {200, 17, 99}, "e0de0a"},
    {16, {48879, 4660}, "eef85b4f"},
    {32, {4294967295, 0}, "ffffffffffffffff"},
    {32, {3735928559, 19088743, 2309737967}, "df7dfa8288c142ddd88e8c49"},
    {32, {2147483648, 2147483648, 2147483648, 2147483648}, "a0000000000000000000000000000000"},
    {5, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "0001ff5405f40e1c0000"},
    {32,
     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
     std::string(2 * 55, '0') + "3fea80be80dc7e1000"},
};

TEST(HilbertKey, TestVectors) {
  for (const Vector& v : kVectors) {
    const std::string k = Key(v.point, v.bits);
    EXPECT_EQ(Hex(k), v.key) << "dims " << v.point.size() << " bits " << v.bits;
    EXPECT_EQ(Decode(k, static_cast<int>(v.point.size()), v.bits), v.point);
  }
}

// ---- HilbertRanges.

bool Covered(const std::vector<HilbertRange>& ranges, const std::string& key) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), key,
                             [](const std::string& k, const HilbertRange& r) { return k < r.lo; });
  return it != ranges.begin() && key <= std::prev(it)->hi;
}

// Sorted, disjoint, non-adjacent, well formed.
void CheckShape(const std::vector<HilbertRange>& ranges, int dims, int bits, size_t max_ranges) {
  ASSERT_LE(ranges.size(), max_ranges);
  const size_t bytes = HilbertKeyBytes(dims, bits);
  const int pad = static_cast<int>(bytes) * 8 - dims * bits;
  for (size_t i = 0; i < ranges.size(); i++) {
    ASSERT_EQ(ranges[i].lo.size(), bytes);
    ASSERT_EQ(ranges[i].hi.size(), bytes);
    ASSERT_EQ(static_cast<uint8_t>(ranges[i].hi.back()) & ((1u << pad) - 1), 0u);
    ASSERT_LE(ranges[i].lo, ranges[i].hi);
    if (i > 0) {
      std::string after = ranges[i - 1].hi;
      ASSERT_TRUE(Increment(&after, dims, bits));
      ASSERT_LT(after, ranges[i].lo) << "ranges " << i - 1 << " and " << i << " overlap or touch";
    }
  }
}

struct Grid {
  int dims, bits;
  std::vector<std::vector<uint32_t>> cells;
  std::vector<std::string> keys;
};

Grid MakeGrid(int dims, int bits) {
  Grid g{dims, bits, {}, {}};
  const uint64_t n = uint64_t{1} << (dims * bits);
  for (uint64_t i = 0; i < n; i++) {
    std::vector<uint32_t> p(dims);
    for (int k = 0; k < dims; k++) p[k] = static_cast<uint32_t>(i >> (k * bits)) & Mask(bits);
    g.keys.push_back(Key(p, bits));
    g.cells.push_back(std::move(p));
  }
  return g;
}

bool Inside(const std::vector<uint32_t>& p, const std::vector<uint32_t>& lo,
            const std::vector<uint32_t>& hi) {
  for (size_t k = 0; k < p.size(); k++) {
    if (p[k] < lo[k] || p[k] > hi[k]) return false;
  }
  return true;
}

// The number of maximal runs of in-box keys.
size_t ExactRangeCount(const Grid& g, const std::vector<uint32_t>& lo,
                       const std::vector<uint32_t>& hi) {
  std::vector<std::pair<std::string, bool>> order;
  for (size_t i = 0; i < g.cells.size(); i++)
    order.push_back({g.keys[i], Inside(g.cells[i], lo, hi)});
  std::sort(order.begin(), order.end());
  size_t runs = 0;
  for (size_t i = 0; i < order.size(); i++)
    runs += order[i].second && (i == 0 || !order[i - 1].second);
  return runs;
}

// Checks coverage of every cell: all in-box cells are covered; when `exact`,
// nothing else is.
void CheckAgainstGrid(const Grid& g, const std::vector<uint32_t>& lo,
                      const std::vector<uint32_t>& hi, const std::vector<HilbertRange>& ranges,
                      bool exact) {
  for (size_t i = 0; i < g.cells.size(); i++) {
    const bool inside = Inside(g.cells[i], lo, hi);
    const bool covered = Covered(ranges, g.keys[i]);
    if (inside) {
      ASSERT_TRUE(covered) << "cell " << i << " in the box is missed";
    } else if (exact) {
      ASSERT_FALSE(covered) << "cell " << i << " outside the box is covered";
    }
  }
}

TEST(HilbertRanges, MatchBruteForceOnSmallGrids) {
  std::mt19937_64 rng(5);
  const size_t kUncapped = std::numeric_limits<size_t>::max();
  for (int dims = 1; dims <= 4; dims++) {
    for (int bits = 1; dims * bits <= 12; bits++) {
      const Grid g = MakeGrid(dims, bits);
      for (int n = 0; n < 40; n++) {
        std::vector<uint32_t> lo(dims), hi(dims);
        for (int k = 0; k < dims; k++) {
          uint32_t a = static_cast<uint32_t>(rng()) & Mask(bits);
          uint32_t b = static_cast<uint32_t>(rng()) & Mask(bits);
          if (a > b) std::swap(a, b);
          if (n % 10 == 1) b = a;                  // a degenerate box: one cell
          if (n % 10 == 2) a = 0, b = Mask(bits);  // the full domain
          if (n % 10 == 3 && k == 0) b = a;        // a slab
          lo[k] = a;
          hi[k] = b;
        }
        const size_t exact = ExactRangeCount(g, lo, hi);
        const std::vector<HilbertRange> all =
            HilbertRanges(lo.data(), hi.data(), dims, bits, kUncapped);
        CheckShape(all, dims, bits, kUncapped);
        CheckAgainstGrid(g, lo, hi, all, true);
        ASSERT_EQ(all.size(), exact);
        if (n % 10 == 1 || n % 10 == 2) {
          ASSERT_EQ(exact, 1u);
        }

        // A budget that covers the box's border cells at full precision
        // gets the exact answer.
        size_t touched = 1, inner = 1;
        for (int k = 0; k < dims; k++) {
          touched *= hi[k] - lo[k] + 1;
          inner *= hi[k] - lo[k] + 1 >= 2 ? hi[k] - lo[k] - 1 : 0;
        }
        const size_t border = std::max(exact, touched - inner);
        const std::vector<HilbertRange> fit =
            HilbertRanges(lo.data(), hi.data(), dims, bits, border);
        CheckShape(fit, dims, bits, border);
        CheckAgainstGrid(g, lo, hi, fit, true);
        ASSERT_EQ(fit.size(), exact);

        // A smaller one gets a superset within the budget.
        for (size_t cap : {size_t{1}, size_t{2}, size_t{3}, exact / 2, exact - 1}) {
          if (cap == 0 || cap >= exact) continue;
          const std::vector<HilbertRange> coarse =
              HilbertRanges(lo.data(), hi.data(), dims, bits, cap);
          CheckShape(coarse, dims, bits, cap);
          CheckAgainstGrid(g, lo, hi, coarse, false);
        }
      }
    }
  }
}

TEST(HilbertRanges, EmptyAndClampedBoxes) {
  const uint32_t lo[2] = {5, 1}, hi[2] = {4, 3};
  EXPECT_TRUE(HilbertRanges(lo, hi, 2, 3, 8).empty());
  const uint32_t out_lo[2] = {8, 0}, out_hi[2] = {100, 7};
  EXPECT_TRUE(HilbertRanges(out_lo, out_hi, 2, 3, 8).empty());
  // Beyond the grid is clamped: this is the whole domain.
  const uint32_t all_lo[2] = {0, 0}, all_hi[2] = {1000, 1000};
  const std::vector<HilbertRange> r = HilbertRanges(all_lo, all_hi, 2, 3, 8);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Hex(r[0].lo), "00");
  EXPECT_EQ(Hex(r[0].hi), "fc");
}

// 16 dimensions at 32 bits with a budget of 64: the answer comes back,
// within budget, covering sampled cells of the box.
TEST(HilbertRanges, SixteenDimensionsAtFullPrecision) {
  std::mt19937_64 rng(6);
  const int dims = 16, bits = 32;
  for (int n = 0; n < 12; n++) {
    std::vector<uint32_t> lo(dims), hi(dims);
    for (int k = 0; k < dims; k++) {
      uint32_t a = static_cast<uint32_t>(rng()), b = static_cast<uint32_t>(rng());
      if (a > b) std::swap(a, b);
      if (n == 0) a = 0, b = ~uint32_t{0};      // the full domain
      if (n == 1) a = 1, b = ~uint32_t{0} - 1;  // all but a thin shell
      if (n == 2) b = a;                        // one cell
      if (n == 3 && k % 2 == 0) a = 0, b = ~uint32_t{0};
      lo[k] = a;
      hi[k] = b;
    }
    const std::vector<HilbertRange> r = HilbertRanges(lo.data(), hi.data(), dims, bits, 64);
    CheckShape(r, dims, bits, 64);
    if (n == 0 || n == 2) {
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].lo, n == 0 ? std::string(64, '\0') : Key(lo, bits));
      EXPECT_EQ(r[0].hi, n == 0 ? std::string(64, '\xff') : Key(lo, bits));
    }
    for (int s = 0; s < 2000; s++) {
      std::vector<uint32_t> p(dims);
      for (int k = 0; k < dims; k++) {
        const uint64_t span = uint64_t{hi[k]} - lo[k] + 1;
        const uint64_t pick = rng() % 4 == 0 ? (rng() % 2 ? 0 : span - 1) : rng() % span;
        p[k] = static_cast<uint32_t>(lo[k] + pick);
      }
      ASSERT_TRUE(Covered(r, Key(p, bits))) << "box " << n << " sample " << s;
    }
  }
}

// A box in many dimensions whose exact answer is small is still exact: a
// sub-cube is one range, two touching sub-cubes at most two.
TEST(HilbertRanges, AlignedSubcubesAreOneRange) {
  std::mt19937_64 rng(7);
  for (int dims : {3, 9, 16}) {
    const int bits = 32;
    for (int n = 0; n < 20; n++) {
      const int s = 1 + static_cast<int>(rng() % 31);
      const uint32_t low = (uint32_t{1} << s) - 1;
      std::vector<uint32_t> lo(dims), hi(dims);
      for (int k = 0; k < dims; k++) {
        lo[k] = static_cast<uint32_t>(rng()) & ~low;
        hi[k] = lo[k] | low;
      }
      const std::vector<HilbertRange> r = HilbertRanges(lo.data(), hi.data(), dims, bits, 1);
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(Decode(r[0].lo, dims, bits).size(), static_cast<size_t>(dims));
      // The range is exactly the sub-cube: its ends decode inside, and its
      // length is 2^(dims * s), i.e. lo and hi differ only in the last
      // dims * s bits, which run from all zeros to all ones.
      const int prefix = dims * (bits - s);
      for (int pos = 0; pos < dims * bits; pos++) {
        const int lo_bit = (r[0].lo[pos / 8] >> (7 - pos % 8)) & 1;
        const int hi_bit = (r[0].hi[pos / 8] >> (7 - pos % 8)) & 1;
        if (pos < prefix) {
          ASSERT_EQ(lo_bit, hi_bit);
        } else {
          ASSERT_EQ(lo_bit, 0);
          ASSERT_EQ(hi_bit, 1);
        }
      }
      EXPECT_TRUE(Inside(Decode(r[0].lo, dims, bits), lo, hi));
      EXPECT_TRUE(Inside(Decode(r[0].hi, dims, bits), lo, hi));
    }
  }
}

}  // namespace
}  // namespace cairn
