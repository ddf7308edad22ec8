// The engines cairn-space-bench compares, behind one small interface: Cairn
// spaces (space_cairn.cc), SQLite's R*Tree and Boost.Geometry's rtree
// (space_peers.cc).
//
// Every engine materialises what a query returns, as an application would
// receive it: each point's coordinates and a copy of its payload text. Cairn
// returns SpatialRecords; the peers fill a reused vector of SpaceHits.
//
// Errors end the process through Fatal(): a benchmark that carried on after a
// failed write would report numbers for work that was not done.
//
// Thread-safety: an engine is used by one thread.
#ifndef CAIRN_BENCH_SPACE_ENGINE_H_
#define CAIRN_BENCH_SPACE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/space_workload.h"

namespace cairn::bench {

// One point of a peer's answer.
struct SpaceHit {
  uint32_t coords[3] = {0, 0, 0};
  std::string payload;
};

class SpaceEngine {
 public:
  virtual ~SpaceEngine() = default;

  virtual std::string Name() const = 0;

  // Writes every point of the engine's data with its payload. The caller
  // times it; the engine is already open and its table or space defined.
  // REQUIRES: called once.
  virtual void Load() = 0;

  // Every point in the box; returns how many.
  virtual size_t Box(const QueryBox& box) = 0;

  // Every point whose x is `x`: returns how many. Cairn asks for the
  // subscope with the prefix (x); the peers query the box x = `x`, the other
  // axes over the whole range they can store.
  virtual size_t Subscope(uint32_t x) = 0;

  // The indexes of the points Box / Subscope returns, sorted, for the
  // agreement checks. Checks each point's coordinates and payload against
  // the data, and ends the process on a mismatch.
  virtual std::vector<uint32_t> BoxIndexes(const QueryBox& box) = 0;
  virtual std::vector<uint32_t> SubscopeIndexes(uint32_t x) = 0;
};

// The peers, over `data` (borrowed: it must outlive the engine), 2-D or 3-D.
// SQLite keeps its file in `dir`, which the caller made and removes after
// the engine is destroyed: an rtree_i32 table (exact integer coordinates)
// with the payload as an auxiliary column, WAL, synchronous=FULL, a 64 MiB
// page cache, the load in one transaction.
std::unique_ptr<SpaceEngine> MakeSqliteRtree(const std::string& dir, const SpaceDataset& data);
// Boost.Geometry rtree<rstar<16>> in memory, the value holding the point and
// its index into a payload vector: built by the packing (bulk-loading)
// constructor, or by inserting the points one by one.
std::unique_ptr<SpaceEngine> MakeBoostPacked(const SpaceDataset& data);
std::unique_ptr<SpaceEngine> MakeBoostRstar(const SpaceDataset& data);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_SPACE_ENGINE_H_
