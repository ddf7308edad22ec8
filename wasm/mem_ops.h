// Byte copies and comparisons for the WebAssembly build, which the engine
// makes by the million (string appends, arena copies, key comparisons).
//
// Emscripten's libc (3.1.6) copies with 32-bit moves only when source and
// destination share their alignment, and byte by byte otherwise, and it
// compares byte by byte. WebAssembly's 64-bit loads and stores take any
// address, and the hosts it runs on do them at full speed, so these routines
// move 8 bytes at a time whatever the alignment, and finish short copies
// with two overlapping moves instead of a loop.
//
// mem_ops.cc defines memcpy, memmove and memcmp with them in the wasm build
// (libc's are weak); they are plain C++ so that the native tests can check
// them against the C library at every length and alignment.
#ifndef CAIRN_WASM_MEM_OPS_H_
#define CAIRN_WASM_MEM_OPS_H_

#include <cstddef>
#include <cstdint>

namespace cairn {
namespace wasm_mem {

// Unaligned 8-, 4- and 2-byte accesses, written as byte-wise copies that
// the compiler turns into single loads and stores (never into calls).
inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}
inline void Store64(unsigned char* p, uint64_t v) { __builtin_memcpy(p, &v, 8); }
inline uint32_t Load32(const unsigned char* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
inline void Store32(unsigned char* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
inline uint16_t Load16(const unsigned char* p) {
  uint16_t v;
  __builtin_memcpy(&v, p, 2);
  return v;
}
inline void Store16(unsigned char* p, uint16_t v) { __builtin_memcpy(p, &v, 2); }

// Copies n <= 16 bytes. Every load happens before any store, so it is also
// correct when the ranges overlap.
inline void CopySmall(unsigned char* d, const unsigned char* s, size_t n) {
  if (n >= 8) {
    const uint64_t head = Load64(s), tail = Load64(s + n - 8);
    Store64(d, head);
    Store64(d + n - 8, tail);
  } else if (n >= 4) {
    const uint32_t head = Load32(s), tail = Load32(s + n - 4);
    Store32(d, head);
    Store32(d + n - 4, tail);
  } else if (n >= 2) {
    const uint16_t head = Load16(s), tail = Load16(s + n - 2);
    Store16(d, head);
    Store16(d + n - 2, tail);
  } else if (n == 1) {
    *d = *s;
  }
}

// memcpy: the ranges must not overlap.
inline void* Copy(void* dest, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n <= 16) {
    CopySmall(d, s, n);
    return dest;
  }
  // 16 bytes a step; the last (up to 16) bytes by two moves that may
  // overlap what the loop wrote, which is the same bytes again.
  const uint64_t last0 = Load64(s + n - 16), last1 = Load64(s + n - 8);
  unsigned char* const end = d + n - 16;
  while (d < end) {
    const uint64_t a = Load64(s), b = Load64(s + 8);
    Store64(d, a);
    Store64(d + 8, b);
    d += 16;
    s += 16;
  }
  Store64(end, last0);
  Store64(end + 8, last1);
  return dest;
}

// memmove: any overlap.
inline void* Move(void* dest, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n <= 16) {
    CopySmall(d, s, n);
    return dest;
  }
  if (d == s) return dest;
  if (d < s || d >= s + n) {
    // Forward: each 8-byte block is loaded before the stores reach it. The
    // last 8 bytes are loaded first, before the loop can overwrite them.
    const uint64_t last = Load64(s + n - 8);
    size_t i = 0;
    for (; i + 8 <= n - 8; i += 8) Store64(d + i, Load64(s + i));
    // Bytes [i, n - 8) are fewer than 8; the final move covers them.
    const uint64_t rest = Load64(s + i);
    if (i < n - 8) Store64(d + i, rest);
    Store64(d + n - 8, last);
    return dest;
  }
  // Backward (dest above src, overlapping): the first 8 bytes are loaded
  // before the loop can overwrite them.
  const uint64_t first = Load64(s);
  size_t i = n;
  for (; i >= 16; i -= 8) Store64(d + i - 8, Load64(s + i - 8));
  // Bytes [8, i) are fewer than 8; the first move's partner covers them.
  const uint64_t rest = Load64(s + i - 8);
  if (i > 8) Store64(d + i - 8, rest);
  Store64(d, first);
  return dest;
}

// memcmp: equal 8-byte words are skipped; the first differing one is
// decided byte by byte.
inline int Compare(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (Load64(x + i) != Load64(y + i)) break;
  }
  for (; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

}  // namespace wasm_mem
}  // namespace cairn

#endif  // CAIRN_WASM_MEM_OPS_H_
