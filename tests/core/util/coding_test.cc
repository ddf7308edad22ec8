#include "util/coding.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace cairn {
namespace {

std::vector<uint64_t> Boundaries() {
  std::vector<uint64_t> values = {0,   1,     127,   128,        255,
                                  256, 16383, 16384, UINT64_MAX, UINT64_MAX - 1};
  for (int bits = 1; bits < 64; bits++) {
    const uint64_t p = uint64_t{1} << bits;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  return values;
}

int VarintLength(uint64_t v) {
  int n = 1;
  while (v >= 128) {
    v >>= 7;
    n++;
  }
  return n;
}

TEST(CodingTest, FixedWidthIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  ASSERT_EQ(s, std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0807060504030201ull);
  uint8_t buf[8];
  for (uint64_t v : Boundaries()) {
    EncodeFixed64(buf, v);
    EXPECT_EQ(DecodeFixed64(buf), v);
    EncodeFixed32(buf, static_cast<uint32_t>(v));
    EXPECT_EQ(DecodeFixed32(buf), static_cast<uint32_t>(v));
    std::string a, b;
    PutFixed64(&a, v);
    EncodeFixed64(buf, v);
    EXPECT_EQ(a, std::string(reinterpret_cast<char*>(buf), 8));
  }
}

TEST(CodingTest, VarintKnownBytes) {
  std::string s;
  PutVarint64(&s, 0);
  PutVarint64(&s, 127);
  PutVarint64(&s, 128);
  PutVarint64(&s, 300);
  EXPECT_EQ(s, std::string("\x00\x7f\x80\x01\xac\x02", 6));
  s.clear();
  PutVarint64(&s, UINT64_MAX);
  EXPECT_EQ(s, std::string(9, '\xff') + "\x01");
}

TEST(CodingTest, VarintRoundTrip) {
  std::string s;
  const std::vector<uint64_t> values = Boundaries();
  for (uint64_t v : values) {
    const size_t before = s.size();
    PutVarint64(&s, v);
    EXPECT_EQ(s.size() - before, static_cast<size_t>(VarintLength(v))) << v;
  }
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got)) << v;
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
  std::mt19937_64 rng(5);
  for (int i = 0; i < 10000; i++) {
    const uint64_t v = rng() >> (rng() % 64);
    std::string one;
    PutVarint64(&one, v);
    std::string_view view = one;
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&view, &got));
    ASSERT_EQ(got, v);
    ASSERT_TRUE(view.empty());
  }
}

TEST(CodingTest, TruncatedOrOverlongVarintRejected) {
  for (uint64_t v : Boundaries()) {
    std::string s;
    PutVarint64(&s, v);
    for (size_t cut = 0; cut < s.size(); cut++) {
      std::string_view in(s.data(), cut);
      uint64_t got;
      EXPECT_FALSE(GetVarint64(&in, &got)) << v << " cut at " << cut;
    }
  }
  // Eleven bytes: longer than any uint64 needs.
  std::string overlong(10, '\x80');
  overlong.push_back('\x00');
  std::string_view in = overlong;
  uint64_t got;
  EXPECT_FALSE(GetVarint64(&in, &got));
  // Trailing bytes after a varint are left in place.
  std::string s;
  PutVarint64(&s, 300);
  s += "rest";
  in = s;
  ASSERT_TRUE(GetVarint64(&in, &got));
  EXPECT_EQ(got, 300u);
  EXPECT_EQ(in, "rest");
}

TEST(CodingTest, BigEndianOrderIsNumericOrder) {
  std::string s;
  PutBigEndian64(&s, 0x0102030405060708ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(DecodeBigEndian64(s.data()), 0x0102030405060708ull);
  std::vector<uint64_t> values = Boundaries();
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; i++) values.push_back(rng() >> (rng() % 64));
  for (size_t i = 0; i < values.size(); i++) {
    std::string a;
    PutBigEndian64(&a, values[i]);
    ASSERT_EQ(DecodeBigEndian64(a.data()), values[i]);
    const uint64_t other = values[(i * 7919 + 13) % values.size()];
    std::string b;
    PutBigEndian64(&b, other);
    const int cmp = std::memcmp(a.data(), b.data(), 8);
    ASSERT_EQ(cmp < 0, values[i] < other) << values[i] << " vs " << other;
    ASSERT_EQ(cmp == 0, values[i] == other) << values[i] << " vs " << other;
  }
}

TEST(CodingTest, BigEndian32OrderIsNumericOrder) {
  std::string s;
  PutBigEndian32(&s, 0x01020304u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; i++) {
    const uint32_t x = rng() >> (rng() % 32), y = rng();
    std::string a, b;
    PutBigEndian32(&a, x);
    PutBigEndian32(&b, y);
    ASSERT_EQ(DecodeBigEndian32(a.data()), x);
    ASSERT_EQ(std::memcmp(a.data(), b.data(), 4) < 0, x < y);
  }
}


// CompareKeyBytes has memcmp's sign at every length up to 40 bytes, for
// bytes that differ anywhere (high bytes included) or not at all.
TEST(CodingTest, CompareKeyBytesHasTheSignOfMemcmp) {
  auto sign = [](int v) { return (v > 0) - (v < 0); };
  std::mt19937 rng(5);
  for (size_t n = 0; n <= 40; n++) {
    for (int round = 0; round < 200; round++) {
      std::string a(n, '\0');
      for (char& c : a) c = static_cast<char>(rng() % 4 == 0 ? 0xff - rng() % 3 : rng() % 3);
      std::string b = a;
      if (n > 0 && round % 4 != 0) {
        const size_t at = rng() % n;
        b[at] = static_cast<char>(rng());
        if (round % 3 == 0 && at + 1 < n) b[at + 1] = static_cast<char>(rng());
      }
      ASSERT_EQ(CompareKeyBytes(a.data(), b.data(), n), sign(std::memcmp(a.data(), b.data(), n)))
          << "n " << n << " round " << round;
      ASSERT_EQ(CompareKeyBytes(b.data(), a.data(), n), sign(std::memcmp(b.data(), a.data(), n)));
    }
  }
}
TEST(CodingTest, LengthPrefixed) {
  std::string s;
  const std::string big(300, 'q');
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "abc");
  PutLengthPrefixed(&s, std::string_view("\0x", 2));
  PutLengthPrefixed(&s, big);
  EXPECT_EQ(s.substr(0, 6), std::string("\x00\x03"
                                        "abc\x02",
                                        6));
  std::string_view in = s;
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "abc");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, std::string_view("\0x", 2));
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, big);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
  // A length longer than what follows, or a cut-off length, is rejected.
  std::string cut;
  PutLengthPrefixed(&cut, "abcdef");
  for (size_t n = 0; n < cut.size(); n++) {
    std::string_view view(cut.data(), n);
    EXPECT_FALSE(GetLengthPrefixed(&view, &out)) << n;
  }
  std::string huge;
  PutVarint64(&huge, UINT64_MAX);
  huge += "abc";
  std::string_view view = huge;
  EXPECT_FALSE(GetLengthPrefixed(&view, &out));
}

}  // namespace
}  // namespace cairn
