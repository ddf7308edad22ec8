#include "bench/sqlite_runner.h"

#include <sqlite3.h>

#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "bench/cairn_runner.h"

namespace cairn::bench {
namespace {

struct Doc {
  std::string id, json;
};

std::vector<Doc> MakeDocs(const Workload& w, const std::vector<uint32_t>& indexes, int version) {
  std::vector<Doc> docs;
  docs.reserve(indexes.size());
  for (uint32_t i : indexes) docs.push_back(Doc{w.Id(i), w.Doc(i, version)});
  return docs;
}

// One transaction per batch of `batch` documents.
void PutBatches(SqliteStore& store, const std::vector<Doc>& docs, size_t batch) {
  for (size_t i = 0; i < docs.size(); i += batch) {
    store.Begin();
    for (size_t j = i; j < docs.size() && j < i + batch; j++) store.Put(docs[j].id, docs[j].json);
    store.Commit();
  }
}

GetPass TimeGets(SqliteStore& store, const std::vector<std::string>& ids, const char* what) {
  size_t found = 0;
  PhaseTimer timer;
  for (const std::string& id : ids) {
    if (store.Get(id)) found++;
  }
  const double seconds = timer.WallSeconds();
  const double cpu_seconds = timer.CpuSeconds();
  if (found != ids.size()) {
    Fatal(std::string("sqlite: ") + what + ": " + std::to_string(ids.size() - found) + " of " +
          std::to_string(ids.size()) + " documents missing");
  }
  const double n = static_cast<double>(ids.size());
  return GetPass{n / seconds, cpu_seconds * 1e6 / n};
}

}  // namespace

const char* SqliteTableName(SqliteTable table) {
  return table == SqliteTable::kWithoutRowid ? "without-rowid" : "rowid";
}

const char* SqliteVersion() { return sqlite3_libversion(); }

SqliteStore::SqliteStore(const std::string& dir, SqliteTable table, bool create)
    : path_(dir + "/docs.db") {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    Fatal("sqlite: open " + path_ + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=FULL");
  const std::string cache = "PRAGMA cache_size=-" + std::to_string(CairnCacheBytes() / 1024);
  Exec(cache.c_str());
  if (create) {
    Exec(table == SqliteTable::kWithoutRowid
             ? "CREATE TABLE IF NOT EXISTS docs(coll TEXT, id TEXT, json TEXT, "
               "PRIMARY KEY(coll, id)) WITHOUT ROWID"
             : "CREATE TABLE IF NOT EXISTS docs(coll TEXT, id TEXT, json TEXT, "
               "PRIMARY KEY(coll, id))");
  }
  put_ = Prepare(
      "INSERT INTO docs(coll, id, json) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(coll, id) DO UPDATE SET json = excluded.json");
  get_ = Prepare("SELECT json FROM docs WHERE coll = ?1 AND id = ?2");
  count_ = Prepare("SELECT count(*) FROM docs");
  begin_ = Prepare("BEGIN");
  commit_ = Prepare("COMMIT");
  for (sqlite3_stmt* stmt : {put_, get_}) {
    sqlite3_bind_text(stmt, 1, Workload::kCollection.data(),
                      static_cast<int>(Workload::kCollection.size()), SQLITE_STATIC);
  }
}

SqliteStore::~SqliteStore() { Close(); }

double SqliteStore::Close() {
  if (!db_) return 0;
  for (sqlite3_stmt* stmt : {put_, get_, count_, begin_, commit_}) sqlite3_finalize(stmt);
  Stopwatch watch;
  if (sqlite3_close(db_) != SQLITE_OK) Fatal("sqlite: close " + path_ + ": " + sqlite3_errmsg(db_));
  db_ = nullptr;
  return watch.Seconds();
}

sqlite3_stmt* SqliteStore::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    Fatal(std::string("sqlite: prepare \"") + sql + "\": " + sqlite3_errmsg(db_));
  }
  return stmt;
}

void SqliteStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    Fatal(std::string("sqlite: \"") + sql + "\": " + message);
  }
}

void SqliteStore::Step(sqlite3_stmt* stmt, const char* what) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) Fatal(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
}

void SqliteStore::Put(const std::string& id, const std::string& doc) {
  sqlite3_bind_text(put_, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  sqlite3_bind_text(put_, 3, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
  Step(put_, "upsert");
}

void SqliteStore::Begin() { Step(begin_, "BEGIN"); }
void SqliteStore::Commit() { Step(commit_, "COMMIT"); }

std::optional<std::string> SqliteStore::Get(const std::string& id) {
  sqlite3_bind_text(get_, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(get_);
  std::optional<std::string> out;
  if (rc == SQLITE_ROW) {
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(get_, 0));
    out.emplace(text, static_cast<size_t>(sqlite3_column_bytes(get_, 0)));
  } else if (rc != SQLITE_DONE) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(get_);
    Fatal("sqlite: get " + id + ": " + message);
  }
  sqlite3_reset(get_);
  return out;
}

uint64_t SqliteStore::Count() {
  if (sqlite3_step(count_) != SQLITE_ROW)
    Fatal(std::string("sqlite: count: ") + sqlite3_errmsg(db_));
  const uint64_t n = static_cast<uint64_t>(sqlite3_column_int64(count_, 0));
  sqlite3_reset(count_);
  return n;
}

WriteRun SqliteWrites(const Workload& w, const std::string& dir, SqliteTable table,
                      const std::string& probe_dir) {
  WriteRun run;
  SqliteStore store(dir, table, /*create=*/true);
  const size_t batch = w.config().batch;
  {
    // Inputs are built before the clock starts: only the engine is timed.
    const std::vector<Doc> docs = MakeDocs(w, IndexRange(0, w.docs()), 0);
    PhaseTimer timer;
    PutBatches(store, docs, batch);
    run.ingest_seconds = timer.WallSeconds();
    run.ingest_cpu_seconds = timer.CpuSeconds();
  }
  {
    const std::vector<Doc> docs = MakeDocs(w, IndexRange(w.docs(), w.total_documents()), 0);
    const double sync_before = SyncLatencyMs(probe_dir);
    PhaseTimer timer;
    for (const Doc& d : docs) store.Put(d.id, d.json);  // autocommit: one transaction each
    run.single_put_seconds = timer.WallSeconds();
    run.single_put_cpu_seconds = timer.CpuSeconds();
    run.sync_ms = (sync_before + SyncLatencyMs(probe_dir)) / 2;
  }
  {
    std::vector<std::vector<Doc>> rounds;
    for (int r = 1; r <= w.config().rewrite_rounds; r++)
      rounds.push_back(MakeDocs(w, w.rewritten(), r));
    PhaseTimer timer;
    for (const auto& docs : rounds) PutBatches(store, docs, batch);
    run.rewrite_seconds = timer.WallSeconds();
    run.rewrite_cpu_seconds = timer.CpuSeconds();
  }
  run.close_seconds = store.Close();
  run.disk_bytes = DirectoryBytes(dir);
  return run;
}

ReadSamples SqliteReads(const Workload& w, const std::string& dir, SqliteTable table, int runs) {
  const std::vector<std::string> ids = w.Ids(w.get_indexes());
  const std::vector<std::string> rewritten_ids = w.Ids(w.rewritten_get_indexes());
  SqliteStore store(dir, table, /*create=*/false);
  // One untimed pass first, as for Cairn.
  TimeGets(store, ids, "warm-up get");
  ReadSamples samples;
  for (int r = 0; r < runs; r++) {
    const GetPass current = TimeGets(store, ids, "get");
    samples.current.push_back(current.per_second);
    samples.current_cpu_us.push_back(current.cpu_us);
    if (!rewritten_ids.empty()) {
      samples.current_rewritten.push_back(
          TimeGets(store, rewritten_ids, "get rewritten").per_second);
    }
  }
  return samples;
}

OpenProbe SqliteProbeOpen(const Workload& w, const std::string& dir, SqliteTable table) {
  OpenProbe probe;
  const std::vector<std::string> ids = w.Ids(w.get_indexes());
  if (ids.empty()) Fatal("the open probe needs --gets of at least 1");
  sqlite3_initialize();  // library set-up is not part of opening a database
  probe.rss_before = ResidentBytes();
  probe.anon_before = AnonymousResidentBytes();
  Stopwatch watch;
  SqliteStore store(dir, table, /*create=*/false);  // open, pragmas, prepared statements
  probe.open_ms = watch.Seconds() * 1000;
  if (!store.Get(ids[0])) Fatal("sqlite: first get found nothing");
  probe.open_first_get_ms = watch.Seconds() * 1000;
  probe.rss_open = ResidentBytes();
  for (const std::string& id : ids) {
    if (!store.Get(id)) Fatal("sqlite: warm-up miss");
  }
  probe.rss_warm = ResidentBytes();
  probe.anon_warm = AnonymousResidentBytes();
  probe.warm_gets = ids.size();
  int current = 0, high = 0;
  sqlite3_status(SQLITE_STATUS_MEMORY_USED, &current, &high, 0);
  probe.stats = {{"memory_used", double(current)}, {"memory_highwater", double(high)}};
  return probe;
}

}  // namespace cairn::bench
