// Shared workload and helpers of the power-cut tests (power_cut_test.cc,
// power_cut_sweep_test.cc). Everything is in an anonymous namespace: each
// test file gets its own copy.
#ifndef CAIRN_TESTS_CORE_ENGINE_POWER_CUT_WORKLOAD_H_
#define CAIRN_TESTS_CORE_ENGINE_POWER_CUT_WORKLOAD_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/options.h"
#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/fault/fault_storage.h"


namespace cairn {
namespace {


#define PC_ASSERT_OK(expr)                                                  \
  do {                                                                      \
    const ::cairn::Status pc_status_ = StatusOf(expr);                      \
    ASSERT_TRUE(pc_status_.ok()) << #expr << ": " << pc_status_.ToString(); \
  } while (0)

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// Wall-clock stand-in: every call returns the next millisecond, so two runs
// that make the same calls write byte-identical logs.
class StepClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }

 private:
  int64_t now_ = 1714521600000;  // 2024-05-01T00:00:00Z
};

struct Op {
  std::string coll, id, data;
  bool is_delete = false;
};

struct Step {
  enum class Kind { kPut, kDelete, kPutMany };
  Kind kind = Kind::kPut;
  std::vector<Op> ops;
};

// A deterministic stream of puts, updates, deletes and PutMany batches over a
// small set of documents, with documents from a few bytes to several blocks.
class Workload {
 public:
  Workload(uint64_t seed, size_t steps, size_t max_pad) {
    std::mt19937_64 rng(seed);
    std::set<std::pair<std::string, std::string>> live;
    auto pick = [&] {
      static const char* kColls[] = {"blocks", "trips", "users"};
      return std::make_pair(std::string(kColls[rng() % 3]), "doc-" + std::to_string(rng() % 12));
    };
    auto data = [&](uint64_t seq) {
      const size_t pad = rng() % 8 == 0 ? rng() % (max_pad + 1) : rng() % 64;
      std::string p(pad, 'x');
      for (auto& c : p) c = static_cast<char>('a' + rng() % 26);
      return "{\"n\":" + std::to_string(seq) + ",\"pad\":\"" + p + "\"}";
    };
    uint64_t seq = 1;
    for (size_t i = 0; i < steps; i++) {
      Step step;
      const uint64_t roll = rng() % 100;
      if (roll < 15 && !live.empty()) {
        step.kind = Step::Kind::kDelete;
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        step.ops.push_back(Op{it->first, it->second, "null", true});
        live.erase(it);
      } else if (roll < 75) {
        auto [c, id] = pick();
        step.ops.push_back(Op{c, id, data(seq), false});
        live.insert({c, id});
      } else {
        step.kind = Step::Kind::kPutMany;
        const size_t n = 2 + rng() % 6;
        for (size_t j = 0; j < n; j++) {
          auto [c, id] = pick();
          step.ops.push_back(Op{c, id, data(seq + j), false});
          live.insert({c, id});
        }
      }
      for (const Op& op : step.ops) by_seq_.push_back(op);
      seq += step.ops.size();
      step_end_.push_back(seq - 1);
      steps_.push_back(std::move(step));
    }
  }

  const std::vector<Step>& steps() const { return steps_; }
  // The last seq written by steps [0, i].
  uint64_t StepEnd(size_t i) const { return step_end_[i]; }
  uint64_t total_seqs() const { return by_seq_.size(); }
  const Op& At(uint64_t seq) const { return by_seq_.at(seq - 1); }
  bool IsStepEnd(uint64_t seq) const {
    return seq == 0 || std::binary_search(step_end_.begin(), step_end_.end(), seq);
  }

 private:
  std::vector<Step> steps_;
  std::vector<Op> by_seq_;
  std::vector<uint64_t> step_end_;
};

Result<std::vector<Version>> Apply(Database* db, const Step& step) {
  switch (step.kind) {
    case Step::Kind::kPut: {
      auto v = db->Put(step.ops[0].coll, step.ops[0].id, step.ops[0].data);
      if (!v.ok()) return v.status();
      return std::vector<Version>{std::move(v).value()};
    }
    case Step::Kind::kDelete: {
      auto v = db->Delete(step.ops[0].coll, step.ops[0].id);
      if (!v.ok()) return v.status();
      return std::vector<Version>{std::move(v).value()};
    }
    case Step::Kind::kPutMany: {
      std::vector<WriteOp> ops;
      for (const Op& op : step.ops) ops.push_back(WriteOp{op.coll, op.id, op.data, {}});
      return db->PutMany(ops);
    }
  }
  return Status::Internal("unknown step");
}

// head' = BLAKE2b-256(head || BE64(seq) || hash), from the all-zero head.
Hash NextHead(const Hash& head, uint64_t seq, const Hash& hash) {
  std::string in(reinterpret_cast<const char*>(head.bytes.data()), Hash::kSize);
  for (int i = 7; i >= 0; i--) in.push_back(static_cast<char>((seq >> (8 * i)) & 0xFF));
  in.append(reinterpret_cast<const char*>(hash.bytes.data()), Hash::kSize);
  return Hash::Of(in);
}

// Checks that `db` holds exactly writes 1..h of `w` (no gaps, nothing else)
// followed by the versions in `tail` (writes outside the workload, already
// read back by the caller), each acknowledged version with its exact hash, a
// head that matches the versions, and a clean Verify. Returns "" or the first
// problem.
std::string CheckExactPrefix(Database* db, const Workload& w, uint64_t h,
                             const std::vector<Version>& acked,
                             const std::vector<Version>& tail = {}) {
  auto head = db->GetHead();
  if (!head.ok()) return "GetHead: " + head.status().ToString();
  if (head->seq != h + tail.size()) {
    return "head seq is " + std::to_string(head->seq) + ", expected " +
           std::to_string(h + tail.size());
  }
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> docs;
  for (uint64_t s = 1; s <= h; s++) docs[{w.At(s).coll, w.At(s).id}].push_back(s);
  std::vector<Hash> hash_by_seq(h);
  for (const auto& [doc, seqs] : docs) {
    const std::string name = doc.first + "/" + doc.second;
    auto history = db->History(doc.first, doc.second);
    if (!history.ok()) return "History(" + name + "): " + history.status().ToString();
    if (history->size() != seqs.size()) {
      return "History(" + name + ") has " + std::to_string(history->size()) +
             " versions, expected " + std::to_string(seqs.size());
    }
    std::optional<Hash> prev;
    for (size_t i = 0; i < seqs.size(); i++) {
      const Version& v = (*history)[seqs.size() - 1 - i];
      const Op& op = w.At(seqs[i]);
      const std::string where = name + " seq " + std::to_string(seqs[i]);
      if (v.seq != seqs[i]) return where + ": History holds seq " + std::to_string(v.seq);
      if (v.data != op.data || v.deleted != op.is_delete) return where + ": content differs";
      if (v.prev != prev) return where + ": prev does not name the previous version";
      hash_by_seq[v.seq - 1] = v.hash;
      prev = v.hash;
    }
    auto got = db->Get(doc.first, doc.second);
    if (!got.ok()) return "Get(" + name + "): " + got.status().ToString();
    const bool live = !w.At(seqs.back()).is_delete;
    if (got->has_value() != live || (live && (*got)->hash != *prev)) {
      return "Get(" + name + ") does not return the newest version";
    }
  }
  for (const Version& a : acked) {
    if (a.seq > h) return "acknowledged seq " + std::to_string(a.seq) + " is missing";
    if (hash_by_seq[a.seq - 1] != a.hash) {
      return "acknowledged seq " + std::to_string(a.seq) + " has a different hash";
    }
    auto v = db->GetByHash(a.hash);
    if (!v.ok() || !v->has_value()) return "GetByHash(seq " + std::to_string(a.seq) + ") failed";
    if ((*v)->seq != a.seq || (*v)->data != a.data) return "GetByHash(seq) returned other data";
  }
  Hash expect;
  for (uint64_t s = 1; s <= h; s++) expect = NextHead(expect, s, hash_by_seq[s - 1]);
  for (size_t i = 0; i < tail.size(); i++) {
    if (tail[i].seq != h + 1 + i)
      return "the tail is not consecutive after seq " + std::to_string(h);
    expect = NextHead(expect, tail[i].seq, tail[i].hash);
  }
  if (head->head != expect) return "GetHead differs from the head recomputed from the versions";
  auto report = db->Verify();
  if (!report.ok()) return "Verify: " + report.status().ToString();
  if (!report->ok) {
    return "Verify is not ok: " + (report->problems.empty()
                                       ? std::to_string(report->tampered.size()) + " tampered"
                                       : report->problems.front());
  }
  if (report->checked != h + tail.size()) {
    return "Verify checked " + std::to_string(report->checked);
  }
  return "";
}

// The outcome of running a workload until a call fails.
struct RunResult {
  std::vector<Version> acked;
  uint64_t acked_seq = 0;  // last acknowledged seq
  std::optional<size_t> failed_step;
  Status failure;
  std::vector<uint64_t> synced_seqs;  // seqs covered by a successful Sync() call
};

// Applies steps until one fails. With `sync_every` > 0, calls Sync() after
// every sync_every steps (relaxed mode).
RunResult RunUntilFailure(Database* db, const Workload& w, size_t sync_every = 0) {
  RunResult r;
  for (size_t i = 0; i < w.steps().size(); i++) {
    auto vs = Apply(db, w.steps()[i]);
    if (!vs.ok()) {
      r.failed_step = i;
      r.failure = vs.status();
      return r;
    }
    for (Version& v : *vs) r.acked.push_back(std::move(v));
    r.acked_seq = w.StepEnd(i);
    if (sync_every > 0 && (i + 1) % sync_every == 0) {
      Status s = db->Sync();
      if (!s.ok()) {
        r.failed_step = i;
        r.failure = s;
        return r;
      }
      r.synced_seqs.push_back(r.acked_seq);
    }
  }
  return r;
}

Options MakeOptions(StepClock* clock, Durability durability = Durability::kStrict) {
  Options o;
  o.clock = clock;
  o.durability = durability;
  return o;
}

// Small checkpoints and segments, so a short workload crosses many of both.
Options SmallFilesOptions(StepClock* clock, Durability durability = Durability::kStrict) {
  Options o = MakeOptions(clock, durability);
  o.checkpoint_bytes = 6 << 10;
  o.segment_bytes = 64 << 10;
  return o;
}


std::string CauseText(FaultKind kind) {
  return kind == FaultKind::kENOSPC ? "no space left on device" : "input/output error";
}

}  // namespace
}  // namespace cairn

#endif  // CAIRN_TESTS_CORE_ENGINE_POWER_CUT_WORKLOAD_H_
