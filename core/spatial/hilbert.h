// Hilbert keys: the order in which a space's points are stored.
//
// A space of `dims` axes (1..kMaxDims) at `bits` bits per axis (1..32) is a
// grid of 2^(dims*bits) cells. Each cell has a Hilbert index of dims*bits
// bits, computed with John Skilling's transform ("Programming the Hilbert
// curve", AIP Conf. Proc. 707, 2004) as specified under "Hilbert keys" in
// FORMAT.md. The key of a cell is that index, most significant bit first,
// padded with zero bits at the end to a whole byte, so memcmp order of two
// keys of one (dims, bits) is Hilbert order.
//
// Two properties the spatial store relies on:
//  - consecutive indices are cells at Manhattan distance exactly 1;
//  - every aligned sub-cube of side 2^k (each coordinate's low k bits free,
//    the rest fixed) is one contiguous key range of 2^(dims*k) indices whose
//    low dims*k bits run over every value.
//
// All functions are pure and thread-safe.
#ifndef CAIRN_SPATIAL_HILBERT_H_
#define CAIRN_SPATIAL_HILBERT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

// Dimensions 1..kMaxDims, bits per dimension 1..32.
inline constexpr int kMaxDims = 16;

// The length of a key: ceil(dims * bits / 8).
size_t HilbertKeyBytes(int dims, int bits);

// Appends the key of `point` (dims coordinates) to *out.
// REQUIRES: every point[i] < 2^bits (the caller checks).
void AppendHilbertKey(const uint32_t* point, int dims, int bits, std::string* out);

// Decodes a key made by AppendHilbertKey into point[0..dims).
// REQUIRES: key.size() >= HilbertKeyBytes(dims, bits); bytes beyond the
// index bits are ignored.
void DecodeHilbertKey(std::string_view key, int dims, int bits, uint32_t* point);

// An inclusive range of keys [lo, hi], each HilbertKeyBytes long.
struct HilbertRange {
  std::string lo, hi;
};

// Key ranges, sorted and disjoint (adjacent ranges merged), that together
// contain the key of every cell p with lo[i] <= p[i] <= hi[i] on every axis
// (coordinates beyond the grid are clamped to it; an empty box gives no
// ranges).
//
// With max_ranges = SIZE_MAX the result is exact (no cell outside the
// box). Otherwise it has at most max_ranges ranges: the box is covered by
// the aligned cells of side 2^r, for the smallest r at which the cells on
// the box's border number at most max_ranges (r = 0, an exact answer, when
// the border at full precision fits; a sub-cube aligned to 2^r is one
// range), and if the ranges of that cover still exceed the budget, the
// ranges separated by the smallest gaps merge. A range may then also hold
// cells outside the box (callers filter exactly), but no cell inside is ever
// missed. One depth-first pass: work is about O(max_ranges * dims * bits)
// node visits, independent of the box's volume.
// REQUIRES: max_ranges >= 1.
std::vector<HilbertRange> HilbertRanges(const uint32_t* lo, const uint32_t* hi, int dims, int bits,
                                        size_t max_ranges);

}  // namespace cairn

#endif  // CAIRN_SPATIAL_HILBERT_H_
