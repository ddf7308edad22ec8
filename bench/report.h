// The benchmark report: a table of medians with ratios, the targets, the
// machine, and the same content as JSON.
//
// Ratio convention: the ratio is Cairn's advantage, > 1 means Cairn is
// better. For speeds (higher is better) it is cairn / sqlite; for times and
// sizes (lower is better) it is sqlite / cairn.
//
// Thread-safety: values and pure functions.
#ifndef CAIRN_BENCH_REPORT_H_
#define CAIRN_BENCH_REPORT_H_

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"

namespace cairn::bench {

struct Row {
  std::string name;
  std::string unit;  // "docs/s", "gets/s", "ms", "bytes/doc"
  bool higher_is_better = true;
  std::vector<double> cairn;   // samples; the report shows the median
  std::vector<double> sqlite;  // empty: SQLite has no counterpart
  bool comparable = true;      // false: context only, no ratio
};

double RowMedian(const std::vector<double>& samples);
// Cairn's advantage (see above); nullopt when SQLite has no counterpart.
std::optional<double> RowRatio(const Row& row);

struct Target {
  std::string name;
  std::string measured;  // what the decision rests on, in words and numbers
  bool met = false;
};

struct Report {
  MachineInfo machine;
  std::string command;
  std::string data_dir;
  WorkloadConfig workload;
  int runs = 0;
  int opens = 0;
  std::string load_before;    // DescribeLoad() when the run started
  std::string load_after;     // ... and when the measurements ended
  double sync_ms_before = 0;  // SyncLatencyMs() when the run started
  double sync_ms_after = 0;   // ... and after the write runs
  std::string sqlite_version;
  std::string sqlite_table;
  std::vector<bool> direct_io_effective;    // Stats.direct_io of each O_DIRECT run
  std::vector<bool> buffered_io_effective;  // Stats.direct_io of each buffered run
  size_t verify_checks = 0;
  std::vector<Row> rows;
  std::vector<Target> targets;
  std::vector<std::string> notes;
  // Engine statistics (name, value) worth keeping with the numbers.
  std::vector<std::pair<std::string, double>> cairn_write_stats;  // after the last write run
  std::vector<std::pair<std::string, double>> cairn_open_stats;   // after an open probe
  std::vector<std::pair<std::string, double>> sqlite_open_stats;
};

void PrintReport(const Report& report, std::FILE* out);

// Writes the report as JSON to `path`; Fatal when it cannot.
void WriteJsonReport(const Report& report, const std::string& path);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_REPORT_H_
