#include "cairn/hash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <unordered_set>

namespace cairn {
namespace {

TEST(HashTest, Blake2b256KnownAnswers) {
  // BLAKE2b with a 32-byte digest and no key (RFC 7693 parameters).
  EXPECT_EQ(Hash::Of("").ToHex(),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(Hash::Of("abc").ToHex(),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_EQ(Hash::Of("The quick brown fox jumps over the lazy dog").ToHex(),
            "01718cec35cd3d796dd00020e0bfecb473ad23457d063b75eff29c0ffa2e58a9");
  std::string bytes;
  for (int i = 0; i < 256; i++) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(Hash::Of(bytes).ToHex(),
            "39a7eb9fedc19aabc83425c6755dd90e6f9d0c804964a1f4aaeea3b9fb599835");
}

TEST(HashTest, EveryByteCounts) {
  // Embedded NULs are data, and a one-bit change gives a different digest.
  EXPECT_NE(Hash::Of(std::string("a\0b", 3)), Hash::Of("a"));
  EXPECT_NE(Hash::Of("abc"), Hash::Of("abd"));
  EXPECT_EQ(Hash::Of("abc"), Hash::Of(std::string("abc")));
}

TEST(HashTest, HexRoundTrip) {
  for (const char* s : {"", "abc", "x", "cairn"}) {
    const Hash h = Hash::Of(s);
    const std::string hex = h.ToHex();
    ASSERT_EQ(hex.size(), 64u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    Result<Hash> back = Hash::FromHex(hex);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, h);
  }
  Hash h;
  for (size_t i = 0; i < Hash::kSize; i++) h.bytes[i] = static_cast<uint8_t>(i % 16 * 17);
  EXPECT_EQ(h.ToHex(), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  EXPECT_EQ(*Hash::FromHex(h.ToHex()), h);
}

TEST(HashTest, FromHexAcceptsUppercase) {
  Result<Hash> upper =
      Hash::FromHex("0E5751C026E543B2E8AB2EB06099DAA1D1E5DF47778F7787FAAB45CDF12FE3A8");
  ASSERT_TRUE(upper.ok()) << upper.status().ToString();
  EXPECT_EQ(*upper, Hash::Of(""));
  Result<Hash> mixed =
      Hash::FromHex("0e5751C026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fE3A8");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(*mixed, Hash::Of(""));
}

TEST(HashTest, FromHexErrors) {
  const std::string good = Hash::Of("").ToHex();
  for (size_t len : {0, 1, 63, 65, 128}) {
    std::string hex = (good + good).substr(0, len);
    Result<Hash> r = Hash::FromHex(hex);
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "hash must be 64 hex digits, got " + std::to_string(len) + " characters");
  }
  // The position of the first bad character, whether high or low nibble.
  for (size_t at : {0, 1, 2, 31, 62, 63}) {
    for (char bad : {'g', 'G', ' ', 'x', '-', '\0'}) {
      std::string hex = good;
      hex[at] = bad;
      Result<Hash> r = Hash::FromHex(hex);
      ASSERT_FALSE(r.ok()) << at << " " << bad;
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(r.status().message(),
                "hash has a non-hex character at position " + std::to_string(at));
    }
  }
}

TEST(HashTest, ZeroOrderAndHasher) {
  EXPECT_TRUE(Hash().IsZero());
  EXPECT_FALSE(Hash::Of("").IsZero());
  Hash last;
  last.bytes[Hash::kSize - 1] = 1;
  EXPECT_FALSE(last.IsZero());
  // Ordering is bytewise, so it matches the order of the hex strings.
  std::set<std::string> hexes;
  std::set<Hash> hashes;
  for (int i = 0; i < 100; i++) {
    const Hash h = Hash::Of(std::to_string(i));
    hexes.insert(h.ToHex());
    hashes.insert(h);
  }
  auto it = hexes.begin();
  for (const Hash& h : hashes) EXPECT_EQ(h.ToHex(), *it++);
  std::unordered_set<Hash, HashHasher> table(hashes.begin(), hashes.end());
  EXPECT_EQ(table.size(), 100u);
  EXPECT_EQ(table.count(Hash::Of("42")), 1u);
}

}  // namespace
}  // namespace cairn
