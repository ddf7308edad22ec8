// Value keys: memcmp order follows the total order of nql::CompareTotal
// (ties allowed only where the encoding is documented to be lossy), keys
// are self-delimiting, and decodable keys decode to their value.
#include "index/value_key.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cairn {
namespace {

std::string RandomJson(std::mt19937_64& rng) {
  switch (rng() % 9) {
    case 0: return "null";
    case 1: return rng() % 2 ? "true" : "false";
    case 2: return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
    case 3: return std::to_string(static_cast<double>(static_cast<int64_t>(rng() % 200000) - 100000) / 64.0);
    case 4: return "1e300";
    case 5: return "-1e-300";
    case 6: {
      std::string s = "\"";
      const int n = static_cast<int>(rng() % 6);
      static const char* kPieces[] = {"a", "b", "z", "\\u0000", "\xC3\xA9"};
      for (int i = 0; i < n; i++) s += kPieces[rng() % 5];
      return s + "\"";
    }
    case 7: return "[" + std::to_string(rng() % 3) + "]";
    default: return "{\"k\":1}";
  }
}

TEST(ValueKey, OrderMatchesTheTotalOrder) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; i++) {
    nql::Doc a, b;
    const std::string ja = RandomJson(rng), jb = RandomJson(rng);
    ASSERT_TRUE(nql::ParseJson(ja, &a)) << ja;
    ASSERT_TRUE(nql::ParseJson(jb, &b)) << jb;
    std::string ka, kb;
    AppendValueKey(&ka, &a);
    AppendValueKey(&kb, &b);
    const int keys = ka.compare(kb) < 0 ? -1 : ka.compare(kb) > 0;
    const int values = nql::CompareTotal(&a, &b);
    if (keys != 0) {
      EXPECT_EQ(keys, values) << ja << " vs " << jb;  // strictly ordered keys never contradict
    } else if (!a.IsArray() && !a.IsObject()) {
      EXPECT_EQ(values, 0) << ja << " vs " << jb;  // scalars here are short: exact keys
    }
    // Self-delimiting: the key of a is never a proper prefix of b's.
    if (ka != kb) EXPECT_FALSE(kb.starts_with(ka) || ka.starts_with(kb)) << ja << " / " << jb;
    size_t len;
    ASSERT_TRUE(ValueKeyLength(ka + "id", false, &len));
    EXPECT_EQ(len, ka.size());
    std::string inverted = ka;
    for (char& c : inverted) c = static_cast<char>(~static_cast<unsigned char>(c));
    ASSERT_TRUE(ValueKeyLength(inverted + "id", true, &len));
    EXPECT_EQ(len, ka.size());
    std::string decoded;
    if (DecodeValueKey(ka, &decoded)) {
      nql::Doc back;
      ASSERT_TRUE(nql::ParseJson(decoded, &back)) << decoded;
      EXPECT_EQ(nql::CompareTotal(&back, &a), 0) << ja << " decoded as " << decoded;
    } else {
      // Only arrays, objects and numbers beyond 2^53 (which may be rounded
      // integers) are not decoded here.
      EXPECT_TRUE(a.IsArray() || a.IsObject() || (a.IsNumber() && std::fabs(a.GetDouble()) >= 9007199254740992.0)) << ja;
    }
  }
}

TEST(ValueKey, MissingIsNullAndLiteralsMatchValues) {
  std::string missing, null_key;
  AppendValueKey(&missing, nullptr);
  nql::Doc n;
  ASSERT_TRUE(nql::ParseJson("null", &n));
  AppendValueKey(&null_key, &n);
  EXPECT_EQ(missing, null_key);
  nql::Literal five;
  five.kind = nql::Literal::Kind::kNumber;
  five.number = 5;
  five.is_integer = true;
  five.integer = 5;
  nql::Doc d;
  ASSERT_TRUE(nql::ParseJson("5.0", &d));
  std::string k;
  AppendValueKey(&k, &d);
  EXPECT_EQ(LiteralKey(five), k);
}

TEST(ValueKey, LongStringsAreCutAndNotDecoded) {
  const std::string longer(300, 'x');
  nql::Doc d;
  ASSERT_TRUE(nql::ParseJson("\"" + longer + "\"", &d));
  std::string k, json;
  AppendValueKey(&k, &d);
  EXPECT_LT(k.size(), 140u);
  EXPECT_FALSE(DecodeValueKey(k, &json));
}

// LiteralKeyIsExact agrees with the encoding: at the edges (2^53, the
// string cut), a literal it calls exact shares its key with none of its
// neighbours, and one it calls inexact shares it with a different value.
TEST(ValueKey, LiteralKeyIsExactAtTheEdges) {
  auto key_of = [](const std::string& json) {
    nql::Doc d;
    EXPECT_TRUE(nql::ParseJson(json, &d)) << json;
    std::string k;
    AppendValueKey(&k, &d);
    return k;
  };
  auto integer = [](int64_t v) {
    nql::Literal l;
    l.kind = nql::Literal::Kind::kNumber;
    l.is_integer = true;
    l.integer = v;
    l.number = static_cast<double>(v);
    return l;
  };
  const int64_t two53 = int64_t{1} << 53;
  for (int64_t v : {two53 - 2, two53 - 1, -(two53 - 1)}) {
    EXPECT_TRUE(LiteralKeyIsExact(integer(v))) << v;
    for (int64_t other : {v - 1, v + 1}) EXPECT_NE(key_of(std::to_string(other)), LiteralKey(integer(v))) << v;
  }
  for (int64_t v : {two53, two53 + 1, -two53}) {
    EXPECT_FALSE(LiteralKeyIsExact(integer(v))) << v;
    const int64_t other = v >= 0 ? v + (v == two53 ? 1 : -1) : v - 1;
    EXPECT_EQ(key_of(std::to_string(other)), LiteralKey(integer(v))) << v << " and " << other;
  }
  nql::Literal half;
  half.kind = nql::Literal::Kind::kNumber;
  half.number = 0.5;
  EXPECT_TRUE(LiteralKeyIsExact(half));

  auto string = [](const std::string& s) {
    nql::Literal l;
    l.kind = nql::Literal::Kind::kString;
    l.string = s;
    return l;
  };
  const std::string exact(kExactStringKeyBytes - 1, 'x');
  EXPECT_TRUE(LiteralKeyIsExact(string(exact)));
  EXPECT_NE(key_of("\"" + exact + "y\""), LiteralKey(string(exact)));
  const std::string cut(kMaxStringKeyBytes, 'x');
  EXPECT_FALSE(LiteralKeyIsExact(string(cut)));
  EXPECT_EQ(key_of("\"" + cut + "y\""), LiteralKey(string(cut)));

  nql::Literal null;
  EXPECT_FALSE(LiteralKeyIsExact(null));
  nql::Literal yes;
  yes.kind = nql::Literal::Kind::kBool;
  yes.boolean = true;
  EXPECT_TRUE(LiteralKeyIsExact(yes));
}

}  // namespace
}  // namespace cairn
