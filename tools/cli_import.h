// `cairn import`: NDJSON lines into the database, in atomic batches.
#ifndef CAIRN_TOOLS_CLI_IMPORT_H_
#define CAIRN_TOOLS_CLI_IMPORT_H_

#include "tools/cli_args.h"
#include "tools/cli_commands.h"

namespace cairn {

// Reads ctx.input to its end (or to the first bad line), writing each line
// (cli_ndjson.h) in batches of ctx.options->batch (default 1000) with
// PutMany; a tombstone line is written with Delete. Every line before a bad
// one is kept; the error names the bad line ("line N: ..."). Prints
// {"imported":N,"seq":S} in every case where the database stays readable.
CliOutcome RunImport(CommandContext& ctx);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_IMPORT_H_
