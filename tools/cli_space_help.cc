// The `cairn <dir> space ...` subcommands as data (cli_help.h): each is a
// CommandSpec named "space <sub>" (or "space edge <sub>"), so that option and
// operand checks, `cairn help space <sub>` and the write/create rules work
// exactly as for the top-level commands.
#include "tools/cli_help.h"

namespace cairn {

const std::vector<CommandSpec>& SpaceCommands() {
  static const std::vector<CommandSpec> commands = {
      {
          .name = "space create",
          .operands = "<name>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {"dims", "bits"},
          .writes = true,
          .creates = true,
          .summary = "create a space of D-dimensional points",
          .details = "Creates space <name> (letters, digits, '_' and '-', at most 32 bytes) whose "
                     "points have --dims D (1 to 16) coordinates of --bits B (1 to 32, default 32) "
                     "bits each, and prints {\"name\",\"dims\",\"bits\",\"created_seq\"}. Creating "
                     "a space that exists with the same dims and bits prints it again; with other "
                     "dims or bits it fails with INVALID_ARGUMENT. Creates the database when it is "
                     "missing.\n"
                     "\n"
                     "Example: cairn ./data space create sensors --dims 2 --bits 16",
      },
      {
          .name = "space list",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print every space",
          .details = "Prints every space as a line {\"name\",\"dims\",\"bits\",\"created_seq\"}.",
      },
      {
          .name = "space drop",
          .operands = "<name>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "drop a space",
          .details = "Drops space <name>: its points leave every view, their versions stay in the "
                     "log. NOT_FOUND when there is no such space.",
      },
      {
          .name = "space insert",
          .operands = "<name> <point> <json|->",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"branch"},
          .writes = true,
          .creates = false,
          .summary = "write a point and its payload",
          .details =
              "Writes the point <point> (its coordinates, comma-separated: 3,7) of space "
              "<name> with <json> (any JSON value; \"-\" reads it from standard input) as its "
              "payload, replacing the point's previous state, on branch main or --branch. "
              "Prints {\"point\":[..],\"seq\":N}.\n"
              "\n"
              "Example: cairn ./data space insert sensors 3,7 '{\"temp\":21.5}'",
      },
      {
          .name = "space delete",
          .operands = "<name> <point>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"branch"},
          .writes = true,
          .creates = false,
          .summary = "delete a point, keeping its history",
          .details = "Writes a tombstone for <point> and prints {\"point\":[..],\"seq\":N,"
                     "\"deleted\":true}. NOT_FOUND when the point is not live on the branch.",
      },
      {
          .name = "space import",
          .operands = "<name>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {"branch", "batch"},
          .writes = true,
          .creates = false,
          .summary = "write points from NDJSON on standard input",
          .details =
              "Reads NDJSON from standard input, one point per line:\n"
              "  {\"point\":[3,7],\"data\":<any JSON>}   or   "
              "{\"point\":[3,7],\"bytes\":\"<base64>\"}\n"
              "(\"seq\" is accepted and ignored, so the output of box and subscope imports as it "
              "is; blank lines are skipped). Lines are written in batches of --batch (default and "
              "most 100000), each batch atomically. At a bad line import stops with an error "
              "naming it (\"line N: ...\"): the lines before it are kept. Prints "
              "{\"imported\":N,\"seq\":S} at the end, also after an error.",
      },
      {
          .name = "space box",
          .operands = "<name> <min> <max>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"as-of", "branch", "limit"},
          .writes = false,
          .creates = false,
          .summary = "print the points in a box",
          .details = "Prints every live point p of <name> with min[i] <= p[i] <= max[i] on every "
                     "axis (both corners comma-separated coordinates), in Hilbert order, as "
                     "records {\"point\":[..],\"seq\":N,\"data\":<json>} (a bytes payload prints "
                     "as \"bytes\":\"<base64>\" instead of \"data\").\n"
                     "\n"
                     "Example: cairn ./data space box sensors 0,0 10,10 --as-of 12",
      },
      {
          .name = "space subscope",
          .operands = "<name> [<prefix>]",
          .min_operands = 1,
          .max_operands = 2,
          .options = {"as-of", "branch", "limit"},
          .writes = false,
          .creates = false,
          .summary = "print the points under a coordinate prefix",
          .details = "Prints, as records, every live point whose leading coordinates equal "
                     "<prefix> (0 to dims comma-separated coordinates; none or \"\": every point).",
      },
      {
          .name = "space count",
          .operands = "<name> <min> <max>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"as-of", "branch"},
          .writes = false,
          .creates = false,
          .summary = "count the points in a box",
          .details = "Prints {\"count\":N}: the number of live points in the box.",
      },
      {
          .name = "space nearest",
          .operands = "<name> <point>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"k", "as-of", "branch"},
          .writes = false,
          .creates = false,
          .summary = "print the k nearest points",
          .details = "Prints the --k K live points nearest to <point> by Euclidean distance, "
                     "nearest first, as records with a \"distance\" field.",
      },
      {
          .name = "space history",
          .operands = "<name> <point>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"branch"},
          .writes = false,
          .creates = false,
          .summary = "print every state of a point",
          .details =
              "Prints every state of the point, newest first, as records with "
              "\"deleted\" (a tombstone has \"data\":null). A branch's history continues into "
              "its parent's before the fork.",
      },
      {
          .name = "space branch",
          .operands = "<name> <branch>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"from", "at"},
          .writes = true,
          .creates = false,
          .summary = "create a branch of a space",
          .details = "Creates <branch> of space <name>, forked from --from (default main) as of "
                     "write --at SEQ (default: now), and prints "
                     "{\"name\",\"parent\",\"fork_seq\",\"created_seq\"}. The branch sees its "
                     "parent as of the fork, plus its own writes.",
      },
      {
          .name = "space branches",
          .operands = "<name>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print the branches of a space",
          .details = "Prints every branch of <name> as {\"name\",\"parent\",\"fork_seq\","
                     "\"created_seq\"} (main has parent \"\").",
      },
      {
          .name = "space drop-branch",
          .operands = "<name> <branch>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "drop a branch",
          .details = "Drops <branch> of <name>. main cannot be dropped, nor a branch another "
                     "branch forks from.",
      },
      {
          .name = "space diff",
          .operands = "<name> <from> <to>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"as-of"},
          .writes = false,
          .creates = false,
          .summary = "print what changed from one branch to another",
          .details = "Prints one line per point that differs from branch <from> to branch <to>: "
                     "{\"change\":\"added\",<record>...} (only in <to>), "
                     "{\"change\":\"removed\",<record>...} (only in <from>), and "
                     "{\"change\":\"changed\",\"from\":<record>,\"to\":<record>}.",
      },
      {
          .name = "space merge",
          .operands = "<name> <source> <target>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"strategy"},
          .writes = true,
          .creates = false,
          .summary = "merge one branch into another",
          .details = "Writes every point <source> changed since its common base with <target> to "
                     "<target>, in one atomic write. A point both changed is a conflict, settled "
                     "by --strategy: prefer-target, prefer-source, latest-wins (the later write), "
                     "or report (write nothing when there is any conflict). Prints "
                     "{\"applied\":N,\"conflicts\":[{\"point\",\"base\",\"source\",\"target\"}],"
                     "\"seq\":S} (a missing state is null). A report with conflicts still exits 0: "
                     "read \"conflicts\".",
      },
      {
          .name = "space edge put",
          .operands = "<json|->",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "write a hyperedge",
          .details =
              "Writes the hyperedge described by <json> (\"-\": standard input) and prints it:\n"
              "  {\"id\"?:\"e1\",\"kind\":\"road\",\"ends\":[{\"space\":\"s\",\"point\":[1,2],"
              "\"role\"?:\"from\",\"dir\"?:\"tail\"|\"head\"},...],\n"
              "   \"weight\"?:1.5,\"meta\"?:{\"key\":\"string\"},\"validFrom\"?:SEQ,"
              "\"validTo\"?:SEQ}\n"
              "Two or more ends; each end's space must exist and its point fit it. Without "
              "\"id\" the id is derived from the content. The printed edge has the same fields, "
              "plus \"seq\", so it can be put again as it is.",
      },
      {
          .name = "space edge delete",
          .operands = "<id>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "delete a hyperedge",
          .details = "Deletes the hyperedge <id>. NOT_FOUND when no live edge has it.",
      },
      {
          .name = "space edge at",
          .operands = "<space> <point>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"as-of", "kind"},
          .writes = false,
          .creates = false,
          .summary = "print the hyperedges at a point",
          .details = "Prints every live hyperedge with an end at <point> of <space> (of the --kind "
                     "kinds only, when given), one per line.",
      },
      {
          .name = "space edge kind",
          .operands = "<kind>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {"as-of"},
          .writes = false,
          .creates = false,
          .summary = "print the hyperedges of a kind",
          .details = "Prints every live hyperedge of <kind>, by id.",
      },
      {
          .name = "space edge traverse",
          .operands = "<space> <point>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"depth", "kind", "directed", "limit", "as-of"},
          .writes = false,
          .creates = false,
          .summary = "print the points reachable over hyperedges",
          .details = "Walks live hyperedges breadth-first from <point> of <space> and prints every "
                     "end reached within --depth hops (default 1), nearest first, as "
                     "{\"space\",\"point\",\"depth\",\"via\"} (via: the edge that reached it "
                     "first). --directed walks only from tail ends to head ends.",
      },
  };
  return commands;
}

}  // namespace cairn
