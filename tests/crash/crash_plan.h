// The deterministic write stream shared by the crash writer and the crash
// test driver.
//
// A CrashPlan is a pure function of its seed: the i-th batch it yields is the
// same in every process. The writer fast-forwards a fresh plan to the seq the
// database holds and continues from there; the driver replays the same plan
// to know, for every seq, exactly which document was written and what its
// data was. Document data is derived from (seed, seq) alone, so neither side
// has to keep it.
//
// Thread-safety: a CrashPlan is not thread-safe; the free functions are pure.
#ifndef CAIRN_TESTS_CRASH_CRASH_PLAN_H_
#define CAIRN_TESTS_CRASH_CRASH_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cairn::crash {

inline constexpr const char* kCollections[] = {"orders", "users", "events"};
inline constexpr size_t kCollectionCount = 3;
inline constexpr uint32_t kIdsPerCollection = 300;

// checkpoint_bytes and segment_bytes used by the writer and by the driver's
// reopen. A writer lives for 5-60 ms and writes some tens of KiB of log (less
// under sanitizers or load), and the checkpoint trigger counts from open, so
// both are small enough that checkpoints and segment rotations fall inside
// the kill windows.
inline constexpr uint64_t kCheckpointBytes = 16u << 10;
inline constexpr uint64_t kSegmentBytes = 256u << 10;

// SplitMix64: a tiny, fast generator whose output depends only on its state.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Next() % (hi - lo + 1); }

 private:
  uint64_t state_;
};

struct PlannedOp {
  uint64_t seq = 0;
  std::string coll;
  std::string id;
  bool is_delete = false;
  uint32_t pad_bytes = 0;  // length of the generated padding in the data
  bool has_valid_from = false;
};

struct PlannedBatch {
  enum class Kind { kPut, kDelete, kPutMany };
  Kind kind = Kind::kPut;
  uint64_t first_seq = 0;
  std::vector<PlannedOp> ops;
};

// The valid_from stored with ops that have has_valid_from (already in the
// engine's normal form, so it reads back unchanged).
inline std::string PlannedValidFrom(const PlannedOp& op) {
  return "2024-05-01T00:00:" + std::string(op.seq % 60 < 10 ? "0" : "") +
         std::to_string(op.seq % 60) + ".000Z";
}

// The canonical JSON the writer stores for a put (keys sorted, no spaces,
// integers only), so the stored data must equal it byte for byte.
inline std::string PlannedData(uint64_t seed, const PlannedOp& op) {
  if (op.is_delete) return "null";
  SplitMix64 rng(seed * 0x2545F4914F6CDD1Dull ^ (op.seq * 0x9E3779B97F4A7C15ull));
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string pad(op.pad_bytes, '\0');
  for (size_t i = 0; i < pad.size(); i += 8) {
    uint64_t r = rng.Next();
    for (size_t j = i; j < pad.size() && j < i + 8; j++, r >>= 8) pad[j] = kAlphabet[r % 36];
  }
  std::string out = "{\"doc\":\"" + op.coll + "/" + op.id +
                    "\",\"nested\":{\"a\":[1,2,{\"b\":" + std::to_string(op.seq % 7) +
                    "}],\"ok\":" + (op.seq % 2 ? "true" : "false") + "},\"pad\":\"" + pad +
                    "\",\"seq\":" + std::to_string(op.seq) + "}";
  return out;
}

class CrashPlan {
 public:
  explicit CrashPlan(uint64_t seed) : seed_(seed), rng_(seed ^ 0xC0FFEEull) {}

  uint64_t seed() const { return seed_; }
  // The seq the next batch starts at.
  uint64_t next_seq() const { return next_seq_; }

  PlannedBatch Next() {
    PlannedBatch batch;
    batch.first_seq = next_seq_;
    const uint64_t roll = rng_.Range(0, 99);
    if (roll < 15 && !live_.empty()) {
      batch.kind = PlannedBatch::Kind::kDelete;
      auto it = live_.begin();
      std::advance(it, static_cast<long>(rng_.Range(0, live_.size() - 1)));
      PlannedOp op = MakeOp(it->first, it->second, true);
      batch.ops.push_back(std::move(op));
    } else if (roll < 70) {
      batch.kind = PlannedBatch::Kind::kPut;
      auto [coll, id] = PickDoc();
      batch.ops.push_back(MakeOp(coll, id, false));
    } else {
      batch.kind = PlannedBatch::Kind::kPutMany;
      const uint64_t n = rng_.Range(0, 19) == 0 ? rng_.Range(41, 120) : rng_.Range(2, 40);
      for (uint64_t i = 0; i < n; i++) {
        // Now and then the same document twice in one batch.
        if (i > 0 && rng_.Range(0, 9) == 0) {
          const PlannedOp& earlier = batch.ops[rng_.Range(0, batch.ops.size() - 1)];
          std::string coll = earlier.coll, id = earlier.id;
          batch.ops.push_back(MakeOp(coll, id, false));
        } else {
          auto [coll, id] = PickDoc();
          batch.ops.push_back(MakeOp(coll, id, false));
        }
      }
    }
    return batch;
  }

 private:
  std::pair<std::string, std::string> PickDoc() {
    const std::string coll = kCollections[rng_.Range(0, kCollectionCount - 1)];
    // Some ids are non-ASCII UTF-8; none contains a space (the writer's
    // output is space-separated).
    const uint64_t n = rng_.Range(0, kIdsPerCollection - 1);
    std::string id = (n % 5 == 4 ? "d\xC3\xA9-" : "d-") + std::to_string(n);
    return {coll, id};
  }

  PlannedOp MakeOp(const std::string& coll, const std::string& id, bool is_delete) {
    PlannedOp op;
    op.seq = next_seq_++;
    op.coll = coll;
    op.id = id;
    op.is_delete = is_delete;
    const uint64_t size_roll = rng_.Range(0, 99);
    // Mostly small documents, so the history stays cheap to verify after
    // every kill; now and then one that spans several 4096-byte blocks.
    if (size_roll < 75) {
      op.pad_bytes = static_cast<uint32_t>(rng_.Range(0, 120));
    } else if (size_roll < 99) {
      op.pad_bytes = static_cast<uint32_t>(rng_.Range(120, 1500));
    } else {
      op.pad_bytes = static_cast<uint32_t>(rng_.Range(1500, 12000));
    }
    op.has_valid_from = !is_delete && rng_.Range(0, 4) == 0;
    if (is_delete) {
      live_.erase({coll, id});
    } else {
      live_.insert({coll, id});
    }
    return op;
  }

  uint64_t seed_;
  SplitMix64 rng_;
  uint64_t next_seq_ = 1;
  std::set<std::pair<std::string, std::string>> live_;
};

}  // namespace cairn::crash

#endif  // CAIRN_TESTS_CRASH_CRASH_PLAN_H_
