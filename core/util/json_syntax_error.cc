// PARSE_ERROR messages for malformed JSON: "line L, column C: <found>,
// expected <what>".
//
// The parser reports a byte count and an English description whose shape is
// fixed by the parser version we build against ("syntax error while parsing
// <context> - <detail>; expected <token>"). Line and column are computed here
// from the byte offset: lines are counted by '\n', columns by characters
// (UTF-8 sequences), both from 1.
#include <cstdint>
#include <string>

#include "util/json_internal.h"

namespace cairn {
namespace json_internal {

namespace {

constexpr size_t kMaxQuotedToken = 40;

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

std::string LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      line++;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      column++;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// 'text' in single quotes.
std::string SingleQuoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

std::string HexByte(unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 15];
}

std::string CodePoint(unsigned c) {
  static const char kHex[] = "0123456789ABCDEF";
  return std::string("U+00") + kHex[(c >> 4) & 15] + kHex[c & 15];
}

// What stands at text[offset]: one character, or the end of the input.
std::string DescribeAt(std::string_view text, size_t offset) {
  if (offset >= text.size()) return "end of input";
  const unsigned char c = static_cast<unsigned char>(text[offset]);
  if (c < 0x20 || c == 0x7F) return "control character " + CodePoint(c);
  if (c < 0x80) return SingleQuoted(text.substr(offset, 1));
  const size_t len = Utf8SequenceLength(text, offset);
  if (len == 0) return "invalid UTF-8 byte " + HexByte(c);
  return SingleQuoted(text.substr(offset, len));
}

// Where the complete token that ends at `end` began. The parser accepted the
// token, so it is a literal, a string, a number or one punctuation byte.
size_t TokenStart(std::string_view text, size_t end) {
  if (end == 0) return 0;
  const char last = text[end - 1];
  if (last == '"') {
    // The opening quote is the nearest quote before the closing one that is
    // not escaped, i.e. not preceded by an odd run of backslashes.
    for (size_t i = end - 1; i-- > 0;) {
      if (text[i] != '"') continue;
      size_t backslashes = 0;
      while (backslashes < i && text[i - 1 - backslashes] == '\\') backslashes++;
      if (backslashes % 2 == 0) return i;
    }
    return end - 1;
  }
  for (std::string_view literal : {"false", "true", "null"}) {
    if (end >= literal.size() && text.substr(end - literal.size(), literal.size()) == literal) {
      return end - literal.size();
    }
  }
  if (last >= '0' && last <= '9') {
    // Back over number characters, then re-tokenize forward: "01" is the two
    // tokens "0" and "1", and "true1" ends with the token "1".
    size_t start = end - 1;
    while (start > 0 && IsNumberChar(text[start - 1])) start--;
    while (start < end) {
      size_t i = start;
      if (text[i] != '-' && !(text[i] >= '0' && text[i] <= '9')) {
        start++;
        continue;
      }
      if (text[i] == '-') i++;
      if (i < end && text[i] == '0') {
        i++;
      } else {
        while (i < end && text[i] >= '0' && text[i] <= '9') i++;
      }
      if (i < end && text[i] == '.') {
        i++;
        while (i < end && text[i] >= '0' && text[i] <= '9') i++;
      }
      if (i < end && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (i < end && (text[i] == '+' || text[i] == '-')) i++;
        while (i < end && text[i] >= '0' && text[i] <= '9') i++;
      }
      if (i >= end) return start;
      start = i > start ? i : start + 1;
    }
    return end - 1;
  }
  return end - 1;
}

// A token as it appears in the text (the parser accepted it, so it is valid
// UTF-8 without raw control characters), shortened if long.
std::string DescribeToken(std::string_view token) {
  const char first = token[0];
  const bool is_string = first == '"';
  const bool is_number = first == '-' || (first >= '0' && first <= '9');
  if (!is_string && !is_number) return SingleQuoted(token);
  // A string token brings its own opening and closing quotes.
  std::string out = is_string ? "string " : "number \"";
  const size_t limit = kMaxQuotedToken + (is_string ? 1 : 0);
  if (token.size() <= limit + (is_string ? 1 : 0)) {
    out.append(token);
    if (is_number) out += '"';
    return out;
  }
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xC0) == 0x80) cut--;
  out.append(token.substr(0, cut));
  out += "...\"";
  return out;
}

size_t PreviousNonSpace(std::string_view text, size_t offset) {
  while (offset > 0) {
    const char c = text[--offset];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return offset;
  }
  return std::string_view::npos;
}

// What the grammar allowed at `offset`, from the parser's context.
std::string ExpectedInContext(std::string_view context, std::string_view expected_token,
                              std::string_view text, size_t offset) {
  if (expected_token == "end of input") return "end of input";
  if (context == "array") return "',' or ']'";
  if (context == "object") return "',' or '}'";
  if (context == "object separator") return "':'";
  const size_t prev = PreviousNonSpace(text, offset);
  const char before = prev == std::string_view::npos ? '\0' : text[prev];
  if (context == "object key") {
    return before == '{' ? "a string key or '}'" : "a string key";
  }
  return before == '[' ? "a JSON value or ']'" : "a JSON value";
}

// For "invalid literal": the literal ("true", "false", "null") that the bytes
// just before `offset` began, if any.
std::string_view UnfinishedLiteral(std::string_view text, size_t offset) {
  for (std::string_view literal : {"false", "true", "null"}) {
    for (size_t n = literal.size() - 1; n >= 1; n--) {
      if (offset >= n && text.substr(offset - n, n) == literal.substr(0, n)) return literal;
    }
  }
  return {};
}

}  // namespace

Status JsonErrorAt(std::string_view text, size_t offset, std::string_view found,
                   std::string_view expected) {
  std::string msg = LineColumn(text, offset);
  msg += ": found ";
  msg.append(found);
  msg += ", expected ";
  msg.append(expected);
  return Status::ParseError(std::move(msg));
}

Status JsonSyntaxError(std::string_view text, size_t position, int error_id,
                       std::string_view what) {
  // Number overflow: the parser read the whole number token.
  if (error_id == 406) {
    const size_t end = position < text.size() ? position : text.size();
    const size_t start = end > 0 ? TokenStart(text, end) : 0;
    return JsonErrorAt(text, start,
                       DescribeToken(text.substr(start, end - start)) + " out of range",
                       "a number whose magnitude is at most 1.7976931348623157e+308");
  }

  // "syntax error while parsing <context> - <detail>[; expected <token>]"
  std::string_view detail = what;
  std::string_view context = "value";
  if (size_t at = detail.find("while parsing "); at != std::string_view::npos) {
    detail.remove_prefix(at + 14);
    const size_t dash = detail.find(" - ");
    if (dash != std::string_view::npos) {
      context = detail.substr(0, dash);
      detail.remove_prefix(dash + 3);
    }
  }
  // The parser appends its expected token last, after any quoted input, so
  // only a suffix is trusted; likewise the scanner's reason comes first.
  std::string_view expected_token;
  for (std::string_view token : {"end of input", "']'", "'}'", "':'", "string literal"}) {
    if (detail.ends_with(std::string("; expected ") + std::string(token))) expected_token = token;
  }
  const std::string_view reason = detail.substr(0, detail.find("; last read: '"));

  if (detail.starts_with("unexpected end of input")) {
    // The real end, or a NUL byte, which the parser also takes as the end.
    const size_t offset = position - 1 < text.size() ? position - 1 : text.size();
    return JsonErrorAt(text, offset, DescribeAt(text, offset),
                       ExpectedInContext(context, expected_token, text, offset));
  }
  if (detail.starts_with("unexpected ")) {
    // A complete token the grammar did not allow here.
    const size_t end = position < text.size() ? position : text.size();
    const size_t start = TokenStart(text, end);
    return JsonErrorAt(text, start, DescribeToken(text.substr(start, end - start)),
                       ExpectedInContext(context, expected_token, text, start));
  }

  // The scanner stopped at the byte it could not use (or at the end).
  const size_t offset = position - 1 < text.size() ? position - 1 : text.size();
  const std::string at = DescribeAt(text, offset);
  const unsigned char byte = offset < text.size() ? static_cast<unsigned char>(text[offset]) : 0;
  std::string found, expected;
  if (reason.starts_with("invalid literal")) {
    std::string_view literal = UnfinishedLiteral(text, offset);
    found = at;
    expected = literal.empty() ? ExpectedInContext(context, expected_token, text, offset)
                               : SingleQuoted(literal);
  } else if (Contains(reason, "ill-formed UTF-8")) {
    found = offset >= text.size() || byte < 0x80 ? "an incomplete UTF-8 sequence"
                                                 : "invalid UTF-8 byte " + HexByte(byte);
    found += " in a string";
    expected = "valid UTF-8";
  } else if (Contains(reason, "missing closing quote")) {
    found = "end of input in a string";
    expected = "'\"'";
  } else if (Contains(reason, "must be followed by 4 hex digits")) {
    found = at + " in a \\u escape";
    expected = "4 hex digits after \\u";
  } else if (Contains(reason, "U+D800..U+DBFF must be followed")) {
    found = "a high surrogate escape (\\ud800-\\udbff) without a low one";
    expected = "a low surrogate escape (\\udc00-\\udfff) right after it";
  } else if (Contains(reason, "U+DC00..U+DFFF must follow")) {
    found = "a low surrogate escape (\\udc00-\\udfff) without a high one";
    expected = "a high surrogate escape (\\ud800-\\udbff) right before it";
  } else if (Contains(reason, "forbidden character after backslash")) {
    found = at + " after '\\'";
    expected = "an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX";
  } else if (Contains(reason, "control character")) {
    found = "unescaped " + at + " in a string";
    expected = "an escape such as \\u00" + std::string(1, "0123456789abcdef"[byte >> 4]) +
               "0123456789abcdef"[byte & 15];
  } else if (reason.starts_with("invalid number; expected ")) {
    found = at + " in a number";
    const std::string_view want = reason.substr(25);
    if (want == "'+', '-', or digit after exponent") {
      expected = "'+', '-' or a digit after the exponent";
    } else {
      expected = "a " + std::string(want);
    }
  } else if (Contains(reason, "BOM")) {
    return JsonErrorAt(text, 0, DescribeAt(text, 0), "a JSON value");
  } else {
    found = at;
    expected = "valid JSON (" + std::string(reason) + ")";
  }
  return JsonErrorAt(text, offset, found, expected);
}

}  // namespace json_internal
}  // namespace cairn
