// One line of `cairn import` input (NDJSON), checked and split into fields.
//
// A line is a JSON object:
//   {"coll":"users","id":"u1","data":<any JSON>}
// with optional "caused_by":[<hash>,...], "valid_from", "valid_to" (strings
// or null). Lines printed by export (Version::ToJson) are accepted too:
// "deleted":true makes a tombstone (its "data" must be null); "hash" is the
// version's hash in the source database; "seq", "prev" and "ts" are checked
// for type and otherwise ignored. Any other field is an error.
//
// Thread-safety: pure functions.
#ifndef CAIRN_TOOLS_CLI_NDJSON_H_
#define CAIRN_TOOLS_CLI_NDJSON_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cairn/hash.h"
#include "tools/cli_args.h"

namespace cairn {

struct ImportRecord {
  std::string coll;
  std::string id;
  // The JSON text of "data" exactly as written on the line (so numbers and
  // duplicate keys reach the database untouched); "null" for a tombstone.
  std::string data;
  bool deleted = false;
  std::vector<Hash> caused_by;
  std::optional<std::string> valid_from;
  std::optional<std::string> valid_to;
  std::optional<Hash> source_hash;  // "hash": the version's name where it came from
};

// Parses one line (without its newline) into *out. On failure returns
// PARSE_ERROR ("column C: ...") for text that is not JSON, and
// INVALID_ARGUMENT for JSON of the wrong shape (naming the field). The caller
// adds the line number.
CliOutcome ParseImportLine(std::string_view line, ImportRecord* out);

// True when `line` holds only JSON whitespace (such lines are skipped).
bool IsBlankLine(std::string_view line);

// Shared by the NDJSON readers (documents and points):
// "a number", "a string", "a boolean", "null", "an array" or "an object".
std::string TypeName(const nlohmann::json& v);
// An INVALID_ARGUMENT outcome for input of the wrong shape.
CliOutcome Shape(const std::string& message);
// The failing item's index in a batch error ("batch item 3: ..."), with
// *rest set to the message after that prefix; nullopt for any other error.
std::optional<size_t> FailedBatchItem(const std::string& message, std::string* rest);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_NDJSON_H_
