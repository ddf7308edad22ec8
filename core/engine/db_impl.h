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
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cairn/db.h"
#include "docs/keys.h"
#include "engine/block_cache.h"
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
};

// Checkpoint metadata: the state, then a Bloom filter of the documents the
// checkpoint holds (engine/bloom.h).
inline constexpr size_t kCheckpointStateBytes = 4 + 8 + 32 + 4 + 8 + 8 + 8;
std::string EncodeCheckpointState(const CheckpointState& s);
// Decodes the state at the front of `in`; *filter is the rest.
bool DecodeCheckpointState(std::string_view in, CheckpointState* s, std::string_view* filter);
// The Bloom filter key of a document: XXH3-64 of its DocPrefix.
uint64_t DocFilterHash(std::string_view doc_prefix);

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
  Result<std::vector<Version>> History(std::string_view coll, std::string_view id) override;
  Result<std::optional<Version>> GetByHash(const Hash& hash) override;
  Result<std::vector<Version>> List(std::string_view coll, const ListOptions& options) override;
  Result<std::vector<TraceEntry>> Trace(const Hash& from, const TraceOptions& options) override;
  Result<std::vector<std::string>> Collections() override;
  Result<std::vector<Version>> Versions(uint64_t from_seq, size_t limit) override;
  Result<Head> GetHead() override;
  Result<VerifyReport> Verify() override;
  Status Checkpoint() override;
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
  Result<PreparedOp> PrepareOp(std::string_view coll, std::string_view id,
                               std::string_view doc_json, const WriteOptions& options,
                               bool is_delete);
  Status StageWriter(Writer* w, GroupState* group) REQUIRES(write_mu_);
  Status CommitGroup(GroupState* group) REQUIRES(write_mu_);
  Status RotateSegmentIfNeeded(uint64_t record_bytes) REQUIRES(write_mu_);
  void ApplyVersions(const std::vector<Version>& versions, const std::vector<Location>& locs,
                     const CommitRef& commit) REQUIRES(index_mu_);
  bool ShouldFreezeForCheckpoint() REQUIRES(write_mu_);
  // Freezes mem_ for a checkpoint and sets checkpoint_running_.
  Status FreezeMemTable(CheckpointState* out) REQUIRES(write_mu_);

  // ---- read path (db_read.cc)
  // The newest version ref of (coll, id) with seq <= as_of.
  Result<std::optional<VersionRef>> FindVersionRef(std::string_view coll, std::string_view id,
                                                   uint64_t as_of) REQUIRES_SHARED(index_mu_);
  Result<std::optional<Location>> FindHash(const Hash& hash) REQUIRES_SHARED(index_mu_);
  std::unique_ptr<Table::Iterator> NewIndexIterator() REQUIRES_SHARED(index_mu_);
  // Reads a version from the log, checking its entry checksum (not its hash).
  Status ReadVersion(const Location& loc, const Hash& hash, Version* out);
  Result<Version> ReadVersion(const Location& loc, const Hash& hash);
  // CORRUPTION when v's content does not hash to v.hash.
  static Status CheckVersionHash(const Version& v);
  // Sets *out to the n log bytes at offset: a view into *hold (a cached
  // block) when they lie in one block, else into *scratch.
  Status ReadLog(uint32_t segment, uint64_t offset, size_t n, std::string* scratch,
                 BlockCache::Block* hold, std::string_view* out);
  Status LoadLogBlock(File* file, uint32_t segment, uint64_t block, BlockCache::Block* out);
  Status CheckOpen() const;

  // ---- recovery (db_recover.cc)
  Status ReplaySegment(uint32_t segment, uint64_t start, bool last) REQUIRES(index_mu_);
  Status ReplayCommit(std::string_view payload, uint32_t segment, uint64_t payload_offset,
                      const std::string& file_name) REQUIRES(index_mu_);
  Status StartNewSegment(uint32_t segment) REQUIRES(write_mu_) EXCLUDES(index_mu_);

  // ---- checkpoints (db_checkpoint.cc)
  Status BuildCheckpoint(const CheckpointState& state);
  void RunBackgroundCheckpoint(CheckpointState state);
  std::shared_ptr<Table> AdoptTable(std::unique_ptr<Table> table, std::string file_name)
      REQUIRES(index_mu_);

  // ---- verify (db_verify.cc)
  void VerifyLog(VerifyReport* report);
  void VerifyIndex(VerifyReport* report);

  std::unique_ptr<Storage> storage_;
  const Options options_;
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;
  BlockCache cache_;
  std::atomic<bool> closed_{false};
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
  std::shared_ptr<MemTable> mem_ GUARDED_BY(index_mu_);
  std::shared_ptr<MemTable> imm_ GUARDED_BY(index_mu_);
  std::shared_ptr<Table> table_ GUARDED_BY(index_mu_);
  // The Bloom filter in table_'s metadata (empty: may contain anything).
  std::string_view table_filter_ GUARDED_BY(index_mu_);
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
  // Set when table_ is superseded, so its file is removed once unused.
  std::shared_ptr<std::atomic<bool>> table_obsolete_ GUARDED_BY(index_mu_);
  Status last_checkpoint_status_ GUARDED_BY(write_mu_);
  uint64_t replayed_records_ = 0;
  uint64_t checkpoint_file_counter_ = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_DB_IMPL_H_
