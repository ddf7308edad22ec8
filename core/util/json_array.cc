// SplitJsonArray (util/json.h): a JSON array cut into its elements' texts by
// one pass over its brackets, braces and strings.
#include <cstdint>
#include <cstring>
#include <string>

#include "util/json.h"

namespace cairn {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Nonzero when some byte of `w` equals `b` (the classic zero-byte test on
// w ^ b...b; it may also flag a byte above an equal one, never misses one).
inline uint64_t HasByte(uint64_t w, char b) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const uint64_t x = w ^ (kOnes * static_cast<uint8_t>(b));
  return (x - kOnes) & ~x & (kOnes << 7);
}

// The position of the first '"' or '\\' at or after `i`, or text.size().
// Strings are most of a document's bytes: eight at a time.
size_t SkipStringBytes(std::string_view text, size_t i) {
  const size_t n = text.size();
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    if (HasByte(w, '"') | HasByte(w, '\\')) break;
  }
  while (i < n && text[i] != '"' && text[i] != '\\') i++;
  return i;
}

// The bytes the split looks at outside strings: quote, brackets, braces and
// comma. Everything else is plain.
struct PlainBytes {
  bool plain[256];
  constexpr PlainBytes() : plain() {
    for (int c = 0; c < 256; c++) plain[c] = true;
    for (char c : {'"', '[', ']', '{', '}', ','}) plain[static_cast<uint8_t>(c)] = false;
  }
  constexpr bool operator[](uint8_t c) const { return plain[c]; }
};
constexpr PlainBytes kPlain;

Status SplitError(size_t offset, std::string_view what) {
  return Status::ParseError("offset " + std::to_string(offset) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<std::string_view>> SplitJsonArray(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < n && IsSpace(text[i])) i++;
  };
  auto end_of_array = [&]() -> Status {
    i++;
    skip_spaces();
    return i == n ? Status::OK() : SplitError(i, "unexpected text after the array");
  };
  skip_spaces();
  if (i == n || text[i] != '[') return SplitError(i, "expected '[' to start an array");
  i++;
  skip_spaces();
  std::vector<std::string_view> out;
  if (i < n && text[i] == ']') {  // "[]": no element
    CAIRN_RETURN_IF_ERROR(end_of_array());
    return out;
  }
  size_t start = i;
  // Brackets and braces open inside the current element. Their kinds are
  // not matched here: an element holding a mismatch fails CanonicalizeJson.
  size_t depth = 0;
  for (; i < n; i++) {
    // Past the bytes that matter to nobody here (digits, letters, spaces,
    // ':'), one table lookup each.
    while (i < n && kPlain[static_cast<uint8_t>(text[i])]) i++;
    if (i == n) break;
    const char c = text[i];
    if (c == '"') {
      // A string: skip to its closing quote, over escapes.
      const size_t open = i;
      for (i = SkipStringBytes(text, i + 1); i < n && text[i] == '\\'; i = SkipStringBytes(text, i + 2)) {
      }
      if (i >= n) return SplitError(open, "string not closed");
    } else if (c == '[' || c == '{') {
      depth++;
    } else if (c == ',') {
      if (depth == 0) {
        out.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    } else if (depth > 0) {  // ']' or '}'
      depth--;
    } else if (c == '}') {
      return SplitError(i, "'}' closes no object");
    } else {
      // The array's end. "[1,]" has an empty last element, which
      // CanonicalizeJson rejects.
      out.push_back(text.substr(start, i - start));
      CAIRN_RETURN_IF_ERROR(end_of_array());
      return out;
    }
  }
  return SplitError(n, "array not closed");
}

}  // namespace cairn
