#include "bench/space_report.h"

#include "bench/bench_util.h"

namespace cairn::bench {
namespace {

constexpr const char* kCurrent = "current";
constexpr const char* kAsOf = "as of";

// The median of an engine's samples, or a negative number when it has none.
double MedianOf(const SpaceRow& row, const std::string& engine) {
  auto it = row.samples.find(engine);
  return it == row.samples.end() || it->second.empty() ? -1 : Median(it->second);
}

std::string Cell(double v, const std::string& unit) {
  if (v < 0) return "–";
  char buf[32];
  if (unit == "s") {
    std::snprintf(buf, sizeof(buf), "%.3f", v);
  } else {
    std::snprintf(buf, sizeof(buf), v < 100 ? "%.2f" : "%.0f", v);
  }
  return buf;
}

std::string Rate(double results, double us) {
  if (us <= 0) return "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fM", results / us);  // results per µs = millions per second
  return buf;
}

std::string Ratio(double peer, double cairn) {
  if (peer < 0 || cairn <= 0) return "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", peer / cairn);
  return buf;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& SpaceEngineColumns() {
  static const std::vector<std::string> columns = {"Cairn", "SQLite R*Tree", "Boost rtree packed",
                                                   "Boost rtree R*"};
  return columns;
}

void PrintSpaceSection(FILE* out, const SpaceSection& section) {
  const std::vector<std::string>& engines = SpaceEngineColumns();
  std::fprintf(out, "\n### %s\n\n| measurement | unit |", section.title.c_str());
  for (const std::string& e : engines) std::fprintf(out, " %s |", e.c_str());
  for (size_t i = 1; i < engines.size(); i++)
    std::fprintf(out, " Cairn vs %s |", engines[i].c_str());
  std::fprintf(out, "\n|---|---|");
  for (size_t i = 0; i < 2 * engines.size() - 1; i++) std::fprintf(out, "---:|");
  std::fprintf(out, "\n");
  for (const SpaceRow& row : section.rows) {
    const double cairn = MedianOf(row, engines[0]);
    std::fprintf(out, "| %s | %s |", row.name.c_str(), row.unit.c_str());
    for (const std::string& e : engines)
      std::fprintf(out, " %s |", Cell(MedianOf(row, e), row.unit).c_str());
    for (size_t i = 1; i < engines.size(); i++) {
      std::fprintf(out, " %s |", Ratio(MedianOf(row, engines[i]), cairn).c_str());
    }
    std::fprintf(out, "\n");
  }
  bool any_query = false;
  for (const SpaceRow& row : section.rows) any_query |= row.results > 0;
  if (any_query) {
    std::fprintf(out, "\n| query | results/query |");
    for (const std::string& e : engines) std::fprintf(out, " %s results/s |", e.c_str());
    std::fprintf(out, "\n|---|---:|");
    for (size_t i = 0; i < engines.size(); i++) std::fprintf(out, "---:|");
    std::fprintf(out, "\n");
    for (const SpaceRow& row : section.rows) {
      if (row.results <= 0) continue;
      std::fprintf(out, "| %s | %.1f |", row.name.c_str(), row.results);
      for (const std::string& e : engines)
        std::fprintf(out, " %s |", Rate(row.results, MedianOf(row, e)).c_str());
      std::fprintf(out, "\n");
    }
  }
  if (!section.as_of_rows.empty()) {
    std::fprintf(out,
                 "\n| Cairn box query | results/query | current µs/query | AS OF load µs/query | "
                 "AS OF / current |\n"
                 "|---|---:|---:|---:|---:|\n");
    for (const SpaceRow& row : section.as_of_rows) {
      const double current = MedianOf(row, kCurrent), as_of = MedianOf(row, kAsOf);
      std::fprintf(out, "| %s | %.1f | %s | %s | %s |\n", row.name.c_str(), row.results,
                   Cell(current, row.unit).c_str(), Cell(as_of, row.unit).c_str(),
                   Ratio(as_of, current).c_str());
    }
  }
  if (!section.notes.empty()) std::fprintf(out, "\n");
  for (const std::string& note : section.notes) std::fprintf(out, "- %s\n", note.c_str());
}

bool WriteSpaceJson(const std::string& path, const std::string& header_json,
                    const std::vector<SpaceSection>& sections) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "{%s,\"sections\":[", header_json.c_str());
  for (size_t s = 0; s < sections.size(); s++) {
    const SpaceSection& section = sections[s];
    std::fprintf(f, "%s{\"title\":%s,\"rows\":[", s ? "," : "", JsonString(section.title).c_str());
    bool first = true;
    for (const std::vector<SpaceRow>* rows : {&section.rows, &section.as_of_rows}) {
      for (const SpaceRow& row : *rows) {
        std::fprintf(f,
                     "%s{\"name\":%s,\"unit\":%s,\"results_per_query\":%.3f,\"as_of_table\":%s,"
                     "\"medians\":{",
                     first ? "" : ",", JsonString(row.name).c_str(), JsonString(row.unit).c_str(),
                     row.results, rows == &section.as_of_rows ? "true" : "false");
        first = false;
        bool first_engine = true;
        for (const auto& [engine, samples] : row.samples) {
          std::fprintf(f, "%s%s:%.6g", first_engine ? "" : ",", JsonString(engine).c_str(),
                       Median(samples));
          first_engine = false;
        }
        std::fprintf(f, "}}");
      }
    }
    std::fprintf(f, "]}");
  }
  std::fprintf(f, "]}\n");
  return std::fclose(f) == 0;
}

}  // namespace cairn::bench
