// The deterministic spatial write stream of the kill -9 crash test, shared by
// crash_writer (mode "space") and the driver.
//
// Batch 0 creates space "s" (2-D, 12 bits), batch 1 its branch "b"; every
// later batch is one atomic SpaceWrite to main (even batches) or b (odd):
// 1..6 inserts at points of a 32 x 32 corner, and half the time a delete of a
// point live in that branch. The plan keeps each branch's state, so the
// driver knows exactly what the database must hold after any batch.
#ifndef CAIRN_TESTS_CRASH_SPACE_PLAN_H_
#define CAIRN_TESTS_CRASH_SPACE_PLAN_H_

#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "cairn/space.h"
#include "tests/crash/crash_plan.h"

namespace cairn::crash {

struct SpaceBatch {
  enum class Kind { kCreateSpace, kCreateBranch, kWrite };
  Kind kind = Kind::kWrite;
  uint64_t number = 0;
  std::string branch;
  std::vector<SpatialWrite> ops;
  size_t seqs() const { return kind == Kind::kWrite ? ops.size() : 1; }
};

class SpacePlan {
 public:
  explicit SpacePlan(uint64_t seed) : seed_(seed) {}

  SpaceBatch Next() {
    SpaceBatch b;
    b.number = next_++;
    if (b.number == 0) {
      b.kind = SpaceBatch::Kind::kCreateSpace;
    } else if (b.number == 1) {
      b.kind = SpaceBatch::Kind::kCreateBranch;
    } else {
      SplitMix64 rng(seed_ * 1000003 + b.number);
      b.branch = b.number % 2 ? "b" : "main";
      std::map<Point, std::string>& state = state_[b.branch];
      const int n = static_cast<int>(rng.Range(1, 6));
      for (int i = 0; i < n; i++) {
        Point p{static_cast<uint32_t>(rng.Range(0, 31)), static_cast<uint32_t>(rng.Range(0, 31))};
        std::string data = "{\"i\":" + std::to_string(i) + ",\"n\":" + std::to_string(b.number) + "}";
        state[p] = data;
        b.ops.push_back(SpatialWrite{p, SpatialPayload{data, false}, false});
      }
      if (rng.Range(0, 1) && !state.empty()) {
        auto it = state.begin();
        std::advance(it, static_cast<long>(rng.Range(0, state.size() - 1)));
        b.ops.push_back(SpatialWrite{it->first, {}, true});
        state.erase(it);
      }
    }
    seq_ += b.seqs();
    return b;
  }
  // The seq of the last write of every batch so far.
  uint64_t seq() const { return seq_; }
  const std::map<Point, std::string>& State(const std::string& branch) { return state_[branch]; }

 private:
  uint64_t seed_;
  uint64_t next_ = 0;
  uint64_t seq_ = 0;
  std::map<std::string, std::map<Point, std::string>> state_;
};

}  // namespace cairn::crash

#endif  // CAIRN_TESTS_CRASH_SPACE_PLAN_H_
