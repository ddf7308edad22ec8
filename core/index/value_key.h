// Order-preserving byte encodings of JSON values, for secondary index keys.
//
// memcmp order of the encodings follows nql::CompareTotal's type order
// (missing = null < false < true < numbers < strings < arrays < objects),
// and within numbers and strings their order, except that:
//  - numbers are encoded as doubles, so integers beyond 2^53 that round to
//    the same double share a key;
//  - strings are encoded by their first kMaxStringKeyBytes bytes;
//  - arrays and objects encode their type only.
// Equal keys therefore mean "possibly equal values": index users re-check
// every candidate, and order the documents within a run of equal keys by
// their values.
#ifndef CAIRN_INDEX_VALUE_KEY_H_
#define CAIRN_INDEX_VALUE_KEY_H_

#include <string>

#include "nql/ast.h"
#include "nql/row.h"

namespace cairn {

inline constexpr size_t kMaxStringKeyBytes = 128;
// Strings shorter than this are never cut (a cut backs off to a UTF-8
// boundary, at most 3 bytes), so their keys determine them.
inline constexpr size_t kExactStringKeyBytes = kMaxStringKeyBytes - 4;
// Numbers smaller than this in magnitude share their key with no other
// number (larger integers may round to the same double).
inline constexpr double kExactNumberKeyLimit = 9007199254740992.0;  // 2^53

// Appends the key of `v` (nullptr: missing) to *out. The encoding is
// self-delimiting: no key is a prefix of another.
void AppendValueKey(std::string* out, const nql::JsonValue* v);

// The key of a query literal, as AppendValueKey would encode the same value.
std::string LiteralKey(const nql::Literal& l);

// Whether the literal's key is shared by no other value, so that comparing
// keys decides =, <, <=, >, >= against it exactly: booleans, numbers below
// 2^53 in magnitude, strings shorter than kExactStringKeyBytes (not null).
bool LiteralKeyIsExact(const nql::Literal& l);

// The canonical JSON of the value a plain key encodes, when the key
// determines it exactly (null, booleans, numbers, strings shorter than
// kMaxStringKeyBytes); false otherwise (long strings, arrays, objects).
bool DecodeValueKey(std::string_view key, std::string* json);

// The length of the value key at the front of `key` (whose bytes are all
// inverted when `inverted`); false when it is malformed.
bool ValueKeyLength(std::string_view key, bool inverted, size_t* length);

}  // namespace cairn

#endif  // CAIRN_INDEX_VALUE_KEY_H_
