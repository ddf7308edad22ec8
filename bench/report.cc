#include "bench/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cairn::bench {
namespace {

// 1234567.8 -> "1,234,568"; small values keep decimals ("12.34", "0.123").
std::string FormatNumber(double v) {
  char buf[64];
  if (std::fabs(v) >= 1000) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    std::string digits(buf);
    const size_t sign = digits[0] == '-' ? 1 : 0;
    for (size_t i = digits.size(); i > sign + 3; i -= 3) digits.insert(i - 3, ",");
    return digits;
  }
  std::snprintf(buf, sizeof(buf),
                std::fabs(v) >= 100 ? "%.1f"
                : std::fabs(v) >= 1 ? "%.2f"
                                    : "%.3f",
                v);
  return buf;
}

std::string FormatBytes(double v) {
  char buf[64];
  if (v >= 1 << 30)
    std::snprintf(buf, sizeof(buf), "%.2f GiB", v / (1 << 30));
  else if (v >= 1 << 20)
    std::snprintf(buf, sizeof(buf), "%.1f MiB", v / (1 << 20));
  else
    std::snprintf(buf, sizeof(buf), "%.0f KiB", v / 1024);
  return buf;
}

std::string Flags(const std::vector<bool>& flags) {
  std::string out;
  for (bool f : flags) out += std::string(out.empty() ? "" : ",") + (f ? "true" : "false");
  return out.empty() ? "-" : out;
}

nlohmann::json Samples(const std::vector<double>& samples) {
  if (samples.empty()) return nullptr;
  return {{"median", RowMedian(samples)}, {"samples", samples}};
}

nlohmann::json StatsObject(const std::vector<std::pair<std::string, double>>& stats) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& [name, value] : stats) o[name] = value;
  return o;
}

}  // namespace

double RowMedian(const std::vector<double>& samples) { return Median(samples); }

std::optional<double> RowRatio(const Row& row) {
  if (!row.comparable || row.cairn.empty() || row.sqlite.empty()) return std::nullopt;
  const double c = RowMedian(row.cairn), s = RowMedian(row.sqlite);
  if (c <= 0 || s <= 0) return std::nullopt;
  return row.higher_is_better ? c / s : s / c;
}

void PrintReport(const Report& r, std::FILE* out) {
  const MachineInfo& m = r.machine;
  std::fprintf(out, "\nCairn vs SQLite %s (%s table, WAL, synchronous=FULL; Cairn strict)\n",
               r.sqlite_version.c_str(), r.sqlite_table.c_str());
  std::fprintf(out, "machine   %u cores, %s, %s RAM, %s\n", m.cores, m.cpu_model.c_str(),
               FormatBytes(static_cast<double>(m.memory_bytes)).c_str(), m.kernel.c_str());
  std::fprintf(out, "data dir  %s (%s)\n", r.data_dir.c_str(), m.filesystem.c_str());
  std::fprintf(out, "build     %s, %s\n", m.compiler.c_str(), m.build_type.c_str());
  std::fprintf(out, "load      before: %s\n          after:  %s\n", r.load_before.c_str(),
               r.load_after.c_str());
  std::fprintf(
      out,
      "disk      fdatasync of a 4 KiB append: %.3f ms at the start, %.3f ms after the writes\n",
      r.sync_ms_before, r.sync_ms_after);
  std::fprintf(out, "command   %s\n", r.command.c_str());
  std::fprintf(out,
               "workload  %zu docs in batches of %zu, %zu single puts, %.0f%% of docs rewritten "
               "%d times, %zu gets per pass; medians of %d runs, %d opens\n",
               r.workload.docs, r.workload.batch, r.workload.single_puts,
               r.workload.rewrite_fraction * 100, r.workload.rewrite_rounds, r.workload.gets,
               r.runs, r.opens);
  std::fprintf(out, "Stats.direct_io  O_DIRECT runs: %s   buffered runs: %s\n",
               Flags(r.direct_io_effective).c_str(), Flags(r.buffered_io_effective).c_str());
  std::fprintf(out, "verified  %zu checks, both engines hold the same documents\n\n",
               r.verify_checks);

  size_t width = std::string("operation").size();
  for (const Row& row : r.rows) width = std::max(width, row.name.size());
  const int w = static_cast<int>(width);
  std::fprintf(out, "%-*s  %-10s %14s %14s %8s\n", w, "operation", "unit", "cairn", "sqlite",
               "ratio");
  std::fprintf(out, "%s\n", std::string(width + 52, '-').c_str());
  for (const Row& row : r.rows) {
    const std::string cairn = row.cairn.empty() ? "n/a" : FormatNumber(RowMedian(row.cairn));
    const std::string sqlite = row.sqlite.empty() ? "n/a" : FormatNumber(RowMedian(row.sqlite));
    const auto ratio = RowRatio(row);
    char ratio_text[32] = "-";
    if (ratio) std::snprintf(ratio_text, sizeof(ratio_text), "%.2f", *ratio);
    std::fprintf(out, "%-*s  %-10s %14s %14s %8s\n", w, row.name.c_str(), row.unit.c_str(),
                 cairn.c_str(), sqlite.c_str(), ratio_text);
  }
  std::fprintf(out,
               "\nratio = Cairn's advantage, > 1 means Cairn is better "
               "(speeds: cairn/sqlite; times and sizes: sqlite/cairn)\n\ntargets\n");
  for (const Target& t : r.targets) {
    std::fprintf(out, "  [%s] %s: %s\n", t.met ? "met" : "MISSED", t.name.c_str(),
                 t.measured.c_str());
  }
  if (!r.notes.empty()) std::fprintf(out, "\nnotes\n");
  for (const std::string& n : r.notes) std::fprintf(out, "  - %s\n", n.c_str());
}

void WriteJsonReport(const Report& r, const std::string& path) {
  const MachineInfo& m = r.machine;
  nlohmann::json j;
  j["machine"] = {
      {"cores", m.cores},          {"cpu_model", m.cpu_model},   {"memory_bytes", m.memory_bytes},
      {"kernel", m.kernel},        {"filesystem", m.filesystem}, {"compiler", m.compiler},
      {"build_type", m.build_type}};
  j["load_before"] = r.load_before;
  j["load_after"] = r.load_after;
  j["sync_ms_before"] = r.sync_ms_before;
  j["sync_ms_after"] = r.sync_ms_after;
  j["command"] = r.command;
  j["data_dir"] = r.data_dir;
  j["workload"] = {{"docs", r.workload.docs},
                   {"batch", r.workload.batch},
                   {"single_puts", r.workload.single_puts},
                   {"gets", r.workload.gets},
                   {"rewrite_fraction", r.workload.rewrite_fraction},
                   {"rewrite_rounds", r.workload.rewrite_rounds},
                   {"seed", r.workload.seed}};
  j["runs"] = r.runs;
  j["opens"] = r.opens;
  j["sqlite"] = {{"version", r.sqlite_version}, {"table", r.sqlite_table}};
  j["direct_io_effective"] = r.direct_io_effective;
  j["buffered_io_effective"] = r.buffered_io_effective;
  j["verify_checks"] = r.verify_checks;
  j["rows"] = nlohmann::json::array();
  for (const Row& row : r.rows) {
    const auto ratio = RowRatio(row);
    j["rows"].push_back({{"name", row.name},
                         {"unit", row.unit},
                         {"higher_is_better", row.higher_is_better},
                         {"comparable", row.comparable},
                         {"cairn", Samples(row.cairn)},
                         {"sqlite", Samples(row.sqlite)},
                         {"ratio", ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr)}});
  }
  j["targets"] = nlohmann::json::array();
  for (const Target& t : r.targets) {
    j["targets"].push_back({{"name", t.name}, {"measured", t.measured}, {"met", t.met}});
  }
  j["notes"] = r.notes;
  j["cairn_write_stats"] = StatsObject(r.cairn_write_stats);
  j["cairn_open_stats"] = StatsObject(r.cairn_open_stats);
  j["sqlite_open_stats"] = StatsObject(r.sqlite_open_stats);
  std::ofstream file(path);
  file << j.dump(2) << "\n";
  if (!file) Fatal("cannot write " + path);
}

}  // namespace cairn::bench
