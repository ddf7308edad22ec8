// SplitJsonArray: a JSON array cut into its elements' texts.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "util/json.h"

namespace cairn {
namespace {

std::vector<std::string> Split(std::string_view text) {
  auto r = SplitJsonArray(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  if (!r.ok()) return {};
  return std::vector<std::string>(r->begin(), r->end());
}

void ExpectError(std::string_view text, std::string_view message) {
  auto r = SplitJsonArray(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), Code::kParseError) << text;
  EXPECT_EQ(r.status().message(), message) << text;
}

// Every element accepted, canonicalized as CanonicalizeJson would.
bool AllCanonicalize(const std::vector<std::string>& elements) {
  for (const std::string& e : elements) {
    if (!CanonicalizeJson(e, JsonLimits{}).ok()) return false;
  }
  return true;
}

TEST(SplitJsonArrayTest, CutsAtTheArraysOwnCommasOnly) {
  EXPECT_EQ(Split("[]"), std::vector<std::string>{});
  EXPECT_EQ(Split(" [ \n] "), std::vector<std::string>{});
  EXPECT_EQ(Split("[1]"), std::vector<std::string>{"1"});
  EXPECT_EQ(Split("[1,\"a\",null]"), (std::vector<std::string>{"1", "\"a\"", "null"}));
  // Commas, brackets and braces inside nested values and strings.
  EXPECT_EQ(Split(R"([{"a":[1,2],"b":{"c":3}},[[],[{}]],"x,]}{[\"",4])"),
            (std::vector<std::string>{R"({"a":[1,2],"b":{"c":3}})", "[[],[{}]]", R"("x,]}{[\"")", "4"}));
  // An escaped backslash ends before the quote that closes the string.
  EXPECT_EQ(Split(R"(["a\\",",",["\\\""]])"), (std::vector<std::string>{R"("a\\")", R"(",")", R"(["\\\""])"}));
  // Whitespace stays with its element; CanonicalizeJson allows it.
  EXPECT_EQ(Split("[ 1 ,\n{ } ]"), (std::vector<std::string>{"1 ", "\n{ } "}));
  // Raw UTF-8 passes through.
  EXPECT_EQ(Split("[\"\xc3\xa9\",\"\xe2\x82\xac]\"]"), (std::vector<std::string>{"\"\xc3\xa9\"", "\"\xe2\x82\xac]\""}));
}

TEST(SplitJsonArrayTest, FindsQuotesAndEscapesAtEveryPlaceInALongString) {
  // Long strings are searched eight bytes at a time: an escape or the
  // closing quote at each offset from the string's start, and from the
  // text's start (the leading spaces shift it).
  for (size_t lead = 0; lead < 8; lead++) {
    for (size_t at = 0; at < 40; at++) {
      for (const std::string escape : {"\\\"", "\\\\", "\\u005d", ""}) {
        const std::string element = "\"" + std::string(at, 'a') + escape + std::string(40 - at, 'b') + "\"";
        const std::string text = std::string(lead, ' ') + "[" + element + ",\"]\"," + element + "]";
        ASSERT_EQ(Split(text), (std::vector<std::string>{element, "\"]\"", element})) << text;
        // The string left open, just before its closing quote.
        const std::string open = std::string(lead, ' ') + "[" + element.substr(0, element.size() - 1);
        ExpectError(open, "offset " + std::to_string(lead + 1) + ": string not closed");
      }
    }
  }
}

TEST(SplitJsonArrayTest, RejectsWhatIsNotOneClosedArray) {
  ExpectError("", "offset 0: expected '[' to start an array");
  ExpectError("  {\"a\":1}", "offset 2: expected '[' to start an array");
  ExpectError("1", "offset 0: expected '[' to start an array");
  ExpectError("[1,2", "offset 4: array not closed");
  ExpectError("[[1,2]", "offset 6: array not closed");
  ExpectError("[\"abc]", "offset 1: string not closed");
  ExpectError("[\"abc\\\"]", "offset 1: string not closed");
  ExpectError("[\"abc\\", "offset 1: string not closed");
  ExpectError("[1]}", "offset 3: unexpected text after the array");
  ExpectError("[1] [2]", "offset 4: unexpected text after the array");
  ExpectError("[1}", "offset 2: '}' closes no object");
}

// Refused by the splitter, or by the canonicalization of an element.
bool Refused(std::string_view text) {
  auto r = SplitJsonArray(text);
  return !r.ok() || !AllCanonicalize(std::vector<std::string>(r->begin(), r->end()));
}

TEST(SplitJsonArrayTest, MalformedElementsAreLeftForCanonicalizationToReject) {
  // The splitter does not parse elements; each of these gives at least one
  // element that CanonicalizeJson rejects, so the batch is refused.
  for (std::string_view text : {"[1,]", "[,1]", "[,]", "[1 2]", "[[}]", "[{\"a\"}]", "[tru]", "[\"a\"\"b\"]",
                                "[01]"}) {
    auto r = SplitJsonArray(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    EXPECT_TRUE(Refused(text)) << text;
  }
  EXPECT_TRUE(Refused("[{]}"));  // by the splitter: '}' closes no object
}

// A random JSON value's text, with optional whitespace between tokens and
// strings holding the characters the splitter watches for.
std::string RandomValue(std::mt19937_64& rng, int depth) {
  auto ws = [&]() -> std::string {
    static const char* kSpaces[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
    return kSpaces[rng() % 7];
  };
  switch (depth <= 0 ? rng() % 4 : rng() % 6) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng() % 2001) - 1000);
    case 1:
      return rng() % 2 ? "true" : "null";
    case 2:
    case 3: {
      static const char* kPieces[] = {"a", ",", "[", "]", "{", "}", "\\\"", "\\\\", ":", "\xc3\xa9", " "};
      std::string s = "\"";
      for (size_t k = rng() % 6; k > 0; k--) s += kPieces[rng() % 11];
      return s + "\"";
    }
    case 4: {
      std::string s = "[" + ws();
      for (size_t k = rng() % 4, i = 0; i < k; i++) s += (i ? "," : "") + ws() + RandomValue(rng, depth - 1) + ws();
      return s + "]";
    }
    default: {
      std::string s = "{" + ws();
      for (size_t k = rng() % 4, i = 0; i < k; i++) {
        s += (i ? "," : "") + ws() + "\"k" + std::to_string(i) + "\"" + ws() + ":" + ws() + RandomValue(rng, depth - 1);
      }
      return s + ws() + "}";
    }
  }
}

TEST(SplitJsonArrayTest, GivesBackTheElementsOfRandomArrays) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; round++) {
    std::vector<std::string> elements(rng() % 6);
    std::string text = "[";
    for (size_t i = 0; i < elements.size(); i++) {
      elements[i] = RandomValue(rng, 4);
      text += (i ? "," : "") + elements[i];
    }
    text += "]";
    ASSERT_EQ(Split(text), elements) << text;
    ASSERT_TRUE(AllCanonicalize(elements)) << text;
    // Cut short anywhere, the array is refused by the splitter or by an
    // element's canonicalization.
    const size_t cut = rng() % text.size();
    EXPECT_TRUE(Refused(std::string_view(text).substr(0, cut))) << text.substr(0, cut);
  }
}

}  // namespace
}  // namespace cairn
