// The JSON lines of the space commands: how points, records, spaces,
// branches, merges and hyperedges print, and how `space import` lines and
// `space edge put` documents parse.
//
// A record prints as {"point":[..],"seq":N,"data":<json>}; a bytes payload
// prints as {"point":[..],"seq":N,"bytes":"<base64>"} instead: a separate
// field, so that a JSON payload shaped like {"bytes":".."} stays unambiguous
// (it is also how the engine stores them, FORMAT.md). History and diff add
// "deleted"; a tombstone has "data":null.
//
// Thread-safety: pure functions.
#ifndef CAIRN_TOOLS_CLI_SPACE_JSON_H_
#define CAIRN_TOOLS_CLI_SPACE_JSON_H_

#include <string>
#include <string_view>

#include "cairn/space.h"
#include "tools/cli_args.h"

namespace cairn {

// "[3,7]".
std::string PointJson(const Point& p);

// The record's fields without braces ("\"point\":[..],\"seq\":N,\"data\":.."),
// with "deleted" when `with_deleted`.
std::string RecordFields(const SpatialRecord& r, bool with_deleted = false);
// "{" + RecordFields + "}".
std::string RecordJson(const SpatialRecord& r, bool with_deleted = false);

// {"name","dims","bits","created_seq"}.
std::string SpaceInfoJson(const SpaceInfo& s);
// {"name","parent","fork_seq","created_seq"}.
std::string BranchInfoJson(const BranchInfo& b);
// {"applied":N,"conflicts":[{"point","base","source","target"}],"seq":S}.
std::string MergeResultJson(const MergeResult& m);

// {"id","kind","ends":[{"space","point","role","dir"}],"weight","meta",
//  "validFrom","validTo","seq"}: the shape ParseEdgeJson accepts (role and
// dir null when unset).
std::string EdgeJson(const Hyperedge& e);
// {"space","point","depth","via"}.
std::string HopJson(const EdgeHop& h);

// A shortest round-trip decimal form of `v` ("1.5", "2").
std::string NumberJson(double v);


// Parses a hyperedge document (see `cairn help space edge put`). PARSE_ERROR
// for text that is not JSON; INVALID_ARGUMENT naming the field otherwise.
CliOutcome ParseEdgeJson(std::string_view text, Hyperedge* out);

// Parses one `space import` line: {"point":[..],"data":..} or
// {"point":[..],"bytes":"<base64>"}, "seq" ignored. The caller adds the line
// number to a failure.
CliOutcome ParsePointLine(std::string_view line, SpatialWrite* out);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_SPACE_JSON_H_
