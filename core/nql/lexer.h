// The NQL lexer: turns query text into tokens with their line:column.
//
// Tokens: words (identifiers and keywords, which the parser compares
// case-insensitively), `backquoted` names (for fields that clash with
// keywords), "strings" (escapes \" \\ \/ \b \f \n \r \t \uXXXX, surrogate
// pairs included), numbers (-12, 3.5, 1e-3), and the punctuation
// , . ( ) = != <> < <= > >= *.
#ifndef CAIRN_NQL_LEXER_H_
#define CAIRN_NQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/status.h"

namespace cairn::nql {

enum class TokenKind : uint8_t {
  kWord,
  kQuotedName,
  kString,
  kNumber,
  kPunct,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // as written (for kString and kQuotedName: the decoded value)
  uint32_t line = 1;  // 1-based
  uint32_t column = 1;
};

// PARSE_ERROR "line L, column C: ..." for an unterminated string, a bad
// escape, invalid UTF-8 or a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view text);

// How a token reads in an error message: 'WHERE', "abc", end of query.
std::string Describe(const Token& t);

}  // namespace cairn::nql

#endif  // CAIRN_NQL_LEXER_H_
