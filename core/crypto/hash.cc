#include "cairn/hash.h"

#include <blake2.h>

namespace cairn {

std::string Hash::ToHex() const {
  std::string out;
  AppendHex(&out);
  return out;
}

void Hash::AppendHex(std::string* out) const {
  static const char kDigits[] = "0123456789abcdef";
  const size_t at = out->size();
  out->resize(at + 2 * kSize);
  char* d = out->data() + at;
  for (size_t i = 0; i < kSize; i++) {
    d[2 * i] = kDigits[bytes[i] >> 4];
    d[2 * i + 1] = kDigits[bytes[i] & 15];
  }
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Hash> Hash::FromHex(std::string_view hex) {
  if (hex.size() != kSize * 2) {
    return Status::InvalidArgument("hash must be 64 hex digits, got " +
                                   std::to_string(hex.size()) + " characters");
  }
  Hash h;
  for (size_t i = 0; i < kSize; i++) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      size_t at = hi < 0 ? 2 * i : 2 * i + 1;
      return Status::InvalidArgument("hash has a non-hex character at position " +
                                     std::to_string(at));
    }
    h.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

Hash Hash::Of(std::string_view data) {
  Hash h;
  // libb2 0.98.1: blake2b(out, in, key, outlen, inlen, keylen).
  blake2b(h.bytes.data(), data.data(), nullptr, kSize, data.size(), 0);
  return h;
}

bool Hash::IsZero() const {
  for (uint8_t b : bytes)
    if (b) return false;
  return true;
}

}  // namespace cairn
