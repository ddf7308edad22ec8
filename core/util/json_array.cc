// SplitJsonArray (util/json.h): a JSON array cut into its elements' texts by
// one pass over its brackets, braces and strings.
#include <string>

#include "util/json.h"

namespace cairn {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Status SplitError(size_t offset, std::string_view what) {
  return Status::ParseError("offset " + std::to_string(offset) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<std::string_view>> SplitJsonArray(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n && IsSpace(text[i])) i++;
  if (i == n || text[i] != '[') return SplitError(i, "expected '[' to start an array");
  i++;
  std::vector<std::string_view> out;
  size_t start = i;
  // Brackets and braces open inside the current element. Their kinds are
  // not matched here: an element holding a mismatch fails CanonicalizeJson.
  size_t depth = 0;
  bool empty = true;  // nothing but whitespace since '['
  for (; i < n; i++) {
    const char c = text[i];
    if (c == '"') {
      // A string: skip to its closing quote, over escapes.
      const size_t open = i;
      for (i++; i < n && text[i] != '"'; i++) {
        if (text[i] == '\\') i++;
      }
      if (i >= n) return SplitError(open, "string not closed");
      empty = false;
      continue;
    }
    if (c == '[' || c == '{') {
      depth++;
    } else if (c == ']' || c == '}') {
      if (depth > 0) {
        depth--;
      } else if (c == '}') {
        return SplitError(i, "'}' closes no object");
      } else {
        // The array's end. "[]" and "[ ]" have no element; "[1,]" has an
        // empty last one, which CanonicalizeJson rejects.
        if (!(empty && out.empty())) out.push_back(text.substr(start, i - start));
        for (i++; i < n && IsSpace(text[i]); i++) {
        }
        if (i != n) return SplitError(i, "unexpected text after the array");
        return out;
      }
    } else if (c == ',' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
    if (!IsSpace(c)) empty = false;
  }
  return SplitError(n, "array not closed");
}

}  // namespace cairn
