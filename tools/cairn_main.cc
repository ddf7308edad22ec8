// cairn: the command-line tool of the Cairn database.
//
//   cairn <dir> put|get|get-hash|history|delete|list|collections|import|export|
//               verify|head|stats|query|...|space <subcommand> ...
//
// This file parses the command line, opens the database and dispatches; the
// commands live in cli_*.cc. `cairn --help` documents every command.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "cairn/db.h"
#include "cairn/options.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/posix/thread_scheduler.h"
#include "tools/cli_args.h"
#include "tools/cli_commands.h"
#include "tools/cli_help.h"

namespace cairn {
namespace {

// Prints `o` as "cairn: <CODE>: <message>" (and a pointer to the help for a
// usage error) and returns its exit code.
int Report(const CliOutcome& o) {
  std::fflush(stdout);
  std::fprintf(stderr, "cairn: %s: %s\n", o.code().c_str(), o.message().c_str());
  if (o.exit_code() == 2) {
    std::fprintf(stderr, "run 'cairn help%s%s' for usage\n", o.help_topic().empty() ? "" : " ",
                 o.help_topic().c_str());
  }
  return o.exit_code();
}

int PrintHelp(const CommandLine& cl) {
  const CommandSpec* spec = FindCliCommand(cl.help_topic);
  const std::string text = spec ? CommandHelp(*spec) : GeneralHelp();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return std::ferror(stdout) ? 1 : 0;
}

// Opens the database for `spec`, runs it, and closes the database.
CliOutcome OpenAndRun(const CommandLine& cl, const CommandSpec& spec, CommandContext* ctx) {
  // Declared before the database, so it outlives it (background checkpoints).
  ThreadScheduler scheduler;
  PosixOptions posix;
  posix.direct_io = cl.global.direct_io;
  posix.create_dir = spec.creates;
  Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(cl.dir, posix);
  if (!storage.ok()) return CliOutcome::FromStatus(storage.status());

  Options options;
  options.durability = cl.global.relaxed ? Durability::kRelaxed : Durability::kStrict;
  options.cache_bytes = static_cast<size_t>(cl.global.cache_mb) << 20;
  options.mmap_reads = cl.global.mmap_reads;
  options.scheduler = &scheduler;
  options.create_if_missing = spec.creates;
  Result<std::unique_ptr<Database>> db = Database::Open(std::move(storage).value(), options);
  if (!db.ok()) return CliOutcome::FromStatus(db.status());

  CliOutput out(spec.writes);
  ctx->db = db->get();
  ctx->out = &out;
  CliOutcome result = RunCommand(*ctx);
  const Status closed = (*db)->Close();
  ctx->db = nullptr;
  ctx->out = nullptr;
  if (!closed.ok()) {
    // Deferred output is dropped: what it reports may not be durable.
    if (result.ok()) return CliOutcome::FromStatus(closed.WithContext("closing the database"));
    Report(CliOutcome::FromStatus(closed.WithContext("closing the database")));
    return result;
  }
  out.Flush();
  return result;
}

int Main(int argc, char** argv) {
  // Full buffering: export may print millions of lines.
  static char stdout_buffer[1 << 16];
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));

  CommandLine cl;
  CliOutcome parsed = ParseCommandLine(argc, argv, &cl);
  if (!parsed.ok()) return Report(parsed);
  if (cl.help) return PrintHelp(cl);
  CommandOptions options;
  parsed = ParseCommandOptions(cl, &options);
  if (!parsed.ok()) return Report(parsed);
  const CommandSpec& spec = *FindCliCommand(cl.command);

  CommandContext ctx;
  ctx.cl = &cl;
  ctx.options = &options;
  CliOutcome result = PrepareInput(cl, &ctx);
  if (result.ok()) result = OpenAndRun(cl, spec, &ctx);
  if (ctx.input && ctx.input != stdin) std::fclose(ctx.input);

  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    if (result.ok()) result = CliOutcome::Failure("IO_ERROR", "writing standard output failed");
  }
  if (!result.ok()) return Report(result);
  return 0;
}

}  // namespace
}  // namespace cairn

int main(int argc, char** argv) {
  try {
    return cairn::Main(argc, argv);
  } catch (const std::exception& e) {
    // A bug: every expected failure is a CliOutcome.
    std::fprintf(stderr, "cairn: INTERNAL: %s\n", e.what());
    return 1;
  }
}
