// PARSE_ERROR messages of CanonicalizeJson: "line L, column C: <found>,
// expected <what>", for every kind of malformed text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/json.h"

namespace cairn {
namespace {

struct Case {
  std::string input;
  std::string message;
};

void ExpectParseErrors(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Result<std::string> r = CanonicalizeJson(c.input, JsonLimits());
    ASSERT_FALSE(r.ok()) << "input: " << c.input;
    EXPECT_EQ(r.status().code(), Code::kParseError) << "input: " << c.input;
    EXPECT_EQ(r.status().message(), c.message) << "input: " << c.input;
  }
}

TEST(JsonSyntaxErrorTest, EmptyAndTrailingInput) {
  ExpectParseErrors({
      {"", "line 1, column 1: found end of input, expected a JSON value"},
      {" \n\t ", "line 2, column 3: found end of input, expected a JSON value"},
      {"{} x", "line 1, column 4: found 'x', expected end of input"},
      {"{} {}", "line 1, column 4: found '{', expected end of input"},
      {"1 2", "line 1, column 3: found number \"2\", expected end of input"},
      {"01", "line 1, column 2: found number \"1\", expected end of input"},
      {"-012", "line 1, column 3: found number \"12\", expected end of input"},
      {"\"a\"\"b\"", "line 1, column 4: found string \"b\", expected end of input"},
      {"truefalse", "line 1, column 5: found 'false', expected end of input"},
      {"truex", "line 1, column 5: found 'x', expected end of input"},
      // A NUL byte is never JSON, not even as a terminator.
      {std::string("[1]\0", 4),
       "line 1, column 4: found control character U+0000, expected end of input"},
      {std::string("[1]\0garbage", 11),
       "line 1, column 4: found control character U+0000, expected end of input"},
      {std::string("\0", 1),
       "line 1, column 1: found control character U+0000, expected a JSON value"},
      {std::string("[1,\0]", 5),
       "line 1, column 4: found control character U+0000, expected a JSON value"},
      {std::string("[1\0]", 4),
       "line 1, column 3: found control character U+0000, expected ',' or ']'"},
      {std::string("{\"a\"\0:1}", 8),
       "line 1, column 5: found control character U+0000, expected ':'"},
      {std::string("\"a\0\"", 4),
       "line 1, column 3: found unescaped control character U+0000 in a string, expected an escape "
       "such as \\u0000"},
      {std::string("tru\0", 4),
       "line 1, column 4: found control character U+0000, expected 'true'"},
      {"[1]]", "line 1, column 4: found ']', expected end of input"},
      {"\xEF\xBB\xBF{}",
       "line 1, column 1: found a byte order mark (U+FEFF), expected a JSON value"},
  });
}

TEST(JsonSyntaxErrorTest, GrammarErrors) {
  ExpectParseErrors({
      {"[1 2]", "line 1, column 4: found number \"2\", expected ',' or ']'"},
      {"[1,]", "line 1, column 4: found ']', expected a JSON value"},
      {"[1,,2]", "line 1, column 4: found ',', expected a JSON value"},
      {"[}", "line 1, column 2: found '}', expected a JSON value or ']'"},
      {"[1", "line 1, column 3: found end of input, expected ',' or ']'"},
      {"[1 x]", "line 1, column 4: found 'x', expected ',' or ']'"},
      {"[true1]", "line 1, column 6: found number \"1\", expected ',' or ']'"},
      {"{1:2}", "line 1, column 2: found number \"1\", expected a string key or '}'"},
      {"{'a':1}", "line 1, column 2: found ''', expected a string key or '}'"},
      {"{\"a\":1,}", "line 1, column 8: found '}', expected a string key"},
      {"{\"a\" \"b\"}", "line 1, column 6: found string \"b\", expected ':'"},
      {"{\"a\"}", "line 1, column 5: found '}', expected ':'"},
      {"{\"a\":}", "line 1, column 6: found '}', expected a JSON value"},
      {"{\"a\":1 \"b\":2}", "line 1, column 8: found string \"b\", expected ',' or '}'"},
      {"{\"a\":1", "line 1, column 7: found end of input, expected ',' or '}'"},
      {"{\"a\":1]", "line 1, column 7: found ']', expected ',' or '}'"},
      {":", "line 1, column 1: found ':', expected a JSON value"},
      // Not JSON: comments, single quotes, bare words, NaN and Infinity.
      {"// c\n1", "line 1, column 1: found '/', expected a JSON value"},
      {"NaN", "line 1, column 1: found 'N', expected a JSON value"},
      {"Infinity", "line 1, column 1: found 'I', expected a JSON value"},
      {"-Infinity", "line 1, column 2: found 'I' in a number, expected a digit after '-'"},
      {"[nan]", "line 1, column 3: found 'a', expected 'null'"},
      {"tru}", "line 1, column 4: found '}', expected 'true'"},
      {"nul", "line 1, column 4: found end of input, expected 'null'"},
      {"[True]", "line 1, column 2: found 'T', expected a JSON value or ']'"},
      {"\xC3\xA9", "line 1, column 1: found '\xC3\xA9', expected a JSON value"},
      {"\xFF", "line 1, column 1: found invalid UTF-8 byte 0xff, expected a JSON value"},
      {"\x01", "line 1, column 1: found control character U+0001, expected a JSON value"},
      {"\x7F", "line 1, column 1: found control character U+007F, expected a JSON value"},
  });
}

TEST(JsonSyntaxErrorTest, LineAndColumn) {
  ExpectParseErrors({
      // Lines count '\n'; columns count characters from 1, not bytes.
      {"\n\n  [1,\n  2 3]", "line 4, column 5: found number \"3\", expected ',' or ']'"},
      {"{\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\":1 x}",
       "line 1, column 10: found 'x', expected ',' or '}'"},
      {"[1,\r\n 2,\r\n x]", "line 3, column 2: found 'x', expected a JSON value"},
      {"[\"a\",\n \"b\" \"c\"]", "line 2, column 6: found string \"c\", expected ',' or ']'"},
      // A string token's column is where its opening quote is, even with
      // escaped quotes inside it.
      {"[1 \"x\\\"y\\\\\"]", "line 1, column 4: found string \"x\\\"y\\\\\", expected ',' or ']'"},
      {"[1 \"" + std::string(50, 'z') + "\"]",
       "line 1, column 4: found string \"" + std::string(40, 'z') + "...\", expected ',' or ']'"},
  });
}

TEST(JsonSyntaxErrorTest, StringErrors) {
  ExpectParseErrors({
      {"\"abc", "line 1, column 5: found end of input in a string, expected '\"'"},
      {"\"a\nb\"",
       "line 1, column 3: found unescaped control character U+000A in a string, expected an "
       "escape such as \\u000a"},
      {"\"a\x1f\"",
       "line 1, column 3: found unescaped control character U+001F in a string, expected an "
       "escape such as \\u001f"},
      {"\"\\x\"",
       "line 1, column 3: found 'x' after '\\', expected an escape: \\\" \\\\ \\/ \\b \\f \\n \\r "
       "\\t or \\uXXXX"},
      {"\"\\u12g4\"",
       "line 1, column 6: found 'g' in a \\u escape, expected 4 hex digits after \\u"},
      {"\"\\u12\"",
       "line 1, column 6: found '\"' in a \\u escape, expected 4 hex digits after \\u"},
      // Lone surrogates cannot become UTF-8.
      {"\"\\ud800\"",
       "line 1, column 8: found a high surrogate escape (\\ud800-\\udbff) without a low one, "
       "expected a low surrogate escape (\\udc00-\\udfff) right after it"},
      {"\"\\ud800\\u0041\"",
       "line 1, column 13: found a high surrogate escape (\\ud800-\\udbff) without a low one, "
       "expected a low surrogate escape (\\udc00-\\udfff) right after it"},
      {"\"\\udc00\"",
       "line 1, column 7: found a low surrogate escape (\\udc00-\\udfff) without a high one, "
       "expected a high surrogate escape (\\ud800-\\udbff) right before it"},
  });
}

TEST(JsonSyntaxErrorTest, InvalidUtf8InStrings) {
  ExpectParseErrors({
      {"\"\xFF\"",
       "line 1, column 2: found invalid UTF-8 byte 0xff in a string, expected valid UTF-8"},
      {"\"\x80\"",
       "line 1, column 2: found invalid UTF-8 byte 0x80 in a string, expected valid UTF-8"},
      // Overlong encodings, UTF-16 surrogates, and code points past U+10FFFF.
      {"\"\xC0\x80\"",
       "line 1, column 2: found invalid UTF-8 byte 0xc0 in a string, expected valid UTF-8"},
      {"\"\xE0\x80\x80\"",
       "line 1, column 3: found invalid UTF-8 byte 0x80 in a string, expected valid UTF-8"},
      {"\"\xED\xA0\x80\"",
       "line 1, column 3: found invalid UTF-8 byte 0xa0 in a string, expected valid UTF-8"},
      {"\"\xF4\x90\x80\x80\"",
       "line 1, column 3: found invalid UTF-8 byte 0x90 in a string, expected valid UTF-8"},
      {"\"\xF5\x80\x80\x80\"",
       "line 1, column 2: found invalid UTF-8 byte 0xf5 in a string, expected valid UTF-8"},
      // Truncated sequences.
      {"[\"\xC3(\"]",
       "line 1, column 4: found an incomplete UTF-8 sequence in a string, expected valid UTF-8"},
      {"\"\xE2\x82",
       "line 1, column 3: found an incomplete UTF-8 sequence in a string, expected valid UTF-8"},
  });
}

TEST(JsonSyntaxErrorTest, NumberErrors) {
  ExpectParseErrors({
      {"-", "line 1, column 2: found end of input in a number, expected a digit after '-'"},
      {"[-x]", "line 1, column 3: found 'x' in a number, expected a digit after '-'"},
      {"1.", "line 1, column 3: found end of input in a number, expected a digit after '.'"},
      {"1.e5", "line 1, column 3: found 'e' in a number, expected a digit after '.'"},
      {".5", "line 1, column 1: found '.', expected a JSON value"},
      {"1e",
       "line 1, column 3: found end of input in a number, expected '+', '-' or a digit after the "
       "exponent"},
      {"1e+",
       "line 1, column 4: found end of input in a number, expected a digit after exponent sign"},
      {"+1", "line 1, column 1: found '+', expected a JSON value"},
      {"0x10", "line 1, column 2: found 'x', expected end of input"},
      // Too large for a double: rejected, never turned into Infinity.
      {"1e400",
       "line 1, column 1: found number \"1e400\" out of range, expected a number whose magnitude "
       "is "
       "at most 1.7976931348623157e+308"},
      {"[0, -1.8e308]",
       "line 1, column 5: found number \"-1.8e308\" out of range, expected a number whose "
       "magnitude is at most 1.7976931348623157e+308"},
  });
  // Underflow is not an error: it rounds to zero like any other rounding.
  EXPECT_EQ(*CanonicalizeJson("[1e-400, -1e-400]", JsonLimits()), "[0,0]");
}

}  // namespace
}  // namespace cairn
