// The cairn command line: outcomes, the parsed command line, and strict
// parsing of option values.
//
// Syntax: cairn [global options] <dir> <command> [operands] [options]
// Options may appear anywhere before a "--"; everything after "--" is an
// operand (so ids or JSON numbers that start with '-' can be given).
//
// Thread-safety: values and pure functions.
#ifndef CAIRN_TOOLS_CLI_ARGS_H_
#define CAIRN_TOOLS_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/status.h"

namespace cairn {

// How a command ended and so how the process exits:
//  - ok: exit 0;
//  - a database error (any Status code, or CORRUPTION from verify): exit 1;
//  - a usage error (code "USAGE": the command line itself is wrong): exit 2.
class CliOutcome {
 public:
  static CliOutcome Ok() { return CliOutcome(0, "", "", ""); }
  // `help_topic`: the command whose help the message points to; "" for the
  // general help.
  static CliOutcome Usage(std::string message, std::string help_topic = "") {
    return CliOutcome(2, "USAGE", std::move(message), std::move(help_topic));
  }
  // Ok() for an OK status; otherwise exit 1 with the status code's name.
  static CliOutcome FromStatus(const Status& s);
  static CliOutcome Failure(std::string code, std::string message) {
    return CliOutcome(1, std::move(code), std::move(message), "");
  }

  bool ok() const { return exit_code_ == 0; }
  int exit_code() const { return exit_code_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& help_topic() const { return help_topic_; }

 private:
  CliOutcome(int exit_code, std::string code, std::string message, std::string help_topic)
      : exit_code_(exit_code),
        code_(std::move(code)),
        message_(std::move(message)),
        help_topic_(std::move(help_topic)) {}

  int exit_code_;
  std::string code_;
  std::string message_;
  std::string help_topic_;
};

// Options that shape how the database is opened; accepted by every command.
struct GlobalOptions {
  bool relaxed = false;    // --relaxed: Durability::kRelaxed
  bool direct_io = true;   // --no-direct-io clears it
  uint64_t cache_mb = 64;  // --cache-mb N
  bool mmap_reads = true;  // --no-mmap clears it
};

// argv split into its parts, before any command-specific checks.
struct CommandLine {
  bool help = false;       // --help / -h given, or the `help` command
  std::string help_topic;  // the command help was asked about; "" for all
  std::string dir;
  std::string command;
  std::vector<std::string> operands;  // after the command
  // Command options by name without "--", in the order given; a flag holds "".
  std::multimap<std::string, std::string> options;
  GlobalOptions global;
};

// Splits argv into *out. Checks option names and arity, that a known command
// is named, and that the command accepts the options and operand count given.
// Does not interpret option values (see ParseCommandOptions).
CliOutcome ParseCommandLine(int argc, const char* const* argv, CommandLine* out);

// Every command option, typed. Fields are set only when the option was given.
struct CommandOptions {
  std::optional<uint64_t> as_of;
  std::optional<uint64_t> limit;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> batch;
  bool history = false;
  bool text = false;     // create-index: the full-text index
  bool reverse = false;  // trace, neighbors: the other direction
  std::optional<uint64_t> depth;
  std::vector<Hash> caused_by;
  std::optional<std::string> valid_from;
  std::optional<std::string> valid_to;
  Hash hash;  // get-hash, trace: its operand
  // space commands
  std::optional<uint64_t> dims;
  std::optional<uint64_t> bits;
  std::optional<std::string> branch;  // --branch
  std::optional<std::string> from;    // --from
  std::optional<uint64_t> at;
  std::optional<uint64_t> k;
  std::optional<MergeStrategy> strategy;
  std::vector<std::string> kinds;  // --kind, in the order given
  bool directed = false;
  // The point operands of a space command, parsed, in operand order (box:
  // min, max; subscope: the prefix, empty when omitted).
  std::vector<Point> points;
};

// Interprets the option values of `cl` (and the operand of get-hash)
// strictly: numbers are plain decimal digits within range; hashes are 64 hex
// digits. A bad value is a usage error naming the option and the value.
CliOutcome ParseCommandOptions(const CommandLine& cl, CommandOptions* out);

// Parses `text` as a decimal integer in [min, max]: digits only (no sign, no
// spaces, no suffix). `what` names the value in the error ("--as-of").
CliOutcome ParseUnsigned(std::string_view what, std::string_view text, uint64_t min, uint64_t max,
                         uint64_t* out);

// Parses a point: its coordinates as comma-separated decimal integers
// ("3,7"), each from 0 to 2^32-1. "" is the empty point when `allow_empty`.
// A usage error names `what` and the bad part ("coordinate 2 'x'").
CliOutcome ParsePointText(std::string_view what, std::string_view text, bool allow_empty,
                          const std::string& topic, Point* out);

// Parses a version hash (64 hex digits); a usage error otherwise.
CliOutcome ParseHashText(std::string_view what, std::string_view text, const std::string& topic,
                         Hash* out);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_ARGS_H_
