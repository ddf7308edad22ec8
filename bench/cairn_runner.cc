#include "bench/cairn_runner.h"

#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "storage-backends/posix/posix_storage.h"

namespace cairn::bench {
namespace {

template <typename T>
T Unwrap(Result<T> result, const std::string& what) {
  if (!result.ok()) Fatal("cairn: " + what + ": " + result.status().ToString());
  return std::move(result).value();
}

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Fatal("cairn: " + what + ": " + status.ToString());
}

Options MakeOptions(Scheduler* scheduler, bool create, bool mmap_reads) {
  Options options;  // strict durability, default cache, segment and checkpoint sizes
  options.scheduler = scheduler;
  options.create_if_missing = create;
  options.mmap_reads = mmap_reads;
  return options;
}

std::unique_ptr<Database> OpenDatabase(const std::string& dir, bool direct_io, bool create,
                                       Scheduler* scheduler, bool mmap_reads = true) {
  PosixOptions posix;
  posix.direct_io = direct_io;
  posix.create_dir = create;
  auto storage = Unwrap(OpenPosixStorage(dir, posix), "open storage " + dir);
  return Unwrap(Database::Open(std::move(storage), MakeOptions(scheduler, create, mmap_reads)),
                "open " + dir);
}

// The documents `indexes` at `version`, as PutMany batches of the workload's batch size.
std::vector<std::vector<WriteOp>> MakeBatches(const Workload& w,
                                              const std::vector<uint32_t>& indexes, int version) {
  std::vector<std::vector<WriteOp>> batches;
  const size_t batch = w.config().batch;
  for (size_t i = 0; i < indexes.size(); i += batch) {
    std::vector<WriteOp>& ops = batches.emplace_back();
    for (size_t j = i; j < indexes.size() && j < i + batch; j++) {
      WriteOp& op = ops.emplace_back();
      op.coll = Workload::kCollection;
      op.id = w.Id(indexes[j]);
      op.doc_json = w.Doc(indexes[j], version);
    }
  }
  return batches;
}

void PutBatches(Database& db, const std::vector<std::vector<WriteOp>>& batches) {
  for (const auto& ops : batches) {
    auto versions = Unwrap(db.PutMany(ops), "PutMany");
    if (versions.size() != ops.size()) Fatal("cairn: PutMany returned a wrong number of versions");
  }
}

// One timed pass of lookups over `ids`; every id must be found.
GetPass TimeGets(Database& db, const std::vector<std::string>& ids, const ReadOptions& options,
                 const char* what) {
  size_t found = 0;
  PhaseTimer timer;
  for (const std::string& id : ids) {
    auto version = db.Get(Workload::kCollection, id, options);
    if (!version.ok()) Fatal(std::string("cairn: ") + what + ": " + version.status().ToString());
    if (*version) found++;
  }
  const double seconds = timer.WallSeconds();
  const double cpu_seconds = timer.CpuSeconds();
  if (found != ids.size()) {
    Fatal(std::string("cairn: ") + what + ": " + std::to_string(ids.size() - found) + " of " +
          std::to_string(ids.size()) + " documents missing");
  }
  const double n = static_cast<double>(ids.size());
  return GetPass{n / seconds, cpu_seconds * 1e6 / n};
}

std::vector<std::pair<std::string, double>> StatsList(const Stats& s) {
  return {{"seq", double(s.seq)},
          {"documents", double(s.documents)},
          {"versions", double(s.versions)},
          {"log_bytes", double(s.log_bytes)},
          {"segments", double(s.segments)},
          {"memtable_entries", double(s.memtable_entries)},
          {"memtable_bytes", double(s.memtable_bytes)},
          {"checkpoint_entries", double(s.checkpoint_entries)},
          {"index_bytes", double(s.index_bytes)},
          {"cache_bytes", double(s.cache_bytes)},
          {"cache_hits", double(s.cache_hits)},
          {"cache_misses", double(s.cache_misses)},
          {"replayed_records", double(s.replayed_records)},
          {"direct_io", s.direct_io ? 1.0 : 0.0}};
}

}  // namespace

size_t CairnCacheBytes() { return Options().cache_bytes; }

CairnStore::CairnStore(const std::string& dir, bool direct_io, bool create, bool mmap_reads)
    : db_(OpenDatabase(dir, direct_io, create, &scheduler_, mmap_reads)) {}

CairnStore::~CairnStore() { Close(); }

double CairnStore::Close() {
  if (closed_) return 0;
  closed_ = true;
  Stopwatch watch;
  Check(db_->Close(), "Close");
  const double seconds = watch.Seconds();
  db_.reset();
  return seconds;
}

std::optional<std::string> CairnStore::GetData(const std::string& id,
                                               std::optional<uint64_t> as_of) {
  ReadOptions options;
  options.as_of = as_of;
  auto version = Unwrap(db_->Get(Workload::kCollection, id, options), "Get " + id);
  if (!version) return std::nullopt;
  return std::move(version->data);
}

WriteRun CairnWrites(const Workload& w, const std::string& dir, bool direct_io,
                     const std::string& probe_dir) {
  WriteRun run;
  CairnStore store(dir, direct_io, /*create=*/true);
  Database& db = store.db();
  {
    // Inputs are built before the clock starts: only the engine is timed.
    auto batches = MakeBatches(w, IndexRange(0, w.docs()), 0);
    PhaseTimer timer;
    PutBatches(db, batches);
    run.ingest_seconds = timer.WallSeconds();
    run.ingest_cpu_seconds = timer.CpuSeconds();
  }
  run.seq_after_ingest = Unwrap(db.GetHead(), "GetHead").seq;
  {
    std::vector<std::pair<std::string, std::string>> puts;
    for (size_t i = w.docs(); i < w.total_documents(); i++) puts.emplace_back(w.Id(i), w.Doc(i, 0));
    const double sync_before = SyncLatencyMs(probe_dir);
    PhaseTimer timer;
    for (const auto& [id, doc] : puts) Unwrap(db.Put(Workload::kCollection, id, doc), "Put " + id);
    run.single_put_seconds = timer.WallSeconds();
    run.single_put_cpu_seconds = timer.CpuSeconds();
    run.sync_ms = (sync_before + SyncLatencyMs(probe_dir)) / 2;
  }
  run.seq_before_rewrites = Unwrap(db.GetHead(), "GetHead").seq;
  {
    std::vector<std::vector<std::vector<WriteOp>>> rounds;
    for (int r = 1; r <= w.config().rewrite_rounds; r++) {
      rounds.push_back(MakeBatches(w, w.rewritten(), r));
    }
    PhaseTimer timer;
    for (const auto& batches : rounds) PutBatches(db, batches);
    run.rewrite_seconds = timer.WallSeconds();
    run.rewrite_cpu_seconds = timer.CpuSeconds();
  }
  const Stats stats = db.GetStats();
  run.direct_io = stats.direct_io;
  run.stats = StatsList(stats);
  run.close_seconds = store.Close();
  run.disk_bytes = DirectoryBytes(dir);
  return run;
}

ReadSamples CairnReads(const Workload& w, const std::string& dir, uint64_t as_of, int runs) {
  const std::vector<std::string> ids = w.Ids(w.get_indexes());
  const std::vector<std::string> rewritten_ids = w.Ids(w.rewritten_get_indexes());
  CairnStore store(dir, /*direct_io=*/true, /*create=*/false);
  Database& db = store.db();
  ReadOptions now;
  ReadOptions past;
  past.as_of = as_of;
  // One untimed pass first, so every measured pass starts from the same
  // steady state of the block cache and the OS page cache.
  TimeGets(db, ids, now, "warm-up get");
  ReadSamples samples;
  for (int r = 0; r < runs; r++) {
    const GetPass current = TimeGets(db, ids, now, "get");
    samples.current.push_back(current.per_second);
    samples.current_cpu_us.push_back(current.cpu_us);
    const GetPass as_of_pass = TimeGets(db, ids, past, "get AS OF");
    samples.as_of.push_back(as_of_pass.per_second);
    samples.as_of_cpu_us.push_back(as_of_pass.cpu_us);
    if (rewritten_ids.empty()) continue;
    samples.current_rewritten.push_back(
        TimeGets(db, rewritten_ids, now, "get rewritten").per_second);
    samples.as_of_rewritten.push_back(
        TimeGets(db, rewritten_ids, past, "get rewritten AS OF").per_second);
  }
  // The same gets with the index tables read through File::Read and the
  // block cache instead of their mappings.
  store.Close();
  CairnStore unmapped(dir, /*direct_io=*/true, /*create=*/false, /*mmap_reads=*/false);
  TimeGets(unmapped.db(), ids, now, "warm-up get");
  for (int r = 0; r < runs; r++) {
    samples.current_unmapped.push_back(TimeGets(unmapped.db(), ids, now, "get").per_second);
  }
  return samples;
}

OpenProbe CairnProbeOpen(const Workload& w, const std::string& dir) {
  OpenProbe probe;
  const std::vector<std::string> ids = w.Ids(w.get_indexes());
  if (ids.empty()) Fatal("the open probe needs --gets of at least 1");
  ThreadScheduler scheduler;
  probe.rss_before = ResidentBytes();
  probe.anon_before = AnonymousResidentBytes();
  Stopwatch watch;
  std::unique_ptr<Database> db =
      OpenDatabase(dir, /*direct_io=*/true, /*create=*/false, &scheduler);
  probe.open_ms = watch.Seconds() * 1000;
  auto first = Unwrap(db->Get(Workload::kCollection, ids[0]), "first get");
  probe.open_first_get_ms = watch.Seconds() * 1000;
  if (!first) Fatal("cairn: first get found nothing");
  probe.rss_open = ResidentBytes();
  for (const std::string& id : ids) {
    if (!Unwrap(db->Get(Workload::kCollection, id), "warm-up get")) Fatal("cairn: warm-up miss");
  }
  probe.rss_warm = ResidentBytes();
  probe.anon_warm = AnonymousResidentBytes();
  probe.warm_gets = ids.size();
  probe.stats = StatsList(db->GetStats());
  Check(db->Close(), "Close");
  return probe;
}

}  // namespace cairn::bench
