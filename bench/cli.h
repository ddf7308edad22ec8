// Command line of cairn-bench.
//
//   cairn-bench [--docs N] [--single-puts N] [--gets N] [--runs R] [--opens K]
//               [--dir PATH] [--json FILE] [--sqlite-table without-rowid|rowid]
//               [--keep]
//
// --probe-open cairn|sqlite is internal: the harness runs itself with it to
// measure open time and memory in a fresh process (see probe.h).
#ifndef CAIRN_BENCH_CLI_H_
#define CAIRN_BENCH_CLI_H_

#include <string>
#include <vector>

#include "bench/sqlite_runner.h"
#include "bench/workload.h"

namespace cairn::bench {

struct CliOptions {
  WorkloadConfig workload;
  int runs = 3;   // repetitions of each measured phase; medians are reported
  int opens = 5;  // open probes per engine
  // Where to make the fresh data directory; empty: /var/tmp.
  std::string dir;
  std::string json;  // write the report as JSON here too; empty: do not
  SqliteTable sqlite_table = SqliteTable::kWithoutRowid;
  bool keep = false;  // keep the data directory
  bool help = false;
  // Internal (--probe-open): the engine to probe; --dir is then the database.
  std::string probe_engine;
  std::string command;  // the command line, for the report
};

// Parses argv. On failure returns false with *error saying which argument.
bool ParseCli(int argc, char** argv, CliOptions* options, std::string* error);

// The usage text for --help and errors.
const char* Usage();

// Arguments that make a child run the open probe of `engine` on `dir` with
// the same workload as `options`.
std::vector<std::string> ProbeArguments(const CliOptions& options, const std::string& engine,
                                        const std::string& dir);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_CLI_H_
