// Power-cut sweeps: a fault armed at every write or sync index of a workload
// that crosses checkpoints and segment rotations, in strict and relaxed mode.
#include "core/engine/power_cut_workload.h"

namespace cairn {
namespace {

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
}  // namespace
}  // namespace cairn
