// cairn-query-bench: NQL queries on Cairn against the equivalent SQL on
// SQLite (JSON1 expression indexes, FTS5, recursive CTEs), over the same
// documents in one run, with equivalent indexes, printing medians and
// ratios. Every query's answer is checked against SQLite's before timing.
//
//   cairn-query-bench [--docs N] [--runs R] [--dir PATH] [--json FILE] [--only TEXT]
//
// --only times just the query kinds whose name contains TEXT (for profiling
// one kind at a time).
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "cairn/db.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/posix/thread_scheduler.h"

namespace cairn::bench {
namespace {

struct Config {
  size_t docs = 1000000;
  int runs = 3;
  std::string dir = "/var/tmp";
  std::string json;
  std::string only;
};

constexpr int kVocabulary = 5000;
constexpr int kTraceDepth = 100;
constexpr int kLinkedBlocks = 10000;

std::string Word(uint64_t k) {
  // Short pseudo-words: "w" + base-26 letters of k.
  std::string w = "w";
  do {
    w.push_back(static_cast<char>('a' + k % 26));
    k /= 26;
  } while (k);
  return w;
}

struct Doc {
  std::string id, json, memo;
  int64_t height;
  int miner;
};

Doc MakeDoc(size_t i, std::mt19937_64& rng) {
  Doc d;
  char id[16];
  snprintf(id, sizeof(id), "%08zu", i);
  d.id = id;
  d.height = static_cast<int64_t>(i);
  d.miner = static_cast<int>(rng() % 100);
  // Zipf-like word choice: squaring a uniform draw favours small ranks.
  for (int k = 0; k < 6; k++) {
    const double u = static_cast<double>(rng() % 1000000) / 1000000.0;
    d.memo += (k ? " " : "") + Word(static_cast<uint64_t>(u * u * kVocabulary));
  }
  d.json = "{\"fee\":" + std::to_string(rng() % 10000) + ",\"height\":" + std::to_string(d.height) +
           ",\"memo\":\"" + d.memo + "\",\"miner\":\"m" + std::to_string(d.miner) + "\"}";
  return d;
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Fatal(what + ": " + s.ToString());
}

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) Fatal("sqlite open");
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=NORMAL");
    Exec("PRAGMA cache_size=-65536");
  }
  ~Sqlite() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      Fatal("sqlite: " + std::string(err ? err : "?") + " in " + sql);
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* st;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      Fatal("sqlite prepare: " + std::string(sqlite3_errmsg(db_)) + " in " + sql);
    }
    return st;
  }
  // Runs `sql` with text parameters; returns the first column of each row.
  std::vector<std::string> Column(sqlite3_stmt* st, const std::vector<std::string>& params) {
    sqlite3_reset(st);
    for (size_t i = 0; i < params.size(); i++) {
      const std::string& p = params[i];
      if (!p.empty() && p.find_first_not_of("0123456789") == std::string::npos) {
        sqlite3_bind_int64(st, static_cast<int>(i + 1), std::stoll(p));
      } else {
        sqlite3_bind_text(st, static_cast<int>(i + 1), p.c_str(), -1, SQLITE_TRANSIENT);
      }
    }
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      // Touch every column, as Cairn materialises whole rows.
      for (int c = 1; c < sqlite3_column_count(st); c++) (void)sqlite3_column_text(st, c);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    return out;
  }
  sqlite3* db_ = nullptr;
};

// The _id of each row of a Cairn result, or the group key.
std::vector<std::string> Ids(const QueryResult& r, const char* field = "_id") {
  std::vector<std::string> out;
  const std::string key = std::string("\"") + field + "\":";
  for (const std::string& row : r.rows) {
    size_t at = row.find(key);
    if (at == std::string::npos) Fatal("row without " + key + ": " + row);
    at += key.size();
    size_t end = row[at] == '"' ? row.find('"', at + 1) + 1 : row.find_first_of(",}", at);
    std::string v = row.substr(at, end - at);
    if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
    out.push_back(v);
  }
  return out;
}

struct Measure {
  std::string name;
  std::vector<double> cairn, sqlite;  // queries per second, per run
  double first_cairn = 0, first_sqlite = 0;  // the first pass, q/s
};

int Main(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Fatal(a + " needs a value");
      return argv[++i];
    };
    if (a == "--docs") cfg.docs = std::stoull(next());
    else if (a == "--runs") cfg.runs = std::stoi(next());
    else if (a == "--dir") cfg.dir = next();
    else if (a == "--json") cfg.json = next();
    else if (a == "--only") cfg.only = next();
    else {
      fprintf(stderr, "usage: cairn-query-bench [--docs N] [--runs R] [--dir PATH] [--json FILE] [--only TEXT]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  const std::string root = MakeFreshDirectory(cfg.dir, "cairn-query-bench-");
  std::mt19937_64 rng(20261122);
  std::vector<Doc> docs;
  docs.reserve(cfg.docs);
  for (size_t i = 0; i < cfg.docs; i++) docs.push_back(MakeDoc(i, rng));

  // ---- load Cairn
  ThreadScheduler scheduler;
  Options opts;
  opts.durability = Durability::kRelaxed;
  opts.scheduler = &scheduler;
  auto storage = OpenPosixStorage(root + "/cairn");
  if (!storage.ok()) Fatal(storage.status().ToString());
  auto opened = Database::Open(std::move(storage).value(), opts);
  if (!opened.ok()) Fatal(opened.status().ToString());
  std::unique_ptr<Database> db = std::move(opened).value();
  Stopwatch load;
  for (size_t i = 0; i < docs.size(); i += 1000) {
    std::vector<WriteOp> ops;
    for (size_t k = i; k < std::min(docs.size(), i + 1000); k++) ops.push_back({"blocks", docs[k].id, docs[k].json, {}});
    Check(db->PutMany(ops).status(), "load");
  }
  Check(db->CreateIndex("blocks", "height"), "index height");
  Check(db->CreateIndex("blocks", "miner"), "index miner");
  Check(db->CreateTextIndex("blocks"), "text index");
  for (int i = 0; i < kLinkedBlocks && i + 1 < static_cast<int>(docs.size()); i++) {
    Check(db->Link("blocks:" + docs[i].id, "next", "blocks:" + docs[i + 1].id).status(), "link");
  }
  std::vector<Hash> chain;
  for (int i = 0; i < kTraceDepth + 1; i++) {
    WriteOptions o;
    if (!chain.empty()) o.caused_by = {chain.back()};
    auto v = db->Put("events", "e" + std::to_string(i), "{\"step\":" + std::to_string(i) + "}", o);
    Check(v.status(), "event");
    chain.push_back(v->hash);
  }
  Check(db->Checkpoint(), "checkpoint");
  const double cairn_load = load.Seconds();
  const uint64_t cairn_tables = db->GetStats().checkpoint_tables;
  // Reopen: the indexes come back from the checkpoint, not rebuilt.
  Check(db->Close(), "close");
  db.reset();
  Stopwatch open_timer;
  {
    auto again = OpenPosixStorage(root + "/cairn");
    if (!again.ok()) Fatal(again.status().ToString());
    auto reopened = Database::Open(std::move(again).value(), opts);
    if (!reopened.ok()) Fatal(reopened.status().ToString());
    db = std::move(reopened).value();
  }
  const double cairn_open_ms = open_timer.Seconds() * 1000;
  auto indexes = db->Indexes();
  Check(indexes.status(), "indexes");
  for (const IndexInfo& info : *indexes) {
    if (!info.ready) Fatal("index on " + info.coll + " is not ready after the reopen");
  }

  // ---- load SQLite
  Sqlite sql(root + "/sqlite.db");
  Stopwatch sload;
  sql.Exec("CREATE TABLE docs (id TEXT PRIMARY KEY, json TEXT) WITHOUT ROWID");
  sql.Exec("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, memo)");
  sql.Exec("CREATE TABLE links (src TEXT, rel TEXT, dst TEXT)");
  sql.Exec("CREATE TABLE events (id TEXT PRIMARY KEY, json TEXT, cause TEXT)");
  {
    sqlite3_stmt* ins = sql.Prepare("INSERT INTO docs VALUES (?, ?)");
    sqlite3_stmt* fins = sql.Prepare("INSERT INTO fts VALUES (?, ?)");
    for (size_t i = 0; i < docs.size(); i += 1000) {
      sql.Exec("BEGIN");
      for (size_t k = i; k < std::min(docs.size(), i + 1000); k++) {
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, docs[k].id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, docs[k].json.c_str(), -1, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(fins);
        sqlite3_bind_text(fins, 1, docs[k].id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(fins, 2, docs[k].memo.c_str(), -1, SQLITE_STATIC);
        sqlite3_step(fins);
      }
      sql.Exec("COMMIT");
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(fins);
  }
  sql.Exec("CREATE INDEX docs_height ON docs (json_extract(json, '$.height'))");
  sql.Exec("CREATE INDEX docs_miner ON docs (json_extract(json, '$.miner'))");
  sql.Exec("CREATE INDEX links_src ON links (src, rel)");
  sql.Exec("BEGIN");
  for (int i = 0; i < kLinkedBlocks && i + 1 < static_cast<int>(docs.size()); i++) {
    sql.Exec("INSERT INTO links VALUES ('" + docs[i].id + "', 'next', '" + docs[i + 1].id + "')");
  }
  for (int i = 0; i < kTraceDepth + 1; i++) {
    sql.Exec("INSERT INTO events VALUES ('e" + std::to_string(i) + "', '{\"step\":" + std::to_string(i) + "}', " +
             (i ? "'e" + std::to_string(i - 1) + "'" : "NULL") + ")");
  }
  sql.Exec("COMMIT");
  sql.Exec("ANALYZE");
  const double sqlite_load = sload.Seconds();

  // ---- the queries: each a generator of (nql, sql params) instances.
  struct Kind {
    std::string name;
    int per_run;
    std::function<std::string(int)> nql;
    std::string sql;
    std::function<std::vector<std::string>(int)> params;
    const char* key;  // the field compared between the engines
  };
  const int64_t n = static_cast<int64_t>(docs.size());
  auto h = [&](int k) { return (static_cast<int64_t>(k) * 7919) % n; };
  // Two words of one document, so every search has an answer.
  auto words = [&](int k) {
    const std::string& memo = docs[static_cast<size_t>(h(k))].memo;
    const size_t a = memo.find(' '), b = memo.find(' ', a + 1);
    return memo.substr(0, a) + " " + memo.substr(a + 1, b - a - 1);
  };
  std::vector<Kind> kinds = {
      {"indexed equality (height = x)", 2000,
       [&](int k) { return "FROM blocks WHERE height = " + std::to_string(h(k)); },
       "SELECT id, json FROM docs WHERE json_extract(json, '$.height') = ?1",
       [&](int k) { return std::vector<std::string>{std::to_string(h(k))}; }, "_id"},
      {"range, ORDER BY height DESC LIMIT 10", 2000,
       [&](int k) { return "FROM blocks WHERE height < " + std::to_string(h(k) + 20) + " ORDER BY height DESC LIMIT 10"; },
       "SELECT id, json FROM docs WHERE json_extract(json, '$.height') < ?1 "
       "ORDER BY json_extract(json, '$.height') DESC LIMIT 10",
       [&](int k) { return std::vector<std::string>{std::to_string(h(k) + 20)}; }, "_id"},
      {"indexed equality + LIMIT (miner = m, 20 rows)", 1000,
       [&](int k) { return "FROM blocks WHERE miner = \"m" + std::to_string(k % 100) + "\" LIMIT 20"; },
       "SELECT id, json FROM docs WHERE json_extract(json, '$.miner') = ?1 ORDER BY id LIMIT 20",
       [&](int k) { return std::vector<std::string>{"m" + std::to_string(k % 100)}; }, "_id"},
      {"GROUP BY miner COUNT (whole collection)", 2,
       [&](int) { return std::string("FROM blocks GROUP BY miner COUNT"); },
       "SELECT json_extract(json, '$.miner') AS m, count(*) FROM docs GROUP BY m ORDER BY m",
       [&](int) { return std::vector<std::string>{}; }, "miner"},
      {"full-text: two words, LIMIT 20", 500,
       [&](int k) { return "FROM blocks SEARCH \"" + words(k) + "\" LIMIT 20"; },
       "SELECT f.id, d.json FROM fts f JOIN docs d ON d.id = f.id WHERE fts MATCH ?1 ORDER BY f.id LIMIT 20",
       [&](int k) { return std::vector<std::string>{words(k)}; }, "_id"},
      {"TRACE caused_by, 100 deep", 200,
       [&](int) { return "FROM events WHERE _id = \"e" + std::to_string(kTraceDepth) + "\" TRACE caused_by"; },
       "WITH RECURSIVE c(id, json, cause) AS (SELECT id, json, cause FROM events WHERE id = ?1 "
       "UNION ALL SELECT e.id, e.json, e.cause FROM events e JOIN c ON e.id = c.cause) SELECT id, json FROM c",
       [&](int) { return std::vector<std::string>{"e" + std::to_string(kTraceDepth)}; }, "_id"},
      {"TRAVERSE next (one hop from one block)", 2000,
       [&](int k) { return "FROM blocks WHERE height = " + std::to_string(k % (kLinkedBlocks - 1)) + " TRAVERSE next"; },
       "SELECT d.id, d.json FROM docs s JOIN links l ON l.src = s.id AND l.rel = 'next' JOIN docs d ON d.id = l.dst "
       "WHERE json_extract(s.json, '$.height') = ?1",
       [&](int k) { return std::vector<std::string>{std::to_string(k % (kLinkedBlocks - 1))}; }, "_id"},
  };

  if (std::none_of(kinds.begin(), kinds.end(), [&](const Kind& k) { return k.name.find(cfg.only) != std::string::npos; })) {
    std::string names;
    for (const Kind& k : kinds) names += "\n  " + k.name;
    Fatal("--only '" + cfg.only + "' names no query kind; the kinds are:" + names);
  }
  std::vector<Measure> results;
  for (Kind& kind : kinds) {
    if (kind.name.find(cfg.only) == std::string::npos) continue;
    Measure m{kind.name, {}, {}};
    sqlite3_stmt* st = sql.Prepare(kind.sql);
    // Answers must agree before anything is timed.
    for (int k = 0; k < std::min(kind.per_run, 20); k++) {
      auto r = db->Query(kind.nql(k));
      Check(r.status(), kind.nql(k));
      std::vector<std::string> ours = Ids(*r, kind.key);
      std::vector<std::string> theirs = sql.Column(st, kind.params(k));
      if (kind.name.rfind("full-text", 0) == 0 || kind.name.rfind("TRACE", 0) == 0) {
        std::sort(ours.begin(), ours.end());
        std::sort(theirs.begin(), theirs.end());
      }
      if (ours != theirs) {
        Fatal(kind.name + ": answers differ for " + kind.nql(k) + " (" + std::to_string(ours.size()) + " rows vs " +
              std::to_string(theirs.size()) + ")");
      }
    }
    // Two passes over every instance the runs will time. The first is timed
    // on its own: it reads what neither engine has read since the load
    // (Cairn writes its log past the OS page cache; an index read of a log
    // block not yet in memory goes by id while the OS reads it ahead, so the
    // second pass finds it). After the second, untimed, the runs time both
    // engines in their steady state.
    for (int pass = 0; pass < 2; pass++) {
      for (int side = 0; side < 2; side++) {
        Stopwatch t;
        for (int q = 0; q < cfg.runs * kind.per_run; q++) {
          if (side == 1) {
            (void)sql.Column(st, kind.params(q));
          } else {
            Check(db->Query(kind.nql(q)).status(), kind.nql(q));
          }
        }
        if (pass == 0) (side == 1 ? m.first_sqlite : m.first_cairn) = cfg.runs * kind.per_run / t.Seconds();
      }
    }
    for (int run = 0; run < cfg.runs; run++) {
      const bool sqlite_first = run % 2 == 1;
      for (int side = 0; side < 2; side++) {
        const bool is_sqlite = (side == 0) == sqlite_first;
        Stopwatch t;
        for (int k = 0; k < kind.per_run; k++) {
          const int q = run * kind.per_run + k;
          if (is_sqlite) {
            if (sql.Column(st, kind.params(q)).empty() && kind.per_run > 2) {
              // Every instance has an answer; an empty one would be a bug.
              Fatal(kind.name + ": SQLite returned no row");
            }
          } else {
            auto r = db->Query(kind.nql(q));
            Check(r.status(), kind.nql(q));
          }
        }
        (is_sqlite ? m.sqlite : m.cairn).push_back(kind.per_run / t.Seconds());
      }
    }
    sqlite3_finalize(st);
    fprintf(stderr, "  %s: cairn %.0f/s, sqlite %.0f/s\n", kind.name.c_str(), Median(m.cairn), Median(m.sqlite));
    results.push_back(std::move(m));
  }
  // Plans, so the report shows which index each query used.
  printf("cairn-query-bench: %zu documents, %d runs, medians in queries per second\n", cfg.docs, cfg.runs);
  printf("load: cairn %.1f s (ingest, 3 index builds, links, checkpoint; the index is then %llu checkpoint tables), "
         "sqlite %.1f s (insert, FTS5, 2 expression indexes)\n",
         cairn_load, static_cast<unsigned long long>(cairn_tables), sqlite_load);
  printf("open: cairn %.1f ms (reopened after the load, %zu indexes ready)\n\n", cairn_open_ms, indexes->size());
  printf("| query | Cairn q/s | SQLite q/s | Cairn / SQLite | first pass: Cairn / SQLite |\n|---|---|---|---|---|\n");
  for (const Measure& m : results) {
    printf("| %s | %.0f | %.0f | %.2fx | %.2fx |\n", m.name.c_str(), Median(m.cairn), Median(m.sqlite),
           Median(m.cairn) / Median(m.sqlite), m.first_cairn / m.first_sqlite);
  }
  printf("\nplans:\n");
  for (Kind& kind : kinds) {
    auto r = db->Query("EXPLAIN " + kind.nql(0));
    printf("- %s\n    %s\n", kind.nql(0).c_str(), r.ok() ? r->plan.c_str() : r.status().ToString().c_str());
  }
  MachineInfo mi = DescribeMachine(root);
  printf("\nmachine: %s, %u cores, %.0f GiB, %s, %s, %s\n", mi.cpu_model.c_str(), mi.cores,
         static_cast<double>(mi.memory_bytes) / (1ull << 30), mi.kernel.c_str(), mi.filesystem.c_str(),
         mi.compiler.c_str());
  printf("load: %s\n", DescribeLoad().c_str());
  if (!cfg.json.empty()) {
    FILE* f = fopen(cfg.json.c_str(), "w");
    if (f) {
      fprintf(f, "{\"docs\":%zu,\"runs\":%d,\"rows\":[", cfg.docs, cfg.runs);
      for (size_t i = 0; i < results.size(); i++) {
        fprintf(f, "%s{\"name\":\"%s\",\"cairn\":%.3f,\"sqlite\":%.3f,\"first_cairn\":%.3f,\"first_sqlite\":%.3f}",
                i ? "," : "", results[i].name.c_str(), Median(results[i].cairn), Median(results[i].sqlite),
                results[i].first_cairn, results[i].first_sqlite);
      }
      fprintf(f, "]}\n");
      fclose(f);
    }
  }
  Check(db->Close(), "close");
  db.reset();
  RemoveTree(root);
  return 0;
}

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) { return cairn::bench::Main(argc, argv); }
