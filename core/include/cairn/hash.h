// Hash: a 32-byte BLAKE2b digest naming a version (and the Merkle head).
#ifndef CAIRN_HASH_H_
#define CAIRN_HASH_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cairn/status.h"

namespace cairn {

struct Hash {
  static constexpr size_t kSize = 32;
  std::array<uint8_t, kSize> bytes{};

  // 64 lowercase hex digits.
  std::string ToHex() const;
  // Appends the same 64 digits to *out.
  void AppendHex(std::string* out) const;

  // Parses 64 hex digits (either case). INVALID_ARGUMENT names what is wrong.
  static Result<Hash> FromHex(std::string_view hex);

  // BLAKE2b with a 32-byte digest, no key, over `data`.
  static Hash Of(std::string_view data);

  bool IsZero() const;

  friend auto operator<=>(const Hash&, const Hash&) = default;
  friend bool operator==(const Hash&, const Hash&) = default;
};

struct HashHasher {
  size_t operator()(const Hash& h) const noexcept {
    size_t v;
    static_assert(sizeof(v) <= Hash::kSize);
    __builtin_memcpy(&v, h.bytes.data(), sizeof(v));
    return v;
  }
};

}  // namespace cairn

#endif  // CAIRN_HASH_H_
