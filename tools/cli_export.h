// `cairn export`: versions as NDJSON (Version::ToJson, one per line).
#ifndef CAIRN_TOOLS_CLI_EXPORT_H_
#define CAIRN_TOOLS_CLI_EXPORT_H_

#include "tools/cli_args.h"
#include "tools/cli_commands.h"

namespace cairn {

// Without --history: the live documents (as of --as-of) of the collection
// operand, or of every collection, by collection then id.
// With --history: every version with seq <= --as-of (default: the latest),
// tombstones included, in seq order, so that importing the output replays
// the writes in their original order. NOT_FOUND for a collection operand that
// never held a document.
CliOutcome RunExport(CommandContext& ctx);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_EXPORT_H_
