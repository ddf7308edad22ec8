// cairn-space-bench: Cairn spaces against SQLite's R*Tree and Boost.Geometry's
// rtree, on the same points and the same queries in one run, printing medians
// and ratios (how many times faster Cairn is). Every engine's answer to every
// query is checked against the others' before anything is timed.
//
//   cairn-space-bench [--points N] [--runs R] [--queries Q] [--datasets LIST]
//                     [--dims LIST] [--domain-bits B] [--no-relaxed] [--dir PATH]
//                     [--json FILE]
#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/space_cairn.h"
#include "bench/space_engine.h"
#include "bench/space_report.h"
#include "bench/space_workload.h"

namespace cairn::bench {
namespace {

constexpr uint64_t kSeed = 20261206;
constexpr double kRewriteShare = 0.10;

struct Config {
  size_t points = 1000000;
  int runs = 3;
  size_t queries =
      1000;  // of the smallest box; 3/10 as many of the middle one, 1/10 of the largest
  std::vector<Distribution> datasets = {Distribution::kUniform, Distribution::kClustered};
  std::vector<uint32_t> dims = {2, 3};
  uint32_t domain_bits = 16;
  bool relaxed = true;
  std::string dir = "/var/tmp";
  std::string json;
};

const char* kUsage =
    "usage: cairn-space-bench [options]\n"
    "  --points N         points per dataset (default 1000000)\n"
    "  --runs R           repetitions of every measurement (default 3); medians are reported\n"
    "  --queries Q        0.01%% boxes per pass (default 1000); 0.1%%: 3Q/10, 1%%: Q/10,\n"
    "                     subscope: Q\n"
    "  --datasets LIST    uniform,clustered (default both)\n"
    "  --dims LIST        2,3 (default both)\n"
    "  --domain-bits B    coordinates in [0, 2^B) (default 16, at most 21)\n"
    "  --no-relaxed       skip the load in Cairn's relaxed durability mode\n"
    "  --dir PATH         make the fresh data directory inside PATH (default /var/tmp)\n"
    "  --json FILE        also write the medians as JSON to FILE\n";

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Config ParseArgs(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Fatal(a + " needs a value");
      return argv[++i];
    };
    if (a == "--points")
      cfg.points = std::stoull(next());
    else if (a == "--runs")
      cfg.runs = std::stoi(next());
    else if (a == "--queries")
      cfg.queries = std::stoull(next());
    else if (a == "--domain-bits")
      cfg.domain_bits = static_cast<uint32_t>(std::stoul(next()));
    else if (a == "--no-relaxed")
      cfg.relaxed = false;
    else if (a == "--dir")
      cfg.dir = next();
    else if (a == "--json")
      cfg.json = next();
    else if (a == "--datasets") {
      cfg.datasets.clear();
      for (const std::string& d : Split(next())) {
        if (d == "uniform")
          cfg.datasets.push_back(Distribution::kUniform);
        else if (d == "clustered")
          cfg.datasets.push_back(Distribution::kClustered);
        else
          Fatal("unknown dataset " + d);
      }
    } else if (a == "--dims") {
      cfg.dims.clear();
      for (const std::string& d : Split(next())) {
        if (d != "2" && d != "3") Fatal("--dims takes 2 and/or 3");
        cfg.dims.push_back(static_cast<uint32_t>(std::stoul(d)));
      }
    } else {
      std::fprintf(a == "--help" ? stdout : stderr, kUsage);
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  if (cfg.points < 10 || cfg.runs < 1 || cfg.queries < 10)
    Fatal("--points and --queries need at least 10, --runs 1");
  return cfg;
}

// One kind of query: boxes, or (2-D) exact x values for the subscope.
struct QueryKind {
  std::string name;
  std::vector<QueryBox> boxes;
  std::vector<uint32_t> xs;
  std::vector<std::vector<uint32_t>> answers;  // the agreed indexes of each query
  size_t total = 0;                            // results over the whole set

  size_t size() const { return xs.empty() ? boxes.size() : xs.size(); }
  size_t Run(SpaceEngine& e, size_t q) const {
    return xs.empty() ? e.Box(boxes[q]) : e.Subscope(xs[q]);
  }
  std::vector<uint32_t> Indexes(SpaceEngine& e, size_t q) const {
    return xs.empty() ? e.BoxIndexes(boxes[q]) : e.SubscopeIndexes(xs[q]);
  }
};

// Fails unless every engine gives the same points for every query.
void Verify(QueryKind& kind, const std::vector<SpaceEngine*>& engines) {
  kind.answers.clear();
  kind.total = 0;
  for (size_t q = 0; q < kind.size(); q++) {
    std::vector<uint32_t> first = kind.Indexes(*engines[0], q);
    for (size_t e = 1; e < engines.size(); e++) {
      const std::vector<uint32_t> other = kind.Indexes(*engines[e], q);
      if (other != first) {
        Fatal(kind.name + ", query " + std::to_string(q) + ": " + engines[0]->Name() +
              " returned " + std::to_string(first.size()) + " points, " + engines[e]->Name() + " " +
              std::to_string(other.size()) +
              (other.size() == first.size() ? " (different points)" : ""));
      }
    }
    kind.total += first.size();
    kind.answers.push_back(std::move(first));
  }
}

// Times one pass of `kind` on `engine`, in µs per query; checks the total.
double TimePass(const QueryKind& kind, SpaceEngine& engine) {
  size_t total = 0;
  Stopwatch t;
  for (size_t q = 0; q < kind.size(); q++) total += kind.Run(engine, q);
  const double us = t.Seconds() * 1e6 / static_cast<double>(kind.size());
  if (total != kind.total)
    Fatal(engine.Name() + ": " + kind.name + ": a timed pass returned another total");
  return us;
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g%%", fraction * 100);
  return buf;
}

SpaceSection RunDataset(const Config& cfg, Distribution distribution, uint32_t dims,
                        const std::string& root) {
  SpaceSection section;
  section.title = std::string(DistributionName(distribution)) + ", " + std::to_string(dims) +
                  "-D, " + std::to_string(cfg.points) + " points";
  std::fprintf(stderr, "== %s\n", section.title.c_str());
  const SpaceDataset data =
      MakeDataset(distribution, dims, cfg.points, cfg.domain_bits, kSeed + dims);

  // ---- loads: fresh engines each run, the order rotating; the last run's are queried.
  struct Slot {
    std::string name;
    std::function<std::unique_ptr<SpaceEngine>(const std::string& dir)> make;
    bool keep;
  };
  std::vector<Slot> slots = {
      {"Cairn",
       [&](const std::string& d) {
         return std::make_unique<CairnSpace>(d, data, Durability::kStrict);
       },
       true},
      {"SQLite R*Tree", [&](const std::string& d) { return MakeSqliteRtree(d, data); }, true},
      {"Boost rtree packed", [&](const std::string&) { return MakeBoostPacked(data); }, true},
      {"Boost rtree R*", [&](const std::string&) { return MakeBoostRstar(data); }, true},
  };
  if (cfg.relaxed) {
    slots.push_back({"Cairn (relaxed)",
                     [&](const std::string& d) {
                       return std::make_unique<CairnSpace>(d, data, Durability::kRelaxed);
                     },
                     false});
  }
  SpaceRow load{"load " + std::to_string(cfg.points) + " points", "s", 0, {}};
  std::vector<double> relaxed_load;
  std::vector<std::unique_ptr<SpaceEngine>> engines(4);
  std::vector<std::string> dirs;
  const double sync_ms_before = SyncLatencyMs(root);
  for (int run = 0; run < cfg.runs; run++) {
    for (size_t j = 0; j < slots.size(); j++) {
      const size_t which = (j + static_cast<size_t>(run)) % slots.size();
      const Slot& slot = slots[which];
      const std::string dir = MakeFreshDirectory(root, "engine-");
      std::unique_ptr<SpaceEngine> engine = slot.make(dir);
      Stopwatch t;
      engine->Load();
      const double seconds = t.Seconds();
      (slot.name == "Cairn (relaxed)" ? relaxed_load : load.samples[slot.name]).push_back(seconds);
      std::fprintf(stderr, "  load run %d: %s %.3f s\n", run + 1, slot.name.c_str(), seconds);
      if (run + 1 == cfg.runs && slot.keep) {
        engines[which] = std::move(engine);
        dirs.push_back(dir);
      } else {
        engine.reset();
        RemoveTree(dir);
      }
    }
  }
  const double sync_ms_after = SyncLatencyMs(root);
  section.rows.push_back(load);
  if (cfg.relaxed) {
    SpaceRow relaxed = load;
    relaxed.name = "load, Cairn in relaxed mode (then Sync)";
    relaxed.samples["Cairn"] = relaxed_load;
    section.rows.push_back(relaxed);
  }
  auto* cairn = static_cast<CairnSpace*>(engines[0].get());
  std::vector<SpaceEngine*> all;
  for (auto& e : engines) all.push_back(e.get());
  // After a bulk load a Cairn user compacts the index into one table
  // (Database::Compact); its time is reported here, not in the load's.
  const unsigned long long tables_after_load = cairn->CheckpointTables();
  Stopwatch compaction;
  cairn->Compact();
  char note[256];
  std::snprintf(note, sizeof(note),
                "Cairn's Compact() right after the last load (not in the load time): %.3f s; it "
                "merged %llu checkpoint tables and the memtable into %llu",
                compaction.Seconds(), tables_after_load,
                static_cast<unsigned long long>(cairn->CheckpointTables()));
  section.notes.push_back(note);

  // ---- the queries, checked, then timed.
  std::vector<QueryKind> kinds;
  const std::vector<std::pair<double, size_t>> sizes = {
      {0.0001, cfg.queries}, {0.001, cfg.queries * 3 / 10}, {0.01, cfg.queries / 10}};
  for (size_t k = 0; k < sizes.size(); k++) {
    QueryKind kind;
    kind.name = "box " + Percent(sizes[k].first) + " of the domain";
    kind.boxes = MakeBoxes(data, sizes[k].first, sizes[k].second, kSeed + 100 + k);
    kinds.push_back(std::move(kind));
  }
  if (dims == 2) {
    QueryKind kind;
    kind.name = "subscope x = c (peers: box x = c, any y)";
    kind.xs = MakeSubscopeXs(data, cfg.queries, kSeed + 200);
    kinds.push_back(std::move(kind));
  }
  for (QueryKind& kind : kinds) {
    Verify(kind, all);
    std::fprintf(stderr, "  %s: %zu queries agree, %.1f results each\n", kind.name.c_str(),
                 kind.size(), static_cast<double>(kind.total) / static_cast<double>(kind.size()));
  }
  const size_t box_kinds = sizes.size();
  std::vector<SpaceRow> rows;
  for (const QueryKind& kind : kinds) {
    rows.push_back({kind.name,
                    "µs/query",
                    static_cast<double>(kind.total) / static_cast<double>(kind.size()),
                    {}});
  }
  for (int run = 0; run < cfg.runs; run++) {
    for (size_t k = 0; k < kinds.size(); k++) {
      for (size_t j = 0; j < all.size(); j++) {
        SpaceEngine& e = *all[(j + static_cast<size_t>(run)) % all.size()];
        rows[k].samples[e.Name()].push_back(TimePass(kinds[k], e));
      }
    }
  }
  for (SpaceRow& row : rows) section.rows.push_back(std::move(row));

  // ---- AS OF: rewrite a share of the points, then query as of the load.
  std::vector<uint32_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(kSeed + 300));
  order.resize(static_cast<size_t>(static_cast<double>(data.size()) * kRewriteShare));
  Stopwatch rewrite;
  cairn->Rewrite(order);
  const double rewrite_seconds = rewrite.Seconds();
  cairn->Checkpoint();
  std::snprintf(note, sizeof(note),
                "AS OF: %zu points (%.0f%%) rewritten in strict mode in batches of %zu (%.0f "
                "points/s), then a "
                "checkpoint; AS OF = the seq of the load's last write",
                order.size(), kRewriteShare * 100, kSpaceBatch,
                static_cast<double>(order.size()) / rewrite_seconds);
  section.notes.push_back(note);
  for (size_t k = 0; k < box_kinds; k++) {
    for (size_t q = 0; q < kinds[k].size(); q++) {
      if (cairn->BoxIndexesAtLoad(kinds[k].boxes[q]) != kinds[k].answers[q] ||
          cairn->BoxIndexes(kinds[k].boxes[q]) != kinds[k].answers[q]) {
        Fatal("cairn: " + kinds[k].name + ", query " + std::to_string(q) +
              ": wrong answer after the rewrites");
      }
    }
    SpaceRow row{kinds[k].name,
                 "µs/query",
                 section.rows[section.rows.size() - kinds.size() + k].results,
                 {}};
    for (int run = 0; run < cfg.runs; run++) {
      for (int side = 0; side < 2; side++) {
        const bool as_of = (side == 0) == (run % 2 == 1);
        size_t total = 0;
        Stopwatch t;
        for (const QueryBox& box : kinds[k].boxes) {
          total += as_of ? cairn->BoxAsOf(box, cairn->load_seq()) : cairn->Box(box);
        }
        row.samples[as_of ? "as of" : "current"].push_back(t.Seconds() * 1e6 /
                                                           static_cast<double>(kinds[k].size()));
        if (total != kinds[k].total)
          Fatal("cairn: " + kinds[k].name + ": a timed AS OF pass returned another total");
      }
    }
    section.as_of_rows.push_back(std::move(row));
  }
  std::snprintf(note, sizeof(note), "fdatasync latency %.2f ms before the loads, %.2f ms after; %s",
                sync_ms_before, sync_ms_after, DescribeLoad().c_str());
  section.notes.push_back(note);

  engines.clear();
  for (const std::string& dir : dirs) RemoveTree(dir);
  return section;
}

int Main(int argc, char** argv) {
  Config cfg;
  try {
    cfg = ParseArgs(argc, argv);
  } catch (const std::exception& e) {  // std::stoull and friends on a malformed number
    Fatal(std::string("malformed number in the arguments (") + e.what() + ")");
  }
  const std::string root = MakeFreshDirectory(cfg.dir, "cairn-space-bench-");
  const MachineInfo mi = DescribeMachine(root);
  std::vector<SpaceSection> sections;
  for (Distribution d : cfg.datasets) {
    for (uint32_t dims : cfg.dims) sections.push_back(RunDataset(cfg, d, dims, root));
  }
  std::printf(
      "cairn-space-bench: %zu points per dataset, coordinates in [0, 2^%u), %d runs, medians;\n"
      "ratios are peer time / Cairn time (above 1: Cairn is faster)\n",
      cfg.points, cfg.domain_bits, cfg.runs);
  std::printf("machine: %s, %u cores, %.0f GiB, %s, %s, %s, %s\n", mi.cpu_model.c_str(), mi.cores,
              static_cast<double>(mi.memory_bytes) / (1ull << 30), mi.kernel.c_str(),
              mi.filesystem.c_str(), mi.compiler.c_str(), mi.build_type.c_str());
  for (const SpaceSection& s : sections) PrintSpaceSection(stdout, s);
  std::printf("\nload at the end: %s\n", DescribeLoad().c_str());
  if (!cfg.json.empty()) {
    const std::string header = "\"points\":" + std::to_string(cfg.points) +
                               ",\"runs\":" + std::to_string(cfg.runs) +
                               ",\"domain_bits\":" + std::to_string(cfg.domain_bits);
    if (!WriteSpaceJson(cfg.json, header, sections)) Fatal("cannot write " + cfg.json);
  }
  RemoveTree(root);
  return 0;
}

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) { return cairn::bench::Main(argc, argv); }
