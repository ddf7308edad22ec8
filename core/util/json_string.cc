// Canonical JSON strings and UTF-8 validation (FORMAT.md, "Canonical JSON").
#include <array>
#include <cstdint>
#include <cstring>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {

namespace {

// 1 for the bytes a canonical string must escape: '"', '\\' and U+0000-U+001F.
constexpr std::array<uint8_t, 256> MakeEscapeTable() {
  std::array<uint8_t, 256> table{};
  for (size_t c = 0; c < 0x20; c++) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  return table;
}
constexpr std::array<uint8_t, 256> kNeedsEscape = MakeEscapeTable();

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"':
      out->append("\\\"", 2);
      return;
    case '\\':
      out->append("\\\\", 2);
      return;
    case '\b':
      out->append("\\b", 2);
      return;
    case '\f':
      out->append("\\f", 2);
      return;
    case '\n':
      out->append("\\n", 2);
      return;
    case '\r':
      out->append("\\r", 2);
      return;
    case '\t':
      out->append("\\t", 2);
      return;
    default: {
      const char u[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 15]};
      out->append(u, 6);
      return;
    }
  }
}

// Index of the first byte of s that needs an escape, or s.size().
size_t FindEscape(std::string_view s) {
  const char* data = s.data();
  size_t i = 0;
  // Eight clean bytes at a time; most strings need no escapes at all.
  for (; s.size() - i >= 8; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    if (json_internal::AnyByteNeedsEscape(word)) break;
  }
  while (i < s.size() && !kNeedsEscape[static_cast<unsigned char>(data[i])]) i++;
  return i;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  size_t i = FindEscape(s);
  if (i == s.size()) {
    // The common case: quotes around the bytes as they are, in one append.
    const size_t at = out->size();
    out->append(s.size() + 2, '"');
    std::memcpy(out->data() + at + 1, s.data(), s.size());
    return;
  }
  out->push_back('"');
  size_t run_start = 0;
  while (i < s.size()) {
    out->append(s.data() + run_start, i - run_start);
    AppendEscape(out, static_cast<unsigned char>(s[i]));
    run_start = i + 1;
    i = run_start + FindEscape(s.substr(run_start));
  }
  out->append(s.data() + run_start, s.size() - run_start);
  out->push_back('"');
}

namespace json_internal {

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned c = p[i];
  if (c < 0x80) return 1;
  // RFC 3629, section 4: the second byte's range depends on the first byte;
  // this excludes overlong forms, surrogates and code points past U+10FFFF.
  size_t len;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c == 0xE0) {
    len = 3, lo = 0xA0;
  } else if (c == 0xED) {
    len = 3, hi = 0x9F;
  } else if (c >= 0xE1 && c <= 0xEF) {
    len = 3;
  } else if (c == 0xF0) {
    len = 4, lo = 0x90;
  } else if (c == 0xF4) {
    len = 4, hi = 0x8F;
  } else if (c >= 0xF1 && c <= 0xF3) {
    len = 4;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  if (p[i + 1] < lo || p[i + 1] > hi) return 0;
  for (size_t k = 2; k < len; k++) {
    if ((p[i + k] & 0xC0) != 0x80) return 0;
  }
  return len;
}

void AppendQuotedForMessage(std::string* out, std::string_view s, size_t max_bytes) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size() && i < max_bytes) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      const char x[4] = {'\\', 'x', kHexDigits[c >> 4], kHexDigits[c & 15]};
      out->append(x, 4);
      i++;
    } else if (kNeedsEscape[c]) {
      AppendEscape(out, c);
      i++;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
  if (i < s.size()) out->append("...");
  out->push_back('"');
}

}  // namespace json_internal

bool IsValidUtf8(std::string_view s) {
  const char* data = s.data();
  size_t i = 0;
  while (i < s.size()) {
    // Eight ASCII bytes at a time: most documents are mostly ASCII.
    if (s.size() - i >= 8) {
      uint64_t word;
      std::memcpy(&word, data + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(data[i]) < 0x80) {
      i++;
      continue;
    }
    const size_t len = json_internal::Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace cairn
