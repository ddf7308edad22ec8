// `cairn <dir> space ...`: the spatial commands (spaces, points, branches,
// hyperedges). Output lines are described in cli_space_json.h.
//
// Thread-safety: a command runs on the calling thread only.
#ifndef CAIRN_TOOLS_CLI_SPACE_H_
#define CAIRN_TOOLS_CLI_SPACE_H_

#include "tools/cli_commands.h"

namespace cairn {

// Runs the space subcommand ctx.cl->command ("space box", ...). REQUIRES:
// ParseCommandOptions accepted the command line (the point operands are in
// ctx.options->points).
CliOutcome RunSpaceCommand(CommandContext& ctx);

// `space import` and the `space edge` subcommands (cli_space_edge.cc).
CliOutcome RunSpaceImport(CommandContext& ctx);
CliOutcome RunEdgeCommand(CommandContext& ctx);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_SPACE_H_
