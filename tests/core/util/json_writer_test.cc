// CanonicalWriter: member order and duplicate keys, through both parsers
// that drive it. Keys compare by their first 8 bytes first, then by the rest.
#include <gtest/gtest.h>

#include <string>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {
namespace {

using json_internal::CanonicalizeJsonReference;

// The canonical form from both paths, which must agree.
std::string Canon(const std::string& text) {
  const Result<std::string> fast = CanonicalizeJson(text, JsonLimits());
  const Result<std::string> reference = CanonicalizeJsonReference(text, JsonLimits());
  EXPECT_TRUE(fast.ok()) << text << "\n" << fast.status().ToString();
  EXPECT_TRUE(reference.ok()) << text << "\n" << reference.status().ToString();
  if (!fast.ok() || !reference.ok()) return "<error>";
  EXPECT_EQ(*fast, *reference) << text;
  return *fast;
}

// The duplicate-key message from both paths, which must agree.
std::string DuplicateMessage(const std::string& text) {
  const Result<std::string> fast = CanonicalizeJson(text, JsonLimits());
  const Result<std::string> reference = CanonicalizeJsonReference(text, JsonLimits());
  EXPECT_FALSE(fast.ok()) << text;
  EXPECT_FALSE(reference.ok()) << text;
  if (fast.ok() || reference.ok()) return "<no error>";
  EXPECT_EQ(fast.status().code(), Code::kInvalidArgument) << text;
  EXPECT_EQ(fast.status().message(), reference.status().message()) << text;
  return fast.status().message();
}

TEST(CanonicalWriterTest, KeysSortByBytesAcrossTheirFirstEight) {
  // Equal first 8 bytes: the rest decides, and a prefix comes first.
  EXPECT_EQ(Canon(R"({"prefix_long_key_2":1,"prefix_long_key_1":2,"prefix_long_key":3,)"
                  R"("prefix_l":4,"prefix_lonh":5})"),
            R"({"prefix_l":4,"prefix_long_key":3,"prefix_long_key_1":2,"prefix_long_key_2":1,)"
            R"("prefix_lonh":5})");
  // Keys of 9 bytes or more that differ from their ninth byte on.
  EXPECT_EQ(Canon(R"({"abcdefgh2":1,"abcdefgh1":2,"abcdefgh10":3,"abcdefgh":4})"),
            R"({"abcdefgh":4,"abcdefgh1":2,"abcdefgh10":3,"abcdefgh2":1})");
  EXPECT_EQ(DuplicateMessage(R"({"abcdefgh2":1,"abcdefgh1":2,"abcdefgh2":3})"),
            R"(duplicate key "abcdefgh2" in $)");
  // NUL bytes are key bytes, not padding.
  EXPECT_EQ(Canon(R"({"a\u0000":1,"a":2,"":3,"\u0000":4})"),
            R"({"":3,"\u0000":4,"a":2,"a\u0000":1})");
  // Bytes above 0x7F sort after ASCII, escaped or not.
  EXPECT_EQ(Canon("{\"\\u00e9\":1,\"z\":2,\"\xC3\xA8\":3,\"\\n\":4}"),
            "{\"\\n\":4,\"z\":2,\"\xC3\xA8\":3,\"\xC3\xA9\":1}");
  // Nested objects are sorted in place before their parent.
  EXPECT_EQ(Canon(R"({"b":{"d":1,"c":{"f":1,"e":2}},"a":[{"y":1,"x":2}]})"),
            R"({"a":[{"x":2,"y":1}],"b":{"c":{"e":2,"f":1},"d":1}})");
}

TEST(CanonicalWriterTest, ManyMembersSort) {
  std::string text = "{";
  std::string expected = "{";
  for (int i = 0; i < 40; i++) {
    if (i > 0) text += ',';
    text += "\"k" + std::to_string((i * 17) % 40 + 100) + "\":" + std::to_string(i);
  }
  for (int k = 100; k < 140; k++) {
    if (k > 100) expected += ',';
    int i = 0;
    while ((i * 17) % 40 + 100 != k) i++;
    expected += "\"k" + std::to_string(k) + "\":" + std::to_string(i);
  }
  EXPECT_EQ(Canon(text + "}"), expected + "}");
}

// Which duplicate is named: the first pair of equal neighbours in document
// order, else the first duplicate in key order.
TEST(CanonicalWriterTest, DuplicateKeyNamed) {
  EXPECT_EQ(DuplicateMessage(R"({"b":1,"a":2,"b":3,"a":4})"), R"(duplicate key "a" in $)");
  EXPECT_EQ(DuplicateMessage(R"({"b":1,"b":2,"a":1,"a":2})"), R"(duplicate key "b" in $)");
  EXPECT_EQ(DuplicateMessage(R"({"k\u0065y":1,"a":2,"key":3})"), R"(duplicate key "key" in $)");
  // More members than the insertion sort takes.
  std::string text = "{";
  const char* keys[] = {"k10", "k05", "k02", "k19", "k07", "k02", "k11", "k03", "k05", "k00",
                        "k13", "k17", "k01", "k04", "k06", "k08", "k09", "k12", "k14", "k15"};
  for (int i = 0; i < 20; i++) {
    if (i > 0) text += ',';
    text += std::string("\"") + keys[i] + "\":" + std::to_string(i);
  }
  EXPECT_EQ(DuplicateMessage(text + "}"), R"(duplicate key "k02" in $)");
}

}  // namespace
}  // namespace cairn
