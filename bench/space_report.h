// The report of cairn-space-bench: per dataset, a table of medians with the
// ratios "how many times faster Cairn is" (peer time / Cairn time), printed
// as Markdown and optionally written as JSON.
//
// Thread-safety: values, used by one thread.
#ifndef CAIRN_BENCH_SPACE_REPORT_H_
#define CAIRN_BENCH_SPACE_REPORT_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace cairn::bench {

// One measured quantity: a time per run for each engine that took part.
struct SpaceRow {
  std::string name;
  std::string unit;                                    // "s" for loads, "µs/query" for queries
  double results = 0;                                  // results per query, for queries
  std::map<std::string, std::vector<double>> samples;  // engine -> one time per run
};

struct SpaceSection {
  std::string title;  // "uniform, 2-D, 1000000 points"
  std::vector<SpaceRow> rows;
  // AS OF against the current state, Cairn only: (current, as of) per row.
  std::vector<SpaceRow> as_of_rows;
  std::vector<std::string> notes;  // one line each
};

// The engines in column order; the first is Cairn, the one the ratios
// compare against.
const std::vector<std::string>& SpaceEngineColumns();

void PrintSpaceSection(FILE* out, const SpaceSection& section);
// Writes every section's medians as JSON; false when `path` cannot be written.
bool WriteSpaceJson(const std::string& path, const std::string& header_json,
                    const std::vector<SpaceSection>& sections);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_SPACE_REPORT_H_
