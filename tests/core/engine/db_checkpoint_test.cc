// Checkpoint tables through the public API: size-tiered merging keeps a
// bounded number of tables, every key kind stays findable across tables and
// reopens, and the inline copies of small versions in the index are checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cairn/db.h"
#include "docs/keys.h"
#include "engine/bloom.h"
#include "engine/db_impl.h"
#include "engine/table.h"
#include "storage-backends/fault/fault_storage.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/posix/thread_scheduler.h"
#include "util/coding.h"

namespace cairn {
namespace {

class StepClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }
  int64_t now_ = 1700000000000;
};

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::vector<std::string> CheckpointFiles(const FaultFileSystem& fs) {
  std::vector<std::string> out;
  for (const std::string& name : fs.FileNames()) {
    if (name.rfind("checkpoint-", 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Doc(int i, int round, size_t pad = 20) {
  return "{\"i\":" + std::to_string(i) + ",\"r\":" + std::to_string(round) + ",\"t\":\"" +
         std::string(pad, static_cast<char>('a' + (i + round) % 26)) + "\"}";
}

class DbCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_.clock = &clock_;
    opts_.checkpoint_bytes = 16 << 10;  // a checkpoint every few batches
    Reopen();
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // From now on the database lives in a fresh posix directory, where its
  // tables are read through mappings, instead of in fs_.
  void UsePosix() {
    dir_ = std::filesystem::temp_directory_path() /
           ("cairn-ckpt-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void Reopen() {
    db_.reset();
    std::unique_ptr<Storage> storage;
    if (dir_.empty()) {
      storage = fs_.NewStorage();
    } else {
      auto opened = OpenPosixStorage(dir_);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      storage = std::move(opened).value();
    }
    auto db = Database::Open(std::move(storage), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void CompactWhileWritingAndReading();

  StepClock clock_;
  Options opts_;
  FaultFileSystem fs_;
  std::string dir_;  // set by UsePosix
  std::unique_ptr<Database> db_;
};

// Many checkpoints: the tables are merged so their number stays small, the
// superseded files are removed, and every read path (current, AS OF,
// history, list, by hash, trace effects, versions) sees every table, before
// and after a reopen.
TEST_F(DbCheckpointTest, ManyCheckpointsStayBoundedAndEveryKeyKindIsFound) {
  std::mt19937 rng(5);
  std::map<std::string, std::vector<Version>> history;  // id -> versions, oldest first
  std::vector<Version> all;
  Hash root;
  size_t effects_of_root = 0;
  for (int batch = 0; batch < 60; batch++) {
    std::vector<WriteOp> ops;
    for (int j = 0; j < 20; j++) {
      const int i = static_cast<int>(rng() % 300);
      WriteOp op;
      op.coll = (i % 3 == 0) ? "alpha" : "beta";
      op.id = "d" + std::to_string(i);
      op.doc_json = Doc(i, batch);
      // Every write after the first names the first version as its cause.
      if (!all.empty()) op.options.caused_by = {root};
      bool dup = false;
      for (const WriteOp& o : ops) dup |= o.coll == op.coll && o.id == op.id;
      if (!dup) ops.push_back(op);
    }
    auto vs = db_->PutMany(ops);
    ASSERT_TRUE(vs.ok()) << vs.status().ToString();
    for (const Version& v : *vs) {
      if (all.empty()) root = v.hash;
      if (!v.caused_by.empty()) effects_of_root++;
      history[v.coll + "/" + v.id].push_back(v);
      all.push_back(v);
    }
  }
  const uint64_t mid_seq = all[all.size() / 2].seq;

  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    for (const auto& [key, versions] : history) {
      const std::string coll = key.substr(0, key.find('/'));
      const std::string id = key.substr(key.find('/') + 1);
      auto got = db_->Get(coll, id);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ((*got)->hash, versions.back().hash);
      EXPECT_EQ((*got)->data, versions.back().data);
      // AS OF the middle: the newest version with seq <= mid_seq, if any.
      const Version* want = nullptr;
      for (const Version& v : versions) {
        if (v.seq <= mid_seq) want = &v;
      }
      ReadOptions past;
      past.as_of = mid_seq;
      auto then = db_->Get(coll, id, past);
      ASSERT_TRUE(then.ok());
      ASSERT_EQ(then->has_value(), want != nullptr) << key;
      if (want) {
        EXPECT_EQ((*then)->hash, want->hash);
      }
      auto h = db_->History(coll, id);
      ASSERT_TRUE(h.ok());
      ASSERT_EQ(h->size(), versions.size());
      for (size_t k = 0; k < versions.size(); k++) {
        EXPECT_EQ((*h)[k].hash, versions[versions.size() - 1 - k].hash);
      }
    }
    for (size_t k = 0; k < all.size(); k += 37) {
      auto v = db_->GetByHash(all[k].hash);
      ASSERT_TRUE(v.ok() && v->has_value());
      EXPECT_EQ((*v)->seq, all[k].seq);
    }
    size_t live = 0;
    for (const char* coll : {"alpha", "beta"}) {
      auto list = db_->List(coll);
      ASSERT_TRUE(list.ok());
      live += list->size();
    }
    EXPECT_EQ(live, history.size());
    auto colls = db_->Collections();
    ASSERT_TRUE(colls.ok());
    EXPECT_EQ(*colls, (std::vector<std::string>{"alpha", "beta"}));
    auto versions = db_->Versions(1, all.size() + 5);
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), all.size());
    EXPECT_EQ(versions->back().hash, all.back().hash);
    // The 'e' keys of every table: all later versions are effects of root.
    TraceOptions reverse;
    reverse.reverse = true;
    reverse.depth = 1;
    auto effects = db_->Trace(root, reverse);
    ASSERT_TRUE(effects.ok()) << effects.status().ToString();
    EXPECT_EQ(effects->size(), 1 + effects_of_root);
    auto report = db_->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok) << (report->problems.empty() ? "" : report->problems[0]);
    EXPECT_EQ(report->checked, all.size());
  };

  check("before close");
  const size_t live_tables = CheckpointFiles(fs_).size();
  EXPECT_GE(live_tables, 1u);
  EXPECT_LE(live_tables, kMaxCheckpointTables);
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  // The open replayed nothing and kept only the tables the newest
  // checkpoint names.
  EXPECT_EQ(db_->GetStats().replayed_records, 0u);
  const std::vector<std::string> files = CheckpointFiles(fs_);
  EXPECT_LE(files.size(), kMaxCheckpointTables);
  check("after reopen");
  // More writes and a final checkpoint merge into the same set.
  for (int batch = 0; batch < 20; batch++) {
    std::vector<WriteOp> ops;
    for (int j = 0; j < 20; j++) {
      WriteOp op;
      op.coll = "beta";
      op.id = "n" + std::to_string(batch * 20 + j);
      op.doc_json = Doc(batch, j);
      op.options.caused_by = {root};
      ops.push_back(op);
    }
    auto vs = db_->PutMany(ops);
    ASSERT_TRUE(vs.ok());
    for (const Version& v : *vs) {
      history[v.coll + "/" + v.id].push_back(v);
      all.push_back(v);
      effects_of_root++;
    }
  }
  ASSERT_TRUE(db_->Checkpoint().ok());
  check("after more checkpoints");
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  check("after the second reopen");
}

// Small versions are copied into their index entry: a point read needs no log
// read, so a damaged log copy is found by Verify and by reads that go to the
// log (by hash, the version scan), while Get returns the intact copy.
TEST_F(DbCheckpointTest, InlineCopyServesGetsAndVerifyStillFindsLogDamage) {
  std::vector<Version> written;
  for (int i = 0; i < 10; i++) {
    auto v = db_->Put("docs", "d" + std::to_string(i), Doc(i, 0, 50));
    ASSERT_TRUE(v.ok());
    written.push_back(*v);
  }
  ASSERT_TRUE(db_->Close().ok());
  const std::string log = fs_.ReadRaw("log-000001.cairn");
  const std::string needle = "\"i\":4,";
  const size_t at = log.find(needle);
  ASSERT_NE(at, std::string::npos);
  std::string damaged = log;
  damaged[at + 5] = '5';  // {"i":5,...: still valid JSON, wrong hash
  fs_.WriteRaw("log-000001.cairn", damaged);
  Reopen();

  auto got = db_->Get("docs", "d4");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->data, written[4].data);
  EXPECT_EQ((*got)->hash, written[4].hash);
  auto by_hash = db_->GetByHash(written[4].hash);
  EXPECT_EQ(by_hash.status().code(), Code::kCorruption);
  auto scan = db_->Versions(1, 100);
  EXPECT_EQ(scan.status().code(), Code::kCorruption);
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->tampered, std::vector<Hash>{written[4].hash});
}

// Damage in a checkpoint table's inline copy fails the read that meets it
// (the block checksum), naming the checkpoint file, and Verify reports it.
TEST_F(DbCheckpointTest, DamagedInlineCopyIsReportedByGetAndVerify) {
  std::vector<Version> written;
  for (int i = 0; i < 40; i++) {
    auto v = db_->Put("docs", "d" + std::to_string(i), Doc(i, 0, 50));
    ASSERT_TRUE(v.ok());
    written.push_back(*v);
  }
  ASSERT_TRUE(db_->Close().ok());
  const std::vector<std::string> files = CheckpointFiles(fs_);
  ASSERT_EQ(files.size(), 1u);
  std::string table = fs_.ReadRaw(files[0]);
  const size_t at = table.find("\"i\":30,");
  ASSERT_NE(at, std::string::npos);
  table[at + 5] = '4';
  fs_.WriteRaw(files[0], table);
  Reopen();

  auto got = db_->Get("docs", "d30");
  EXPECT_EQ(got.status().code(), Code::kCorruption);
  EXPECT_TRUE(Contains(got.status().message(), files[0])) << got.status().ToString();
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  bool named = false;
  for (const std::string& p : report->problems) named |= Contains(p, files[0]);
  EXPECT_TRUE(named);
  // The log still holds every version intact.
  auto by_hash = db_->GetByHash(written[30].hash);
  ASSERT_TRUE(by_hash.ok());
  ASSERT_TRUE(by_hash->has_value());
  EXPECT_EQ((*by_hash)->data, written[30].data);
}

// A version whose log item is longer than kMaxInlineItemBytes is not copied:
// its Get reads the log, and damage there fails the Get.
TEST_F(DbCheckpointTest, LargeVersionIsReadFromTheLog) {
  auto big = db_->Put("docs", "big", Doc(1, 0, kMaxInlineItemBytes + 10));
  ASSERT_TRUE(big.ok());
  ASSERT_TRUE(db_->Close().ok());
  const std::vector<std::string> files = CheckpointFiles(fs_);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(fs_.ReadRaw(files[0]).find(std::string(kMaxInlineItemBytes, 'b')), std::string::npos)
      << "the large document was copied into the index";
  std::string log = fs_.ReadRaw("log-000001.cairn");
  const size_t at = log.find("\"i\":1,");
  ASSERT_NE(at, std::string::npos);
  log[at + 5] = '2';
  fs_.WriteRaw("log-000001.cairn", log);
  Reopen();
  auto got = db_->Get("docs", "big");
  EXPECT_EQ(got.status().code(), Code::kCorruption);
}

// The newest checkpoint names its older tables: one that is missing fails
// the open, naming it, instead of silently losing its entries.
TEST_F(DbCheckpointTest, MissingOlderTableFailsTheOpen) {
  for (int batch = 0; batch < 30; batch++) {
    std::vector<WriteOp> ops;
    for (int j = 0; j < 20; j++) {
      WriteOp op;
      op.coll = "docs";
      op.id = "d" + std::to_string(batch * 20 + j);
      op.doc_json = Doc(batch, j, 60);
      ops.push_back(op);
    }
    ASSERT_TRUE(db_->PutMany(ops).ok());
  }
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  const std::vector<std::string> files = CheckpointFiles(fs_);
  ASSERT_GE(files.size(), 2u);
  auto storage = fs_.NewStorage();
  ASSERT_TRUE(storage->Remove(files.front()).ok());  // the oldest table
  storage.reset();
  auto db = Database::Open(fs_.NewStorage(), opts_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kCorruption);
  EXPECT_TRUE(Contains(db.status().message(), files.front())) << db.status().ToString();
}

// A database whose checkpoint is in the version 1 format (one table, 'v'
// values without inline copies, a classic Bloom filter of documents only)
// opens and reads; a later checkpoint builds on that table.
TEST_F(DbCheckpointTest, ReadsAVersion1Checkpoint) {
  std::vector<Version> written;
  for (int i = 0; i < 30; i++) {
    auto v = db_->Put("docs", "d" + std::to_string(i), Doc(i, 0, 40));
    ASSERT_TRUE(v.ok());
    written.push_back(*v);
  }
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  const std::vector<std::string> files = CheckpointFiles(fs_);
  ASSERT_EQ(files.size(), 1u);

  // Rewrite the table as version 1 wrote it.
  {
    auto storage = fs_.NewStorage();
    auto file = storage->OpenFile(files[0], FileOptions{});
    ASSERT_TRUE(file.ok());
    auto table = Table::Open(std::move(file).value(), files[0], 1, nullptr);
    ASSERT_TRUE(table.ok());
    const std::string meta = (*table)->metadata();
    std::string v1_meta;
    PutFixed32(&v1_meta, 1);
    v1_meta.append(meta.substr(4, 8 + 32 + 4 + 8 + 8 + 8));
    auto out = storage->OpenFile("v1.tmp", FileOptions{true, false});
    ASSERT_TRUE(out.ok());
    TableBuilder builder(out->get(), "v1.tmp");
    std::vector<uint64_t> docs;
    auto it = (*table)->NewIterator();
    ASSERT_TRUE(it->SeekToFirst().ok());
    while (it->Valid()) {
      std::string_view value = it->value();
      if (it->key()[0] == kVersionTag) {
        value = value.substr(0, kVersionRefBytes);  // no inline copy
        docs.push_back(DocFilterHash(it->key().substr(0, it->key().size() - 8)));
      }
      ASSERT_TRUE(builder.Add(it->key(), value).ok());
      ASSERT_TRUE(it->Next().ok());
    }
    ASSERT_TRUE(builder.Finish(v1_meta + BuildBloomFilter(docs)).ok());
    table->reset();
    out->reset();
    ASSERT_TRUE(storage->Remove(files[0]).ok());
    ASSERT_TRUE(storage->Rename("v1.tmp", files[0]).ok());
  }

  auto check = [&] {
    for (const Version& w : written) {
      auto got = db_->Get("docs", w.id);
      ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
      EXPECT_EQ((*got)->hash, w.hash);
      auto by_hash = db_->GetByHash(w.hash);
      ASSERT_TRUE(by_hash.ok() && by_hash->has_value());
      EXPECT_EQ((*by_hash)->id, w.id);
    }
    auto report = db_->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok) << (report->problems.empty() ? "" : report->problems[0]);
  };
  Reopen();
  check();
  for (int i = 30; i < 40; i++) {
    auto v = db_->Put("docs", "d" + std::to_string(i), Doc(i, 0, 40));
    ASSERT_TRUE(v.ok());
    written.push_back(*v);
  }
  ASSERT_TRUE(db_->Checkpoint().ok());
  check();
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  check();
}

// What every read path returns, for comparing a database before and after a
// compaction: each document's current version, its history, its version AS
// OF `as_of`, every version by hash, the version scan, and an indexed query.
std::string Snapshot(Database* db, const std::vector<std::string>& ids, uint64_t as_of) {
  std::string out;
  for (const std::string& id : ids) {
    auto now = db->Get("docs", id);
    if (!now.ok()) return "Get failed: " + now.status().ToString();
    out += id + " now " + (now->has_value() ? (*now)->hash.ToHex() + (*now)->data : "-") + "\n";
    ReadOptions past;
    past.as_of = as_of;
    auto then = db->Get("docs", id, past);
    if (!then.ok()) return "Get AS OF failed: " + then.status().ToString();
    out += id + " then " + (then->has_value() ? (*then)->hash.ToHex() : "-") + "\n";
    auto h = db->History("docs", id);
    if (!h.ok()) return "History failed: " + h.status().ToString();
    for (const Version& v : *h) {
      auto by_hash = db->GetByHash(v.hash);
      if (!by_hash.ok() || !by_hash->has_value()) return "GetByHash failed for " + v.hash.ToHex();
      out += id + " history " + v.hash.ToHex() + " " + std::to_string((*by_hash)->seq) + "\n";
    }
  }
  auto versions = db->Versions(1, 1 << 20);
  if (!versions.ok()) return "Versions failed: " + versions.status().ToString();
  out += "versions " + std::to_string(versions->size()) + "\n";
  auto rows = db->Query("FROM docs WHERE i >= 10 AND i < 40 ORDER BY i");
  if (!rows.ok()) return "Query failed: " + rows.status().ToString();
  for (const auto& row : rows->rows) out += "row " + row + "\n";
  return out;
}

// One round of rewrites for compaction tests: every `stride`-th of `ids`,
// starting at round % stride, with Doc(i, round, pad).
std::vector<WriteOp> RoundOps(const std::vector<std::string>& ids, int round, int stride,
                              size_t pad) {
  std::vector<WriteOp> ops;
  for (size_t i = static_cast<size_t>(round % stride); i < ids.size();
       i += static_cast<size_t>(stride)) {
    WriteOp op;
    op.coll = "docs";
    op.id = ids[i];
    op.doc_json = Doc(static_cast<int>(i), round, pad);
    ops.push_back(op);
  }
  return ops;
}

// Compact merges the whole index into one table, whether or not anything
// was written since the last checkpoint, and every read path returns what it
// returned before, before and after a reopen. The superseded files go.
TEST_F(DbCheckpointTest, CompactMergesEveryTableIntoOne) {
  ASSERT_TRUE(db_->CreateIndex("docs", "i").ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 200; i++) ids.push_back("d" + std::to_string(i));
  uint64_t as_of = 0;
  auto write = [&](int rounds, int first_round) {
    for (int r = first_round; r < first_round + rounds; r++) {
      auto vs = db_->PutMany(RoundOps(ids, r, 3, 40));
      ASSERT_TRUE(vs.ok()) << vs.status().ToString();
      if (r == 4) as_of = vs->back().seq;
    }
    ASSERT_TRUE(db_->Delete("docs", ids[7]).ok());
  };
  write(12, 0);
  ASSERT_GE(db_->GetStats().checkpoint_tables, 2u);
  ASSERT_GT(db_->GetStats().memtable_entries, 0u);
  const std::string before = Snapshot(db_.get(), ids, as_of);
  ASSERT_EQ(before.find("failed"), std::string::npos) << before;

  // With writes in the memtable: a new table named by the current seq.
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(db_->GetStats().checkpoint_tables, 1u);
  EXPECT_EQ(db_->GetStats().memtable_entries, 0u);
  EXPECT_EQ(CheckpointFiles(fs_).size(), 1u);
  EXPECT_EQ(Snapshot(db_.get(), ids, as_of), before);

  // With nothing written since the last checkpoint: the new table takes the
  // newest table's seq, and so its file name.
  write(8, 12);
  ASSERT_TRUE(db_->Checkpoint().ok());
  ASSERT_GE(db_->GetStats().checkpoint_tables, 2u);
  ASSERT_EQ(db_->GetStats().memtable_entries, 0u);
  const std::string newest = CheckpointFiles(fs_).back();
  const std::string after_writes = Snapshot(db_.get(), ids, as_of);
  ASSERT_NE(after_writes, before);
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(db_->GetStats().checkpoint_tables, 1u);
  EXPECT_EQ(CheckpointFiles(fs_), std::vector<std::string>{newest});
  EXPECT_EQ(Snapshot(db_.get(), ids, as_of), after_writes);

  // One table and nothing new: nothing to do.
  const std::string image = fs_.ReadRaw(newest);
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(fs_.ReadRaw(newest), image);

  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  EXPECT_EQ(db_->GetStats().replayed_records, 0u);
  EXPECT_EQ(db_->GetStats().checkpoint_tables, 1u);
  EXPECT_EQ(Snapshot(db_.get(), ids, as_of), after_writes);
}

// A compaction that fails part way (an I/O error on any of its writes or
// syncs) or loses its unsynced bytes to a power cut leaves a database that
// reads as before, now and after a reopen.
TEST_F(DbCheckpointTest, CompactSurvivesFailuresAndPowerCuts) {
  std::vector<std::string> ids;
  for (int i = 0; i < 120; i++) ids.push_back("d" + std::to_string(i));
  uint64_t as_of = 0;
  for (int r = 0; r < 10; r++) {
    auto vs = db_->PutMany(RoundOps(ids, r, 2, 60));
    ASSERT_TRUE(vs.ok());
    if (r == 3) as_of = vs->back().seq;
  }
  ASSERT_TRUE(db_->Checkpoint().ok());
  ASSERT_GE(db_->GetStats().checkpoint_tables, 2u);
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  const std::string before = Snapshot(db_.get(), ids, as_of);
  ASSERT_EQ(before.find("failed"), std::string::npos) << before;

  // How many writes and syncs a whole compaction makes.
  const std::vector<std::string> files = CheckpointFiles(fs_);
  std::map<std::string, std::string> images;
  for (const std::string& f : files) images[f] = fs_.ReadRaw(f);
  const uint64_t writes0 = fs_.writes(), syncs0 = fs_.syncs();
  ASSERT_TRUE(db_->Compact().ok());
  const uint64_t writes = fs_.writes() - writes0, syncs = fs_.syncs() - syncs0;
  ASSERT_GE(writes, 2u);
  ASSERT_GE(syncs, 1u);
  db_.reset();
  // Put the old tables back: every case starts from the same files.
  auto restore = [&] {
    fs_.PowerCut();
    auto storage = fs_.NewStorage();
    for (const std::string& f : CheckpointFiles(fs_)) ASSERT_TRUE(storage->Remove(f).ok());
    for (const auto& [f, bytes] : images) fs_.WriteRaw(f, bytes);
  };

  for (uint64_t n = 1; n <= writes + syncs; n++) {
    SCOPED_TRACE("fault " + std::to_string(n));
    restore();
    Reopen();
    ASSERT_EQ(db_->GetStats().checkpoint_tables, files.size());
    if (n <= writes) {
      fs_.FailWrite(n, FaultKind::kEIO);
    } else {
      fs_.FailSync(n - writes, FaultKind::kENOSPC);
    }
    Status s = db_->Compact();
    fs_.ClearFaults();
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(Snapshot(db_.get(), ids, as_of), before);
    db_.reset();
    fs_.PowerCut();
    Reopen();
    EXPECT_EQ(Snapshot(db_.get(), ids, as_of), before);
  }

  // A power cut right after a compaction returns: the new table is durable.
  restore();
  Reopen();
  ASSERT_TRUE(db_->Compact().ok());
  fs_.PowerCut();
  db_.reset();
  Reopen();
  EXPECT_EQ(db_->GetStats().checkpoint_tables, 1u);
  EXPECT_EQ(CheckpointFiles(fs_).size(), 1u);
  EXPECT_EQ(Snapshot(db_.get(), ids, as_of), before);
}

// Compactions run while a writer and readers go on, with background
// checkpoints in between: every read finds what was acknowledged before it
// started, and the end state is every write, before and after a reopen.
// Readers and a writer while Compact replaces the tables under them again and
// again: every read sees every acknowledged write, and the history is whole.
void DbCheckpointTest::CompactWhileWritingAndReading() {
  ThreadScheduler scheduler;
  // Declared after the scheduler: the database closes before it stops,
  // whichever way the test ends.
  struct CloseFirst {
    std::unique_ptr<Database>* db;
    ~CloseFirst() { db->reset(); }
  } close_first{&db_};
  opts_.scheduler = &scheduler;
  Reopen();
  constexpr int kDocs = 150;
  std::atomic<int> acknowledged{0};  // rounds whose writes have returned
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int r = 1; r <= 40 && !failed; r++) {
      std::vector<WriteOp> ops;
      for (int i = 0; i < kDocs; i++) {
        WriteOp op;
        op.coll = "docs";
        op.id = "d" + std::to_string(i);
        op.doc_json = "{\"i\":" + std::to_string(i) + ",\"r\":" + std::to_string(r) + "}";
        ops.push_back(op);
      }
      if (!db_->PutMany(ops).ok()) failed = true;
      acknowledged = r;
    }
  });
  std::thread reader([&] {
    std::mt19937 rng(11);
    while (acknowledged < 40 && !failed) {
      const int floor = acknowledged;
      const int i = static_cast<int>(rng() % kDocs);
      auto v = db_->Get("docs", "d" + std::to_string(i));
      if (!v.ok() || (floor > 0 && !v->has_value())) {
        failed = true;
        break;
      }
      if (v->has_value()) {
        const std::string& data = (*v)->data;
        const int round = std::stoi(data.substr(data.find("\"r\":") + 4));
        if (round < floor) failed = true;  // an acknowledged write went missing
      }
    }
  });
  int compactions = 0;
  while (acknowledged < 40 && !failed) {
    Status st = db_->Compact();
    if (!st.ok()) {
      ADD_FAILURE() << st.ToString();
      failed = true;
    }
    compactions++;
  }
  writer.join();
  reader.join();
  ASSERT_FALSE(failed);
  EXPECT_GE(compactions, 2);
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(db_->GetStats().checkpoint_tables, 1u);
  auto check = [&] {
    for (int i = 0; i < kDocs; i++) {
      auto h = db_->History("docs", "d" + std::to_string(i));
      ASSERT_TRUE(h.ok());
      ASSERT_EQ(h->size(), 40u);
      EXPECT_EQ(h->front().data, "{\"i\":" + std::to_string(i) + ",\"r\":40}");
    }
    auto report = db_->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok);
  };
  check();
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  check();
}

TEST_F(DbCheckpointTest, CompactWhileWritingAndReading) { CompactWhileWritingAndReading(); }

// The same through posix storage: a reader may still be reading a table's
// mapping when a compaction replaces the table and removes its file.
TEST_F(DbCheckpointTest, CompactWhileWritingAndReadingMappedTables) {
  UsePosix();
  CompactWhileWritingAndReading();
  Reopen();  // the run closes the database before its scheduler stops
  const Stats stats = db_->GetStats();
  EXPECT_GE(stats.checkpoint_tables, 1u);
  EXPECT_EQ(stats.mapped_tables, stats.checkpoint_tables);
}

}  // namespace
}  // namespace cairn
