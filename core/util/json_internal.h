// Internals shared by the canonical JSON files (json.cc, json_number.cc,
// json_string.cc, json_syntax_error.cc) and by other util/ code that quotes
// user text in error messages. Not part of any public contract.
//
// Thread-safety: pure functions.
#ifndef CAIRN_UTIL_JSON_INTERNAL_H_
#define CAIRN_UTIL_JSON_INTERNAL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "cairn/status.h"

namespace cairn {
namespace json_internal {

// Length (1-4) of the well-formed UTF-8 sequence that starts at s[i], or 0
// when s[i] does not start one. REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Appends `s` quoted for an error message: like AppendJsonString, but invalid
// UTF-8 bytes become \xNN, and at most about `max_bytes` of `s` are shown
// (cut at a character boundary and marked with "...").
void AppendQuotedForMessage(std::string* out, std::string_view s, size_t max_bytes);

// Appends the canonical form of the finite double `v` that was parsed from the
// JSON number `literal`. The literal's own digits are used when they are
// provably the shortest round-trip digits (at most 15 significant digits and
// a normal double); otherwise this is AppendJsonNumber(out, v).
void AppendJsonNumberLiteral(std::string* out, double v, std::string_view literal);

// PARSE_ERROR "line L, column C: found <found>, expected <expected>" for the
// character at byte `offset` of `text` (offset == text.size(): its end).
Status JsonErrorAt(std::string_view text, size_t offset, std::string_view found,
                   std::string_view expected);

// Builds the PARSE_ERROR for a syntax error reported by the JSON parser:
// "line L, column C: <found>, expected <what>". `position` is the parser's
// count of bytes read (one past the byte that failed, or text.size() + 1 at
// end of input); `error_id` and `what` are the parser's exception id and text.
Status JsonSyntaxError(std::string_view text, size_t position, int error_id, std::string_view what);

}  // namespace json_internal
}  // namespace cairn

#endif  // CAIRN_UTIL_JSON_INTERNAL_H_
