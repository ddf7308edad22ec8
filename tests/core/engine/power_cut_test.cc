// Power cuts, torn writes and I/O errors (DESIGN.md invariant 4): with the
// fault-injecting backend, every acknowledged write survives, recovery cuts a
// torn tail and nothing else, and a failed write leaves the database
// read-only until it is reopened.
//
// Workloads are deterministic (a fixed clock and seeded choices), so a run
// can be repeated with a fault armed at any write or sync index, and a
// fault-free twin run shows exactly which bytes the faulted call wrote.
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

// ---------------------------------------------------------------------------
// Unsynced data after a power cut.

TEST(PowerCutTest, StrictAcknowledgedWritesSurvivePowerCut) {
  FaultFileSystem fs;
  StepClock clock;
  Workload w(1, 60, 9000);
  auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock));
  PC_ASSERT_OK(db);
  RunResult r = RunUntilFailure(db->get(), w);
  ASSERT_FALSE(r.failed_step) << r.failure.ToString();
  auto head_before = (*db)->GetHead();
  PC_ASSERT_OK(head_before);

  fs.PowerCut();
  db->reset();  // its handles are dead; Close fails quietly
  StepClock clock2;
  auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2));
  PC_ASSERT_OK(reopened);
  EXPECT_EQ(CheckExactPrefix(reopened->get(), w, w.total_seqs(), r.acked), "");
  auto head_after = (*reopened)->GetHead();
  PC_ASSERT_OK(head_after);
  EXPECT_EQ(head_after->head, head_before->head);
}

// Highest seq named by a checkpoint file, 0 when there is none.
uint64_t LatestCheckpointSeq(const FaultFileSystem& fs) {
  uint64_t seq = 0;
  for (const std::string& name : fs.FileNames()) {
    if (name.rfind("checkpoint-", 0) == 0 && name.size() > 17 &&
        name.compare(name.size() - 6, 6, ".cairn") == 0) {
      seq = std::max<uint64_t>(seq, std::stoull(name.substr(11, name.size() - 17)));
    }
  }
  return seq;
}

TEST(PowerCutTest, RelaxedPowerCutKeepsAnExactPrefix) {
  // No Sync() calls; only the checkpoints sync the log (relaxed mode syncs
  // before it checkpoints). Whatever survives must be writes 1..k, exactly as
  // written, with k at least the last checkpoint's seq.
  FaultFileSystem fs;
  StepClock clock;
  Workload w(2, 60, 9000);
  auto db = Database::Open(fs.NewStorage(), SmallFilesOptions(&clock, Durability::kRelaxed));
  PC_ASSERT_OK(db);
  RunResult r = RunUntilFailure(db->get(), w);
  ASSERT_FALSE(r.failed_step) << r.failure.ToString();
  const uint64_t checkpointed = LatestCheckpointSeq(fs);
  ASSERT_GT(checkpointed, 0u) << "the workload should have crossed a checkpoint";
  fs.PowerCut();
  db->reset();

  StepClock clock2;
  auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2, Durability::kRelaxed));
  PC_ASSERT_OK(reopened);
  auto head = (*reopened)->GetHead();
  PC_ASSERT_OK(head);
  const uint64_t k = head->seq;
  ASSERT_LE(k, w.total_seqs());
  EXPECT_GE(k, checkpointed) << "writes covered by a checkpoint were lost";
  ASSERT_TRUE(w.IsStepEnd(k)) << "a PutMany batch survived only in part: head seq " << k;
  std::vector<Version> survivors;
  for (const Version& v : r.acked) {
    if (v.seq <= k) survivors.push_back(v);
  }
  EXPECT_EQ(CheckExactPrefix(reopened->get(), w, k, survivors), "");

  // The reopened database takes new writes, and they survive a clean reopen.
  auto v = (*reopened)->Put("after", "cut", "{\"ok\":true}");
  PC_ASSERT_OK(v);
  EXPECT_EQ(v->seq, k + 1);
  PC_ASSERT_OK((*reopened)->Close());
  reopened->reset();
  auto again = Database::Open(fs.NewStorage(), MakeOptions(&clock2, Durability::kRelaxed));
  PC_ASSERT_OK(again);
  auto got = (*again)->Get("after", "cut");
  PC_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->hash, v->hash);
}

TEST(PowerCutTest, RelaxedSyncMakesEveryEarlierWriteDurable) {
  for (size_t sync_after : {1u, 7u, 23u, 40u}) {
    SCOPED_TRACE("Sync() after step " + std::to_string(sync_after));
    FaultFileSystem fs;
    StepClock clock;
    Workload w(3, 50, 9000);
    auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock, Durability::kRelaxed));
    PC_ASSERT_OK(db);
    std::vector<Version> acked;
    uint64_t synced = 0;
    for (size_t i = 0; i < w.steps().size(); i++) {
      auto vs = Apply(db->get(), w.steps()[i]);
      PC_ASSERT_OK(vs);
      acked.insert(acked.end(), vs->begin(), vs->end());
      if (i + 1 == sync_after) {
        PC_ASSERT_OK((*db)->Sync());
        synced = w.StepEnd(i);
      }
    }
    fs.PowerCut();
    db->reset();
    StepClock clock2;
    auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2, Durability::kRelaxed));
    PC_ASSERT_OK(reopened);
    auto head = (*reopened)->GetHead();
    PC_ASSERT_OK(head);
    EXPECT_GE(head->seq, synced) << "writes made before a successful Sync() were lost";
    ASSERT_TRUE(w.IsStepEnd(head->seq));
    std::vector<Version> survivors;
    for (const Version& v : acked) {
      if (v.seq <= head->seq) survivors.push_back(v);
    }
    EXPECT_EQ(CheckExactPrefix(reopened->get(), w, head->seq, survivors), "");
  }
}

// ---------------------------------------------------------------------------
// A torn last write.

// The writes before the victim, run on a fresh file system; returns the
// acknowledged versions.
std::vector<Version> RunPrefix(Database* db, const Workload& w) {
  std::vector<Version> acked;
  for (const Step& step : w.steps()) {
    auto vs = Apply(db, step);
    EXPECT_TRUE(vs.ok()) << vs.status().ToString();
    if (!vs.ok()) return acked;
    acked.insert(acked.end(), vs->begin(), vs->end());
  }
  return acked;
}

uint32_t Fixed32At(const std::string& bytes, size_t offset) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(bytes.at(offset + i));
  return v;
}

// Where the victim's commit record lands in the log, learnt from a fault-free
// twin run: `tail` bytes of the block are already written when the record
// starts, and the record's checksummed part is 16 + payload bytes.
struct VictimLayout {
  uint64_t record_offset = 0;            // in the log file
  size_t tail = 0;                       // record_offset % 4096: the write starts at the block
  size_t checked_bytes = 0;              // header + payload
  size_t write_bytes = 0;                // the whole aligned write
  size_t extra = 0;                      // the victim's `extra`
  std::vector<std::string> victim_data;  // the data of the victim's versions
};

// The victim write; `extra` bytes are added to its documents, so that some
// size gives a record that ends in padding.
using Victim = std::function<Result<std::vector<Version>>(Database*, size_t extra)>;

VictimLayout LearnVictimLayout(const Workload& prefix, const Victim& victim, size_t extra) {
  FaultFileSystem fs;
  StepClock clock;
  VictimLayout layout;
  layout.extra = extra;
  auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock));
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return layout;
  RunPrefix(db->get(), prefix);
  const Stats before = (*db)->GetStats();
  EXPECT_EQ(before.segments, 1u) << "the victim layout assumes one log segment";
  auto vs = victim(db->get(), extra);
  EXPECT_TRUE(vs.ok()) << vs.status().ToString();
  if (vs.ok()) {
    for (const Version& v : *vs) layout.victim_data.push_back(v.data);
  }
  const std::string log = fs.ReadRaw("log-000001.cairn");
  layout.record_offset = before.log_bytes;
  layout.tail = static_cast<size_t>(before.log_bytes % kStorageBlockSize);
  EXPECT_EQ(static_cast<uint8_t>(log.at(layout.record_offset + 12)), 2) << "not a commit record";
  layout.checked_bytes = 16 + Fixed32At(log, layout.record_offset + 8);
  const uint64_t end = layout.record_offset + ((layout.checked_bytes + 7) / 8 * 8);
  layout.write_bytes =
      static_cast<size_t>((end + kStorageBlockSize - 1) / kStorageBlockSize * kStorageBlockSize -
                          (layout.record_offset - layout.tail));
  return layout;
}

// Tears the victim's write after `keep` bytes, reopens, and checks what
// survived; then checks that writing goes on and lasts.
void CheckTornVictim(const Workload& prefix, const VictimLayout& layout, const Victim& victim,
                     size_t victim_versions, size_t keep) {
  const size_t t = layout.tail, c = layout.checked_bytes;
  FaultFileSystem fs;
  StepClock clock;
  auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock));
  PC_ASSERT_OK(db);
  std::vector<Version> acked = RunPrefix(db->get(), prefix);
  const uint64_t h = prefix.total_seqs();
  fs.TearWrite(1, keep);
  auto torn = victim(db->get(), layout.extra);
  ASSERT_FALSE(torn.ok()) << "a torn write was acknowledged";
  EXPECT_TRUE(torn.status().IsIOError()) << torn.status().ToString();
  db->reset();

  StepClock clock2;
  auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2));
  ASSERT_TRUE(reopened.ok()) << "reopen after a torn write: " << reopened.status().ToString();
  auto head = (*reopened)->GetHead();
  PC_ASSERT_OK(head);
  // The record is whole exactly when its header and payload reached the
  // disk; then the write is complete though it was never acknowledged.
  const bool complete = keep >= t + c;
  ASSERT_EQ(head->seq, complete ? h + victim_versions : h)
      << (complete ? "a fully written record was dropped" : "a torn record was replayed");
  // The batch is all there (exactly as the twin run wrote it) or not at all.
  std::vector<Version> tail;
  for (size_t i = 0; i < victim_versions; i++) {
    auto v = (*reopened)->Get("victim", "v-" + std::to_string(i));
    PC_ASSERT_OK(v);
    ASSERT_EQ(v->has_value(), complete) << "victim document " << i;
    if (complete) {
      EXPECT_EQ((*v)->seq, h + 1 + i);
      EXPECT_EQ((*v)->data, layout.victim_data[i]);
      tail.push_back(**v);
    }
  }
  EXPECT_EQ(CheckExactPrefix(reopened->get(), prefix, h, acked, tail), "");

  // New writes after the cut land where the torn one was, and survive a
  // power cut and a reopen.
  auto after = (*reopened)->Put("after", "tear", "{\"keep\":" + std::to_string(keep) + "}");
  PC_ASSERT_OK(after);
  EXPECT_EQ(after->seq, head->seq + 1);
  fs.PowerCut();
  reopened->reset();
  auto third = Database::Open(fs.NewStorage(), MakeOptions(&clock2));
  PC_ASSERT_OK(third);
  auto got = (*third)->Get("after", "tear");
  PC_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value()) << "an acknowledged write made after recovering from the torn "
                                   "write was lost by the next recovery";
  EXPECT_EQ((*got)->hash, after->hash);
  auto report = (*third)->Verify();
  PC_ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << (report->problems.empty() ? "" : report->problems.front());
  PC_ASSERT_OK((*third)->Close());
}

void TornVictimSweep(const Victim& victim, size_t victim_versions) {
  const Workload prefix(4, 20, 1500);
  VictimLayout layout;
  for (size_t extra = 0; extra < 8; extra++) {
    layout = LearnVictimLayout(prefix, victim, extra);
    if (layout.checked_bytes % 8 != 0) break;
  }
  ASSERT_GT(layout.checked_bytes, 2 * kStorageBlockSize) << "the victim must span blocks";
  const size_t t = layout.tail, c = layout.checked_bytes;
  ASSERT_NE(c % 8, 0u) << "no victim size gives a record that ends in padding";
  // Fixed offsets from the start of the write (which starts at the block
  // holding the previous record's end), and offsets around the record:
  // inside its header, payload, padding and the zeros after it.
  std::set<size_t> keeps = {0,
                            1,
                            15,
                            16,
                            17,
                            4095,
                            4096,
                            4097,
                            8191,
                            8192,
                            8193,
                            t,
                            t + 1,
                            t + 7,
                            t + 8,
                            t + 15,
                            t + 16,
                            t + 17,
                            t + c / 2,
                            t + c - 1,
                            t + c,
                            t + c + 1,
                            (t + c + 7) / 8 * 8,
                            layout.write_bytes - 1,
                            layout.write_bytes,
                            layout.write_bytes + 100};
  for (size_t keep : keeps) {
    SCOPED_TRACE("keep " + std::to_string(keep) + " (record at block offset " + std::to_string(t) +
                 ", " + std::to_string(c) + " checksummed bytes, write of " +
                 std::to_string(layout.write_bytes) + ")");
    CheckTornVictim(prefix, layout, victim, victim_versions, keep);
  }
}

std::string BigDoc(size_t n, char fill) { return "{\"blob\":\"" + std::string(n, fill) + "\"}"; }

TEST(PowerCutTest, TornPutIsCutAtEveryKeepOffset) {
  TornVictimSweep(
      [](Database* db, size_t extra) -> Result<std::vector<Version>> {
        auto v = db->Put("victim", "v-0", BigDoc(9000 + extra, 'q'));
        if (!v.ok()) return v.status();
        return std::vector<Version>{std::move(v).value()};
      },
      1);
}

TEST(PowerCutTest, TornPutManyIsAllOrNothingAtEveryKeepOffset) {
  TornVictimSweep(
      [](Database* db, size_t extra) {
        std::vector<WriteOp> ops;
        for (int i = 0; i < 4; i++) {
          ops.push_back(WriteOp{"victim",
                                "v-" + std::to_string(i),
                                BigDoc(2500 + (i == 0 ? extra : 0), static_cast<char>('a' + i)),
                                {}});
        }
        return db->PutMany(ops);
      },
      4);
}

// ---------------------------------------------------------------------------
// EIO and ENOSPC.

struct IoFault {
  bool on_sync;
  FaultKind kind;
};

class IoErrorTest : public testing::TestWithParam<IoFault> {};

std::string CauseText(FaultKind kind) {
  return kind == FaultKind::kENOSPC ? "no space left on device" : "input/output error";
}

TEST_P(IoErrorTest, FailedWriteMakesDatabaseReadOnlyUntilReopen) {
  const IoFault fault = GetParam();
  FaultFileSystem fs;
  StepClock clock;
  Workload w(5, 25, 3000);
  auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock));
  PC_ASSERT_OK(db);
  RunResult r = RunUntilFailure(db->get(), w);
  ASSERT_FALSE(r.failed_step);
  auto head = (*db)->GetHead();
  PC_ASSERT_OK(head);

  if (fault.on_sync) {
    fs.FailSync(1, fault.kind);
  } else {
    fs.FailWrite(1, fault.kind);
  }
  auto failed = (*db)->Put("failed", "f-1", "{\"x\":1}");
  ASSERT_FALSE(failed.ok()) << "the write was acknowledged although its "
                            << (fault.on_sync ? "sync" : "write") << " failed";
  EXPECT_EQ(failed.status().code(), Code::kIOError) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find(CauseText(fault.kind)), std::string::npos)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("log-000001.cairn"), std::string::npos)
      << "the error should name the file: " << failed.status().ToString();

  // Read-only until reopened: every later write fails without touching
  // storage, even though the fault is not armed any more.
  const uint64_t writes_before = fs.writes();
  auto later = (*db)->Put("later", "l-1", "{}");
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), Code::kIOError);
  EXPECT_NE(later.status().message().find("read-only until it is reopened"), std::string::npos)
      << later.status().ToString();
  EXPECT_NE(later.status().message().find(CauseText(fault.kind)), std::string::npos)
      << "the read-only error should carry the original cause: " << later.status().ToString();
  auto later_many = (*db)->PutMany({WriteOp{"later", "l-2", "{}", {}}});
  EXPECT_EQ(later_many.status().code(), Code::kIOError);
  auto later_delete = (*db)->Delete(w.At(1).coll, w.At(1).id);
  EXPECT_EQ(later_delete.status().code(), Code::kIOError);
  EXPECT_EQ((*db)->Sync().code(), Code::kIOError);
  EXPECT_EQ((*db)->Checkpoint().code(), Code::kIOError);
  EXPECT_EQ(fs.writes(), writes_before) << "a read-only database wrote to storage";

  // Reads still work and see exactly the acknowledged writes.
  EXPECT_EQ(CheckExactPrefix(db->get(), w, w.total_seqs(), r.acked), "");
  auto head_now = (*db)->GetHead();
  PC_ASSERT_OK(head_now);
  EXPECT_EQ(head_now->seq, head->seq);
  EXPECT_EQ(head_now->head, head->head);

  Status closed = (*db)->Close();
  EXPECT_TRUE(closed.ok() || closed.IsIOError()) << closed.ToString();
  db->reset();

  // Reopen (no power cut): every acknowledged write is there. The failed
  // write was never acknowledged, so it may be present or absent. Observed
  // with the fault backend: a failed write applies nothing, so it is absent;
  // after a failed sync its bytes are still in the (simulated) OS cache, so
  // recovery replays it.
  StepClock clock2;
  auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto h2 = (*reopened)->GetHead();
  PC_ASSERT_OK(h2);
  ASSERT_TRUE(h2->seq == head->seq || h2->seq == head->seq + 1) << h2->seq;
  const bool failed_write_present = h2->seq == head->seq + 1;
  testing::Test::RecordProperty("failed_write_present_after_reopen", failed_write_present);
  auto f = (*reopened)->Get("failed", "f-1");
  PC_ASSERT_OK(f);
  ASSERT_EQ(f->has_value(), failed_write_present);
  std::vector<Version> tail;
  if (failed_write_present) {
    EXPECT_EQ((*f)->data, "{\"x\":1}");
    EXPECT_EQ((*f)->seq, head->seq + 1);
    tail.push_back(**f);
  }
  EXPECT_EQ(CheckExactPrefix(reopened->get(), w, head->seq, r.acked, tail), "");
  EXPECT_FALSE((*reopened)->Get("later", "l-1")->has_value());
  auto report = (*reopened)->Verify();
  PC_ASSERT_OK(report);
  EXPECT_TRUE(report->ok);

  // Writable again, and durable: the new write survives a power cut.
  auto next = (*reopened)->Put("after", "reopen", "{\"ok\":1}");
  PC_ASSERT_OK(next);
  EXPECT_EQ(next->seq, h2->seq + 1);
  fs.PowerCut();
  reopened->reset();
  auto third = Database::Open(fs.NewStorage(), MakeOptions(&clock2));
  PC_ASSERT_OK(third);
  auto got = (*third)->Get("after", "reopen");
  PC_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->hash, next->hash);
  for (const Version& a : r.acked) {
    auto v = (*third)->GetByHash(a.hash);
    PC_ASSERT_OK(v);
    ASSERT_TRUE(v->has_value()) << "acknowledged seq " << a.seq << " lost";
  }
}

INSTANTIATE_TEST_SUITE_P(WriteAndSync, IoErrorTest,
                         testing::Values(IoFault{false, FaultKind::kEIO},
                                         IoFault{false, FaultKind::kENOSPC},
                                         IoFault{true, FaultKind::kEIO},
                                         IoFault{true, FaultKind::kENOSPC}),
                         [](const testing::TestParamInfo<IoFault>& info) {
                           return std::string(info.param.on_sync ? "Sync" : "Write") +
                                  (info.param.kind == FaultKind::kEIO ? "EIO" : "ENOSPC");
                         });

// Sync() is how relaxed mode makes writes durable. When it fails, the OS may
// already have dropped the unsynced pages (Linux marks them clean after a
// failed fsync), so a later Sync() that succeeds would vouch for data that is
// gone. The database must go read-only, as it does for a failed commit.
TEST(PowerCutTest, FailedSyncCallMakesRelaxedDatabaseReadOnly) {
  for (FaultKind kind : {FaultKind::kEIO, FaultKind::kENOSPC}) {
    SCOPED_TRACE(CauseText(kind));
    FaultFileSystem fs;
    StepClock clock;
    Workload w(6, 20, 3000);
    auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock, Durability::kRelaxed));
    PC_ASSERT_OK(db);
    RunResult r = RunUntilFailure(db->get(), w);
    ASSERT_FALSE(r.failed_step);
    fs.FailSync(1, kind);
    Status s = (*db)->Sync();
    ASSERT_FALSE(s.ok()) << "Sync() succeeded although the sync failed";
    EXPECT_EQ(s.code(), Code::kIOError);
    EXPECT_NE(s.message().find(CauseText(kind)), std::string::npos) << s.ToString();

    auto later = (*db)->Put("later", "l-1", "{}");
    EXPECT_FALSE(later.ok()) << "a write was accepted after Sync() failed";
    if (!later.ok()) {
      EXPECT_EQ(later.status().code(), Code::kIOError);
      EXPECT_NE(later.status().message().find("read-only until it is reopened"), std::string::npos)
          << later.status().ToString();
    }
    Status again = (*db)->Sync();
    EXPECT_FALSE(again.ok()) << "a second Sync() vouched for data whose first sync failed";

    // Whatever happened, a reopen holds an exact prefix of the writes.
    db->reset();
    StepClock clock2;
    auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock2, Durability::kRelaxed));
    PC_ASSERT_OK(reopened);
    auto head = (*reopened)->GetHead();
    PC_ASSERT_OK(head);
    EXPECT_EQ(head->seq, w.total_seqs() + (later.ok() ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------
// Sweeps: a fault at every write (or sync) index of a workload that crosses
// several checkpoints and segment rotations.

// Records, for every Write call, which file it went to.
class RecordingFile final : public File {
 public:
  RecordingFile(std::unique_ptr<File> base, std::string name, std::vector<std::string>* log)
      : base_(std::move(base)), name_(std::move(name)), log_(log) {}
  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    return base_->Read(offset, n, out, got);
  }
  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    log_->push_back(name_ + (offset == 0 ? "@0" : ""));
    return base_->Write(offset, data, n);
  }
  Status Sync() override { return base_->Sync(); }
  Result<uint64_t> Size() override { return base_->Size(); }
  Status Truncate(uint64_t size) override { return base_->Truncate(size); }

 private:
  std::unique_ptr<File> base_;
  std::string name_;
  std::vector<std::string>* log_;
};

class RecordingStorage final : public Storage {
 public:
  RecordingStorage(std::unique_ptr<Storage> base, std::vector<std::string>* log)
      : base_(std::move(base)), log_(log) {}
  Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                         const FileOptions& options) override {
    auto f = base_->OpenFile(name, options);
    if (!f.ok()) return f.status();
    return std::unique_ptr<File>(std::make_unique<RecordingFile>(std::move(f).value(), name, log_));
  }
  Status List(std::vector<std::string>* names) override { return base_->List(names); }
  Status Remove(const std::string& name) override { return base_->Remove(name); }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status Lock() override { return base_->Lock(); }
  Status Unlock() override { return base_->Unlock(); }
  StorageCapabilities Capabilities() const override { return base_->Capabilities(); }
  std::string Describe() const override { return base_->Describe(); }

 private:
  std::unique_ptr<Storage> base_;
  std::vector<std::string>* log_;
};

const Workload& SweepWorkload() {
  static const Workload w(7, 120, 14000);
  return w;
}

// The fault-free run: which file each write index goes to, and the number
// of syncs.
struct SweepReference {
  std::vector<std::string> write_files;
  uint64_t syncs = 0;
};

SweepReference LearnSweepReference(Durability durability) {
  SweepReference ref;
  FaultFileSystem fs;
  StepClock clock;
  auto db = Database::Open(std::make_unique<RecordingStorage>(fs.NewStorage(), &ref.write_files),
                           SmallFilesOptions(&clock, durability));
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return ref;
  const uint64_t syncs_at_open = fs.syncs();
  ref.write_files.clear();  // count the workload's writes, then Close's
  RunResult r =
      RunUntilFailure(db->get(), SweepWorkload(), durability == Durability::kRelaxed ? 9 : 0);
  EXPECT_FALSE(r.failed_step) << r.failure.ToString();
  EXPECT_TRUE((*db)->Close().ok());
  ref.syncs = fs.syncs() - syncs_at_open;
  return ref;
}

// After a fault at some index: reopen (after a power cut, or not), check the
// acknowledged writes, and check the database takes and keeps new writes.
void CheckRecovered(FaultFileSystem* fs, const RunResult& r, Durability durability, bool power_cut,
                    const std::string& context) {
  const Workload& w = SweepWorkload();
  StepClock clock;
  auto db = Database::Open(fs->NewStorage(), SmallFilesOptions(&clock, durability));
  ASSERT_TRUE(db.ok()) << context << ": reopen failed: " << db.status().ToString();
  auto head = (*db)->GetHead();
  PC_ASSERT_OK(head);
  const uint64_t h = head->seq;
  ASSERT_TRUE(w.IsStepEnd(h)) << context << ": head seq " << h << " splits a PutMany batch";
  std::vector<Version> must_survive;
  if (durability == Durability::kStrict || !power_cut) {
    // Every acknowledged write; at most the failed step in addition.
    ASSERT_GE(h, r.acked_seq) << context << ": acknowledged writes were lost";
    const uint64_t failed_end = r.failed_step ? w.StepEnd(*r.failed_step) : r.acked_seq;
    ASSERT_TRUE(h == r.acked_seq || h == failed_end)
        << context << ": head seq " << h << " is neither the last acknowledged seq " << r.acked_seq
        << " nor the end of the failed step " << failed_end;
    must_survive = r.acked;
  } else {
    // Relaxed mode after a power cut: a prefix that keeps every synced write.
    const uint64_t synced = r.synced_seqs.empty() ? 0 : r.synced_seqs.back();
    ASSERT_GE(h, synced) << context << ": writes covered by a successful Sync() were lost";
    for (const Version& v : r.acked) {
      if (v.seq <= h) must_survive.push_back(v);
    }
  }
  std::string problem = CheckExactPrefix(db->get(), w, h, must_survive);
  ASSERT_EQ(problem, "") << context;

  auto next = (*db)->Put("after", "fault", "{\"n\":1}");
  ASSERT_TRUE(next.ok()) << context << ": " << next.status().ToString();
  ASSERT_EQ(next->seq, h + 1) << context;
  PC_ASSERT_OK((*db)->Sync());
  fs->PowerCut();
  db->reset();
  auto again = Database::Open(fs->NewStorage(), SmallFilesOptions(&clock, durability));
  ASSERT_TRUE(again.ok()) << context << ": second reopen failed: " << again.status().ToString();
  auto got = (*again)->Get("after", "fault");
  PC_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value()) << context << ": the write after recovery was lost";
  auto report = (*again)->Verify();
  PC_ASSERT_OK(report);
  ASSERT_TRUE(report->ok) << context << ": "
                          << (report->problems.empty() ? "tampered" : report->problems.front());
}

// Like CheckRecovered, but returns whether it passed, so a sweep can go on
// past a failing index and show how widespread a problem is.
bool RecoveredOk(FaultFileSystem* fs, const RunResult& r, Durability durability, bool power_cut,
                 const std::string& context) {
  const int before =
      testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
  CheckRecovered(fs, r, durability, power_cut, context);
  return testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() ==
         before;
}

// A sweep stops after this many failing indices.
constexpr int kMaxFailingIndices = 8;

size_t CountMatching(const std::vector<std::string>& files, const std::string& part) {
  return static_cast<size_t>(std::count_if(files.begin(), files.end(), [&](const std::string& f) {
    return f.find(part) != std::string::npos;
  }));
}

void TearSweep(Durability durability) {
  const SweepReference ref = LearnSweepReference(durability);
  const size_t writes = ref.write_files.size();
  // The sweep must reach checkpoints and rotations, or it proves little.
  ASSERT_GE(CountMatching(ref.write_files, ".tmp"), 5u);
  ASSERT_GE(CountMatching(ref.write_files, "log-000003.cairn@0"), 1u);
  std::cout << "[sweep] " << writes << " writes, " << CountMatching(ref.write_files, ".tmp")
            << " of them to checkpoints; the log reaches "
            << (CountMatching(ref.write_files, "log-000004.cairn@0") ? "4+" : "3") << " segments\n";
  const size_t keeps[] = {0, 1, 17, 100, 4095, 4097, 6000, SIZE_MAX};
  int failing_indices = 0;
  for (size_t k = 1; k <= writes + 1; k++) {
    const size_t keep = keeps[k % std::size(keeps)];
    const std::string context =
        "tear write " + std::to_string(k) + " of " + std::to_string(writes) + " (" +
        (k <= writes ? ref.write_files[k - 1] : "none") + ") keeping " +
        (keep == SIZE_MAX ? std::string("all") : std::to_string(keep)) + " bytes";
    FaultFileSystem fs;
    StepClock clock;
    auto db = Database::Open(fs.NewStorage(), SmallFilesOptions(&clock, durability));
    PC_ASSERT_OK(db);
    fs.TearWrite(k, keep);
    RunResult r =
        RunUntilFailure(db->get(), SweepWorkload(), durability == Durability::kRelaxed ? 9 : 0);
    if (k <= writes && ref.write_files[k - 1].find(".tmp") == std::string::npos) {
      // A torn log write fails the call that made it.
      EXPECT_TRUE(r.failed_step.has_value()) << context << ": no call failed";
    }
    if (r.failed_step) {
      EXPECT_TRUE(r.failure.IsIOError()) << context << ": " << r.failure.ToString();
    } else {
      // The tear may fall in Close's sync and checkpoint.
      Status closed = (*db)->Close();
      EXPECT_TRUE(closed.ok() || closed.IsIOError()) << context << ": " << closed.ToString();
    }
    fs.PowerCut();  // also when the tear hit nothing, or a checkpoint
    fs.ClearFaults();
    db->reset();
    if (!RecoveredOk(&fs, r, durability, true, context) &&
        ++failing_indices >= kMaxFailingIndices) {
      FAIL() << "stopping the sweep after " << kMaxFailingIndices << " failing indices";
    }
  }
}

TEST(PowerCutSweepTest, StrictTornWriteAtEveryIndexKeepsAcknowledgedWrites) {
  TearSweep(Durability::kStrict);
}

TEST(PowerCutSweepTest, RelaxedTornWriteAtEveryIndexKeepsAPrefixAndSyncedWrites) {
  TearSweep(Durability::kRelaxed);
}

void ErrorSweep(bool on_sync) {
  const SweepReference ref = LearnSweepReference(Durability::kStrict);
  const uint64_t count = on_sync ? ref.syncs : ref.write_files.size();
  ASSERT_GT(count, 50u);
  int failing_indices = 0;
  for (uint64_t k = 1; k <= count; k++) {
    const FaultKind kind = k % 2 ? FaultKind::kEIO : FaultKind::kENOSPC;
    const std::string context = std::string(on_sync ? "fail sync " : "fail write ") +
                                std::to_string(k) + " of " + std::to_string(count) +
                                (on_sync ? std::string() : " (" + ref.write_files[k - 1] + ")");
    FaultFileSystem fs;
    StepClock clock;
    auto db = Database::Open(fs.NewStorage(), SmallFilesOptions(&clock));
    PC_ASSERT_OK(db);
    if (on_sync) {
      fs.FailSync(k, kind);
    } else {
      fs.FailWrite(k, kind);
    }
    RunResult r = RunUntilFailure(db->get(), SweepWorkload());
    if (r.failed_step) {
      EXPECT_TRUE(r.failure.IsIOError()) << context << ": " << r.failure.ToString();
      EXPECT_NE(r.failure.message().find(CauseText(kind)), std::string::npos)
          << context << ": " << r.failure.ToString();
      // Read-only until reopened.
      auto later = (*db)->Put("later", "x", "{}");
      EXPECT_EQ(later.status().code(), Code::kIOError) << context;
    }
    // Half the time the process goes away cleanly, half the time the power.
    const bool power_cut = k % 4 < 2;
    if (power_cut) {
      fs.PowerCut();
    } else {
      Status closed = (*db)->Close();
      EXPECT_TRUE(closed.ok() || closed.IsIOError()) << context << ": " << closed.ToString();
    }
    fs.ClearFaults();  // a fault meant for Close must not hit the reopen
    db->reset();
    if (!RecoveredOk(&fs, r, Durability::kStrict, power_cut, context) &&
        ++failing_indices >= kMaxFailingIndices) {
      FAIL() << "stopping the sweep after " << kMaxFailingIndices << " failing indices";
    }
  }
}

TEST(PowerCutSweepTest, WriteErrorAtEveryIndexKeepsAcknowledgedWrites) { ErrorSweep(false); }

TEST(PowerCutSweepTest, SyncErrorAtEveryIndexKeepsAcknowledgedWrites) { ErrorSweep(true); }

// Recovery's own I/O can fail too: open then fails cleanly, releases the lock,
// and a later open recovers everything.
TEST(PowerCutTest, OpenFailsCleanlyWhenRecoveryIoFails) {
  for (int which = 0; which < 2; which++) {
    for (uint64_t k = 1; k <= 3; k++) {
      SCOPED_TRACE(std::string(which ? "sync " : "write ") + std::to_string(k));
      FaultFileSystem fs;
      StepClock clock;
      Workload w(8, 15, 2000);
      auto db = Database::Open(fs.NewStorage(), MakeOptions(&clock));
      PC_ASSERT_OK(db);
      RunResult r = RunUntilFailure(db->get(), w);
      ASSERT_FALSE(r.failed_step);
      // A torn, unacknowledged write leaves a tail that recovery must cut.
      fs.TearWrite(1, 4096 + 100);
      ASSERT_FALSE((*db)->Put("torn", "t", BigDoc(6000, 'z')).ok());
      db->reset();
      if (which) {
        fs.FailSync(k, FaultKind::kEIO);
      } else {
        fs.FailWrite(k, FaultKind::kEIO);
      }
      auto failed = Database::Open(fs.NewStorage(), MakeOptions(&clock));
      if (!failed.ok()) {
        EXPECT_EQ(failed.status().code(), Code::kIOError) << failed.status().ToString();
      }
      failed = Status::IOError("released");  // destroys a database that did open
      fs.ClearFaults();
      auto reopened = Database::Open(fs.NewStorage(), MakeOptions(&clock));
      ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
      EXPECT_EQ(CheckExactPrefix(reopened->get(), w, w.total_seqs(), r.acked), "");
    }
  }
}

}  // namespace
}  // namespace cairn
