// Power cuts, torn writes and I/O errors (DESIGN.md invariant 4): with the
// fault-injecting backend, every acknowledged write survives, recovery cuts a
// torn tail and nothing else, and a failed write leaves the database
// read-only until it is reopened.
//
// Workloads are deterministic (a fixed clock and seeded choices), so a run
// can be repeated with a fault armed at any write or sync index, and a
// fault-free twin run shows exactly which bytes the faulted call wrote.
#include "core/engine/power_cut_workload.h"

namespace cairn {
namespace {

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
