// Rows: what NQL queries filter, group, order and return. A row is a JSON
// object held as a RapidJSON DOM: the document's fields (a document that is
// not an object appears under "_value") plus the special fields _id, _coll,
// _hash, _seq (and _valid_from, _valid_to, _caused_by when set), which take
// precedence over document fields of the same name.
//
// Also: the total order across JSON types used by ORDER BY, MIN and MAX,
// and the comparisons of WHERE and HAVING with SQL's three-valued logic.
#ifndef CAIRN_NQL_ROW_H_
#define CAIRN_NQL_ROW_H_

#define RAPIDJSON_ASSERT(x) static_cast<void>(sizeof(x))
#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "cairn/db.h"
#include "nql/ast.h"

namespace cairn::nql {

using Doc = rapidjson::Document;
using JsonValue = rapidjson::Value;

// Parses JSON text into `out` (a value allocated with `out`'s allocator).
// False on malformed text. Numbers keep full precision: integers that fit
// int64/uint64 stay integers, others are correctly rounded doubles. (This
// drives RapidJSON's reader in place rather than Document::Parse, whose
// parse stack starts as a null pointer that it offsets, which UBSan
// rejects.)
bool ParseJson(std::string_view text, Doc* out);

// A deep copy of `v` allocated with `a` (RapidJSON's own copy drives a
// Document, and so its parse stack; see ParseJson).
JsonValue Clone(const JsonValue& v, Doc::AllocatorType& a);

// A row owns its DOM. A row read from a version may also (or instead) hold
// its canonical text, spliced from the version's canonical data, and the
// version's identity; a group row holds only its DOM.
struct Row {
  std::unique_ptr<Doc> doc;  // null when nothing needs the row's values
  std::string json;          // the canonical text, when known
  uint64_t seq = 0;          // of the version the row came from (0 for a group row)
  std::string coll, id;      // of that version
  Hash hash;
};

// The row of a version: its canonical data parsed, plus the special fields.
// `depth` (a TRACE row's distance) is added as _depth when non-negative.
Result<Row> RowOfVersion(const Version& v, int64_t depth = -1);

// The canonical text of the row of a version, RowToJson(*RowOfVersion(v,
// depth)->doc) exactly, spliced from the version's canonical data without
// building a DOM: the special fields are merged into the top-level members
// (replacing document fields of the same name). Corruption when the data is
// not canonical JSON text.
Result<std::string> RowJsonOfVersion(const Version& v, int64_t depth = -1);

// True for the special fields a row adds (_id, _coll, _hash, _seq,
// _valid_from, _valid_to, _caused_by, _depth); "_value" is the document.
bool IsSpecialField(std::string_view name);

// The value at `field` in `row`, or nullptr when missing (a path through a
// non-object is missing too).
const JsonValue* Lookup(const JsonValue& row, const Field& field);

// The canonical JSON text of a row (sorted keys, canonical numbers).
std::string RowToJson(const JsonValue& row);

// SQL's three-valued logic.
enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

// Evaluates a WHERE or HAVING predicate on a row:
//  - a comparison with a missing or null field, or with NULL, is unknown;
//  - values of different types (number, string, boolean, array, object)
//    compare as not equal and not ordered: = < <= > >= are false, != true;
//  - numbers compare by value (integers exactly), strings by UTF-8 bytes,
//    false < true;
//  - IN is a chain of =, BETWEEN a AND b is >= a AND <= b;
//  - LIKE matches strings: % any run, _ one character, \ escapes the next
//    pattern character; ILIKE also folds case (Unicode simple lowercase);
//  - IS NULL is true for missing and null, never unknown.
Tri Evaluate(const Predicate& p, const JsonValue& row);

// The total order of ORDER BY: missing = null < false < true < numbers <
// strings < arrays < objects; numbers by value, strings by UTF-8 bytes,
// arrays element by element, objects by their canonical text. Returns <0, 0
// or >0.
int CompareTotal(const JsonValue* a, const JsonValue* b);

// Lowercases UTF-8 text with Unicode simple case mappings for ASCII,
// Latin-1, Latin Extended-A, Latin Extended Additional, Greek, Cyrillic,
// Armenian, Georgian and fullwidth Latin; other characters are kept.
std::string FoldCase(std::string_view s);

}  // namespace cairn::nql

#endif  // CAIRN_NQL_ROW_H_
