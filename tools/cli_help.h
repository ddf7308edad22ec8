// The cairn commands and options as data: what each accepts, and the help
// text printed by `cairn --help` and `cairn help <command>`.
//
// Thread-safety: immutable tables.
#ifndef CAIRN_TOOLS_CLI_HELP_H_
#define CAIRN_TOOLS_CLI_HELP_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

struct OptionSpec {
  const char* name = nullptr;   // without "--"
  const char* value = nullptr;  // placeholder of its value ("SEQ"); nullptr for a flag
  bool global = false;          // accepted by every command
  bool repeatable = false;      // may be given more than once (values accumulate)
  const char* help = nullptr;
};

struct CommandSpec {
  const char* name;
  const char* operands;  // synopsis of the operands ("<coll> <id>")
  size_t min_operands;
  size_t max_operands;
  std::vector<const char*> options;  // command options it accepts (globals are implied)
  // Writes to the database: its output is printed only once the database
  // has been closed cleanly (every write durable).
  bool writes;
  // Opening creates the directory and the database when missing. Other
  // commands require an existing database.
  bool creates;
  const char* summary;  // one line
  const char* details;  // paragraphs for `cairn help <command>`
};

// Every command, in the order the help lists them.
const std::vector<CommandSpec>& CliCommands();

// The subcommands of `space`, each named "space <sub>" or "space edge <sub>"
// (cli_space_help.cc).
const std::vector<CommandSpec>& SpaceCommands();

// nullptr when `name` is not a command (a space subcommand is named in full:
// "space box").
const CommandSpec* FindCliCommand(std::string_view name);

// nullptr when `name` (without "--") is not an option.
const OptionSpec* FindCliOption(std::string_view name);

// `cairn --help`: every command, every option, output and exit codes.
std::string GeneralHelp();

// `cairn help <command>`.
std::string CommandHelp(const CommandSpec& command);

// "cairn <dir> put <coll> <id> <json|-> [options]".
std::string CommandSynopsis(const CommandSpec& command);

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_HELP_H_
