// Canonical JSON strings and UTF-8 validation.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "util/json.h"

namespace cairn {
namespace {

TEST(AppendJsonStringTest, EscapesOnlyQuoteBackslashAndControls) {
  for (int c = 0; c < 256; c++) {
    if (c >= 0x80) continue;  // a lone byte >= 0x80 is not UTF-8
    std::string out;
    AppendJsonString(&out, std::string(1, static_cast<char>(c)));
    std::string want;
    switch (c) {
      case '"':
        want = "\"\\\"\"";
        break;
      case '\\':
        want = "\"\\\\\"";
        break;
      case '\b':
        want = "\"\\b\"";
        break;
      case '\f':
        want = "\"\\f\"";
        break;
      case '\n':
        want = "\"\\n\"";
        break;
      case '\r':
        want = "\"\\r\"";
        break;
      case '\t':
        want = "\"\\t\"";
        break;
      default: {
        char buf[12];
        if (c < 0x20) {
          std::snprintf(buf, sizeof(buf), "\"\\u%04x\"", c);
        } else {
          std::snprintf(buf, sizeof(buf), "\"%c\"", c);
        }
        want = buf;
      }
    }
    EXPECT_EQ(out, want) << "byte " << c;
  }
  // Escapes found at every offset of a long clean run (the fast path skips
  // eight bytes at a time), and appending keeps what was there.
  for (size_t at = 0; at < 20; at++) {
    std::string s(20, 'x');
    s[at] = '\n';
    std::string out = "prefix";
    AppendJsonString(&out, s);
    EXPECT_EQ(out, "prefix\"" + std::string(at, 'x') + "\\n" + std::string(19 - at, 'x') + "\"");
  }
  std::string out;
  AppendJsonString(&out, std::string("a\0b\x7F\xC3\xA9", 6));
  EXPECT_EQ(out, "\"a\\u0000b\x7F\xC3\xA9\"");
}

// Reference: a sequence is UTF-8 when it is the shortest encoding of a
// Unicode scalar value (RFC 3629), decoded here from the bit patterns alone.
bool ReferenceValid(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t b = static_cast<uint8_t>(s[i]);
    int len;
    uint32_t cp;
    if (b < 0x80) {
      len = 1, cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < static_cast<size_t>(len)) return false;
    for (int k = 1; k < len; k++) {
      const uint8_t c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

TEST(IsValidUtf8Test, AllShortSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  std::string s;
  for (int a = 0; a < 256; a++) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(IsValidUtf8(s), ReferenceValid(s)) << a;
    for (int b = 0; b < 256; b++) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(IsValidUtf8(s), ReferenceValid(s)) << a << " " << b;
      for (int c = 0; c < 256; c++) {
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        ASSERT_EQ(IsValidUtf8(s), ReferenceValid(s)) << a << " " << b << " " << c;
      }
    }
  }
  // Four-byte sequences: every first two bytes, the edge values after them.
  const int kEdges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
  for (int a = 0xC0; a < 256; a++) {
    for (int b = 0; b < 256; b++) {
      for (int c : kEdges) {
        for (int d : kEdges) {
          s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                    static_cast<char>(d)});
          ASSERT_EQ(IsValidUtf8(s), ReferenceValid(s)) << a << " " << b << " " << c << " " << d;
        }
      }
    }
  }
}

TEST(IsValidUtf8Test, LongStrings) {
  EXPECT_TRUE(IsValidUtf8("plain ASCII text that is longer than one word"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
  // A bad byte, or a multi-byte character, at every offset around the
  // eight-byte ASCII fast path.
  for (size_t at = 0; at < 24; at++) {
    std::string bad(24, 'a');
    bad[at] = '\xFF';
    EXPECT_FALSE(IsValidUtf8(bad)) << at;
    std::string cut(24, 'a');
    cut.replace(at, 1, "\xE2\x82");  // a 3-byte character missing its last byte
    EXPECT_FALSE(IsValidUtf8(cut)) << at;
    std::string good(24, 'a');
    good.replace(at, 1, "\xF0\x9F\x98\x80");
    EXPECT_TRUE(IsValidUtf8(good)) << at;
  }
  EXPECT_FALSE(IsValidUtf8("abcdefgh\xED\xA0\x80"));  // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("abcdefgh\xC1\xBF"));      // overlong '\x7f'
}

}  // namespace
}  // namespace cairn
