// Base64: the RFC 4648 test vectors, round trips of every byte value, and
// the text it refuses.
#include "util/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace cairn {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    std::string back;
    ASSERT_TRUE(Base64Decode(encoded, &back)) << encoded;
    EXPECT_EQ(back, plain);
  }
}

TEST(Base64Test, RoundTripsEveryByte) {
  std::mt19937 rng(3);
  for (int n = 0; n < 300; n++) {
    std::string bytes;
    for (int i = 0; i < n; i++) bytes.push_back(static_cast<char>(rng()));
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(bytes), &back));
    ASSERT_EQ(back, bytes);
  }
}

TEST(Base64Test, RefusesMalformedText) {
  std::string out;
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zm=v", "Zm9v\n"}) {
    EXPECT_FALSE(Base64Decode(bad, &out)) << bad;
  }
}

}  // namespace
}  // namespace cairn
