// Checkpoint tables through the public API: size-tiered merging keeps a
// bounded number of tables, every key kind stays findable across tables and
// reopens, and the inline copies of small versions in the index are checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cairn/db.h"
#include "docs/keys.h"
#include "engine/bloom.h"
#include "engine/db_impl.h"
#include "engine/table.h"
#include "storage-backends/fault/fault_storage.h"
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
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  StepClock clock_;
  Options opts_;
  FaultFileSystem fs_;
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

}  // namespace
}  // namespace cairn
