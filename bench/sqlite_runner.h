// Runs the workload on SQLite, the peer, as a careful application would:
//   docs(coll TEXT, id TEXT, json TEXT, PRIMARY KEY(coll, id)), by default
//   WITHOUT ROWID (the faster layout for this workload; see BENCHMARKS.md);
//   journal_mode=WAL and synchronous=FULL, which matches Cairn's strict
//   durability (every commit is synced before it returns);
//   a page cache as large as Cairn's block cache;
//   one transaction per batch, autocommit for single puts, prepared
//   statements reused; writes are upserts, like Cairn's Put.
// The connection is opened SQLITE_OPEN_NOMUTEX: it is used by one thread.
//
// Any SQLite error ends the process (Fatal).
//
// Thread-safety: a SqliteStore is used by one thread at a time.
#ifndef CAIRN_BENCH_SQLITE_RUNNER_H_
#define CAIRN_BENCH_SQLITE_RUNNER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "bench/measurements.h"
#include "bench/workload.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cairn::bench {

enum class SqliteTable { kWithoutRowid, kRowid };

// "without-rowid" / "rowid".
const char* SqliteTableName(SqliteTable table);
// The SQLite library version, "3.40.1".
const char* SqliteVersion();

// An open SQLite database file "<dir>/docs.db" with its prepared statements.
class SqliteStore {
 public:
  // Opens (creating the file and table when `create`) with the settings above.
  SqliteStore(const std::string& dir, SqliteTable table, bool create);
  ~SqliteStore();  // closes (Fatal on failure)
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Upserts one document, in the current transaction or autocommitted.
  void Put(const std::string& id, const std::string& doc);
  void Begin();
  void Commit();
  // The document's json, or nullopt.
  std::optional<std::string> Get(const std::string& id);
  uint64_t Count();
  // Closes now and returns the seconds sqlite3_close took. Idempotent.
  double Close();

 private:
  sqlite3_stmt* Prepare(const char* sql);
  void Exec(const char* sql);
  void Step(sqlite3_stmt* stmt, const char* what);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
};

// A fresh database in `dir`: ingest, single puts, rewrites, close. The disk's
// sync latency is probed in `probe_dir` around the single puts.
WriteRun SqliteWrites(const Workload& workload, const std::string& dir, SqliteTable table,
                      const std::string& probe_dir);

// Opens the database written by SqliteWrites, makes one untimed warm-up pass,
// then measures `runs` passes of lookups (current versions only: SQLite
// keeps no history).
ReadSamples SqliteReads(const Workload& workload, const std::string& dir, SqliteTable table,
                        int runs);

// Opens the database once, with memory; meant to run in a fresh process.
OpenProbe SqliteProbeOpen(const Workload& workload, const std::string& dir, SqliteTable table);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_SQLITE_RUNNER_H_
