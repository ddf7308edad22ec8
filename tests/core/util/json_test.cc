// Canonical JSON: outputs, properties and limits. Numbers are covered in
// json_number_test.cc and parse errors in json_syntax_error_test.cc.
#include "util/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace cairn {
namespace {

std::string Canon(std::string_view text, const JsonLimits& limits = JsonLimits()) {
  Result<std::string> r = CanonicalizeJson(text, limits);
  EXPECT_TRUE(r.ok()) << "input: " << text << "\n" << r.status().ToString();
  return r.ok() ? *r : std::string("<error>");
}

Status CanonError(std::string_view text, const JsonLimits& limits = JsonLimits()) {
  Result<std::string> r = CanonicalizeJson(text, limits);
  EXPECT_FALSE(r.ok()) << "input: " << text << " gave " << (r.ok() ? *r : "");
  return r.ok() ? Status::OK() : r.status();
}

struct Case {
  const char* input;
  const char* canonical;
};

TEST(CanonicalJsonTest, Table) {
  const Case cases[] = {
      // Scalars and whitespace (space, tab, LF, CR are the only whitespace).
      {"null", "null"},
      {" \t\r\ntrue\n", "true"},
      {"false", "false"},
      {"\"\"", "\"\""},
      {"[]", "[]"},
      {"{}", "{}"},
      {" [ 1 , 2 ,\n3 ] ", "[1,2,3]"},
      {"{ \"a\" : 1 }", "{\"a\":1}"},
      {"[[],{},[{}],{\"a\":[]}]", "[[],{},[{}],{\"a\":[]}]"},
      // Key order: by UTF-8 bytes, prefixes first, uppercase before lowercase.
      {"{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      {"{\"ab\":1,\"a\":2,\"\":3,\"aa\":4}", "{\"\":3,\"a\":2,\"aa\":4,\"ab\":1}"},
      {"{\"a\":1,\"B\":2,\"_\":3,\"1\":4}", "{\"1\":4,\"B\":2,\"_\":3,\"a\":1}"},
      {"{\"10\":1,\"9\":2,\"1\":3}", "{\"1\":3,\"10\":1,\"9\":2}"},
      // Non-ASCII: é (C3 A9) < \uFFFF (EF BF BF) < 😀 (F0 9F 98 80), by bytes,
      // although UTF-16 order would put the emoji (D83D) before U+FFFF.
      {"{\"\xF0\x9F\x98\x80\":1,\"\xEF\xBF\xBF\":2,\"\xC3\xA9\":3,\"z\":4}",
       "{\"z\":4,\"\xC3\xA9\":3,\"\xEF\xBF\xBF\":2,\"\xF0\x9F\x98\x80\":1}"},
      // Keys sort by their raw bytes, not by their escaped form: "\n" (0A) is
      // before "A" (41) although "\\n" (5C 6E) would not be.
      {"{\"A\":1,\"\\n\":2,\"\\u0000\":3}", "{\"\\u0000\":3,\"\\n\":2,\"A\":1}"},
      {"{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      // Nested objects sort at every level; arrays keep their order.
      {"{\"z\":{\"y\":1,\"x\":[{\"d\":1,\"c\":2},3]},\"a\":null}",
       "{\"a\":null,\"z\":{\"x\":[{\"c\":2,\"d\":1},3],\"y\":1}}"},
      {"[3,1,2]", "[3,1,2]"},
      // Strings: escape only '"', '\\' and controls; short forms where JSON has them.
      {R"("\"\\\/\b\f\n\r\t")", R"("\"\\/\b\f\n\r\t")"},
      {R"("\u0000\u0001\u001f\u001F\u0008\u000c")", R"("\u0000\u0001\u001f\u001f\b\f")"},
      {R"("\u0020\u007f\u0080")", "\" \x7F\xC2\x80\""},
      {R"("\u00e9\u00E9é")", "\"\xC3\xA9\xC3\xA9\xC3\xA9\""},
      {R"("\u20ac\uFFFF")", "\"\xE2\x82\xAC\xEF\xBF\xBF\""},
      {R"("\ud83d\ude00\uD83D\uDE00")", "\"\xF0\x9F\x98\x80\xF0\x9F\x98\x80\""},
      {R"("\udbff\udfff")", "\"\xF4\x8F\xBF\xBF\""},
      {R"("\u0022\u005c\u002f")", R"("\"\\/")"},
      {"\"\xE2\x80\xA8\xE2\x80\xA9\"", "\"\xE2\x80\xA8\xE2\x80\xA9\""},  // U+2028/9 stay raw
      // Numbers (more in json_number_test.cc).
      {"[0,-0,-0.0,1.0,2.5e3,1e21,1e-7,0.1,-1.5e-10]", "[0,0,0,1,2500,1e+21,1e-7,0.1,-1.5e-10]"},
      {"9007199254740993", "9007199254740993"},
      {"123456789012345678901234567890", "1.2345678901234568e+29"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Canon(c.input), c.canonical) << "input: " << c.input;
  }
}

// The test vectors published in FORMAT.md, "Canonical JSON".
TEST(CanonicalJsonTest, FormatVectors) {
  const Case cases[] = {
      {R"({"b": 2, "a": 1})", R"({"a":1,"b":2})"},
      {R"({"z": {"y": [3, {"b": null, "a": true}]}, "é": 0, "A": false})",
       R"({"A":false,"z":{"y":[3,{"a":true,"b":null}]},"é":0})"},
      {R"([1.0, -0, -0.0, 2.5e3, 1e21, 1e-7, 0.000001, 1E+2, -1.5e-10])",
       R"([1,0,0,2500,1e+21,1e-7,0.000001,100,-1.5e-10])"},
      {R"([9007199254740993, 18446744073709551615, -9223372036854775808, 18446744073709551616])",
       R"([9007199254740993,18446744073709551615,-9223372036854775808,18446744073709552000])"},
      {R"([0.1, 0.30000000000000004, 1.7976931348623157e308, 5e-324, 123e-20, 4.35])",
       R"([0.1,0.30000000000000004,1.7976931348623157e+308,5e-324,1.23e-18,4.35])"},
      {R"(["\u00e9\ud83d\ude00", "\/\u0041", "tab\there", "\u001F\u007f"])",
       "[\"\xC3\xA9\xF0\x9F\x98\x80\",\"/A\",\"tab\\there\",\"\\u001f\x7F\"]"},
      {R"({"\n": 1, "A": 2, "\u00e9": 3, "\ud83d\ude00": 4, "\uffff": 5})",
       "{\"\\n\":1,\"A\":2,\"\xC3\xA9\":3,\"\xEF\xBF\xBF\":5,\"\xF0\x9F\x98\x80\":4}"},
      {" \t\n[ ]\r\n", "[]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Canon(c.input), c.canonical) << "input: " << c.input;
  }
}

TEST(CanonicalJsonTest, DuplicateKeysNameKeyAndPath) {
  struct {
    const char* input;
    const char* message;
  } cases[] = {
      {R"({"a":1,"a":2})", R"(duplicate key "a" in $)"},
      {R"({"b":1,"a":2,"b":3})", R"(duplicate key "b" in $)"},
      {R"({"a":1,"\u0061":2})", R"(duplicate key "a" in $)"},
      {R"({"x":[0,1,{"a":1,"a":2}]})", R"(duplicate key "a" in $.x[2])"},
      {R"({"x":{"y z":[{"k":{"q":1,"p":2,"q":3}}]}})", R"(duplicate key "q" in $.x["y z"][0].k)"},
      {R"([{"\n":1,"\n":2}])", R"(duplicate key "\n" in $[0])"},
  };
  for (const auto& c : cases) {
    Status s = CanonError(c.input);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.input;
    EXPECT_EQ(s.message(), c.message) << c.input;
  }
  // Equal keys in different objects are fine.
  EXPECT_EQ(Canon(R"({"a":{"a":1},"b":{"a":2}})"), R"({"a":{"a":1},"b":{"a":2}})");
}

std::string Nested(size_t depth, const std::string& open, const std::string& close) {
  std::string s;
  for (size_t i = 0; i < depth; i++) s += open;
  s += "0";
  for (size_t i = 0; i < depth; i++) s += close;
  return s;
}

TEST(CanonicalJsonTest, DepthLimitAtAndBeyond) {
  const JsonLimits limits;  // max_depth 64
  EXPECT_EQ(Canon(Nested(64, "[", "]")), Nested(64, "[", "]"));
  EXPECT_EQ(Canon(Nested(64, "{\"a\":", "}")), Nested(64, "{\"a\":", "}"));

  Status s = CanonError(Nested(65, "[", "]"), limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  std::string path = "$";
  for (int i = 0; i < 64; i++) path += "[0]";
  EXPECT_EQ(s.message(), "nesting depth exceeds 64 at " + path);

  s = CanonError(Nested(65, "{\"a\":", "}"));
  path = "$";
  for (int i = 0; i < 64; i++) path += ".a";
  EXPECT_EQ(s.message(), "nesting depth exceeds 64 at " + path);

  // Very deep input fails cleanly instead of exhausting the stack.
  s = CanonError(std::string(1000000, '['));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);

  JsonLimits two;
  two.max_depth = 2;
  EXPECT_EQ(Canon(R"({"a":[1,2],"b":{}})", two), R"({"a":[1,2],"b":{}})");
  EXPECT_EQ(CanonError(R"({"a":[1,[]]})", two).message(), "nesting depth exceeds 2 at $.a[1]");
  EXPECT_EQ(CanonError(R"({"a":[1,{"b":[]}]})", two).message(),
            "nesting depth exceeds 2 at $.a[1]");
  JsonLimits zero;
  zero.max_depth = 0;
  EXPECT_EQ(Canon("\"scalar\"", zero), "\"scalar\"");
  EXPECT_EQ(CanonError("[]", zero).message(), "nesting depth exceeds 0 at $");
}

TEST(CanonicalJsonTest, SizeLimitAtAndBeyond) {
  const std::string input = R"({ "zz": [1, 2, {"y": "abc", "x": 2.50}], "a": "\u00e9" })";
  const std::string canonical = Canon(input);
  ASSERT_EQ(canonical, "{\"a\":\"\xC3\xA9\",\"zz\":[1,2,{\"x\":2.5,\"y\":\"abc\"}]}");
  JsonLimits limits;
  limits.max_bytes = canonical.size();
  EXPECT_EQ(Canon(input, limits), canonical);
  // One byte short fails as the last '}' is written, naming size and limit.
  limits.max_bytes = canonical.size() - 1;
  Status s = CanonError(input, limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "canonical JSON exceeds the limit of " +
                             std::to_string(canonical.size() - 1) + " bytes (reached " +
                             std::to_string(canonical.size()) + " bytes at $)");
  // Input whitespace does not count; a long string fails where it is written.
  limits.max_bytes = 10;
  EXPECT_EQ(Canon("   [ 1 ,  2 ,  3 ]    ", limits), "[1,2,3]");
  s = CanonError(R"({"k":["ab","0123456789"]})", limits);
  EXPECT_EQ(s.message(),
            "canonical JSON exceeds the limit of 10 bytes (reached 23 bytes at $.k[1])");
}

// Random JSON values, each written in several equivalent ways: member order,
// whitespace, string escapes and number spellings vary; the canonical form
// must not.
class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : rng_(seed) {}

  // Appends one value of at most `depth` more levels to two texts at once.
  void Value(int depth, std::string* a, std::string* b) {
    const int kind = Pick(depth > 0 ? 9 : 6);
    switch (kind) {
      case 0:
        Both("null", a, b);
        break;
      case 1:
        Both(Pick(2) ? "true" : "false", a, b);
        break;
      case 2:
        Number(a, b);
        break;
      case 3:
      case 4:
      case 5: {
        const std::string s = RandomString();
        Str(s, a);
        Str(s, b);
        break;
      }
      case 6:
      case 7: {
        const int n = Pick(5);
        Both("[", a, b);
        for (int i = 0; i < n; i++) {
          if (i > 0) Both(",", a, b);
          Value(depth - 1, a, b);
        }
        Both("]", a, b);
        break;
      }
      default:
        Object(depth, a, b);
        break;
    }
    Space(a);
    Space(b);
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % n); }

  void Space(std::string* s) {
    static const char kSpace[] = {' ', '\t', '\n', '\r'};
    for (int n = Pick(4) == 0 ? Pick(3) : 0; n > 0; n--) s->push_back(kSpace[Pick(4)]);
  }

  void Both(const std::string& token, std::string* a, std::string* b) {
    Space(a);
    Space(b);
    a->append(token);
    b->append(token);
  }

  std::string RandomString() {
    static const char* kPieces[] = {"a",
                                    "b",
                                    "Z",
                                    "0",
                                    " ",
                                    "\"",
                                    "\\",
                                    "/",
                                    "\n",
                                    "\t",
                                    "\x01",
                                    "\x1f",
                                    "\x7f",
                                    "\xC3\xA9",
                                    "\xE2\x82\xAC",
                                    "\xF0\x9F\x98\x80",
                                    "\xEF\xBF\xBF",
                                    "ab",
                                    "key"};
    std::string s;
    for (int n = Pick(6); n > 0; n--) s += kPieces[Pick(19)];
    return s;
  }

  // Writes `s` as a JSON string, escaping characters at random.
  void Str(const std::string& s, std::string* out) {
    Space(out);
    out->push_back('"');
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      const bool must = c < 0x20 || c == '"' || c == '\\';
      if (must || Pick(4) == 0) {
        char buf[16];
        uint32_t cp = len == 1   ? c
                      : len == 2 ? (c & 0x1F) << 6 | (s[i + 1] & 0x3F)
                      : len == 3 ? (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F)
                                 : (c & 0x07) << 18 | (s[i + 1] & 0x3F) << 12 |
                                       (s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
        if (cp >= 0x10000) {
          cp -= 0x10000;
          std::snprintf(buf, sizeof(buf), Pick(2) ? "\\u%04x\\u%04x" : "\\u%04X\\u%04X",
                        0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
          std::snprintf(buf, sizeof(buf), Pick(2) ? "\\u%04x" : "\\u%04X", cp);
        }
        out->append(buf);
      } else {
        out->append(s, i, len);
      }
      i += len;
    }
    out->push_back('"');
  }

  // The same number spelled two ways.
  void Number(std::string* a, std::string* b) {
    const int64_t mantissa = static_cast<int64_t>(rng_() % 2000001) - 1000000;
    const int shift = Pick(12);
    const std::string m = std::to_string(mantissa);
    const std::string sign = mantissa < 0 ? "-" : "";
    std::string digits = m.substr(sign.size());
    // a: mantissa with exponent; b: the decimal point moved instead.
    Both("", a, b);
    *a += m + (Pick(2) ? "e-" : "E-") + std::to_string(shift);
    while (digits.size() <= static_cast<size_t>(shift)) digits.insert(0, "0");
    const size_t point = digits.size() - shift;
    *b += sign + digits.substr(0, point);
    if (shift > 0) *b += "." + digits.substr(point) + std::string(Pick(3), '0');
  }

  void Object(int depth, std::string* a, std::string* b) {
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> members;
    const int n = Pick(6);
    for (int i = 0; i < n; i++) {
      std::string key = RandomString() + std::to_string(i);  // unique keys
      std::string va, vb;
      Value(depth - 1, &va, &vb);
      members.push_back({key, {va, vb}});
    }
    for (int pass = 0; pass < 2; pass++) {
      std::string* out = pass == 0 ? a : b;
      std::shuffle(members.begin(), members.end(), rng_);
      Space(out);
      out->push_back('{');
      for (size_t i = 0; i < members.size(); i++) {
        if (i > 0) out->push_back(',');
        Str(members[i].first, out);
        Space(out);
        out->push_back(':');
        out->append(pass == 0 ? members[i].second.first : members[i].second.second);
      }
      Space(out);
      out->push_back('}');
    }
  }

  std::mt19937_64 rng_;
};

TEST(CanonicalJsonTest, RandomEquivalentTextsAgreeAndAreIdempotent) {
  RandomJson gen(20240501);
  for (int i = 0; i < 3000; i++) {
    std::string a, b;
    gen.Value(4, &a, &b);
    const std::string ca = Canon(a);
    ASSERT_EQ(ca, Canon(b)) << "a: " << a << "\nb: " << b;
    ASSERT_EQ(Canon(ca), ca) << "not idempotent: " << ca;
    ASSERT_TRUE(IsValidUtf8(ca));
  }
}

}  // namespace
}  // namespace cairn
