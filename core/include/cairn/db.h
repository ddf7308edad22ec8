// Database: the document store and its history.
//
// A Database keeps JSON documents in collections. Every write creates an
// immutable version, content-addressed by the BLAKE2b hash of its canonical
// encoding (FORMAT.md), chained to the version it replaced and numbered by the
// database-wide sequence number `seq`. A Merkle head commits to every write.
//
// Thread-safety: a Database is thread-safe. Any number of threads may read
// while one write is in progress; concurrent writers are serialised and share
// a sync (group commit). Close() must not overlap any other call.
#ifndef CAIRN_DB_H_
#define CAIRN_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/hash.h"
#include "cairn/options.h"
#include "cairn/space.h"
#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {

// One immutable version of a document (or its tombstone).
struct Version {
  std::string coll;
  std::string id;
  uint64_t seq = 0;
  Hash hash;
  std::optional<Hash> prev;        // the version this one replaced
  std::vector<Hash> caused_by;     // causal provenance, in the order given
  int64_t ts = 0;                  // wall clock at write, ms since the epoch (one reading per batch)
  std::optional<std::string> valid_from;  // RFC 3339 UTC, "2024-05-01T00:00:00.000Z"
  std::optional<std::string> valid_to;
  bool deleted = false;            // a tombstone: the document left the live view
  std::string data;                // canonical JSON text; "null" for a tombstone

  // The version as one line of JSON:
  // {"coll":..,"id":..,"seq":..,"hash":..,"prev":..,"caused_by":[..],"ts":..,
  //  "valid_from":..,"valid_to":..,"deleted":..,"data":..}
  std::string ToJson() const;
};

struct WriteOptions {
  std::vector<Hash> caused_by;  // each must name an existing version
  // ISO-8601 instants with a time zone ("2024-05-01T12:00:00+02:00"); stored
  // normalised to UTC with millisecond precision. valid_from < valid_to.
  std::optional<std::string> valid_from;
  std::optional<std::string> valid_to;
};

// One write in a PutMany batch.
struct WriteOp {
  std::string coll;
  std::string id;
  std::string doc_json;  // any JSON value
  WriteOptions options;
};

struct ReadOptions {
  // Read the database as it was right after write `as_of`. Unset: now.
  std::optional<uint64_t> as_of;
};

struct ListOptions {
  std::optional<uint64_t> as_of;
  size_t limit = SIZE_MAX;
  size_t offset = 0;
  // A cursor: only ids that sort after this one (byte order). Paging with it
  // costs O(page), where offset costs O(offset + page).
  std::optional<std::string> start_after;
};

struct TraceOptions {
  // false: walk to causes (each version's caused_by). true: walk to effects
  // (the versions whose caused_by names it).
  bool reverse = false;
  size_t depth = SIZE_MAX;  // hops from the start; 0 returns the start alone
  size_t limit = SIZE_MAX;  // versions returned, the start included
  // Trace the database as it was after write `as_of`: later versions are
  // invisible. Unset: now.
  std::optional<uint64_t> as_of;
};

// One version reached by a trace, with its distance from the start.
struct TraceEntry {
  Version version;
  uint32_t depth = 0;
};

// The answer to an NQL query (README, "Queries").
struct QueryResult {
  std::vector<std::string> rows;  // each a canonical JSON object
  uint64_t seq = 0;               // the snapshot the query read (its AS OF, or the latest seq)
  Hash head;                      // the Merkle head after `seq`
  std::string plan;               // the plan, one step per line (filled for every query)
};

// A secondary or full-text index (CreateIndex, CreateTextIndex).
struct IndexInfo {
  std::string coll;
  std::string field;   // empty for the full-text index
  bool text = false;
  bool ready = false;  // built; queries use it
};

struct NeighborOptions {
  bool reverse = false;  // the nodes linking to this one
  std::optional<uint64_t> as_of;
};

struct Head {
  uint64_t seq = 0;  // the latest write's seq; 0 for an empty database
  Hash head;         // the Merkle head after that write; all zeros when empty
};

struct VerifyReport {
  bool ok = true;
  uint64_t checked = 0;           // objects re-hashed
  std::vector<Hash> tampered;     // versions whose bytes no longer match their hash
  std::vector<std::string> problems;  // every other finding, with file and offset
};

struct Stats {
  uint64_t seq = 0;
  uint64_t documents = 0;        // live documents
  uint64_t versions = 0;         // every version, tombstones included
  uint64_t log_bytes = 0;
  uint64_t segments = 0;
  uint64_t memtable_entries = 0;  // index entries not yet in a checkpoint
  uint64_t memtable_bytes = 0;
  uint64_t checkpoint_entries = 0;
  uint64_t checkpoint_tables = 0;  // sorted runs the index is merged from
  uint64_t mapped_tables = 0;      // of those, read through a mapping (Options::mmap_reads)
  uint64_t spaces = 0;
  uint64_t space_branches = 0;    // besides each space's main
  uint64_t cache_bytes = 0;       // block cache in use
  uint64_t cache_capacity = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t index_bytes = 0;       // in-memory index of checkpoint tables
  uint64_t replayed_records = 0;  // log records read at open
  // Checkpoint-table blocks that space queries passed over unread, because
  // their bounding box missed the query's box (since open).
  uint64_t space_blocks_skipped = 0;
  bool direct_io = false;         // log segments written with O_DIRECT
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens (or creates, see Options::create_if_missing) the database in
  // `storage`, taking its lock. Replays only the log written after the last
  // checkpoint; cuts a torn tail; fails with CORRUPTION naming file and offset
  // on any other damage, and with LOCKED when another open holds it.
  static Result<std::unique_ptr<Database>> Open(std::unique_ptr<Storage> storage,
                                                const Options& options);

  // An empty database held in memory (the memory storage backend).
  static Result<std::unique_ptr<Database>> OpenInMemory(const Options& options);

  // Writes a new version of (coll, id) holding `doc_json`. Returns the version
  // once durable (see Durability). INVALID_ARGUMENT for a bad name, limit or
  // time; PARSE_ERROR (with line:column) for malformed JSON; NOT_FOUND for a
  // caused_by hash that names no version.
  virtual Result<Version> Put(std::string_view coll, std::string_view id,
                              std::string_view doc_json, const WriteOptions& options = {}) = 0;

  // Writes every op atomically, in one group commit: after a crash either all
  // are present or none. Returns the versions in input order; seqs are
  // consecutive, and all share one ts (the clock is read once per batch).
  // An op's caused_by may name a version made earlier in the batch.
  virtual Result<std::vector<Version>> PutMany(const std::vector<WriteOp>& ops) = 0;

  // Writes a tombstone. The document leaves the live view; its history stays
  // and reads AS OF an earlier seq still return it. NOT_FOUND when the
  // document is not live.
  virtual Result<Version> Delete(std::string_view coll, std::string_view id,
                                 const WriteOptions& options = {}) = 0;

  // The live version (or, with as_of, the version live after write as_of).
  // nullopt when there is none or it is deleted. Cost: O(log versions).
  virtual Result<std::optional<Version>> Get(std::string_view coll, std::string_view id,
                                             const ReadOptions& options = {}) = 0;

  // Every version of (coll, id), tombstones included, newest first. Empty
  // when the document never existed.
  virtual Result<std::vector<Version>> History(std::string_view coll, std::string_view id) = 0;

  // The version with this hash, or nullopt.
  virtual Result<std::optional<Version>> GetByHash(const Hash& hash) = 0;

  // The causal chain of the version `from`, breadth-first: the start (depth
  // 0), then the versions one caused_by hop away, and so on; each version
  // once, in the order caused_by lists them (reverse: in seq order). Costs
  // O(result): effects are found through a reverse index. NOT_FOUND when no
  // version has hash `from` (or it is later than options.as_of).
  virtual Result<std::vector<TraceEntry>> Trace(const Hash& from,
                                                const TraceOptions& options = {}) = 0;

  // Runs an NQL query. PARSE_ERROR with line:column for a malformed query;
  // INVALID_ARGUMENT for a query that parses but cannot run (AS OF beyond
  // the latest seq, an empty SEARCH). EXPLAIN returns the plan and no rows.
  virtual Result<QueryResult> Query(std::string_view nql) = 0;

  // Creates a secondary index on `field` (a dotted path) of `coll`, builds it
  // from the live documents and returns once queries can use it. Kept exact
  // on every put and delete; persisted. Idempotent.
  virtual Status CreateIndex(std::string_view coll, std::string_view field) = 0;
  // Creates the full-text index of `coll` (every string value, README
  // "Full-text search"). Idempotent.
  virtual Status CreateTextIndex(std::string_view coll) = 0;
  // Drops an index (field "" with text for the full-text index: use
  // DropIndex(coll, "*text")). NOT_FOUND when there is none.
  virtual Status DropIndex(std::string_view coll, std::string_view field) = 0;
  virtual Result<std::vector<IndexInfo>> Indexes() = 0;

  // Links: named, directed edges between documents, each named "coll:id".
  // Link requires both documents to be live; NOT_FOUND otherwise. Links are
  // versions of the system collection _cairn_link, so they are durable,
  // hashed and time-travelable. Unlink: NOT_FOUND when there is no such link.
  virtual Result<Version> Link(std::string_view from, std::string_view rel, std::string_view to) = 0;
  virtual Result<Version> Unlink(std::string_view from, std::string_view rel, std::string_view to) = 0;
  // The nodes one `rel` link away from `node` (reverse: linking to it), as
  // of a seq, skipping deleted endpoints. Costs O(degree).
  virtual Result<std::vector<std::string>> Neighbors(std::string_view node, std::string_view rel,
                                                     const NeighborOptions& options = {}) = 0;

  // Live documents of `coll` (as of options.as_of), ordered by id.
  virtual Result<std::vector<Version>> List(std::string_view coll,
                                            const ListOptions& options = {}) = 0;

  // Versions in seq order, starting at seq `from_seq` (at most `limit`):
  // every write in the order it was made, tombstones included. Each seq
  // stays resolvable for the life of the database. Cost: one index seek per
  // commit record read, then sequential reads.
  virtual Result<std::vector<Version>> Versions(uint64_t from_seq, size_t limit) = 0;

  // ---- spaces (cairn/space.h; README, "Spaces")

  // Creates space `name` ([A-Za-z0-9_-], at most 32 bytes) with `dims`
  // (1..16) coordinates of `bits` (1..32) bits each, or returns the existing
  // one when dims and bits match (INVALID_ARGUMENT when they differ).
  virtual Result<SpaceInfo> CreateSpace(std::string_view name, uint32_t dims, uint32_t bits) = 0;
  virtual Result<std::vector<SpaceInfo>> Spaces() = 0;
  // NOT_FOUND when there is no such space. Its points leave every view;
  // their versions stay in the log and history.
  virtual Status DropSpace(std::string_view name) = 0;
  // Writes every op to `branch` atomically (one group commit); returns their
  // seqs in input order. INVALID_ARGUMENT for a wrong dimensionality or a
  // coordinate that does not fit the space's bits (naming the op and axis);
  // NOT_FOUND for an unknown space or branch, or a delete of a point that is
  // not live in the branch.
  virtual Result<std::vector<uint64_t>> SpaceWrite(std::string_view space, std::string_view branch,
                                                   const std::vector<SpatialWrite>& ops) = 0;
  // Every live point p with lo[i] <= p[i] <= hi[i] on every axis. Exact.
  virtual Result<SpaceQueryResult> SpaceBox(std::string_view space, const Point& lo,
                                            const Point& hi, const SpaceReadOptions& options = {}) = 0;
  // Every live point whose leading coordinates equal `prefix` (0..dims of them).
  virtual Result<SpaceQueryResult> SpaceSubscope(std::string_view space, const Point& prefix,
                                                 const SpaceReadOptions& options = {}) = 0;
  // SpaceBox and SpaceSubscope without a SpatialRecord per result, for hosts
  // that convert records into their own form: `fn` sees the same records in
  // the same order, and the result holds the cursor and seq but no records.
  // `fn` runs after the index is read, outside any lock, so it may call the
  // database; it is not called when the query fails.
  virtual Result<SpaceQueryResult> SpaceBoxEach(std::string_view space, const Point& lo, const Point& hi,
                                                const SpaceReadOptions& options,
                                                const std::function<void(const SpatialRecordView&)>& fn) = 0;
  virtual Result<SpaceQueryResult> SpaceSubscopeEach(std::string_view space, const Point& prefix,
                                                     const SpaceReadOptions& options,
                                                     const std::function<void(const SpatialRecordView&)>& fn) = 0;
  // The number of live points in the box (limit and cursor are ignored).
  virtual Result<uint64_t> SpaceCount(std::string_view space, const Point& lo, const Point& hi,
                                      const SpaceReadOptions& options = {}) = 0;
  // The k live points nearest to `point` by Euclidean distance, nearest
  // first (ties by Hilbert order). Exact.
  virtual Result<std::vector<NearestRecord>> SpaceNearest(std::string_view space, const Point& point,
                                                          size_t k, const SpaceReadOptions& options = {}) = 0;
  // Every state of the point at exactly these coordinates on `branch`
  // (tombstones included, deleted set), newest first; a branch's history
  // continues into its parent's before the fork.
  virtual Result<std::vector<SpatialRecord>> SpaceHistory(std::string_view space, std::string_view branch,
                                                          const Point& point) = 0;
  // Creates branch `name` of `space` from `from` as of `at` (unset: now).
  // INVALID_ARGUMENT when it exists or `at` is beyond the latest seq.
  virtual Result<BranchInfo> CreateBranch(std::string_view space, std::string_view name,
                                          std::string_view from, std::optional<uint64_t> at) = 0;
  virtual Result<std::vector<BranchInfo>> Branches(std::string_view space) = 0;
  // Drops a branch ("main" cannot be dropped, nor a branch others fork from).
  virtual Status DropBranch(std::string_view space, std::string_view name) = 0;
  // What changed from branch `from` to branch `to` (as of options.as_of).
  virtual Result<SpatialDiff> SpaceDiff(std::string_view space, std::string_view from,
                                        std::string_view to, std::optional<uint64_t> as_of = {}) = 0;
  // Merges `source` into `target`: every point the source changed since
  // their common base is written to the target, unless the target changed it
  // too (a conflict, settled by `strategy`). One atomic write.
  virtual Result<MergeResult> MergeBranch(std::string_view space, std::string_view source,
                                          std::string_view target, MergeStrategy strategy) = 0;

  // ---- hyperedges
  // Writes a hyperedge (edge.id empty: derived from its content). Its
  // endpoints' spaces must exist and their points fit them. Returns it with
  // id and seq set.
  virtual Result<Hyperedge> PutEdge(const Hyperedge& edge) = 0;
  // NOT_FOUND when no live edge has this id.
  virtual Status DeleteEdge(std::string_view id) = 0;
  // The live edges with an endpoint at (space, point). Indexed: O(degree).
  virtual Result<std::vector<Hyperedge>> EdgesAt(std::string_view space, const Point& point,
                                                 const EdgeQueryOptions& options = {}) = 0;
  // The live edges of `kind`, by id.
  virtual Result<std::vector<Hyperedge>> EdgesOfKind(std::string_view kind,
                                                     const EdgeQueryOptions& options = {}) = 0;
  // Breadth-first from (space, point) over live edges: every endpoint
  // reached within options.depth hops, nearest first.
  virtual Result<std::vector<EdgeHop>> TraverseEdges(std::string_view space, const Point& start,
                                                     const EdgeTraverseOptions& options = {}) = 0;

  // Every collection that has ever held a document, sorted.
  virtual Result<std::vector<std::string>> Collections() = 0;

  // The latest seq and the Merkle head after it.
  virtual Result<Head> GetHead() = 0;

  // Re-hashes every object, checks every checksum and the head chain. Never
  // fails on damaged data: damage is reported in the VerifyReport. Fails only
  // when storage cannot be read at all.
  virtual Result<VerifyReport> Verify() = 0;

  // Writes a checkpoint of the in-memory index now and waits for it.
  virtual Status Checkpoint() = 0;

  // A checkpoint that merges the whole index into one table, and waits for
  // it. Checkpoints merge only small tables, so after a bulk load the index
  // is a few sorted runs and every point read and range scan searches each
  // of them; after Compact it searches one. Costs a rewrite of the whole
  // index (not of the log), so call it after a bulk load, not after every
  // write. Readers and writers go on meanwhile; a crash leaves either the
  // old tables or the new one.
  virtual Status Compact() = 0;

  // Syncs everything written so far (useful in relaxed mode).
  virtual Status Sync() = 0;

  virtual Stats GetStats() = 0;

  // Syncs, checkpoints when worthwhile, releases the lock. Every later call
  // returns CLOSED. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace cairn

#endif  // CAIRN_DB_H_
