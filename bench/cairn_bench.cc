// cairn-bench: runs one workload on Cairn and on SQLite in the same process
// and prints medians with ratios (see cli.h for the options, workload.h for
// the data and BENCHMARKS.md for results).
//
// Order of work:
//  1. `runs` write runs; each writes a fresh database per engine and mode
//     (Cairn with an O_DIRECT log, Cairn buffered, SQLite), in an order that
//     rotates between runs so no engine always follows another's writeback;
//  2. a correctness check of the last run's databases (exit 1 on mismatch);
//  3. one untimed warm-up pass, then `runs` passes of point lookups per kind
//     on the last run's databases;
//  4. `opens` open probes per engine, each in a fresh process.
// The data directory is removed at exit unless --keep.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/cairn_runner.h"
#include "bench/cli.h"
#include "bench/probe.h"
#include "bench/report.h"
#include "bench/sqlite_runner.h"
#include "bench/verify.h"
#include "bench/workload.h"

namespace cairn::bench {
namespace {

constexpr double kOpenTargetMs = 200;

std::string g_cleanup_dir;  // removed at exit unless --keep

void CleanUp() {
  if (!g_cleanup_dir.empty()) RemoveTree(g_cleanup_dir);
}

enum Engine { kCairnDirect = 0, kCairnBuffered = 1, kSqlite = 2, kEngines = 3 };
const char* const kEngineNames[kEngines] = {"cairn-direct", "cairn-buffered", "sqlite"};

struct Runs {
  std::vector<WriteRun> by_engine[kEngines];
  std::string last_dir[kEngines];
};

void Progress(const char* format, double a, double b, double c) {
  std::fprintf(stderr, format, a, b, c);
  std::fflush(stderr);
}

Runs WriteRuns(const CliOptions& o, const Workload& w, const std::string& base) {
  Runs runs;
  for (int r = 0; r < o.runs; r++) {
    for (int k = 0; k < kEngines; k++) {
      const int e = (r + k) % kEngines;
      const std::string dir = MakeFreshDirectory(base, std::string(kEngineNames[e]) + "-");
      std::fprintf(stderr, "[run %d/%d] %-15s", r + 1, o.runs, kEngineNames[e]);
      std::fflush(stderr);
      WriteRun run = e == kSqlite ? SqliteWrites(w, dir, o.sqlite_table, base)
                                  : CairnWrites(w, dir, e == kCairnDirect, base);
      Progress("ingest %7.2f s  single puts %7.2f s  rewrites %7.2f s", run.ingest_seconds,
               run.single_put_seconds, run.rewrite_seconds);
      std::fprintf(stderr, "  close %.3f s  (fdatasync %.3f ms)\n", run.close_seconds, run.sync_ms);
      runs.by_engine[e].push_back(std::move(run));
      // Only the last run's databases are read; the others only take space.
      if (!runs.last_dir[e].empty()) RemoveTree(runs.last_dir[e]);
      runs.last_dir[e] = dir;
    }
  }
  return runs;
}

std::vector<double> Rates(const std::vector<WriteRun>& runs, double count,
                          double WriteRun::*seconds) {
  std::vector<double> out;
  for (const WriteRun& run : runs) out.push_back(count / (run.*seconds));
  return out;
}

// Process CPU microseconds per operation.
std::vector<double> CpuPerOp(const std::vector<WriteRun>& runs, double count,
                             double WriteRun::*cpu_seconds) {
  std::vector<double> out;
  for (const WriteRun& run : runs) out.push_back((run.*cpu_seconds) * 1e6 / count);
  return out;
}

std::vector<double> Values(const std::vector<WriteRun>& runs, double scale,
                           double (*get)(const WriteRun&)) {
  std::vector<double> out;
  for (const WriteRun& run : runs) out.push_back(get(run) * scale);
  return out;
}

std::vector<double> ProbeValues(const std::vector<OpenProbe>& probes, double scale,
                                double (*get)(const OpenProbe&)) {
  std::vector<double> out;
  for (const OpenProbe& p : probes) out.push_back(get(p) * scale);
  return out;
}

void AddRows(Report* report, const Workload& w, const Runs& runs, const ReadSamples& cairn_reads,
             const ReadSamples& sqlite_reads, const std::vector<OpenProbe>& cairn_probes,
             const std::vector<OpenProbe>& sqlite_probes) {
  const auto& direct = runs.by_engine[kCairnDirect];
  const auto& buffered = runs.by_engine[kCairnBuffered];
  const auto& sqlite = runs.by_engine[kSqlite];
  const double docs = double(w.docs()), singles = double(w.single_puts());
  const double rewrites = double(w.rewritten().size()) * w.config().rewrite_rounds;
  const double per_doc = 1.0 / double(w.total_documents());
  std::vector<Row>& rows = report->rows;
  const std::string batch = std::to_string(w.config().batch);
  rows.push_back({"batched ingest (" + batch + "/commit), O_DIRECT log", "docs/s", true,
                  Rates(direct, docs, &WriteRun::ingest_seconds),
                  Rates(sqlite, docs, &WriteRun::ingest_seconds)});
  rows.push_back({"batched ingest (" + batch + "/commit), buffered log", "docs/s", true,
                  Rates(buffered, docs, &WriteRun::ingest_seconds),
                  Rates(sqlite, docs, &WriteRun::ingest_seconds)});
  if (singles > 0) {
    rows.push_back({"single durable puts, O_DIRECT log", "puts/s", true,
                    Rates(direct, singles, &WriteRun::single_put_seconds),
                    Rates(sqlite, singles, &WriteRun::single_put_seconds)});
    rows.push_back({"single durable puts, buffered log", "puts/s", true,
                    Rates(buffered, singles, &WriteRun::single_put_seconds),
                    Rates(sqlite, singles, &WriteRun::single_put_seconds)});
  }
  if (singles > 0) {
    auto sync = [](const WriteRun& r) { return r.sync_ms; };
    rows.push_back({"  disk fdatasync latency around the puts", "ms", false,
                    Values(direct, 1, sync), Values(sqlite, 1, sync), /*comparable=*/false});
    auto syncs_per_put = [](const std::vector<WriteRun>& runs, double count) {
      std::vector<double> out;
      for (const WriteRun& r : runs) out.push_back(r.single_put_seconds * 1000 / count / r.sync_ms);
      return out;
    };
    rows.push_back({"  single put latency in fdatasyncs, O_DIRECT", "syncs", false,
                    syncs_per_put(direct, singles), syncs_per_put(sqlite, singles)});
  }
  if (rewrites > 0) {
    rows.push_back({"batched rewrites (random ids), O_DIRECT", "docs/s", true,
                    Rates(direct, rewrites, &WriteRun::rewrite_seconds),
                    Rates(sqlite, rewrites, &WriteRun::rewrite_seconds)});
  }
  rows.push_back({"  CPU time of batched ingest, O_DIRECT", "us/doc", false,
                  CpuPerOp(direct, docs, &WriteRun::ingest_cpu_seconds),
                  CpuPerOp(sqlite, docs, &WriteRun::ingest_cpu_seconds)});
  if (singles > 0) {
    rows.push_back({"  CPU time of single puts, O_DIRECT", "us/put", false,
                    CpuPerOp(direct, singles, &WriteRun::single_put_cpu_seconds),
                    CpuPerOp(sqlite, singles, &WriteRun::single_put_cpu_seconds)});
  }
  if (rewrites > 0) {
    rows.push_back({"  CPU time of batched rewrites, O_DIRECT", "us/doc", false,
                    CpuPerOp(direct, rewrites, &WriteRun::rewrite_cpu_seconds),
                    CpuPerOp(sqlite, rewrites, &WriteRun::rewrite_cpu_seconds)});
  }
  auto close = [](const WriteRun& r) { return r.close_seconds; };
  rows.push_back({"close after the writes", "ms", false, Values(direct, 1000, close),
                  Values(sqlite, 1000, close)});
  rows.push_back({"point get, current, random ids", "gets/s", true, cairn_reads.current,
                  sqlite_reads.current});
  rows.push_back({"point get, current, rewritten ids", "gets/s", true,
                  cairn_reads.current_rewritten, sqlite_reads.current_rewritten});
  rows.push_back({"  the same, index tables not mapped", "gets/s", true,
                  cairn_reads.current_unmapped, sqlite_reads.current});
  rows.push_back({"  CPU time of a current get, random ids", "us/get", false,
                  cairn_reads.current_cpu_us, sqlite_reads.current_cpu_us});
  rows.push_back({"get AS OF before rewrites, random ids", "gets/s", true, cairn_reads.as_of, {}});
  rows.push_back(
      {"  CPU time of a get AS OF, random ids", "us/get", false, cairn_reads.as_of_cpu_us, {}});
  rows.push_back({"get AS OF before rewrites, rewritten ids",
                  "gets/s",
                  true,
                  cairn_reads.as_of_rewritten,
                  {}});
  auto open = [](const OpenProbe& p) { return p.open_ms; };
  auto first = [](const OpenProbe& p) { return p.open_first_get_ms; };
  auto rss_open = [](const OpenProbe& p) { return double(p.rss_open) - double(p.rss_before); };
  auto rss_warm = [](const OpenProbe& p) { return double(p.rss_warm) - double(p.rss_before); };
  rows.push_back({"open (" + std::to_string(w.total_documents()) + " docs)", "ms", false,
                  ProbeValues(cairn_probes, 1, open), ProbeValues(sqlite_probes, 1, open)});
  rows.push_back({"open + first get", "ms", false, ProbeValues(cairn_probes, 1, first),
                  ProbeValues(sqlite_probes, 1, first)});
  rows.push_back({"resident memory after open + first get", "bytes/doc", false,
                  ProbeValues(cairn_probes, per_doc, rss_open),
                  ProbeValues(sqlite_probes, per_doc, rss_open)});
  rows.push_back({"resident memory after warm-up gets", "bytes/doc", false,
                  ProbeValues(cairn_probes, per_doc, rss_warm),
                  ProbeValues(sqlite_probes, per_doc, rss_warm)});
  auto anon_warm = [](const OpenProbe& p) {
    return double(p.anon_warm) - double(p.anon_before);
  };
  rows.push_back({"  of which not file pages (heap, caches)", "bytes/doc", false,
                  ProbeValues(cairn_probes, per_doc, anon_warm),
                  ProbeValues(sqlite_probes, per_doc, anon_warm)});
  auto disk = [](const WriteRun& r) { return double(r.disk_bytes); };
  rows.push_back({"disk size after close", "bytes/doc", false, Values(direct, per_doc, disk),
                  Values(sqlite, per_doc, disk)});
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

void AddTargets(Report* report, const Workload& w) {
  const auto& rows = report->rows;
  auto find = [&](const std::string& prefix) -> const Row& {
    for (const Row& row : rows)
      if (row.name.rfind(prefix, 0) == 0) return row;
    Fatal("no row " + prefix);
  };
  const Row& ingest =
      find("batched ingest (" + std::to_string(w.config().batch) + "/commit), O_DIRECT");
  const Row& ingest_buffered =
      find("batched ingest (" + std::to_string(w.config().batch) + "/commit), buffered");
  const double ingest_ratio = RowRatio(ingest).value_or(0);
  report->targets.push_back({"batched ingest >= SQLite's rate",
                             "ratio " + Fixed(ingest_ratio, 2) + " with the O_DIRECT log (" +
                                 Fixed(RowRatio(ingest_buffered).value_or(0), 2) + " buffered)",
                             ingest_ratio >= 1});
  const Row& gets = find("point get, current, random ids");
  const double get_ratio = RowRatio(gets).value_or(0);
  report->targets.push_back(
      {"point gets >= 2x SQLite's", "ratio " + Fixed(get_ratio, 2), get_ratio >= 2});
  const double current = RowMedian(gets.cairn);
  const double as_of = RowMedian(find("get AS OF before rewrites, random ids").cairn);
  std::string measured = "current/AS OF = " + Fixed(current / as_of, 2) + " (random ids)";
  bool met = current / as_of <= 2;
  const Row& rewritten = find("get AS OF before rewrites, rewritten ids");
  if (!rewritten.cairn.empty()) {
    const double slowdown =
        RowMedian(find("point get, current, rewritten ids").cairn) / RowMedian(rewritten.cairn);
    measured += ", " + Fixed(slowdown, 2) + " (rewritten ids)";
    met = met && slowdown <= 2;
  }
  report->targets.push_back({"get AS OF within 2x of a current get", measured, met});
  const double open_ms = RowMedian(find("open (").cairn);
  std::string open_name = "open of the 1M-document DB < 200 ms";
  if (w.total_documents() < 1000000) {
    open_name += " (measured at " + std::to_string(w.total_documents()) + " documents only)";
  }
  report->targets.push_back(
      {open_name, "median " + Fixed(open_ms, 1) + " ms", open_ms < kOpenTargetMs});
}

int RunBenchmark(const CliOptions& o) {
  const std::string base = MakeFreshDirectory(o.dir.empty() ? "/var/tmp" : o.dir, "cairn-bench-");
  if (!o.keep) {
    g_cleanup_dir = base;
    std::atexit(CleanUp);
  }
  Report report;
  report.machine = DescribeMachine(base);
  report.command = o.command;
  report.data_dir = base;
  report.workload = o.workload;
  report.runs = o.runs;
  report.opens = o.opens;
  report.sqlite_version = SqliteVersion();
  report.sqlite_table = SqliteTableName(o.sqlite_table);
  if (report.machine.filesystem == "tmpfs" || report.machine.filesystem == "ramfs") {
    report.notes.push_back("the data directory is on " + report.machine.filesystem +
                           ": O_DIRECT cannot take effect and fsync reaches no disk");
  }
  report.load_before = DescribeLoad();
  report.sync_ms_before = SyncLatencyMs(base);
  std::fprintf(stderr, "cairn-bench: data in %s (%s)\n", base.c_str(),
               report.machine.filesystem.c_str());
  const Workload w(o.workload);

  Runs runs = WriteRuns(o, w, base);
  report.sync_ms_after = SyncLatencyMs(base);
  for (const WriteRun& r : runs.by_engine[kCairnDirect])
    report.direct_io_effective.push_back(r.direct_io);
  for (const WriteRun& r : runs.by_engine[kCairnBuffered])
    report.buffered_io_effective.push_back(r.direct_io);
  report.cairn_write_stats = runs.by_engine[kCairnDirect].back().stats;
  const WriteRun& cairn_run = runs.by_engine[kCairnDirect].back();
  {
    CairnStore cairn(runs.last_dir[kCairnDirect], /*direct_io=*/true, /*create=*/false);
    SqliteStore sqlite(runs.last_dir[kSqlite], o.sqlite_table, /*create=*/false);
    const VerifyResult verified = VerifyStores(w, cairn_run, cairn, sqlite);
    if (!verified.ok()) {
      std::fprintf(stderr, "cairn-bench: the engines disagree with the workload:\n");
      for (const std::string& f : verified.failures) std::fprintf(stderr, "  %s\n", f.c_str());
      return 1;
    }
    report.verify_checks = verified.checks;
    std::fprintf(stderr, "verified: %zu checks passed\n", verified.checks);
  }
  std::fprintf(stderr, "reads ...\n");
  const ReadSamples cairn_reads =
      CairnReads(w, runs.last_dir[kCairnDirect], cairn_run.seq_before_rewrites, o.runs);
  const ReadSamples sqlite_reads = SqliteReads(w, runs.last_dir[kSqlite], o.sqlite_table, o.runs);
  std::fprintf(stderr, "open probes ...\n");
  std::vector<OpenProbe> cairn_probes, sqlite_probes;
  for (int i = 0; i < o.opens; i++) {
    cairn_probes.push_back(
        RunProbeProcess(ProbeArguments(o, "cairn", runs.last_dir[kCairnDirect])));
    sqlite_probes.push_back(RunProbeProcess(ProbeArguments(o, "sqlite", runs.last_dir[kSqlite])));
  }
  report.cairn_open_stats = cairn_probes.back().stats;
  report.sqlite_open_stats = sqlite_probes.back().stats;
  for (bool direct : report.direct_io_effective) {
    if (!direct) {
      report.notes.push_back(
          "O_DIRECT was requested but did not take effect (Stats.direct_io "
          "false): both Cairn write modes were buffered");
      break;
    }
  }

  report.load_after = DescribeLoad();
  AddRows(&report, w, runs, cairn_reads, sqlite_reads, cairn_probes, sqlite_probes);
  AddTargets(&report, w);
  PrintReport(report, stdout);
  if (!o.json.empty()) {
    WriteJsonReport(report, o.json);
    std::fprintf(stderr, "cairn-bench: wrote %s\n", o.json.c_str());
  }
  return 0;
}

int RunProbe(const CliOptions& o) {
  const Workload w(o.workload);
  const OpenProbe probe = o.probe_engine == "cairn" ? CairnProbeOpen(w, o.dir)
                                                    : SqliteProbeOpen(w, o.dir, o.sqlite_table);
  PrintProbe(probe, stdout);
  return 0;
}

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) {
  using namespace cairn::bench;
  CliOptions options;
  std::string error;
  if (!ParseCli(argc, argv, &options, &error)) {
    std::fprintf(stderr, "cairn-bench: %s\n%s", error.c_str(), Usage());
    return 2;
  }
  if (options.help) {
    std::fputs(Usage(), stdout);
    return 0;
  }
  return options.probe_engine.empty() ? RunBenchmark(options) : RunProbe(options);
}
