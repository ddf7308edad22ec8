// The full-text tokenizer: word boundaries, Unicode lowercase, cut words.
#include "index/tokenizer.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  Tokenize(text, &out);
  return out;
}

TEST(Tokenizer, SplitsAtPunctuationAndSpaces) {
  EXPECT_EQ(Words("The Quick-thinking fox, (jumps) 42 times!"),
            (std::vector<std::string>{"the", "quick", "thinking", "fox", "jumps", "42", "times"}));
  EXPECT_EQ(Words(""), std::vector<std::string>{});
  EXPECT_EQ(Words("  ...  "), std::vector<std::string>{});
  EXPECT_EQ(Words("a\xE2\x80\x94" "b\xC2\xA0" "c\xE3\x80\x82" "d"), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Tokenizer, LowercasesUnicode) {
  EXPECT_EQ(Words("CAFÉ Ωmega ПРИВЕТ ŁÓDŹ ẞ"), (std::vector<std::string>{"café", "ωmega", "привет", "łódź", "ß"}));
  EXPECT_EQ(Words("日本語 テスト"), (std::vector<std::string>{"日本語", "テスト"}));
}

TEST(Tokenizer, CutsLongWordsAtACharacterBoundary) {
  std::string word;
  for (int i = 0; i < 40; i++) word += "é";  // 80 bytes
  auto w = Words(word);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].size(), 64u);
}

}  // namespace
}  // namespace cairn
