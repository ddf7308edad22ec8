// Rows of versions: the canonical text spliced from a version's data must be
// exactly the text of the row's DOM, for every shape of document and every
// combination of special fields; data that is not canonical JSON text is
// reported, never spliced.
#include "nql/row.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "util/json.h"

namespace cairn::nql {
namespace {

class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : rng_(seed) {}

  // Keys that sort before, between and after the special fields, that
  // equal them, and that need escapes.
  std::string Key() {
    static const char* kKeys[] = {"_id",    "_seq",   "_coll",  "_hash",  "_depth", "_valid_from", "_valid_to",
                                  "_caused_by", "_value", "_a",     "_z",     "_",      "^",           "`",
                                  "A",      "Z",      "a",      "zz",     "\\u00e9", "a\\\"b",      "\\\\",
                                  "\\u0001x", "_id\\n", "_cold", "_ha", "_se", "_valid", "\\t_id"};
    return std::string("\"") + kKeys[rng_() % (sizeof(kKeys) / sizeof(kKeys[0]))] + "\"";
  }

  std::string Value(int depth) {
    switch (rng_() % (depth > 0 ? 9 : 6)) {
      case 0: return "null";
      case 1: return rng_() % 2 ? "true" : "false";
      case 2: {
        static const char* kNumbers[] = {"0", "-1", "2.5e3", "1e21", "1e-7", "18446744073709551615",
                                         "-9223372036854775808", "18446744073709551616", "0.1", "-0"};
        return kNumbers[rng_() % 10];
      }
      case 3: {
        static const char* kStrings[] = {"\"\"", "\"plain\"", "\"q\\\"uote\"", "\"back\\\\slash\"",
                                         "\"tab\\t\"", "\"\\u0001\"", "\"caf\\u00e9\"", "\"}]{[,:\""};
        return kStrings[rng_() % 8];
      }
      case 4: return std::to_string(rng_() % 1000);
      case 5: return "\"" + std::string(rng_() % 3, 'x') + "\"";
      case 6: {
        std::string a = "[";
        for (size_t n = rng_() % 4, k = 0; k < n; k++) a += (k ? "," : "") + Value(depth - 1);
        return a + "]";
      }
      default: return Object(depth - 1);
    }
  }

  std::string Object(int depth) {
    std::string o = "{";
    for (size_t n = rng_() % 7, k = 0; k < n; k++) o += (k ? "," : "") + Key() + ":" + Value(depth);
    return o + "}";
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

Version RandomVersion(RandomJson& gen, const std::string& data) {
  auto& rng = gen.rng();
  Version v;
  v.coll = rng() % 2 ? "blocks" : "c\"o\\l";
  v.id = rng() % 3 ? "id" + std::to_string(rng() % 100) : "i\td";
  v.seq = rng();
  v.hash = Hash::Of(data);
  v.data = data;
  for (size_t n = rng() % 3; n > 0; n--) v.caused_by.push_back(Hash::Of(std::to_string(rng())));
  if (rng() % 3 == 0) v.valid_from = "2026-01-01T00:00:00.000Z";
  if (rng() % 3 == 0) v.valid_to = "2026-12-31T00:00:00.000Z";
  return v;
}

TEST(RowTest, SplicedTextEqualsTheTextOfTheRowDom) {
  RandomJson gen(20261206);
  int checked = 0;
  for (int i = 0; i < 20000; i++) {
    const std::string text = gen.rng()() % 5 == 0 ? gen.Value(3) : gen.Object(3);
    Result<std::string> data = CanonicalizeJson(text, JsonLimits{});
    if (!data.ok() && data.status().message().find("duplicate key") != std::string::npos) continue;
    ASSERT_TRUE(data.ok()) << text << ": " << data.status().ToString();
    const Version v = RandomVersion(gen, *data);
    const int64_t depth = gen.rng()() % 4 == 0 ? static_cast<int64_t>(gen.rng()() % 200) : -1;
    Result<Row> row = RowOfVersion(v, depth);
    ASSERT_TRUE(row.ok()) << *data;
    Result<std::string> spliced = RowJsonOfVersion(v, depth);
    ASSERT_TRUE(spliced.ok()) << *data << ": " << spliced.status().ToString();
    ASSERT_EQ(*spliced, RowToJson(*row->doc)) << "data " << *data;
    checked++;
  }
  EXPECT_GT(checked, 10000);  // the rest drew a duplicate key
}

TEST(RowTest, SpecialFieldsReplaceDocumentFieldsOfTheSameName) {
  Version v;
  v.coll = "c";
  v.id = "x";
  v.seq = 7;
  v.data = R"({"_id":"forged","_seq":1,"_value":2,"a":1})";
  v.hash = Hash::Of(v.data);
  Result<std::string> text = RowJsonOfVersion(v);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"({"_coll":"c","_hash":")" + v.hash.ToHex() + R"(","_id":"x","_seq":7,"_value":2,"a":1})");
  v.data = "[1,2]";
  text = RowJsonOfVersion(v, 3);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"({"_coll":"c","_depth":3,"_hash":")" + v.hash.ToHex() + R"(","_id":"x","_seq":7,"_value":[1,2]})");
}

TEST(RowTest, DataThatIsNotCanonicalTextIsCorruption) {
  for (const char* bad : {"", "{", "{\"a\":1", "{\"a\" 1}", "{a:1}", "{\"a\":1}x", "\"abc", "{\"a\":}",
                          "{\"a\":1,}", "{,\"a\":1}", "{\"a\\q\":1}", "{\"a\\u00G1\":1}", "{\"\\u0041\":1}",
                          "[1,2", "{\"a\":[1,{\"b\":2]}"}) {
    Version v;
    v.coll = "c";
    v.id = "x";
    v.data = bad;
    Result<std::string> text = RowJsonOfVersion(v);
    ASSERT_FALSE(text.ok()) << "accepted " << bad;
    EXPECT_EQ(text.status().code(), Code::kCorruption) << bad;
    EXPECT_NE(text.status().message().find("not canonical JSON"), std::string::npos) << text.status().ToString();
  }
}

}  // namespace
}  // namespace cairn::nql
