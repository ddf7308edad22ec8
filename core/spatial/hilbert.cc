#include "spatial/hilbert.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <limits>
#include <string>

namespace cairn {
namespace {

constexpr int kMaxKeyBytes = (kMaxDims * 32) / 8;

void CheckShape(int dims, int bits) {
  assert(dims >= 1 && dims <= kMaxDims);
  assert(bits >= 1 && bits <= 32);
  (void)dims;
  (void)bits;
}

// ---- Skilling's transform, in place on x[0..n) of b-bit words.
//
// The published code derives its loop bounds from `N = 2 << (b-1)` and
// `M = 1 << (b-1)`, shifts of a signed int: at b = 32 both overflow
// (undefined before C++20; N wraps to 0), so the loops only stop at the
// right place by accident of 32-bit unsigned wrap-around, and run over bits
// that do not exist with a wider word. The loops below count bit positions
// q = 1..b-1 instead and shift only an unsigned 1 by at most 31. The
// published Gray decode also runs `for (i = n-1; i >= 0; i--) X[i] ^= X[i-1]`,
// reading X[-1]; it stops at i = 1 here.

// Coordinates -> transposed index (Skilling's AxestoTranspose).
void AxesToTranspose(uint32_t* x, int b, int n) {
  // Inverse undo excess work, from the top bit down.
  // Without branches: the bits are random, so a branch would be mispredicted
  // half the time.
  // x[0] stays in a register: every step depends on it, and a round trip
  // through memory would add a store-to-load delay to each.
  uint32_t x0 = x[0];
  for (int q = b - 1; q >= 1; q--) {
    const uint32_t low = (uint32_t{1} << q) - 1;
    x0 ^= low & (0u - ((x0 >> q) & 1));  // i = 0: invert, or exchange with itself
    for (int i = 1; i < n; i++) {
      const uint32_t xi = x[i];
      const uint32_t set = 0u - ((xi >> q) & 1);  // all ones when bit q of x[i] is set
      x0 ^= low & set;                            // set: invert
      const uint32_t t = (x0 ^ xi) & low & ~set;  // clear: exchange
      x0 ^= t;
      x[i] = xi ^ t;
    }
  }
  x[0] = x0;
  // Gray encode.
  for (int i = 1; i < n; i++) x[i] ^= x[i - 1];
  // t ^= (1 << q) - 1 for every set bit q >= 1 of x[n-1]: bit j of t is the
  // parity of x[n-1]'s bits above j, a prefix XOR from the top.
  uint32_t t = x[n - 1] >> 1;
  t ^= t >> 1;
  t ^= t >> 2;
  t ^= t >> 4;
  t ^= t >> 8;
  t ^= t >> 16;
  for (int i = 0; i < n; i++) x[i] ^= t;
}

// AxesToTranspose for two axes, as a state machine over 4 bits of each axis
// at a time. For two axes each step of the loop above inverts the low bits
// of x[0] or exchanges the low bits of x[0] and x[1]; composed, what the
// steps so far have done to the bits below the current one is always "swap
// the two axes or not, then invert each or not": 8 states. At bit q the
// current bits are the state applied to the input bits, they are the
// output's bits at q (later steps only touch bits below q), and they decide
// the next state. kTranspose2 holds, for each state and 4 input bits of each
// axis, the 4 output bits of each and the state after them. Same result as
// the loop (HilbertKey.MatchesThePublishedTransform checks it), in 8 table
// lookups for 32 bits instead of 31 dependent steps.
struct Transpose2Step {
  uint8_t out;    // output bits of x[0] (high nibble) and x[1] (low nibble)
  uint8_t state;  // bit 2: axes swapped; bit 1: x[0] inverted; bit 0: x[1] inverted
};

constexpr uint8_t NextState(uint8_t state, uint32_t c0, uint32_t c1) {
  uint8_t swap = state >> 2 & 1, inv0 = state >> 1 & 1, inv1 = state & 1;
  if (c0) inv0 ^= 1;  // i = 0: bit set, invert the low bits of x[0]
  if (c1) {
    inv0 ^= 1;  // i = 1: bit set, invert the low bits of x[0]
  } else {
    // i = 1: bit clear, exchange the low bits of x[0] and x[1]
    const uint8_t t = inv0;
    inv0 = inv1;
    inv1 = t;
    swap ^= 1;
  }
  return static_cast<uint8_t>(swap << 2 | inv0 << 1 | inv1);
}

// One bit of each axis through `state`: the current bits.
constexpr void Apply(uint8_t state, uint32_t a, uint32_t b, uint32_t* c0, uint32_t* c1) {
  const bool swap = state >> 2 & 1;
  *c0 = (swap ? b : a) ^ (state >> 1 & 1);
  *c1 = (swap ? a : b) ^ (state & 1);
}

constexpr std::array<Transpose2Step, 8 * 256> MakeTranspose2Table() {
  std::array<Transpose2Step, 8 * 256> table{};
  for (uint32_t state = 0; state < 8; state++) {
    for (uint32_t in = 0; in < 256; in++) {
      uint8_t s = static_cast<uint8_t>(state);
      uint32_t out0 = 0, out1 = 0;
      for (int k = 3; k >= 0; k--) {
        uint32_t c0 = 0, c1 = 0;
        Apply(s, in >> (4 + k) & 1, in >> k & 1, &c0, &c1);
        out0 |= c0 << k;
        out1 |= c1 << k;
        s = NextState(s, c0, c1);
      }
      table[state * 256 + in] = Transpose2Step{static_cast<uint8_t>(out0 << 4 | out1), s};
    }
  }
  return table;
}

constexpr std::array<Transpose2Step, 8 * 256> kTranspose2 = MakeTranspose2Table();

void AxesToTranspose2(uint32_t* x, int b) {
  const uint32_t a0 = x[0], a1 = x[1];
  uint32_t out0 = 0, out1 = 0;
  uint8_t state = 0;
  int q = b;
  // The top b % 4 bits one at a time, then 4 at a time.
  while (q % 4 != 0) {
    q--;
    uint32_t c0 = 0, c1 = 0;
    Apply(state, a0 >> q & 1, a1 >> q & 1, &c0, &c1);
    out0 |= c0 << q;
    out1 |= c1 << q;
    state = NextState(state, c0, c1);
  }
  while (q > 0) {
    q -= 4;
    const Transpose2Step step = kTranspose2[state * 256 + ((a0 >> q & 15) << 4 | (a1 >> q & 15))];
    out0 |= static_cast<uint32_t>(step.out >> 4) << q;
    out1 |= static_cast<uint32_t>(step.out & 15) << q;
    state = step.state;
  }
  // Gray encode and the final mask, as in AxesToTranspose.
  out1 ^= out0;
  uint32_t t = out1 >> 1;
  t ^= t >> 1;
  t ^= t >> 2;
  t ^= t >> 4;
  t ^= t >> 8;
  t ^= t >> 16;
  x[0] = out0 ^ t;
  x[1] = out1 ^ t;
}

// The whole key for three axes, by the same reasoning extended: the steps
// below the current bit compose to a permutation of the axes and an
// inversion of each (6 x 8 states), since an exchange swaps what x[0] and
// x[i] hold. The Gray code is bitwise across the axes (x[1] ^= x[0], then
// x[2] ^= x[1]), and the final mask's bit at q is the parity of x[2]'s Gray
// bits above q, which a running parity bit carries from the top. With that
// bit in the state (96 states), each step takes 2 bits of each axis and
// gives the key's next 6 bits, in key order.
struct Key3Step {
  uint8_t bits;   // 6 key bits: x[0], x[1], x[2] at the upper bit, then at the lower
  uint8_t state;  // ((permutation * 8) + inversions) * 2 + parity
};

constexpr std::array<std::array<uint8_t, 3>, 6> kPermutations = {{
    {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}};

constexpr int PermutationIndex(const std::array<uint8_t, 3>& p) {
  for (int i = 0; i < 6; i++) {
    if (kPermutations[i] == p) return i;
  }
  return -1;
}

// One bit of each axis (a[i]: bit of input axis i) through `state`: the
// three key bits (x[0] first, in the low 3 bits as 0b(k0 k1 k2)), and the
// state after them.
constexpr uint8_t Key3Level(uint8_t state, const uint32_t a[3], uint32_t* key_bits) {
  std::array<uint8_t, 3> perm = kPermutations[state / 16];
  uint32_t inv[3] = {state >> 3 & 1u, state >> 2 & 1u, state >> 1 & 1u};
  uint32_t parity = state & 1u;
  uint32_t c[3];
  for (int i = 0; i < 3; i++) c[i] = a[perm[i]] ^ inv[i];
  for (int i = 0; i < 3; i++) {
    if (c[i]) {
      inv[0] ^= 1;  // bit set: invert the low bits of x[0]
    } else if (i != 0) {
      // bit clear: exchange the low bits of x[0] and x[i]
      const uint8_t tp = perm[0];
      perm[0] = perm[i];
      perm[i] = tp;
      const uint32_t ti = inv[0];
      inv[0] = inv[i];
      inv[i] = ti;
    }
  }
  const uint32_t g0 = c[0], g1 = c[1] ^ g0, g2 = c[2] ^ g1;  // Gray code
  *key_bits = (g0 ^ parity) << 2 | (g1 ^ parity) << 1 | (g2 ^ parity);
  parity ^= g2;
  return static_cast<uint8_t>((PermutationIndex(perm) * 8 + (inv[0] << 2 | inv[1] << 1 | inv[2])) * 2 + parity);
}

constexpr std::array<Key3Step, 96 * 64> MakeKey3Table() {
  std::array<Key3Step, 96 * 64> table{};
  for (uint32_t state = 0; state < 96; state++) {
    for (uint32_t in = 0; in < 64; in++) {
      // in: 2 bits of each axis, x[0]'s highest: (a0 a0' a1 a1' a2 a2').
      const uint32_t hi[3] = {in >> 5 & 1, in >> 3 & 1, in >> 1 & 1};
      const uint32_t lo[3] = {in >> 4 & 1, in >> 2 & 1, in & 1};
      uint32_t k_hi = 0, k_lo = 0;
      const uint8_t mid = Key3Level(static_cast<uint8_t>(state), hi, &k_hi);
      const uint8_t next = Key3Level(mid, lo, &k_lo);
      table[state * 64 + in] = Key3Step{static_cast<uint8_t>(k_hi << 3 | k_lo), next};
    }
  }
  return table;
}

// Built on first use: too many steps for a compile-time constant in clang.
const std::array<Key3Step, 96 * 64>& Key3Table() {
  static const std::array<Key3Step, 96 * 64> table = MakeKey3Table();
  return table;
}

void AppendHilbertKey3(const uint32_t* p, int b, std::string* out) {
  char buf[12];
  size_t n = 0;
  uint64_t acc = 0;
  int filled = 0;
  auto emit = [&](uint32_t bits, int count) {
    acc = acc << count | bits;
    filled += count;
    while (filled >= 8) {
      filled -= 8;
      buf[n++] = static_cast<char>(acc >> filled);
    }
  };
  const std::array<Key3Step, 96 * 64>& table = Key3Table();
  uint8_t state = 0;
  int q = b;
  if (q % 2 != 0) {
    q--;
    const uint32_t a[3] = {p[0] >> q & 1, p[1] >> q & 1, p[2] >> q & 1};
    uint32_t bits = 0;
    state = Key3Level(state, a, &bits);
    emit(bits, 3);
  }
  while (q > 0) {
    q -= 2;
    const uint32_t in = (p[0] >> q & 3) << 4 | (p[1] >> q & 3) << 2 | (p[2] >> q & 3);
    const Key3Step step = table[state * 64 + in];
    emit(step.bits, 6);
    state = step.state;
  }
  if (filled > 0) buf[n++] = static_cast<char>(acc << (8 - filled));
  out->append(buf, n);
}

// Transposed index -> coordinates (Skilling's TransposetoAxes).
void TransposeToAxes(uint32_t* x, int b, int n) {
  // Gray decode by H ^ (H/2).
  uint32_t t = x[n - 1] >> 1;
  for (int i = n - 1; i > 0; i--) x[i] ^= x[i - 1];
  x[0] ^= t;
  // Undo excess work, from bit 1 up.
  for (int q = 1; q < b; q++) {
    const uint32_t bit = uint32_t{1} << q, low = bit - 1;
    for (int i = n - 1; i >= 0; i--) {
      if (x[i] & bit) {
        x[0] ^= low;
      } else {
        t = (x[0] ^ x[i]) & low;
        x[0] ^= t;
        x[i] ^= t;
      }
    }
  }
}

// ---- Range decomposition.
//
// A key prefix of `len` bits covers an axis-aligned box. Write
// len = (bits-1-r)*dims + m: every coordinate's bits above r are fixed, and
// of index row r (the dims bits h_0..h_{dims-1} taken from bit r of x[0..n)
// of the transpose) the first m are. TransposeToAxes maps row r of the index
// to row r of the coordinates as
//   g_0 = h_0 ^ c (c: h_{dims-1} of row r+1, 0 for the top row),
//   g_i = h_i ^ h_{i-1},
//   coordinate bit r of axis k = g[perm[k]] ^ flip[k],
// where (perm, flip) composes the "undo excess work" steps of the rows above
// r, each a fixed sequence of inversions of x[0] and exchanges of x[0] and
// x[i] chosen by that row's g. Fixing h_0..h_{m-1} fixes g_0..g_{m-1} and
// so bit r of the m axes k with perm[k] < m; the other axes keep bit r and
// every lower bit free. Each index bit appended to a prefix thus halves its
// box along one axis.
using Key = std::array<uint8_t, kMaxKeyBytes>;

struct Node {
  Key key{};  // the prefix bits, zero after len
  int len = 0;
  uint32_t lo[kMaxDims], hi[kMaxDims];  // the prefix's box
  uint8_t perm[kMaxDims], inv[kMaxDims];
  uint32_t flip = 0;    // bit k: flip[k]
  uint32_t carry = 0;   // c above
  uint32_t prev_h = 0;  // h_{m-1} of the current row
  uint32_t g = 0;       // bit i: g_i, for i < m
};

enum class Overlap { kNone, kPartial, kFull };

class Decomposer {
 public:
  Decomposer(const uint32_t* lo, const uint32_t* hi, int dims, int bits)
      : qlo_(lo), qhi_(hi), dims_(dims), bits_(bits), total_bits_(dims * bits) {}

  Overlap Classify(const Node& n) const {
    bool full = true;
    for (int k = 0; k < dims_; k++) {
      if (n.hi[k] < qlo_[k] || n.lo[k] > qhi_[k]) return Overlap::kNone;
      if (n.lo[k] < qlo_[k] || n.hi[k] > qhi_[k]) full = false;
    }
    return full ? Overlap::kFull : Overlap::kPartial;
  }

  Node Root() const {
    Node n;
    const uint32_t all = bits_ == 32 ? ~uint32_t{0} : (uint32_t{1} << bits_) - 1;
    for (int k = 0; k < dims_; k++) {
      n.lo[k] = 0;
      n.hi[k] = all;
      n.perm[k] = n.inv[k] = static_cast<uint8_t>(k);
    }
    return n;
  }

  // Makes *n its child whose next index bit is `h`.
  void Descend(Node* n, uint32_t h) const {
    const int r = bits_ - 1 - n->len / dims_, m = n->len % dims_;
    if (h) n->key[n->len / 8] |= static_cast<uint8_t>(0x80 >> (n->len % 8));
    n->len++;
    const uint32_t g = h ^ (m == 0 ? n->carry : n->prev_h);
    n->g |= g << m;
    n->prev_h = h;
    const int axis = n->inv[m];
    if (g ^ ((n->flip >> axis) & 1)) {
      n->lo[axis] |= uint32_t{1} << r;
    } else {
      n->hi[axis] &= ~(uint32_t{1} << r);
    }
    if (m + 1 == dims_) FinishRow(n);
  }

  // The one child of n (its next index bit) that the query box can overlap
  // when the box lies on one side of n's next split, or -1 when it reaches
  // both sides. The box's leading bits are shared by every corner, so on
  // the way down to the box most nodes have one such child.
  int SoleChild(const Node& n) const {
    const int r = bits_ - 1 - n.len / dims_, m = n.len % dims_;
    const int axis = n.inv[m];
    const uint32_t mid = n.lo[axis] | (uint32_t{1} << r);  // the upper half's first coordinate
    // Descend takes the upper half for the bit h with h ^ base == 1.
    const uint32_t base = (m == 0 ? n.carry : n.prev_h) ^ ((n.flip >> axis) & 1);
    if (qlo_[axis] >= mid) return static_cast<int>(base ^ 1);
    if (qhi_[axis] < mid) return static_cast<int>(base);
    return -1;
  }

  // The first and last keys with n's prefix.
  void Settle(const Node& n, Key* lo, Key* hi) const {
    *lo = n.key;
    *hi = n.key;
    for (int i = n.len; i < total_bits_; i++) (*hi)[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }

  // Whether `b` is the key right after `a`.
  bool Follows(const Key& a, const Key& b) const {
    Key next = a;
    int byte = (total_bits_ - 1) / 8;
    unsigned add = 0x80u >> ((total_bits_ - 1) % 8);
    while (byte >= 0) {
      const unsigned v = next[byte] + add;
      next[byte] = static_cast<uint8_t>(v);
      if (v < 0x100) break;
      add = 1;
      byte--;
    }
    if (byte < 0) return false;  // a was the last key
    return std::equal(next.begin(), next.begin() + (total_bits_ + 7) / 8, b.begin());
  }

  int dims() const { return dims_; }
  int total_bits() const { return total_bits_; }

  std::string KeyString(const Key& key) const {
    return std::string(reinterpret_cast<const char*>(key.data()), (total_bits_ + 7) / 8);
  }

 private:
  // Row r is complete: compose its undo step into (perm, flip) for row r-1.
  void FinishRow(Node* n) const {
    // The step applied to a lower row's bits v: for i = dims-1 .. 0, if g_i
    // then v_0 ^= 1 else swap(v_0, v_i). As a map, step(v)[j] = v[src[j]] ^
    // sflip[j].
    uint8_t src[kMaxDims];
    uint32_t sflip = 0;
    for (int j = 0; j < dims_; j++) src[j] = static_cast<uint8_t>(j);
    for (int i = dims_ - 1; i >= 0; i--) {
      if ((n->g >> i) & 1) {
        sflip ^= 1;
      } else if (i != 0) {
        std::swap(src[0], src[i]);
        const uint32_t a = sflip & 1, b = (sflip >> i) & 1;
        sflip ^= (a ^ b) | ((a ^ b) << i);
      }
    }
    // Rows below see this step first, then the steps of the rows above:
    // new(v)[k] = step(v)[perm[k]] ^ flip[k].
    uint32_t flip = 0;
    for (int k = 0; k < dims_; k++) {
      const int j = n->perm[k];
      n->perm[k] = src[j];
      flip |= (((sflip >> j) & 1) ^ ((n->flip >> k) & 1)) << k;
    }
    n->flip = flip;
    for (int k = 0; k < dims_; k++) n->inv[n->perm[k]] = static_cast<uint8_t>(k);
    n->carry = n->prev_h;
    n->g = 0;
  }

  const uint32_t* qlo_;
  const uint32_t* qhi_;
  const int dims_, bits_, total_bits_;
};

}  // namespace

namespace {

// Bit i of v moved to bit 2i.
uint64_t SpreadBits(uint32_t v) {
  uint64_t x = v;
  x = (x | x << 16) & 0x0000FFFF0000FFFFull;
  x = (x | x << 8) & 0x00FF00FF00FF00FFull;
  x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | x << 2) & 0x3333333333333333ull;
  x = (x | x << 1) & 0x5555555555555555ull;
  return x;
}

}  // namespace

size_t HilbertKeyBytes(int dims, int bits) {
  CheckShape(dims, bits);
  return (static_cast<size_t>(dims) * bits + 7) / 8;
}

void AppendHilbertKey(const uint32_t* point, int dims, int bits, std::string* out) {
  CheckShape(dims, bits);
  if (dims == 3) {
    AppendHilbertKey3(point, bits, out);  // the key's bits straight from a table
    return;
  }
  uint32_t x[kMaxDims];
  std::copy(point, point + dims, x);
  if (dims == 2) {
    AxesToTranspose2(x, bits);
    // Two axes fit one 64-bit word: spread each axis to every other bit.
    const uint64_t key = (SpreadBits(x[0]) << 1 | SpreadBits(x[1])) << (64 - 2 * bits);
    char word[8];
    for (int i = 0; i < 8; i++) word[i] = static_cast<char>(key >> (56 - 8 * i));
    out->append(word, static_cast<size_t>((2 * bits + 7) / 8));
    return;
  }
  AxesToTranspose(x, bits, dims);
  // Interleave: bit q of x[0], x[1], .., x[dims-1], for q from bits-1 down,
  // into a local buffer appended at once.
  char buf[kMaxDims * 4];
  size_t n = 0;
  uint32_t acc = 0;
  int filled = 0;
  for (int q = bits - 1; q >= 0; q--) {
    for (int i = 0; i < dims; i++) {
      acc = (acc << 1) | ((x[i] >> q) & 1);
      if (++filled == 8) {
        buf[n++] = static_cast<char>(acc);
        acc = 0;
        filled = 0;
      }
    }
  }
  if (filled > 0) buf[n++] = static_cast<char>(acc << (8 - filled));
  out->append(buf, n);
}

void DecodeHilbertKey(std::string_view key, int dims, int bits, uint32_t* point) {
  CheckShape(dims, bits);
  assert(key.size() >= HilbertKeyBytes(dims, bits));
  uint32_t x[kMaxDims] = {};
  int pos = 0;
  for (int q = bits - 1; q >= 0; q--) {
    for (int i = 0; i < dims; i++, pos++) {
      const uint32_t bit = (static_cast<uint8_t>(key[pos / 8]) >> (7 - pos % 8)) & 1;
      x[i] |= bit << q;
    }
  }
  TransposeToAxes(x, bits, dims);
  std::copy(x, x + dims, point);
}

namespace {

// The ranges of every node reached depth-first, in key order, down to
// prefixes of `limit` bits: a node outside the box is skipped; one inside it,
// or at the limit, is one range (merged with the previous one when
// adjacent). False, with *out incomplete, once more than max_ranges ranges
// would be needed.
bool Collect(const Decomposer& d, int limit, size_t max_ranges, std::vector<std::pair<Key, Key>>* out) {
  out->clear();
  std::vector<Node> stack;
  stack.reserve(static_cast<size_t>(d.total_bits()) + 2);
  stack.push_back(d.Root());
  Key lo, hi;
  while (!stack.empty()) {
    const Overlap o = d.Classify(stack.back());
    if (o == Overlap::kNone) {
      stack.pop_back();
      continue;
    }
    if (o == Overlap::kPartial && stack.back().len < limit) {
      // A child the box cannot reach would be classified and dropped:
      // go straight to the other.
      if (const int sole = d.SoleChild(stack.back()); sole >= 0) {
        d.Descend(&stack.back(), static_cast<uint32_t>(sole));
        continue;
      }
      // The node becomes its child 1, under a copy that becomes child 0
      // and is visited first: key order. The stack never outgrows its
      // reserve (depth + 1), so the references stay valid.
      stack.push_back(stack.back());
      d.Descend(&stack[stack.size() - 2], 1);
      d.Descend(&stack.back(), 0);
      continue;
    }
    d.Settle(stack.back(), &lo, &hi);
    stack.pop_back();
    if (!out->empty() && d.Follows(out->back().second, lo)) {
      out->back().second = hi;
      continue;
    }
    if (out->size() == max_ranges) return false;
    out->emplace_back(lo, hi);
  }
  return true;
}

}  // namespace

std::vector<HilbertRange> HilbertRanges(const uint32_t* lo, const uint32_t* hi, int dims, int bits,
                                        size_t max_ranges) {
  CheckShape(dims, bits);
  assert(max_ranges >= 1);
  max_ranges = std::max<size_t>(max_ranges, 1);
  const uint32_t all = bits == 32 ? ~uint32_t{0} : (uint32_t{1} << bits) - 1;
  uint32_t qlo[kMaxDims], qhi[kMaxDims];
  for (int k = 0; k < dims; k++) {
    qlo[k] = lo[k];
    qhi[k] = std::min(hi[k], all);
    if (qlo[k] > qhi[k]) return {};
  }
  const Decomposer d(qlo, qhi, dims, bits);
  const int total = dims * bits;
  std::vector<std::pair<Key, Key>> best;
  if (max_ranges == std::numeric_limits<size_t>::max()) {
    Collect(d, total, max_ranges, &best);
  } else {
    // One pass, at the finest level r whose cells of side 2^r on the box's
    // border number at most the budget (so a box whose full-precision
    // border fits is decomposed exactly); then, if the ranges still exceed
    // the budget, the closest neighbours merge.
    int r = 0;
    for (; r < bits; r++) {
      double touched = 1, inner = 1;
      for (int k = 0; k < dims; k++) {
        const double c = static_cast<double>((qhi[k] >> r) - (qlo[k] >> r)) + 1;
        touched *= c;
        inner *= std::max(0.0, c - 2);
      }
      if (touched - inner <= static_cast<double>(max_ranges)) break;
    }
    Collect(d, dims * (bits - r), std::numeric_limits<size_t>::max(), &best);
    if (best.size() > max_ranges) {
      // Gaps by the leading 64 bits of the keys around them.
      auto top = [](const Key& k) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | k[i];
        return v;
      };
      std::vector<std::pair<uint64_t, size_t>> gaps(best.size() - 1);
      for (size_t i = 0; i + 1 < best.size(); i++) gaps[i] = {top(best[i + 1].first) - top(best[i].second), i};
      const size_t merges = best.size() - max_ranges;
      std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(merges - 1), gaps.end());
      std::vector<bool> join(best.size(), false);  // join[i]: range i merges with i + 1
      for (size_t i = 0; i < merges; i++) join[gaps[i].second] = true;
      std::vector<std::pair<Key, Key>> merged;
      merged.reserve(max_ranges);
      for (size_t i = 0; i < best.size(); i++) {
        if (i > 0 && join[i - 1]) {
          merged.back().second = best[i].second;
        } else {
          merged.push_back(best[i]);
        }
      }
      best.swap(merged);
    }
  }
  std::vector<HilbertRange> out;
  out.reserve(best.size());
  for (const auto& [a, b] : best) out.push_back({d.KeyString(a), d.KeyString(b)});
  return out;
}

}  // namespace cairn
