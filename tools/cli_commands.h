// The cairn commands, run against an open database.
//
// Thread-safety: a command runs on the calling thread only; CliOutput is not
// thread-safe.
#ifndef CAIRN_TOOLS_CLI_COMMANDS_H_
#define CAIRN_TOOLS_CLI_COMMANDS_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "cairn/db.h"
#include "tools/cli_args.h"

namespace cairn {

// Where a command prints its results (standard output). Lines are written at
// once, or, when deferred, kept until Flush(): commands that write defer, so
// that nothing is reported before the database has been closed cleanly and
// every write is durable.
class CliOutput {
 public:
  explicit CliOutput(bool defer) : defer_(defer) {}
  CliOutput(const CliOutput&) = delete;
  CliOutput& operator=(const CliOutput&) = delete;

  // Prints `text` and a newline.
  void Line(std::string_view text);
  // Writes the deferred lines, if any, and flushes standard output.
  void Flush();

 private:
  bool defer_;
  std::string pending_;
};

// Everything a command needs. The pointers are borrowed for the call.
struct CommandContext {
  Database* db = nullptr;
  const CommandLine* cl = nullptr;
  const CommandOptions* options = nullptr;
  CliOutput* out = nullptr;
  // put, space insert, space edge put: the document text (all of standard
  // input when the operand is "-").
  std::string document;
  // import, space import: the open input (stdin, or the FILE operand); `input_name` names
  // it in messages. Owned by whoever called PrepareInput.
  std::FILE* input = nullptr;
  std::string input_name;
};

// Gets the command's input ready before the database is opened, so that a
// missing file never leaves a new empty database behind: put reads its
// document (from stdin for "-"); import opens FILE (stdin for "-" or no
// operand) but reads nothing yet. NOT_FOUND / IO_ERROR name the file.
CliOutcome PrepareInput(const CommandLine& cl, CommandContext* ctx);

// OK when `coll` has ever held a document; otherwise NOT_FOUND naming the
// collections that exist (a typo is likelier than a wish for no output).
CliOutcome CheckCollectionExists(Database* db, const std::string& coll);

// Runs cl.command. REQUIRES: ParseCommandLine and ParseCommandOptions
// accepted the command line.
CliOutcome RunCommand(CommandContext& ctx);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_COMMANDS_H_
