#include "util/base64.h"

#include <algorithm>
#include <cstdint>

namespace cairn {
namespace {

// The value of a base64 digit, or -1.
int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (n > 1) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (n > 2) v |= static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kDigits[v >> 18 & 63]);
    out.push_back(kDigits[v >> 12 & 63]);
    out.push_back(n > 1 ? kDigits[v >> 6 & 63] : '=');
    out.push_back(n > 2 ? kDigits[v & 63] : '=');
  }
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    int d[4];
    for (int j = 0; j < 4; j++) {
      const char c = text[i + j];
      const bool pad_ok = i + 4 == text.size() && j >= 2 && c == '=' && (j == 3 || text[i + 3] == '=');
      d[j] = pad_ok ? 0 : Base64Digit(c);
      if (d[j] < 0) return false;
    }
    const uint32_t v = static_cast<uint32_t>(d[0] << 18 | d[1] << 12 | d[2] << 6 | d[3]);
    out->push_back(static_cast<char>(v >> 16));
    if (text[i + 2] != '=') out->push_back(static_cast<char>(v >> 8 & 0xff));
    if (text[i + 3] != '=') out->push_back(static_cast<char>(v & 0xff));
  }
  return true;
}

}  // namespace cairn
