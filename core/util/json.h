// Canonical JSON (FORMAT.md, "Canonical JSON"): the one byte form of a JSON
// value that Cairn hashes.
//
//  - no insignificant whitespace;
//  - object members sorted by the UTF-8 bytes of their keys; duplicate keys
//    are rejected;
//  - strings escape only '"', '\\' and control characters: \b \f \n \r \t,
//    others as \u00xx (lowercase hex); everything else is raw UTF-8;
//  - numbers: an integer that is exact in int64/uint64 prints in decimal; any
//    other number that is integral with |x| < 2^53 prints as an integer
//    (2.5e3 -> 2500, 1.0 -> 1, -0.0 -> 0); every other number prints like
//    ECMAScript Number.prototype.toString: the shortest digits that round-trip,
//    exponent form "1e+21" / "1.5e-7" when the exponent is >= 21 or <= -7.
//
// Thread-safety: pure functions.
#ifndef CAIRN_UTIL_JSON_H_
#define CAIRN_UTIL_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/status.h"

namespace cairn {

struct JsonLimits {
  size_t max_depth = 64;         // nesting of arrays/objects; a scalar has depth 0
  size_t max_bytes = 1u << 20;   // of the canonical output
};

// Parses `text` as exactly one JSON value (surrounding whitespace allowed) and
// returns its canonical form.
//  - PARSE_ERROR "line L, column C: <what was found>, expected <what>" for
//    malformed text, invalid UTF-8 and trailing garbage;
//  - INVALID_ARGUMENT for a duplicate key (naming the key and its path, e.g.
//    'duplicate key "a" in $.x[2]'), depth beyond max_depth, or canonical
//    output beyond max_bytes.
Result<std::string> CanonicalizeJson(std::string_view text, const JsonLimits& limits);

// Cuts `text`, a JSON array, into the texts of its elements, in order,
// without parsing them: a batch of documents crosses from JavaScript as one
// JSON.stringify of an array, far cheaper there than one call per document.
// Each element still goes through CanonicalizeJson, which rejects any that
// is not exactly one well-formed value; so a text is accepted (every
// element canonicalized) exactly when it is a well-formed array, and then
// the elements are its own. An element may keep surrounding whitespace.
//  - PARSE_ERROR "offset N: ..." when `text` is not '[' ... ']' with
//    matching brackets and closed strings, or holds anything after the ']'.
Result<std::vector<std::string_view>> SplitJsonArray(std::string_view text);

// Appends `s` (valid UTF-8) as a canonical JSON string literal, with quotes.
void AppendJsonString(std::string* out, std::string_view s);

// Appends the canonical form of a finite double.
void AppendJsonNumber(std::string* out, double v);

// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF, not a
// surrogate).
void AppendUtf8(std::string* out, uint32_t cp);

// True when `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace cairn

#endif  // CAIRN_UTIL_JSON_H_
