#include "tools/cli_help.h"

#include <algorithm>

namespace cairn {
namespace {

const std::vector<OptionSpec>& Options() {
  static const std::vector<OptionSpec> options = {
      {.name = "as-of",
       .value = "SEQ",
       .help = "read the database as it was right after write SEQ (0 = before any write); SEQ must "
               "not exceed the latest seq"},
      {.name = "limit", .value = "N", .help = "print at most N documents (records, points)"},
      {.name = "offset", .value = "N", .help = "skip the first N documents"},
      {.name = "caused-by",
       .value = "H[,H...]",
       .repeatable = true,
       .help = "record that this write was caused by the versions with these hashes (64 hex digits "
               "each); every hash must name an existing version; may be repeated"},
      {.name = "valid-from",
       .value = "T",
       .help =
           "start of the valid time: an ISO-8601 instant with a time zone (2024-05-01T12:00:00Z, "
           "2024-05-01T14:00:00+02:00) or a date (2024-05-01, midnight UTC)"},
      {.name = "valid-to",
       .value = "T",
       .help = "end of the valid time (same forms); after --valid-from"},
      {.name = "history",
       .help = "every version (tombstones included) in write order, oldest first, instead of the "
               "live documents"},
      {.name = "batch",
       .value = "N",
       .help = "lines per atomic batch, 1 to 100000 (default 1000; space import: 100000)"},
      {.name = "text", .help = "the full-text index of the collection instead of a field index"},
      {.name = "reverse",
       .help = "walk the other way: to the effects of a version (trace), or to the nodes that "
               "link to this one (neighbors)"},
      {.name = "depth",
       .value = "N",
       .help = "follow at most N hops (caused_by hops for trace, hyperedge hops for space edge "
               "traverse)"},
      {.name = "dims", .value = "D", .help = "coordinates per point, 1 to 16"},
      {.name = "bits", .value = "B", .help = "bits per coordinate, 1 to 32 (default 32)"},
      {.name = "branch", .value = "NAME", .help = "the branch of the space (default main)"},
      {.name = "from", .value = "NAME", .help = "the branch to fork from (default main)"},
      {.name = "at", .value = "SEQ", .help = "fork as of write SEQ (default: the latest)"},
      {.name = "k", .value = "K", .help = "how many points, 1 or more"},
      {.name = "strategy",
       .value = "S",
       .help = "how a merge settles a conflict: prefer-target, prefer-source, latest-wins or "
               "report"},
      {.name = "kind",
       .value = "KIND",
       .repeatable = true,
       .help = "only hyperedges of this kind; may be repeated"},
      {.name = "directed", .help = "walk hyperedges only from tail ends to head ends"},
      {.name = "relaxed",
       .global = true,
       .help =
           "relaxed durability: writes are not synced one by one; the command syncs once when it "
           "closes the database, before it reports success. RISK: if the operating system "
           "crashes or the power fails while the command runs, the writes it made so far may be "
           "lost (a crash of cairn alone loses nothing, and the log is never left inconsistent). "
           "Useful to speed up a large import."},
      {.name = "no-direct-io",
       .global = true,
       .help = "write log segments through the OS page cache instead of O_DIRECT"},
      {.name = "no-mmap",
       .global = true,
       .help = "read the index tables with pread through the block cache instead of through "
               "memory mappings"},
      {.name = "cache-mb",
       .value = "N",
       .global = true,
       .help = "block cache budget in MiB, 1 to 1048576 (default 64)"},
  };
  return options;
}

std::string Wrap(const std::string& text, size_t indent, size_t width = 80) {
  std::string out;
  size_t column = indent;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (column > indent && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out += ' ';
      column++;
    }
    out += word;
    column += word.size();
    pos = end + 1;
  }
  return out;
}

std::string OptionLine(const OptionSpec& o) {
  constexpr size_t kColumn = 24;
  std::string head = "  --" + std::string(o.name) + (o.value ? " " + std::string(o.value) : "");
  if (head.size() < kColumn) {
    head.resize(kColumn, ' ');
  } else {
    head += "\n" + std::string(kColumn, ' ');
  }
  return head + Wrap(o.help, kColumn) + "\n";
}

}  // namespace

const std::vector<CommandSpec>& CliCommands() {
  static const std::vector<CommandSpec> commands = {
      {
          .name = "put",
          .operands = "<coll> <id> <json|->",
          .min_operands = 3,
          .max_operands = 3,
          .options = {"caused-by", "valid-from", "valid-to"},
          .writes = true,
          .creates = true,
          .summary = "write a new version of a document",
          .details =
              "Writes <json> (any JSON value; \"-\" reads it from standard input) as the new "
              "version of document <id> in collection <coll>, and prints the version. The "
              "previous version, if any, stays in the history.\n"
              "\n"
              "Collection names use letters, digits, '_' and '-' and start with a letter or '_'. "
              "JSON that does not parse fails with PARSE_ERROR naming line and column.\n"
              "\n"
              "Example: cairn ./data put users u1 '{\"name\":\"ada\"}'",
      },
      {
          .name = "get",
          .operands = "<coll> <id>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"as-of"},
          .writes = false,
          .creates = false,
          .summary = "print the live version of a document",
          .details =
              "Prints the live version of <coll>/<id>; with --as-of, the version that was live "
              "right after write SEQ (time travel). When there is none (never written, not yet "
              "written at SEQ, or deleted) it prints nothing and fails with NOT_FOUND, saying "
              "which.\n"
              "\n"
              "Example: cairn ./data get users u1 --as-of 12",
      },
      {
          .name = "get-hash",
          .operands = "<hash>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print the version with a given hash",
          .details = "Prints the version (of any document, live or not, tombstones included) whose "
                     "hash is <hash>; NOT_FOUND when no version has it.",
      },
      {
          .name = "history",
          .operands = "<coll> <id>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print every version of a document",
          .details = "Prints every version of <coll>/<id>, tombstones included, newest first. "
                     "NOT_FOUND when the document was never written.",
      },
      {
          .name = "delete",
          .operands = "<coll> <id>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"caused-by"},
          .writes = true,
          .creates = false,
          .summary = "delete a document, keeping its history",
          .details = "Writes a tombstone and prints it. The document leaves get and list, but its "
                     "history stays: history shows every version, and get --as-of a seq before "
                     "the delete still returns it. NOT_FOUND when the document is not live.",
      },
      {
          .name = "list",
          .operands = "<coll>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {"as-of", "limit", "offset"},
          .writes = false,
          .creates = false,
          .summary = "print the live documents of a collection",
          .details = "Prints the live documents of <coll> (as of SEQ with --as-of), ordered by id. "
                     "NOT_FOUND when the collection never held a document.",
      },
      {
          .name = "collections",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print every collection name",
          .details =
              "Prints every collection that has ever held a document, one name per line, sorted.",
      },
      {
          .name = "query",
          .operands = "<nql>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "run an NQL query",
          .details =
              "Runs one NQL query (see the README, \"Queries\") and prints each row as a line "
              "of JSON. EXPLAIN <query> prints the plan instead, one step per line. A "
              "malformed query fails with PARSE_ERROR and says where.\n"
              "\n"
              "Example: cairn ./data query 'FROM blocks WHERE height > 600000 ORDER BY height "
              "DESC LIMIT 10'",
      },
      {
          .name = "create-index",
          .operands = "<coll> [<field>]",
          .min_operands = 1,
          .max_operands = 2,
          .options = {"text"},
          .writes = true,
          .creates = false,
          .summary = "index a field (or the text) of a collection",
          .details =
              "Creates a secondary index on <field> (a dotted path such as a.b) of <coll>, or "
              "with --text the full-text index of <coll>, builds it from the live documents "
              "and keeps it exact from then on. Queries use it for =, IN, ranges, ORDER BY ... "
              "LIMIT and SEARCH. Creating an index that exists does nothing.",
      },
      {
          .name = "drop-index",
          .operands = "<coll> <field>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "drop an index",
          .details = "Drops the index on <field> of <coll> (<field> \"*text\" for the full-text "
                     "index). NOT_FOUND when there is none.",
      },
      {
          .name = "indexes",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print every index",
          .details =
              "Prints every index as a line of JSON: {\"coll\",\"field\",\"text\",\"ready\"}.",
      },
      {
          .name = "link",
          .operands = "<coll:id> <rel> <coll:id>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "link two documents by a named relation",
          .details = "Records a directed link <rel> from one document to another (both must be "
                     "live) and prints the link's version. Links have history: neighbors --as-of "
                     "sees them as they were.",
      },
      {
          .name = "unlink",
          .operands = "<coll:id> <rel> <coll:id>",
          .min_operands = 3,
          .max_operands = 3,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "remove a link",
          .details =
              "Removes the link and prints the version that records it. NOT_FOUND when there "
              "is no such link.",
      },
      {
          .name = "neighbors",
          .operands = "<coll:id> <rel>",
          .min_operands = 2,
          .max_operands = 2,
          .options = {"reverse", "as-of"},
          .writes = false,
          .creates = false,
          .summary = "print the documents one link away",
          .details = "Prints, one per line, the live documents that <coll:id> links to by <rel> "
                     "(with --reverse: that link to it), as coll:id.",
      },
      {
          .name = "trace",
          .operands = "<hash>",
          .min_operands = 1,
          .max_operands = 1,
          .options = {"reverse", "depth", "limit", "as-of"},
          .writes = false,
          .creates = false,
          .summary = "print the causal chain of a version",
          .details =
              "Prints the version <hash>, then the versions it was caused by, breadth-first, "
              "each once, with their depth (--reverse: the versions it caused). NOT_FOUND "
              "when no version has <hash>.",
      },
      {
          .name = "import",
          .operands = "[FILE|-]",
          .min_operands = 0,
          .max_operands = 1,
          .options = {"batch"},
          .writes = true,
          .creates = true,
          .summary = "write documents from NDJSON",
          .details =
              "Reads NDJSON from FILE (default \"-\", standard input): one JSON object per line,\n"
              "  {\"coll\":\"users\",\"id\":\"u1\",\"data\":<any JSON>}\n"
              "with optional \"caused_by\":[<hash>,...], \"valid_from\" and \"valid_to\". Lines "
              "printed by export are accepted as they are, so export | import copies a database: "
              "\"deleted\":true writes a tombstone; \"seq\", \"prev\" and \"ts\" are ignored (the "
              "target assigns its own); a \"hash\" names the version so that later lines whose "
              "caused_by lists it point at the imported copy. Blank lines are skipped; any other "
              "field is an error.\n"
              "\n"
              "Lines are written in batches (--batch, default 1000), each batch atomically. When "
              "a line is bad, import stops with an error naming it (\"line N: ...\"): every line "
              "before it is kept (already committed) and nothing from it on is written.\n"
              "\n"
              "Prints {\"imported\":<versions written>,\"seq\":<latest seq>} at the end, also "
              "after an error. On a terminal, a progress bar is drawn on standard error.",
      },
      {
          .name = "export",
          .operands = "[<coll>]",
          .min_operands = 0,
          .max_operands = 1,
          .options = {"history", "as-of"},
          .writes = false,
          .creates = false,
          .summary = "print versions as NDJSON",
          .details = "Prints the live documents of <coll> (default: every collection) as NDJSON "
                     "versions, by collection then id; with --as-of, as they were after write "
                     "SEQ. With --history, prints every version instead (tombstones included, up "
                     "to SEQ with --as-of), oldest first in write order, so that importing the "
                     "output replays the history.\n"
                     "\n"
                     "Example: cairn ./a export --history | cairn ./b import",
      },
      {
          .name = "verify",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "check every object and checksum",
          .details =
              "Re-hashes every version, checks every log checksum and the head chain, and prints "
              "the report {\"ok\":..,\"checked\":..,\"tampered\":[<hash>...],\"problems\":[...]}. "
              "When anything is damaged it lists each damaged object on standard error and fails "
              "with CORRUPTION (exit 1).",
      },
      {
          .name = "compact",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = true,
          .creates = false,
          .summary = "merge the whole index into one table (after a bulk load)",
          .details =
              "Writes a checkpoint that merges every checkpoint table into one, so reads search "
              "one sorted run instead of several. Rewrites the index, not the log or any data. "
              "Prints {\"checkpoint_tables_before\":<n>,\"checkpoint_tables\":<m>}, where m is "
              "1, or 0 while the database has no entries to checkpoint.",
      },
      {
          .name = "head",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print the latest seq and the Merkle head",
          .details =
              "Prints {\"seq\":<latest seq>,\"head\":\"<hex>\"}. The head commits to every write; "
              "two databases with the same head hold the same history.",
      },
      {
          .name = "space",
          .operands = "<subcommand> ...",
          .min_operands = 1,
          .max_operands = 5,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "work with spaces of points and hyperedges (see below)",
          .details = "Spaces hold N-dimensional points with payloads, with history and branches; "
                     "hyperedges relate points. A <point> is its coordinates, comma-separated "
                     "decimal integers: 3,7. The subcommands are listed below; cairn help space "
                     "<subcommand> describes one.",
      },
      {
          .name = "stats",
          .operands = "",
          .min_operands = 0,
          .max_operands = 0,
          .options = {},
          .writes = false,
          .creates = false,
          .summary = "print engine statistics",
          .details = "Prints the engine statistics as one JSON object: seq, documents, versions, "
                     "log_bytes, segments, memtable_entries, memtable_bytes, checkpoint_entries, "
                     "checkpoint_tables, mapped_tables, spaces, space_branches, "
                     "cache_bytes, cache_capacity, cache_hits, cache_misses, index_bytes, "
                     "replayed_records, space_blocks_skipped (table blocks that box queries "
                     "passed over by their bounding boxes), direct_io.",
      },
  };
  return commands;
}

const CommandSpec* FindCliCommand(std::string_view name) {
  for (const CommandSpec& c : CliCommands()) {
    if (name == c.name) return &c;
  }
  for (const CommandSpec& c : SpaceCommands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

namespace {

// The "Space commands" section: each subcommand's synopsis and summary.
std::string SpaceCommandList() {
  std::string out;
  for (const CommandSpec& c : SpaceCommands()) {
    std::string head =
        "  " + std::string(c.name) + (*c.operands ? " " + std::string(c.operands) : "");
    for (const char* name : c.options) {
      const OptionSpec* o = FindCliOption(name);
      head += " [--" + std::string(o->name) + (o->value ? " " + std::string(o->value) : "") + "]";
    }
    out += head + "\n" + std::string(6, ' ') + Wrap(c.summary, 6) + "\n";
  }
  return out;
}

}  // namespace

const OptionSpec* FindCliOption(std::string_view name) {
  for (const OptionSpec& o : Options()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string CommandSynopsis(const CommandSpec& c) {
  std::string s = "cairn <dir> " + std::string(c.name);
  if (*c.operands) s += " " + std::string(c.operands);
  for (const char* name : c.options) {
    const OptionSpec* o = FindCliOption(name);
    s += " [--" + std::string(o->name) + (o->value ? " " + std::string(o->value) : "") + "]";
  }
  return s;
}

std::string GeneralHelp() {
  std::string out =
      "cairn: the command-line tool of the Cairn database\n"
      "\n"
      "Usage:\n"
      "  cairn [global options] <dir> <command> [operands] [options]\n"
      "  cairn help [<command>]        (or: cairn <dir> <command> --help)\n"
      "\n" +
      Wrap(
          "<dir> is a database directory. put, import and space create create it (one level) "
          "and the database when they are missing; every other command fails with NOT_FOUND on a "
          "directory that "
          "holds no database. Only one process may open a database at a time; another gets LOCKED.",
          0) +
      "\n\nCommands:\n";
  for (const CommandSpec& c : CliCommands()) {
    std::string head =
        "  " + std::string(c.name) + (*c.operands ? " " + std::string(c.operands) : "");
    head.resize(std::max<size_t>(head.size() + 2, 30), ' ');
    out += head + c.summary + "\n";
  }
  out +=
      "\nSpace commands (cairn <dir> space <subcommand> ...; see cairn help space <subcommand>):\n";
  out += SpaceCommandList();
  out += "\nCommand options (see cairn help <command> for which command takes which):\n";
  for (const OptionSpec& o : Options()) {
    if (!o.global) out += OptionLine(o);
  }
  out += "\nGlobal options (any command, anywhere before \"--\"):\n";
  for (const OptionSpec& o : Options()) {
    if (o.global) out += OptionLine(o);
  }
  out += "  -h, --help            print this help (after a command: that command's help)\n";
  out += "\nOutput:\n" + std::string("  ") +
         Wrap(
             "Versions print as JSON objects, one per line, with the fields coll, id, seq, hash, "
             "prev, caused_by, ts, valid_from, valid_to, deleted and data. Writes print only once "
             "they are durable. Errors go to standard error as \"cairn: <CODE>: <message>\". "
             "Operands that start with '-' (an id \"-1\", the JSON number -5) go after \"--\": "
             "cairn ./data put nums n1 -- -5",
             2) +
         "\n\nExit status:\n"
         "  0  success\n" +
         "  1  the database reported an error: NOT_FOUND, PARSE_ERROR, INVALID_ARGUMENT,\n"
         "     CORRUPTION (also when verify finds damage), IO_ERROR, LOCKED, ...\n"
         "  2  USAGE: the command line is wrong (an unknown command or option, missing or\n"
         "     extra operands, a malformed number or hash)\n"
         "\n"
         "Examples:\n"
         "  cairn ./data put users u1 '{\"name\":\"ada\"}'\n"
         "  cairn ./data get users u1 --as-of 12\n"
         "  cairn ./data history users u1\n"
         "  cairn ./data list users --limit 10\n"
         "  cairn ./data export --history > backup.ndjson\n"
         "  cairn ./copy import backup.ndjson\n"
         "  cairn ./data verify\n"
         "  cairn ./data space create sensors --dims 2\n"
         "  cairn ./data space insert sensors 3,7 '{\"temp\":21.5}'\n"
         "  cairn ./data space box sensors 0,0 10,10\n";
  return out;
}

std::string CommandHelp(const CommandSpec& c) {
  std::string out = "Usage: " + CommandSynopsis(c) + "\n\n";
  std::string details = c.details;
  size_t pos = 0;
  while (pos <= details.size()) {
    size_t end = details.find('\n', pos);
    if (end == std::string::npos) end = details.size();
    const std::string paragraph = details.substr(pos, end - pos);
    // Indented lines (examples of input) are printed as they are.
    out += (paragraph.rfind("  ", 0) == 0 ? paragraph : Wrap(paragraph, 0)) + "\n";
    pos = end + 1;
  }
  if (std::string_view(c.name) == "space") out += "\nSubcommands:\n" + SpaceCommandList();
  if (!c.options.empty()) {
    out += "\nOptions:\n";
    for (const char* name : c.options) out += OptionLine(*FindCliOption(name));
  }
  out += "\nGlobal options: --relaxed, --no-direct-io, --no-mmap, --cache-mb N (see cairn --help).\n";
  return out;
}

}  // namespace cairn
