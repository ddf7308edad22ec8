// DBImpl: the engine behind cairn::Database.
//
// Data lives in log segments; an index maps keys (docs/keys.h) to log
// locations. The index is three sorted sources, newest first: the memtable
// (writes since the last freeze), the frozen memtable being checkpointed, and
// the checkpoint table. A checkpoint merges the frozen memtable into a new
// table, so open reads the table's block index and replays only the log after
// the checkpoint's position.
//
// Concurrency. write_mu_ guards the writer queue and the commit state; the
// writer at the front of the queue is the leader: it prepares a group of
// writes, releases write_mu_ while writing and syncing the log (so more
// writers can queue), then applies the group to the index. index_mu_ guards
// the index sources and the visible seq/head; readers hold it shared. Lock
// order: write_mu_ before index_mu_.
#ifndef CAIRN_ENGINE_DB_IMPL_H_
#define CAIRN_ENGINE_DB_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cairn/db.h"
#include "nql/row.h"
#include "docs/keys.h"
#include "engine/block_cache.h"
#include "engine/commit_record.h"
#include "engine/log_writer.h"
#include "engine/memtable.h"
#include "engine/table.h"
#include "util/mutex.h"

namespace cairn {

// What a checkpoint records about the database at its log position.
struct CheckpointState {
  uint64_t seq = 0;
  Hash head;
  uint32_t segment = 0;  // replay starts here...
  uint64_t offset = 0;   // ...at this offset
  uint64_t documents = 0;
  uint64_t versions = 0;
  // The older checkpoint tables this checkpoint builds on, newest first, by
  // the seq in their file names. Together with the checkpoint's own table
  // they hold the whole index up to `seq`.
  std::vector<uint64_t> older_tables;
};

// Checkpoint metadata (FORMAT.md, "Checkpoint files"): the state, the older
// tables, then a Bloom filter (engine/bloom.h) of the documents and hashes
// the checkpoint's own table holds. Version 1 metadata (one table holding
// everything, a filter of documents only) is still read.
inline constexpr uint32_t kCheckpointFormatVersion = 2;
std::string EncodeCheckpointState(const CheckpointState& s);
// Decodes the metadata `in`: the state, *filter (the rest) and
// *filter_has_hashes (false for version 1 metadata, whose filter holds
// documents only).
bool DecodeCheckpointState(std::string_view in, CheckpointState* s, std::string_view* filter,
                           bool* filter_has_hashes);
// The Bloom filter key of a document: XXH3-64 of its DocPrefix.
uint64_t DocFilterHash(std::string_view doc_prefix);
// The Bloom filter key of a version hash: XXH3-64 of its HashKey.
uint64_t HashFilterHash(std::string_view hash_key);

// One checkpoint table in use, with the Bloom filter from its metadata.
struct CheckpointTable {
  std::shared_ptr<Table> table;
  uint64_t seq = 0;         // the last seq it covers: its file name
  std::string_view filter;  // in table->metadata(); empty: may hold anything
  // Version 2 metadata: the filter is blocked (engine/bloom.h) and also
  // covers the table's 'h' keys. Version 1: classic, documents only.
  bool filter_has_hashes = false;

  bool MayHoldDocument(uint64_t doc_filter_hash) const;
  bool MayHoldHash(uint64_t hash_filter_hash) const;
  // Set when the table is merged into a newer one, so its file is removed
  // once the last reader lets go of it.
  std::shared_ptr<std::atomic<bool>> obsolete;
};

// Checkpoint tables are merged so that there are at most this many.
inline constexpr size_t kMaxCheckpointTables = 8;
// Data block size of checkpoint tables. A point read that misses the block
// cache reads, checks and caches one block; 2 KiB holds about 7 inline
// versions of a ~150-byte document and halves the bytes per miss of 4 KiB.
inline constexpr size_t kCheckpointBlockBytes = 2048;
// The bytes a spatial index key starts with ('S', space gen, branch gen):
// the prefix a checkpoint block's box is for (engine/db_space.cc).
inline constexpr size_t kSpatialKeyPrefixBytes = 17;

class DBImpl final : public Database {
 public:
  DBImpl(std::unique_ptr<Storage> storage, const Options& options);
  ~DBImpl() override;

  // Takes the lock and recovers the state from storage. Called once by Open.
  Status Recover();

  Result<Version> Put(std::string_view coll, std::string_view id, std::string_view doc_json,
                      const WriteOptions& options) override;
  Result<std::vector<Version>> PutMany(const std::vector<WriteOp>& ops) override;
  Result<Version> Delete(std::string_view coll, std::string_view id,
                         const WriteOptions& options) override;
  Result<std::optional<Version>> Get(std::string_view coll, std::string_view id,
                                     const ReadOptions& options) override;
  // Table iterators kept across the point reads of one query, which often
  // read consecutive ids (whose versions share a block); keeps its tables
  // alive. One thread at a time.
  class ReadCursor {
   public:
    Table::Iterator* For(const std::shared_ptr<Table>& table);

   private:
    std::vector<std::pair<std::shared_ptr<Table>, std::unique_ptr<Table::Iterator>>> iterators_;
  };
  // Get, reusing `cursor`'s iterators (null: fresh ones).
  Result<std::optional<Version>> Get(std::string_view coll, std::string_view id, const ReadOptions& options,
                                     ReadCursor* cursor);
  // The live version of (coll, id) as of `as_of`, read straight from the
  // log when `ref` (a secondary index entry's value, ScanIndex) names that
  // version; otherwise (an older file's empty value, or a version newer than
  // as_of) the same as Get.
  Result<std::optional<Version>> GetIndexed(std::string_view coll, std::string_view id, uint64_t as_of,
                                            std::string_view ref, ReadCursor* cursor);
  Result<std::vector<Version>> History(std::string_view coll, std::string_view id) override;
  Result<std::optional<Version>> GetByHash(const Hash& hash) override;
  Result<std::vector<Version>> List(std::string_view coll, const ListOptions& options) override;
  // List's index part: the refs of the versions it would read.
  Status ListRefs(std::string_view coll, const ListOptions& options, std::vector<VersionRef>* refs);
  // The versions `refs` name, in order.
  Result<std::vector<Version>> ReadVersions(const std::vector<VersionRef>& refs);
  Result<std::vector<TraceEntry>> Trace(const Hash& from, const TraceOptions& options) override;
  Result<QueryResult> Query(std::string_view nql) override;
  Status CreateIndex(std::string_view coll, std::string_view field) override;
  Status CreateTextIndex(std::string_view coll) override;
  Status DropIndex(std::string_view coll, std::string_view field) override;
  Result<std::vector<IndexInfo>> Indexes() override;
  Result<Version> Link(std::string_view from, std::string_view rel, std::string_view to) override;
  Result<Version> Unlink(std::string_view from, std::string_view rel, std::string_view to) override;
  Result<std::vector<std::string>> Neighbors(std::string_view node, std::string_view rel,
                                             const NeighborOptions& options) override;

  // ---- spaces and hyperedges (db_space.cc, db_edge.cc)
  Result<SpaceInfo> CreateSpace(std::string_view name, uint32_t dims, uint32_t bits) override;
  Result<std::vector<SpaceInfo>> Spaces() override;
  Status DropSpace(std::string_view name) override;
  Result<std::vector<uint64_t>> SpaceWrite(std::string_view space, std::string_view branch,
                                           const std::vector<SpatialWrite>& ops) override;
  Result<SpaceQueryResult> SpaceBox(std::string_view space, const Point& lo, const Point& hi,
                                    const SpaceReadOptions& options) override;
  Result<SpaceQueryResult> SpaceSubscope(std::string_view space, const Point& prefix,
                                         const SpaceReadOptions& options) override;
  Result<SpaceQueryResult> SpaceBoxEach(std::string_view space, const Point& lo, const Point& hi,
                                        const SpaceReadOptions& options,
                                        const std::function<void(const SpatialRecordView&)>& fn) override;
  Result<SpaceQueryResult> SpaceSubscopeEach(std::string_view space, const Point& prefix,
                                             const SpaceReadOptions& options,
                                             const std::function<void(const SpatialRecordView&)>& fn) override;
  Result<uint64_t> SpaceCount(std::string_view space, const Point& lo, const Point& hi,
                              const SpaceReadOptions& options) override;
  Result<std::vector<NearestRecord>> SpaceNearest(std::string_view space, const Point& point, size_t k,
                                                  const SpaceReadOptions& options) override;
  Result<std::vector<SpatialRecord>> SpaceHistory(std::string_view space, std::string_view branch,
                                                  const Point& point) override;
  Result<BranchInfo> CreateBranch(std::string_view space, std::string_view name, std::string_view from,
                                  std::optional<uint64_t> at) override;
  Result<std::vector<BranchInfo>> Branches(std::string_view space) override;
  Status DropBranch(std::string_view space, std::string_view name) override;
  Result<SpatialDiff> SpaceDiff(std::string_view space, std::string_view from, std::string_view to,
                                std::optional<uint64_t> as_of) override;
  Result<MergeResult> MergeBranch(std::string_view space, std::string_view source,
                                  std::string_view target, MergeStrategy strategy) override;
  Result<Hyperedge> PutEdge(const Hyperedge& edge) override;
  Status DeleteEdge(std::string_view id) override;
  Result<std::vector<Hyperedge>> EdgesAt(std::string_view space, const Point& point,
                                         const EdgeQueryOptions& options) override;
  Result<std::vector<Hyperedge>> EdgesOfKind(std::string_view kind, const EdgeQueryOptions& options) override;
  Result<std::vector<EdgeHop>> TraverseEdges(std::string_view space, const Point& start,
                                             const EdgeTraverseOptions& options) override;

  // ---- indexes and links, for the query executor (db_index.cc)
  // Names of the ready indexes of `coll`: fields, or the text index.
  std::vector<std::string> ReadyIndexes(std::string_view coll, bool text);
  // The generation (definition seq) of index `name` of `coll`.
  Result<uint64_t> IndexGen(std::string_view coll, std::string_view name);
  // Walks an index in value order (lo/hi: value keys, index/value_key.h),
  // calling fn(value key, id, ref) where ref locates the document's version
  // (GetIndexed). `expected` (0: unknown) is how many entries fn is expected
  // to take: the first batch read under the lock covers them.
  Status ScanIndex(std::string_view coll, std::string_view field, const std::string* lo,
                   bool lo_inclusive, const std::string* hi, bool hi_inclusive, bool reverse,
                   const std::function<bool(std::string_view, std::string_view, std::string_view)>& fn,
                   size_t expected = 0);
  // Ids of the documents holding `word` (prefix: a word starting with it).
  // Ids after `after` of documents holding every (word, is_prefix) term, in
  // id order, at most `max`.
  Status TextIntersect(std::string_view coll, const std::vector<std::pair<std::string, bool>>& terms,
                       const std::string& after, size_t max, std::vector<std::string>* ids);
  Status TextIds(std::string_view coll, std::string_view word, bool prefix,
                 std::vector<std::string>* ids);
  uint64_t VisibleSeq() {
    ReaderLock l(&index_mu_);
    return visible_seq_;
  }
  Result<std::vector<std::string>> Collections() override;
  Result<std::vector<Version>> Versions(uint64_t from_seq, size_t limit) override;
  Result<Head> GetHead() override;
  Result<VerifyReport> Verify() override;
  Status Checkpoint() override;
  Status Compact() override;
  Status Sync() override;
  Stats GetStats() override;
  Status Close() override;

 private:
  // A validated write waiting for the commit leader.
  struct PreparedOp {
    std::string coll, id;
    std::string data;  // canonical JSON ("null" for a delete)
    WriteOptions options;
    bool is_delete = false;
    // A tombstone may be written over a document that is not live (a
    // branch deleting a point it inherits).
    bool allow_absent = false;
  };
  // A caller waiting in the writer queue.
  struct Writer {
    enum class Kind { kWrite, kSync, kFreeze };
    Kind kind = Kind::kWrite;
    std::vector<PreparedOp> ops;
    std::vector<Version> results;
    Status status;
    bool done = false;
    CondVar cv;
  };
  struct GroupState;

  // ---- write path (db_write.cc)
  Result<std::vector<Version>> Write(std::vector<PreparedOp> ops);
  // Calls fn(begin, end) over ranges covering [0, n): on the scheduler's
  // helpers too where there is a scheduler and more than `grain` items, else
  // once, on this thread.
  void ParallelRanges(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);
  // Calls fn(i) for each i in [0, n) as ParallelRanges does, and returns
  // the error of the smallest i that failed (*failed_at = i), or OK. A range
  // stops at its first error: no later item of it can fail first.
  Status ParallelEach(size_t n, size_t grain, const std::function<Status(size_t)>& fn, size_t* failed_at);
  Result<PreparedOp> PrepareOp(std::string_view coll, std::string_view id,
                               std::string_view doc_json, const WriteOptions& options,
                               bool is_delete);
  Status StageWriter(Writer* w, GroupState* group) REQUIRES(write_mu_);
  // What the index holds for an op's document before its batch: its newest
  // version, if any.
  struct CurrentVersion {
    uint64_t doc_hash = 0;  // DocFilterHash of the document's prefix
    Status status;          // of the lookup
    bool found = false;
    bool deleted = false;
    Hash hash;
  };
  // Looks up every op's current version, (*out)[i] for ops[i] (out sized to
  // match), on the scheduler's helpers too.
  void LookUpCurrentVersions(const std::vector<PreparedOp>& ops, std::vector<CurrentVersion>* out)
      REQUIRES(write_mu_) REQUIRES_SHARED(index_mu_);
  // Starts fetching what looking up the current version of (coll, id) will
  // touch: the memtables' slots and the tables' filter lines. A batch calls
  // it a few documents ahead, so the lookups find them in the CPU cache.
  // `scratch` is reused for the document prefix. Returns the prefix's
  // DocFilterHash.
  uint64_t PrefetchDocument(std::string_view coll, std::string_view id, std::string* scratch)
      REQUIRES_SHARED(index_mu_);
  Status CommitGroup(GroupState* group) REQUIRES(write_mu_);
  Status RotateSegmentIfNeeded(uint64_t record_bytes) REQUIRES(write_mu_);
  // Adds the index entries of one commit record; `payload` is the record's
  // payload (at commit.payload_offset in the log), holding the items.
  void ApplyVersions(const std::vector<Version>& versions, const std::vector<Location>& locs,
                     const CommitRef& commit, std::string_view payload) REQUIRES(index_mu_);
  bool ShouldFreezeForCheckpoint() REQUIRES(write_mu_);
  // Freezes mem_ for a checkpoint and sets checkpoint_running_.
  Status FreezeMemTable(CheckpointState* out) REQUIRES(write_mu_);

  // ---- indexes and links (db_index.cc)
  struct IndexDef {
    char state = 'P';  // 'P' defined, 'R' ready
    uint64_t gen = 0;  // the seq of its definition
  };
  // Derives index, text and link entries from a version (and index
  // definitions from versions of _cairn_index).
  void ApplySecondary(const Version& v, const Location& loc) REQUIRES(index_mu_);
  void ApplyText(const Version& v, const rapidjson::Document& d, const std::string& gen) REQUIRES(index_mu_);
  // The newest value of exactly `key`, or nullopt.
  Result<std::optional<std::string>> DerivedValue(std::string_view key) REQUIRES_SHARED(index_mu_);
  // Loads index definitions from the index (at open, before replay).
  Status LoadDerivedState() REQUIRES(index_mu_);
  // Builds the indexes defined but not yet ready (at open, after replay).
  Status BackfillPending();
  Status DefineIndex(std::string_view coll, std::string_view name, std::string data);
  Status Backfill(const std::string& coll, const std::string& name, uint64_t def_seq);
  // A write to a system collection, past the reserved-name check.
  Result<Version> WriteSystem(std::string_view coll, std::string id, std::string data, bool is_delete);

  // ---- spaces (db_space.cc)
  struct SpaceDef {
    uint32_t dims = 0, bits = 0;
    uint64_t gen = 0;  // the seq of its definition
    // The bounding box of every point ever written to it (any branch);
    // empty before the first. Queries clip their box to it.
    Point min, max;
  };
  struct BranchDef {
    std::string parent;
    uint64_t fork = 0;
    uint64_t gen = 0;  // the seq of its definition (main: the space's)
  };
  // One level of a branch view: a branch's own entries up to `cap`.
  struct ViewLevel {
    uint64_t branch_gen = 0;
    uint64_t cap = 0;
    std::string branch;
  };
  struct SpatialEntry;
  // Derives space, branch and point index entries from a version of a
  // spatial system collection.
  void ApplySpatial(const Version& v) REQUIRES(index_mu_);
  void ApplyEdge(const Version& v) REQUIRES(index_mu_);
  // The levels of `branch`'s view as of `as_of`, nearest first.
  Result<std::vector<ViewLevel>> BranchChain(std::string_view space, const SpaceDef& def,
                                             std::string_view branch, uint64_t as_of)
      REQUIRES_SHARED(index_mu_);
  Result<SpaceDef> FindSpace(std::string_view space) REQUIRES_SHARED(index_mu_);
  // For checkpoint tables' block boxes (TableOptions::box_dims): the number
  // of coordinates of a spatial index key of a space defined now, else 0.
  std::function<uint32_t(std::string_view key)> SpatialKeyDims() REQUIRES_SHARED(index_mu_);
  // Visits the deciding entry of every point in the box [lo, hi] of the
  // view, in (Hilbert key, coordinates) order, tombstones included, starting
  // after `after` (a record cursor). fn returns false to stop. Passes over
  // the table blocks whose box misses [lo, hi].
  Status ScanView(std::string_view space, const SpaceDef& def, const std::vector<ViewLevel>& levels,
                  const Point& lo, const Point& hi, std::string_view after,
                  const std::function<bool(SpatialEntry&)>& fn) REQUIRES_SHARED(index_mu_);
  // ScanView for a box that fixes its first coordinate (lo[0] == hi[0]),
  // from the ids of the points written under it: returns false, having
  // visited nothing, when there are too many for that to pay.
  Result<bool> ScanViewByIds(std::string_view space, const SpaceDef& def, const std::vector<ViewLevel>& levels,
                             const Point& lo, const Point& hi, std::string_view after,
                             const std::function<bool(SpatialEntry&)>& fn) REQUIRES_SHARED(index_mu_);
  // A deciding entry's payload: true, with *by_hash set, when the entry
  // keeps only the hash of the version holding it; else false, with
  // *inline_payload set (empty for a tombstone).
  static bool EntryPayload(const SpatialEntry& e, std::string_view* inline_payload, Hash* by_hash);
  // Fills a record from a deciding entry; returns the hash of the version
  // holding its payload when the entry keeps only that (zero otherwise).
  static Hash FillRecord(const SpatialEntry& e, SpatialRecord* r);
  // Reads the payload of `point` kept by hash in the version `hash`.
  Status ReadPayload(const Hash& hash, const uint32_t* point, size_t dims, SpatialPayload* out);
  // Reads the payloads kept by hash: by_hash[i] non-zero for records[i].
  Status ResolvePayloads(std::vector<SpatialRecord>* records, const std::vector<Hash>& by_hash);
  // A box (lo, hi) or subscope (prefix) query: hands each record to `fn`,
  // after the index is read; the result holds no records.
  Result<SpaceQueryResult> BoxQuery(std::string_view space, const Point* lo, const Point* hi,
                                    const Point* prefix, const SpaceReadOptions& options,
                                    const std::function<void(const SpatialRecordView&)>& fn);
  // BoxQuery, with its records collected.
  Result<SpaceQueryResult> CollectBoxQuery(std::string_view space, const Point* lo, const Point* hi,
                                           const Point* prefix, const SpaceReadOptions& options);
  // Every point of a branch's view (tombstones included), in key order.
  Result<std::vector<SpatialRecord>> FullView(std::string_view space, std::string_view branch,
                                              uint64_t as_of, bool with_tombstones);
  Result<std::vector<uint64_t>> WriteSpatial(std::string_view space, std::string_view branch,
                                             const std::vector<SpatialWrite>& ops, bool check_live);

  // ---- read path (db_read.cc)
  // The newest version ref of (coll, id) with seq <= as_of.
  Result<std::optional<VersionRef>> FindVersionRef(std::string_view coll, std::string_view id,
                                                   uint64_t as_of, ReadCursor* cursor = nullptr)
      REQUIRES_SHARED(index_mu_);
  Result<std::optional<Location>> FindHash(const Hash& hash) REQUIRES_SHARED(index_mu_);
  std::unique_ptr<Table::Iterator> NewIndexIterator() REQUIRES_SHARED(index_mu_);
  // Reads a version from the log, checking its entry checksum (not its hash).
  Status ReadVersion(const Location& loc, const Hash& hash, Version* out);
  // The same, from the index entry's inline item when it has one.
  Status ReadVersion(const VersionRef& ref, Version* out);
  // Decodes a log item (checksum, then entry) read from `loc`.
  static Status DecodeItem(std::string_view item, const Location& loc, const Hash& hash,
                           Version* out);
  Result<Version> ReadVersion(const Location& loc, const Hash& hash);
  // CORRUPTION when v's content does not hash to v.hash.
  static Status CheckVersionHash(const Version& v);
  // Sets *out to the n log bytes at offset: a view into *hold (a cached
  // block) when they lie in one block, else into *scratch. A mode other
  // than kRead reads only from memory; when a block is not there it sets
  // *missed and leaves *out empty.
  enum class LogRead {
    kRead,        // from the cache, else from the file
    kIfCached,    // from the cache, else from the file if File::ReadIfCached can
    kCacheOnly,   // from the block cache only
  };
  Status ReadLog(uint32_t segment, uint64_t offset, size_t n, std::string* scratch,
                 BlockCache::Block* hold, std::string_view* out, LogRead mode = LogRead::kRead,
                 bool* missed = nullptr);
  // Loads the log block(s) of `loc` into the block cache in a background
  // task (options_.scheduler), at most one task per block at a time.
  void PrefetchLog(const Location& loc);
  // Reads and checks the commit record holding `seq` (keeping versions from
  // `from_seq` on).
  Status ReadCommitAt(uint64_t seq, CommitRecord* rec, uint64_t from_seq = 0);
  // The Merkle head right after write `seq`.
  Result<Hash> HeadAt(uint64_t seq);
  // Log block `block` of `segment` through the cache, holding at least its
  // first `need` bytes. Of the active segment's last block (written up to
  // `written_end`) only the written prefix is cached: later commits append
  // to it but never change those bytes, and a read needing more reloads it.
  Status LoadLogBlock(File* file, uint32_t segment, uint64_t block, size_t need, uint64_t written_end,
                      BlockCache::Block* out, LogRead mode = LogRead::kRead, bool* missed = nullptr);
  Status CheckOpen() const;

  // ---- recovery (db_recover.cc)
  Status ReplaySegment(uint32_t segment, uint64_t start, bool last) REQUIRES(index_mu_);
  Status ReplayCommit(std::string_view payload, uint32_t segment, uint64_t payload_offset,
                      const std::string& file_name) REQUIRES(index_mu_);
  Status StartNewSegment(uint32_t segment) REQUIRES(write_mu_) EXCLUDES(index_mu_);

  // ---- checkpoints (db_checkpoint.cc)
  // Writes imm_ as a new checkpoint table, merged with the newest tables
  // (TablesToMerge), or with every table when `merge_all`.
  Status BuildCheckpoint(const CheckpointState& state, bool merge_all = false);
  // Checkpoint (merge_all false) and Compact (true).
  Status CheckpointNow(bool merge_all);
  void RunBackgroundCheckpoint(CheckpointState state);
  // Wraps an opened checkpoint table: decodes its metadata into *out and
  // arranges for its file to be removed once it is obsolete and unused.
  Status AdoptTable(std::unique_ptr<Table> table, uint64_t seq, CheckpointTable* out,
                    CheckpointState* state);
  // How many of the newest tables in `tables` the next checkpoint merges
  // with `new_bytes` of memtable entries.
  static size_t TablesToMerge(const std::vector<CheckpointTable>& tables, uint64_t new_bytes);

  // ---- verify (db_verify.cc)
  void VerifyLog(VerifyReport* report);
  void VerifyIndex(VerifyReport* report);
  void VerifyInlineItems(VerifyReport* report);

  std::unique_ptr<Storage> storage_;
  const Options options_;
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;
  BlockCache cache_;
  std::atomic<bool> closed_{false};
  // Table blocks that spatial scans passed over by their boxes (Stats).
  std::atomic<uint64_t> space_blocks_skipped_{0};
  // Log blocks being loaded by PrefetchLog tasks (segment << 40 | block);
  // Close waits for them.
  Mutex prefetch_mu_;
  std::set<uint64_t> prefetching_ GUARDED_BY(prefetch_mu_);
  CondVar prefetch_cv_;
  bool locked_ = false;

  Mutex write_mu_;
  std::deque<Writer*> writers_ GUARDED_BY(write_mu_);
  // The leader's commit state. Only the leader touches log_ while write_mu_ is
  // released for I/O.
  std::unique_ptr<LogWriter> log_;
  uint64_t next_seq_ GUARDED_BY(write_mu_) = 1;
  Hash last_head_ GUARDED_BY(write_mu_);
  Status background_error_ GUARDED_BY(write_mu_);
  bool checkpoint_running_ GUARDED_BY(write_mu_) = false;
  CondVar checkpoint_cv_;
  uint64_t log_bytes_since_checkpoint_ GUARDED_BY(write_mu_) = 0;

  SharedMutex index_mu_;
  // Index definitions: collection -> index name (a field, or "*text").
  std::map<std::string, std::map<std::string, IndexDef>> index_defs_ GUARDED_BY(index_mu_);
  // Spaces by name, and their branches other than main.
  std::map<std::string, SpaceDef, std::less<>> spaces_ GUARDED_BY(index_mu_);
  std::map<std::string, std::map<std::string, BranchDef, std::less<>>, std::less<>> branches_
      GUARDED_BY(index_mu_);
  // Memtables recycle their arena blocks and hash tables here.
  std::shared_ptr<MemTablePool> memtable_pool_;
  std::shared_ptr<MemTable> mem_ GUARDED_BY(index_mu_);
  std::shared_ptr<MemTable> imm_ GUARDED_BY(index_mu_);
  // The checkpoint tables, newest first. Their seq ranges are disjoint: every
  // version in tables_[i] is newer than every version in tables_[i + 1].
  std::vector<CheckpointTable> tables_ GUARDED_BY(index_mu_);
  // Read handles of every log segment, by number. Files are only added.
  std::map<uint32_t, std::shared_ptr<File>> segments_ GUARDED_BY(index_mu_);
  uint32_t active_segment_ GUARDED_BY(index_mu_) = 0;
  uint64_t active_end_ GUARDED_BY(index_mu_) = 0;
  uint64_t visible_seq_ GUARDED_BY(index_mu_) = 0;
  Hash visible_head_ GUARDED_BY(index_mu_);
  uint64_t documents_ GUARDED_BY(index_mu_) = 0;
  uint64_t versions_ GUARDED_BY(index_mu_) = 0;
  uint64_t log_bytes_ GUARDED_BY(index_mu_) = 0;
  std::set<std::string, std::less<>> collections_ GUARDED_BY(index_mu_);
  Status last_checkpoint_status_ GUARDED_BY(write_mu_);
  uint64_t replayed_records_ = 0;
  uint64_t checkpoint_file_counter_ = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_DB_IMPL_H_
