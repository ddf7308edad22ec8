// The fast path of CanonicalizeJson (RapidJSON) against the reference path
// (nlohmann): on random valid documents and on random mutations of them, the
// fast path must give the reference's output whenever it accepts a text, and
// must accept every valid text but the few it leaves to the reference. Error
// statuses must then be the reference's, code and message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {
namespace {

using json_internal::CanonicalizeJsonFast;
using json_internal::CanonicalizeJsonReference;

// Valid JSON texts that the fast path may leave to the reference parser
// (a superset: RapidJSON's own number limits lie near these): nesting deeper
// than its recursion cap (when max_depth allows it), an integer part of 309
// or more digits, or an exponent of 309 or more.
bool FastPathMayRefuse(std::string_view text, const JsonLimits& limits) {
  size_t depth = 0, max_depth = 0, digit_run = 0;
  for (size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if ((c == ']' || c == '}') && depth > 0) depth--;
    digit_run = c >= '0' && c <= '9' ? digit_run + 1 : 0;
    if (digit_run >= 309) return true;
    if (c == 'e' || c == 'E') {
      size_t j = i + 1;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) j++;
      uint64_t exponent = 0;
      for (; j < text.size() && text[j] >= '0' && text[j] <= '9'; j++) {
        exponent = std::min<uint64_t>(exponent * 10 + (text[j] - '0'), 1000000);
      }
      if (exponent >= 309) return true;
    }
  }
  return limits.max_depth > 128 && max_depth > 128;
}

struct Tally {
  int fast_accepted = 0;
  int reference_accepted = 0;
  int errors = 0;
};

// Runs all three entry points on `text` and checks that they agree.
void Check(const std::string& text, const JsonLimits& limits, Tally* tally) {
  const Result<std::string> reference = CanonicalizeJsonReference(text, limits);
  std::string fast;
  const bool accepted = CanonicalizeJsonFast(text, limits, &fast);
  if (accepted) {
    tally->fast_accepted++;
    ASSERT_TRUE(reference.ok()) << "fast path accepted what the reference rejects: "
                                << testing::PrintToString(text) << "\n"
                                << reference.status().ToString();
    ASSERT_EQ(fast, *reference) << testing::PrintToString(text);
  } else if (reference.ok()) {
    ASSERT_TRUE(FastPathMayRefuse(text, limits))
        << "fast path refused valid text: " << testing::PrintToString(text);
  }
  if (reference.ok()) tally->reference_accepted++;
  const Result<std::string> got = CanonicalizeJson(text, limits);
  ASSERT_EQ(got.ok(), reference.ok()) << testing::PrintToString(text);
  if (got.ok()) {
    ASSERT_EQ(*got, *reference) << testing::PrintToString(text);
  } else {
    tally->errors++;
    ASSERT_EQ(got.status().code(), reference.status().code()) << testing::PrintToString(text);
    ASSERT_EQ(got.status().message(), reference.status().message()) << testing::PrintToString(text);
  }
}

// Random JSON texts full of the corners where two parsers could differ, and
// random damage to them.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string Document() {
    std::string out;
    Value(Pick(5), &out);
    Space(&out);
    return out;
  }

  void Mutate(std::string* s) {
    static const char kGrammarBytes[] = "\"\\{}[],:.-+eE0 9\x1f\x7f\x80\xff";
    // clang-format off
    static const char* const kTokens[] = {
        "\\ud800", "\\udc00", "\\udbff\\udfff", "\\ud83d", "\\u", "\\u12", "\\x", "\\", "\"",
        "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80", "\xC3", "\xEF\xBB\xBF", "1e400", "-", "1.",
        ".5", "1e", "1e+", "01", "-0", "0x1", "+1", "NaN", "tru", "nul", "[", "]", "{", "}", ",", ":",
        "//", "\t"};
    // clang-format on
    switch (Pick(7)) {
      case 0:  // replace a byte
        if (!s->empty()) (*s)[Pick(s->size())] = static_cast<char>(rng_());
        break;
      case 1:  // replace a byte with one that matters to the grammar
        if (!s->empty()) (*s)[Pick(s->size())] = kGrammarBytes[Pick(sizeof(kGrammarBytes) - 1)];
        break;
      case 2:  // insert a token
        s->insert(Pick(s->size() + 1), kTokens[Pick(std::size(kTokens))]);
        break;
      case 3:  // insert a NUL byte
        s->insert(Pick(s->size() + 1), 1, '\0');
        break;
      case 4:  // truncate
        s->resize(Pick(s->size() + 1));
        break;
      case 5:  // delete a few bytes
        if (!s->empty()) s->erase(Pick(s->size()), 1 + Pick(4));
        break;
      default:  // repeat a span
        if (!s->empty()) {
          const size_t at = Pick(s->size());
          s->insert(Pick(s->size() + 1), s->substr(at, 1 + Pick(12)));
        }
        break;
    }
  }

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

 private:
  void Space(std::string* out) {
    if (Pick(4) == 0) *out += " \t\n\r"[Pick(4)];
  }

  void Value(int depth, std::string* out) {
    Space(out);
    switch (Pick(depth > 0 ? 10 : 6)) {
      case 0:
        *out += Pick(3) == 0 ? "null" : Pick(2) ? "true" : "false";
        break;
      case 1:
      case 2:
        Number(out);
        break;
      case 3:
      case 4:
      case 5:
        String(out);
        break;
      case 6:
      case 7: {
        *out += '[';
        for (size_t i = 0, n = Pick(6); i < n; i++) {
          if (i > 0) *out += ',';
          Value(depth - 1, out);
        }
        Space(out);
        *out += ']';
        break;
      }
      default: {
        *out += '{';
        // Up to 20 members, so that both sorts run; keys repeat at times.
        for (size_t i = 0, n = Pick(4) == 0 ? Pick(21) : Pick(6); i < n; i++) {
          if (i > 0) *out += ',';
          Key(out);
          Space(out);
          *out += ':';
          Value(depth - 1, out);
        }
        Space(out);
        *out += '}';
        break;
      }
    }
    Space(out);
  }

  void Number(std::string* out) {
    // clang-format off
    static const char* const kNumbers[] = {
        "0", "-0", "-0.0", "1.0", "2.5e3", "1E+2", "1e-7", "0.000001", "1e21", "1e22", "1e23",
        "123456789012345678", "-123456789012345678", "1234567890123456789", "12345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "-18446744073709551616", "9007199254740993", "9007199254740993.0", "1e308",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "2.2250738585072014e-308", "4.9e-324", "5e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "1e-400", "-1e-400", "0e400", "0.1", "0.30000000000000004",
        "123e-20", "4.35", "12.5", "-1.5e-10", "1e0", "1E-0", "100e-2", "0.1e1",
        "1.00000000000000011102230246251565404236316680908203125", "89255.0e-22",
        "8.98846567431158e307", "0.0000000000000000000000000000001e30"};
    // clang-format on
    switch (Pick(4)) {
      case 0:
        *out += kNumbers[Pick(std::size(kNumbers))];
        return;
      case 1:
        *out += std::to_string(static_cast<int64_t>(rng_()) >> Pick(64));
        return;
      default:
        break;
    }
    // -?digits(.digits)?(e[+-]?digits)? with any number of digits.
    if (Pick(2)) *out += '-';
    const size_t int_digits = Pick(10) == 0 ? 1 + Pick(40) : 1 + Pick(8);
    *out += static_cast<char>('1' + Pick(9));
    for (size_t i = 1; i < int_digits; i++) *out += static_cast<char>('0' + Pick(10));
    if (Pick(2)) {
      *out += '.';
      for (size_t i = 0, n = 1 + Pick(Pick(5) == 0 ? 30 : 6); i < n; i++) {
        *out += static_cast<char>('0' + Pick(10));
      }
    }
    if (Pick(2)) {
      *out += "eE"[Pick(2)];
      if (Pick(2)) *out += "+-"[Pick(2)];
      *out += std::to_string(Pick(Pick(4) == 0 ? 340 : 30));
    }
  }

  void Key(std::string* out) {
    // clang-format off
    static const char* const kKeys[] = {
        "a", "b", "A", "", "key", "k\\u0065y", "\\n", "\xC3\xA9", "\\u00e9", "a\\u0000",
        "prefix_long_key", "prefix_long_key_1", "prefix_long_key_2", "prefix_l\\u006fng_key",
        "\xF0\x9F\x98\x80", "\\ud83d\\ude00", "zz", "\\\"", "abcdefgh1", "abcdefgh2"};
    // clang-format on
    Space(out);
    if (Pick(3) == 0) {
      String(out);
      return;
    }
    *out += '"';
    *out += kKeys[Pick(std::size(kKeys))];
    *out += '"';
  }

  void String(std::string* out) {
    // clang-format off
    static const char* const kPieces[] = {
        "a", "Z", " ", "0123456789abcdef", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
        "\\t", "\\u0000", "\\u001f", "\\u001F", "\\u0041", "\\u00e9", "\\u20ac", "\\uffff",
        "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\udbff\\udfff", "\x7f", "\xC3\xA9",
        "\xE2\x82\xAC", "\xEF\xBF\xBF", "\xF0\x9F\x98\x80", "\xE2\x80\xA8", "/"};
    // clang-format on
    *out += '"';
    for (size_t n = Pick(8) == 0 ? Pick(40) : Pick(6); n > 0; n--) {
      *out += kPieces[Pick(std::size(kPieces))];
    }
    *out += '"';
  }

  std::mt19937_64 rng_;
};

JsonLimits RandomLimits(Generator* gen, size_t text_size) {
  JsonLimits limits;
  switch (gen->Pick(10)) {
    case 0:
      limits.max_depth = gen->Pick(6);
      break;
    case 1:
      limits.max_bytes = gen->Pick(text_size + 2);
      break;
    default:
      break;
  }
  return limits;
}

// The fast path's own result, or "<refused>".
std::string Fast(std::string_view text, const JsonLimits& limits = JsonLimits()) {
  std::string out;
  return CanonicalizeJsonFast(text, limits, &out) ? out : "<refused>";
}

TEST(JsonFastPathTest, TakesTypicalDocuments) {
  EXPECT_EQ(Fast(R"({"height":618000,"hash":"00000000a1b2c3d4","miner":"m42","fee":12.5,)"
                 R"("tx":[1,2,3]})"),
            R"({"fee":12.5,"hash":"00000000a1b2c3d4","height":618000,"miner":"m42","tx":[1,2,3]})");
  EXPECT_EQ(
      Fast(R"({"user":{"name":"Zo\u00eb","id":42},"tags":["a","b\n"],"score":-3.75e-2})"),
      "{\"score\":-0.0375,\"tags\":[\"a\",\"b\\n\"],\"user\":{\"id\":42,\"name\":\"Zo\xC3\xAB\"}}");
  EXPECT_EQ(Fast("[-0,-0.0,0e-5,1e308]"), "[0,0,0,1e+308]");
  EXPECT_EQ(Fast("[18446744073709551616,-9223372036854775808,-9223372036854775809]"),
            "[18446744073709552000,-9223372036854775808,-9223372036854776000]");
  // Escapes after runs longer than a word move the rest of the string down.
  EXPECT_EQ(Fast(R"(["ab\ncdefghijklmnopqrstuvwxyz","0123456\"89abcdefghijklmnop\\",)"
                 R"("\u00e9\u00e9\u00e9\u00e9\u00e9xxxxxxxxxxxxxxxx"])"),
            "[\"ab\\ncdefghijklmnopqrstuvwxyz\",\"0123456\\\"89abcdefghijklmnop\\\\\","
            "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9xxxxxxxxxxxxxxxx\"]");
}

// RapidJSON 1.1.0 turns an escaped low surrogate without a high one into the
// bytes ED B0 80, which are not UTF-8; the reference rejects the text.
TEST(JsonFastPathTest, LoneLowSurrogateEscapesAreLeftToReference) {
  for (const char* text : {R"("\udc00")", R"(["a\udfffb"])", R"({"\udc00":1})"}) {
    EXPECT_EQ(Fast(text), "<refused>") << text;
    const Result<std::string> r = CanonicalizeJson(text, JsonLimits());
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().message(),
              CanonicalizeJsonReference(text, JsonLimits()).status().message());
  }
  EXPECT_EQ(CanonicalizeJson(R"(["a\udfffb"])", JsonLimits()).status().message(),
            "line 1, column 9: found a low surrogate escape (\\udc00-\\udfff) without a high one, "
            "expected a high surrogate escape (\\ud800-\\udbff) right before it");
}

// RapidJSON ends its input at a NUL byte, so text after one would be lost.
TEST(JsonFastPathTest, NulBytesAreLeftToReference) {
  EXPECT_EQ(Fast(std::string("[1]\0x", 5)), "<refused>");
  EXPECT_EQ(Fast(std::string("1\0", 2)), "<refused>");
  EXPECT_EQ(CanonicalizeJson(std::string("1\0", 2), JsonLimits()).status().message(),
            "line 1, column 2: found control character U+0000, expected end of input");
}

// RapidJSON's UTF-8 input stream would skip each byte of a byte order mark
// on its own; the fast path reads bytes as they are.
TEST(JsonFastPathTest, StrayByteOrderMarkBytesAreErrors) {
  for (const char* text : {"\xEF"
                           "1",
                           "\xEF\xBB"
                           "1",
                           "\xBB{}"}) {
    EXPECT_EQ(Fast(text), "<refused>");
    EXPECT_EQ(CanonicalizeJson(text, JsonLimits()).status().code(), Code::kParseError);
  }
}

// RapidJSON refuses exponents above 308 (plus the fraction's digits) that
// the reference reads when the digits are all zero; the result must not
// change. Numbers near the double range must come out the same either way.
TEST(JsonFastPathTest, NumbersRapidJsonWillNotReadStillCanonicalize) {
  EXPECT_EQ(Fast("0e400"), "<refused>");
  EXPECT_EQ(*CanonicalizeJson("0e400", JsonLimits()), "0");
  EXPECT_EQ(Fast("[-0.000e999]"), "<refused>");
  EXPECT_EQ(*CanonicalizeJson("[-0.000e999]", JsonLimits()), "[0]");
  // 1 and 17976931348623157 followed by zeros, 309 digits in all.
  std::string digits(309, '0');
  digits[0] = '1';
  EXPECT_EQ(Fast(digits), "1e+308");
  digits.replace(0, 17, "17976931348623157");
  EXPECT_EQ(*CanonicalizeJson(digits, JsonLimits()), "1.7976931348623157e+308");
  digits += '0';
  EXPECT_EQ(CanonicalizeJson(digits, JsonLimits()).status().code(), Code::kParseError);
  EXPECT_EQ(Fast("0.0000000001e310"), "1e+300");
  EXPECT_EQ(CanonicalizeJson("[1e400]", JsonLimits()).status().code(), Code::kParseError);
}

// The reader recurses once per level; deeper documents go to the reference.
TEST(JsonFastPathTest, DeepNestingIsLeftToReference) {
  JsonLimits deep;
  deep.max_depth = 100000;
  const std::string shallow = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(Fast(shallow, deep), shallow);
  const std::string nested = std::string(50000, '[') + std::string(50000, ']');
  EXPECT_EQ(Fast(nested, deep), "<refused>");
  EXPECT_EQ(*CanonicalizeJson(nested, deep), nested);
}

TEST(JsonFastPathTest, AgreesWithReferenceOnRandomDocuments) {
  Generator gen(0x5eed0001);
  Tally tally;
  for (int i = 0; i < 60000; i++) {
    const std::string doc = gen.Document();
    ASSERT_NO_FATAL_FAILURE(Check(doc, JsonLimits(), &tally));
    const std::string doc2 = gen.Document();
    ASSERT_NO_FATAL_FAILURE(Check(doc2, RandomLimits(&gen, doc2.size()), &tally));
    if (i % 3000 == 0) {
      // Now and then a long one, past the buffers that are kept for reuse.
      std::string many = "[";
      while (many.size() < 100000) many += gen.Document() + ",";
      many.back() = ']';
      ASSERT_NO_FATAL_FAILURE(Check(many, JsonLimits(), &tally));
    }
  }
  // The generator writes valid JSON, and the fast path takes nearly all of it
  // (the rest: duplicate keys, limits, numbers out of range).
  EXPECT_GT(tally.reference_accepted, 100000);
  EXPECT_GT(tally.fast_accepted, tally.reference_accepted * 9 / 10);
  EXPECT_GT(tally.errors, 1000);
}

TEST(JsonFastPathTest, AgreesWithReferenceOnMutatedDocuments) {
  Generator gen(0x5eed0002);
  Tally tally;
  for (int i = 0; i < 200000; i++) {
    std::string text = gen.Document();
    for (size_t n = 1 + gen.Pick(3); n > 0; n--) gen.Mutate(&text);
    ASSERT_NO_FATAL_FAILURE(Check(text, RandomLimits(&gen, text.size()), &tally));
  }
  // Damage does not always break a document; both outcomes are exercised.
  EXPECT_GT(tally.fast_accepted, 10000);
  EXPECT_GT(tally.errors, 100000);
}

}  // namespace
}  // namespace cairn
