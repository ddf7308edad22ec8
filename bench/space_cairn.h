// Cairn's side of cairn-space-bench: one space on the POSIX backend, with a
// ThreadScheduler so checkpoints run in the background as in a native host,
// and default options otherwise.
//
// Thread-safety: used by one thread.
#ifndef CAIRN_BENCH_SPACE_CAIRN_H_
#define CAIRN_BENCH_SPACE_CAIRN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/space_engine.h"
#include "cairn/db.h"
#include "storage-backends/posix/thread_scheduler.h"

namespace cairn::bench {

// The most writes one SpaceWrite call takes (Options::max_batch_writes).
constexpr size_t kSpaceBatch = 100000;

class CairnSpace final : public SpaceEngine {
 public:
  // Opens a database in `dir` (made fresh by the caller, removed by it after
  // this is destroyed) and creates the space: `data.dims` axes of 32 bits.
  // `data` is borrowed and must outlive this.
  CairnSpace(const std::string& dir, const SpaceDataset& data, Durability durability);
  // Closes the database.
  ~CairnSpace() override;

  std::string Name() const override;
  // SpaceWrite in batches of kSpaceBatch, from writes built beforehand. In
  // relaxed mode it ends with Sync(), so the load is on disk when it returns.
  void Load() override;
  size_t Box(const QueryBox& box) override;
  size_t Subscope(uint32_t x) override;
  std::vector<uint32_t> BoxIndexes(const QueryBox& box) override;
  std::vector<uint32_t> SubscopeIndexes(uint32_t x) override;

  // The seq of the load's last write.
  uint64_t load_seq() const { return load_seq_; }
  // Rewrites the points at `indexes` with payload version 2, in batches.
  // After it, BoxIndexes expects version 2 of these points.
  void Rewrite(const std::vector<uint32_t>& indexes);
  // Box, AS OF `seq`.
  size_t BoxAsOf(const QueryBox& box, uint64_t seq);
  // BoxIndexes AS OF load_seq(): every payload must be the loaded one.
  std::vector<uint32_t> BoxIndexesAtLoad(const QueryBox& box);
  // Writes a checkpoint and waits for it.
  void Checkpoint();
  // Merges the whole index into one table (Database::Compact), as after a
  // bulk load.
  void Compact();
  // How many checkpoint tables the index is merged from.
  uint64_t CheckpointTables() { return db_->GetStats().checkpoint_tables; }

 private:
  std::vector<uint32_t> Indexes(const SpaceQueryResult& result, bool at_load) const;

  const SpaceDataset& data_;
  const Durability durability_;
  ThreadScheduler scheduler_;  // outlives db_
  std::unique_ptr<Database> db_;
  std::vector<std::vector<SpatialWrite>> batches_;  // the load, built before the clock starts
  std::vector<bool> rewritten_;
  uint64_t load_seq_ = 0;
};

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_SPACE_CAIRN_H_
