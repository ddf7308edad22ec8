// Little-endian fixed-width and varint encodings used by every on-disk record
// (FORMAT.md), plus big-endian u64 for keys that must sort by memcmp.
#ifndef CAIRN_UTIL_CODING_H_
#define CAIRN_UTIL_CODING_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cairn {

inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 8);
}
inline void EncodeFixed32(uint8_t* dst, uint32_t v) {
  for (int i = 0; i < 4; i++) dst[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void EncodeFixed64(uint8_t* dst, uint64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const void* p) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(b[i]) << (8 * i);
  return v;
}
inline uint64_t DecodeFixed64(const void* p) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(b[i]) << (8 * i);
  return v;
}

// Big-endian, so that memcmp order equals numeric order.
inline void EncodeBigEndian64(char* b, uint64_t v) {
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (8 * (7 - i)));
}
inline void PutBigEndian64(std::string* dst, uint64_t v) {
  char b[8];
  EncodeBigEndian64(b, v);
  dst->append(b, 8);
}
inline uint64_t DecodeBigEndian64(const void* p) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | b[i];
  return v;
}

// memcmp(a, b, n)'s sign, eight bytes at a time, inline: for the short
// fixed-length keys of a scan's inner loop (Hilbert keys, positions, key
// prefixes), where a call to memcmp costs more than the comparison.
[[gnu::always_inline]] inline int CompareKeyBytes(const char* a, const char* b, size_t n) {
  const auto load = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = load(a + i), y = load(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  if (i < n) {
    // The last 1 to 7 bytes, as the tail of the 8 that end at n when there
    // are 8; byte by byte otherwise.
    if (n >= 8) {
      const uint64_t x = load(a + n - 8), y = load(b + n - 8);
      if (x != y) return x < y ? -1 : 1;
      return 0;
    }
    for (; i < n; i++) {
      const uint8_t x = static_cast<uint8_t>(a[i]), y = static_cast<uint8_t>(b[i]);
      if (x != y) return x < y ? -1 : 1;
    }
  }
  return 0;
}

// key.starts_with(prefix), through CompareKeyBytes.
[[gnu::always_inline]] inline bool HasKeyPrefix(std::string_view key, std::string_view prefix) {
  return key.size() >= prefix.size() && CompareKeyBytes(key.data(), prefix.data(), prefix.size()) == 0;
}

inline void PutBigEndian32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (8 * (3 - i)));
  dst->append(b, 4);
}
inline uint32_t DecodeBigEndian32(const void* p) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

inline void PutVarint64(std::string* dst, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  dst->append(b, n);
}

// Reads a varint from the front of *in and advances it. False when *in ends
// early or the varint is longer than 10 bytes.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift <= 63 && i < static_cast<int>(in->size()); shift += 7, i++) {
    uint8_t byte = static_cast<uint8_t>((*in)[i]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s.data(), s.size());
}

inline bool GetLengthPrefixed(std::string_view* in, std::string_view* out) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace cairn

#endif  // CAIRN_UTIL_CODING_H_
