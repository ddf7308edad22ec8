// Secondary indexes, the full-text index and links through the public API:
// exactness under updates and deletes (indexed answers equal scanned ones),
// persistence across reopens, checkpoints and power cuts, and errors.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "cairn/db.h"
#include "nql/row.h"
#include "storage-backends/fault/fault_storage.h"

namespace cairn {
namespace {

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    if (!twin_) twin_ = std::move(Database::OpenInMemory(Options{})).value();
  }
  // Every write goes to db_ (with indexes) and to twin_ (without).
  void Put(const std::string& coll, const std::string& id, const std::string& json) {
    auto v = db_->Put(coll, id, json);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(twin_->Put(coll, id, json).ok());
  }
  void Delete(const std::string& coll, const std::string& id) {
    auto a = db_->Delete(coll, id);
    auto b = twin_->Delete(coll, id);
    ASSERT_EQ(a.ok(), b.ok());
  }
  // Rows without _hash and _seq, which differ between the two databases
  // (index definitions take seqs; timestamps differ).
  static std::vector<std::string> Normalized(const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const std::string& r : rows) {
      nql::Doc d;
      EXPECT_TRUE(nql::ParseJson(r, &d)) << r;
      d.RemoveMember("_hash");
      d.RemoveMember("_seq");
      out.push_back(nql::RowToJson(d));
    }
    return out;
  }
  QueryResult Q(const std::string& nql) {
    auto r = db_->Query(nql);
    EXPECT_TRUE(r.ok()) << nql << ": " << r.status().ToString();
    return r.ok() ? *r : QueryResult{};
  }
  // The rows of a query, and the same query's rows with no index.
  void ExpectSameAsScan(const std::string& nql, bool expect_index = true) {
    QueryResult with = Q(nql);
    if (expect_index) {
      EXPECT_NE(with.plan.find("index"), std::string::npos) << nql << "\n" << with.plan;
    }
    auto scanned = twin_->Query(nql);
    ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
    EXPECT_NE(scanned->plan.find("access: scan"), std::string::npos) << scanned->plan;
    EXPECT_EQ(Normalized(with.rows), Normalized(scanned->rows)) << nql << "\n" << with.plan;
  }

  Options opts_;
  FaultFileSystem fs_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Database> twin_;
  std::string coll_ = "blocks";
};

TEST_F(IndexTest, IndexedAnswersEqualScannedOnesThroughUpdatesAndDeletes) {
  std::mt19937_64 rng(1);
  auto random_doc = [&] {
    switch (rng() % 6) {
      case 0: return std::string("{}");
      case 1: return "{\"h\":null,\"m\":\"m" + std::to_string(rng() % 5) + "\"}";
      case 2: return "{\"h\":\"" + std::to_string(rng() % 50) + "\"}";
      default: return "{\"h\":" + std::to_string(rng() % 100) + (rng() % 2 ? ".5" : "") + ",\"m\":\"m" + std::to_string(rng() % 5) + "\"}";
    }
  };
  for (int i = 0; i < 300; i++) Put("blocks", std::to_string(i), random_doc());
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  ASSERT_TRUE(db_->CreateIndex("blocks", "m").ok());
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());  // idempotent
  auto indexes = db_->Indexes();
  ASSERT_TRUE(indexes.ok());
  ASSERT_EQ(indexes->size(), 2u);
  EXPECT_TRUE((*indexes)[0].ready);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 200; i++) {
      const std::string id = std::to_string(rng() % 400);
      if (rng() % 5 == 0) {
        Delete("blocks", id);
      } else {
        Put("blocks", id, random_doc());
      }
    }
    if (round == 1) ASSERT_TRUE(db_->Checkpoint().ok());
    if (round == 2) Reopen();
    for (const std::string& q : {
             "FROM blocks WHERE h = 42", "FROM blocks WHERE h IN (1, 2.5, \"7\", 99)",
             "FROM blocks WHERE h > 50 AND h <= 80.5", "FROM blocks WHERE h BETWEEN 10 AND 20",
             "FROM blocks WHERE h >= \"3\"", "FROM blocks WHERE h < 5",
             "FROM blocks ORDER BY h LIMIT 15", "FROM blocks ORDER BY h DESC LIMIT 15 OFFSET 3",
             "FROM blocks WHERE h > 10 ORDER BY h DESC LIMIT 7", "FROM blocks WHERE m = \"m3\" ORDER BY h",
             "FROM blocks WHERE m = \"m1\" AND h > 30", "FROM blocks WHERE h > 90 GROUP BY m COUNT"}) {
      SCOPED_TRACE("round " + std::to_string(round));
      ExpectSameAsScan(q);
    }
  }
}

// Index entries locate the version they index, so a query reads it without a
// lookup by id: an update that keeps the indexed value must move them to the
// new version, in the memtable, in checkpoint tables, after a reopen and
// after a backfill.
TEST_F(IndexTest, IndexReadsReturnTheCurrentVersionWhenTheIndexedValueIsUnchanged) {
  Put("blocks", "a", "{\"h\":1,\"n\":0}");
  Put("blocks", "b", "{\"h\":2,\"n\":0}");
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());  // backfilled: a and b
  auto expect_current = [&](const std::string& id, int n) {
    SCOPED_TRACE(id + " n=" + std::to_string(n));
    auto v = db_->Get("blocks", id);
    ASSERT_TRUE(v.ok() && *v);
    const std::string h = id == "a" ? "1" : "2";
    for (const std::string& q : {"FROM blocks WHERE h = " + h, "FROM blocks WHERE h >= " + h + " ORDER BY h LIMIT 1",
                                 "FROM blocks WHERE h <= " + h + " ORDER BY h DESC LIMIT 1",
                                 "FROM blocks WHERE h IN (" + h + ", 77)"}) {
      QueryResult r = Q(q);
      ASSERT_EQ(r.rows.size(), 1u) << q;
      nql::Doc d;
      ASSERT_TRUE(nql::ParseJson(r.rows[0], &d));
      EXPECT_EQ(d["n"].GetInt(), n) << q;
      EXPECT_EQ(d["_hash"].GetString(), (*v)->hash.ToHex()) << q;
      EXPECT_EQ(d["_seq"].GetUint64(), (*v)->seq) << q;
    }
  };
  expect_current("a", 0);
  expect_current("b", 0);
  Put("blocks", "a", "{\"h\":1,\"n\":1}");  // in the memtable
  expect_current("a", 1);
  ASSERT_TRUE(db_->Checkpoint().ok());
  expect_current("a", 1);
  Put("blocks", "b", "{\"h\":2,\"n\":1}");  // the memtable shadows the table
  expect_current("b", 1);
  ASSERT_TRUE(db_->Checkpoint().ok());
  Put("blocks", "a", "{\"h\":1,\"n\":2}");
  Reopen();  // replayed from the log over the checkpoint
  expect_current("a", 2);
  expect_current("b", 1);
  // An AS OF query reads without the index; its rows are those of then.
  QueryResult old = Q("FROM blocks AS OF 2 WHERE h = 1");
  ASSERT_EQ(old.rows.size(), 1u);
  EXPECT_NE(old.rows[0].find("\"n\":0"), std::string::npos) << old.rows[0];
}

// Index reads take the version from the log only when its block needs no
// wait for the device; otherwise they read by id. Both paths give the same
// rows.
TEST_F(IndexTest, IndexReadsOfColdLogBlocksGoById) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; i++) {
    Put("blocks", std::to_string(i), "{\"h\":" + std::to_string(rng() % 40) + ",\"n\":" + std::to_string(i) + "}");
  }
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  for (int i = 0; i < 100; i++) {
    Put("blocks", std::to_string(rng() % 200), "{\"h\":" + std::to_string(rng() % 40) + ",\"n\":-1}");
  }
  ASSERT_TRUE(db_->Checkpoint().ok());
  Reopen();  // an empty block cache: every log block read goes to the storage
  const std::vector<std::string> queries = {"FROM blocks WHERE h = 7", "FROM blocks WHERE h IN (1, 2, 3)",
                                            "FROM blocks WHERE h > 30 ORDER BY h DESC LIMIT 9",
                                            "FROM blocks WHERE h < 12 ORDER BY h LIMIT 20"};
  fs_.SetColdReads(true);
  for (const std::string& q : queries) ExpectSameAsScan(q);
  const uint64_t misses = fs_.cold_misses();
  EXPECT_GT(misses, 0u);
  fs_.SetColdReads(false);
  for (const std::string& q : queries) ExpectSameAsScan(q);
  EXPECT_EQ(fs_.cold_misses(), misses);  // warm: read from the log
}

// A scheduler that runs its tasks when the test says.
class QueueScheduler final : public Scheduler {
 public:
  void Schedule(std::function<void()> task) override {
    std::lock_guard<std::mutex> l(mu_);
    tasks_.push_back(std::move(task));
    scheduled_++;
  }
  void RunAll() {
    while (true) {
      std::function<void()> task;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  size_t scheduled() {
    std::lock_guard<std::mutex> l(mu_);
    return scheduled_;
  }

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
  size_t scheduled_ = 0;
};

// With a scheduler, an index read whose log block is not in the block cache
// goes by id and a background task loads the block; the next read of it
// comes from the log. Rows are the same either way.
TEST(IndexPrefetchTest, MissingLogBlocksAreLoadedInTheBackground) {
  FaultFileSystem fs;
  QueueScheduler scheduler;
  Options opts;
  opts.scheduler = &scheduler;
  std::map<std::string, int> h_of;  // the model: id -> h
  {
    auto db = Database::Open(fs.NewStorage(), opts);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (int i = 0; i < 300; i++) {
      const std::string id = std::to_string(1000 + i);
      h_of[id] = i % 30;
      ASSERT_TRUE((*db)->Put("blocks", id, "{\"h\":" + std::to_string(i % 30) + ",\"n\":" + std::to_string(i) + "}").ok());
    }
    ASSERT_TRUE((*db)->CreateIndex("blocks", "h").ok());
    ASSERT_TRUE((*db)->Checkpoint().ok());
    scheduler.RunAll();
    ASSERT_TRUE((*db)->Close().ok());
  }
  auto db = Database::Open(fs.NewStorage(), opts);  // an empty block cache
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  scheduler.RunAll();
  auto expect_rows = [&](int h) {
    SCOPED_TRACE("h = " + std::to_string(h));
    auto r = (*db)->Query("FROM blocks WHERE h = " + std::to_string(h));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    for (const std::string& row : r->rows) {
      nql::Doc d;
      ASSERT_TRUE(nql::ParseJson(row, &d));
      EXPECT_EQ(d["h"].GetInt(), h);
      EXPECT_EQ(d["n"].GetInt() % 30, h);
      ids.emplace_back(d["_id"].GetString());
    }
    std::vector<std::string> expected;
    for (const auto& [id, v] : h_of) {
      if (v == h) expected.push_back(id);
    }
    EXPECT_EQ(ids, expected);
  };
  const size_t before = scheduler.scheduled();
  expect_rows(7);
  EXPECT_GT(scheduler.scheduled(), before);  // cold: by id, loads queued
  scheduler.RunAll();
  const size_t loaded = scheduler.scheduled();
  expect_rows(7);
  EXPECT_EQ(scheduler.scheduled(), loaded);  // warm: from the log, nothing queued
  ASSERT_TRUE((*db)->Close().ok());
}

// TRAVERSE from rows found through an index starts from the ids the index
// gives, without reading those rows; answers equal the scan's through
// updates, deletes and links to deleted documents.
TEST_F(IndexTest, TraverseFromIndexedRowsEqualsTheScan) {
  auto link = [&](const std::string& from, const std::string& to) {
    ASSERT_TRUE(db_->Link("blocks:" + from, "next", "blocks:" + to).ok());
    ASSERT_TRUE(twin_->Link("blocks:" + from, "next", "blocks:" + to).ok());
  };
  for (int i = 0; i < 60; i++) Put("blocks", std::to_string(i), "{\"h\":" + std::to_string(i % 12) + ",\"n\":" + std::to_string(i) + "}");
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  for (int i = 0; i + 1 < 60; i++) link(std::to_string(i), std::to_string(i + 1));
  link("5", "40");
  Put("blocks", "17", "{\"h\":3,\"n\":-17}");  // moves to h = 3
  Put("blocks", "29", "{\"h\":5,\"n\":-29}");  // same h, new data
  Delete("blocks", "41");                            // a target gone
  Delete("blocks", "15");                            // a source gone (h = 3)
  const std::vector<std::string> queries = {
      "FROM blocks WHERE h = 3 TRAVERSE next", "FROM blocks WHERE h = 5 TRAVERSE next REVERSE",
      "FROM blocks WHERE h IN (4, 5) TRAVERSE next", "FROM blocks WHERE h > 9 TRAVERSE next ORDER BY n DESC LIMIT 4",
      "FROM blocks WHERE h BETWEEN 2 AND 4 TRAVERSE next LIMIT 3 OFFSET 2"};
  for (int round = 0; round < 2; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (const std::string& q : queries) ExpectSameAsScan(q);
    if (round == 0) {
      ASSERT_TRUE(db_->Checkpoint().ok());
      Reopen();
    }
  }
  EXPECT_NE(Q("EXPLAIN FROM blocks WHERE h = 3 TRAVERSE next").plan.find("starting rows not read"), std::string::npos);
  // A filter the index does not decide needs the starting rows.
  const std::string plan = Q("EXPLAIN FROM blocks WHERE h = 3 AND n > 0 TRAVERSE next").plan;
  EXPECT_EQ(plan.find("starting rows not read"), std::string::npos) << plan;
  ExpectSameAsScan("FROM blocks WHERE h = 3 AND n > 0 TRAVERSE next");
}

TEST_F(IndexTest, IndexesSurviveAPowerCutBeforeAnyCheckpoint) {
  for (int i = 0; i < 50; i++) Put("blocks", std::to_string(i), "{\"h\":" + std::to_string(i) + "}");
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  Put("blocks", "7", "{\"h\":1000}");
  Delete("blocks", "8");
  fs_.PowerCut();
  Reopen();  // replays the definition and rebuilds the index
  auto idx = db_->Indexes();
  ASSERT_TRUE(idx.ok());
  ASSERT_EQ(idx->size(), 1u);
  EXPECT_TRUE((*idx)[0].ready);
  ExpectSameAsScan("FROM blocks WHERE h > 5 ORDER BY h DESC LIMIT 5");
  ExpectSameAsScan("FROM blocks WHERE h = 8");
  EXPECT_EQ(Q("FROM blocks WHERE h = 1000").rows.size(), 1u);
}

TEST_F(IndexTest, DropAndRecreateStartsClean) {
  Put("blocks", "a", "{\"h\":1}");
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  ASSERT_TRUE(db_->DropIndex("blocks", "h").ok());
  EXPECT_EQ(db_->DropIndex("blocks", "h").code(), Code::kNotFound);
  Put("blocks", "a", "{\"h\":2}");
  EXPECT_EQ(Q("EXPLAIN FROM blocks WHERE h = 2").plan.find("access: index"), std::string::npos);
  ASSERT_TRUE(db_->CreateIndex("blocks", "h").ok());
  ExpectSameAsScan("FROM blocks WHERE h = 1");
  ExpectSameAsScan("FROM blocks WHERE h = 2");
  ExpectSameAsScan("FROM blocks ORDER BY h LIMIT 10");
}

TEST_F(IndexTest, TextIndexMatchesTheScan) {
  coll_ = "notes";
  std::mt19937_64 rng(3);
  const char* words[] = {"fox", "Foxes", "lazy", "DOG", "café", "naïve", "Ωmega", "quick", "brown", "jumps"};
  auto text = [&] {
    std::string t;
    for (int k = 0; k < 4; k++) t += std::string(words[rng() % 10]) + (rng() % 2 ? " " : "-");
    return t;
  };
  for (int i = 0; i < 200; i++) {
    Put("notes", std::to_string(i), "{\"title\":\"" + text() + "\",\"tags\":[\"" + text() + "\"],\"n\":" + std::to_string(i) + "}");
  }
  ASSERT_TRUE(db_->CreateTextIndex("notes").ok());
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 100; i++) {
      const std::string id = std::to_string(rng() % 250);
      if (rng() % 6 == 0) {
        Delete("notes", id);
      } else {
        Put("notes", id, "{\"title\":\"" + text() + "\"}");
      }
    }
    if (round == 1) Reopen();
    for (const std::string& q : {"FROM notes SEARCH \"fox\"", "FROM notes SEARCH \"fox* dog\"",
                                 "FROM notes SEARCH \"CAFÉ naïve\"", "FROM notes SEARCH \"ωMEGA brown\"",
                                 "FROM notes SEARCH \"qu*\" LIMIT 3", "FROM notes SEARCH \"nothing\"",
                                 "FROM notes WHERE n > 10 SEARCH \"lazy\""}) {
      ExpectSameAsScan(q);
    }
  }
}

TEST_F(IndexTest, LinksAreTimeTravelableAndSkipDeletedEndpoints) {
  Put("driver", "d1", "{\"name\":\"Ann\"}");
  Put("trip", "t1", "{\"km\":3}");
  Put("trip", "t2", "{\"km\":5}");
  auto before = db_->GetHead()->seq;
  ASSERT_TRUE(db_->Link("driver:d1", "handles", "trip:t1").ok());
  ASSERT_TRUE(db_->Link("driver:d1", "handles", "trip:t2").ok());
  const uint64_t both = db_->GetHead()->seq;
  EXPECT_EQ(*db_->Neighbors("driver:d1", "handles"), (std::vector<std::string>{"trip:t1", "trip:t2"}));
  NeighborOptions rev;
  rev.reverse = true;
  EXPECT_EQ(*db_->Neighbors("trip:t2", "handles", rev), (std::vector<std::string>{"driver:d1"}));
  ASSERT_TRUE(db_->Unlink("driver:d1", "handles", "trip:t1").ok());
  EXPECT_EQ(db_->Unlink("driver:d1", "handles", "trip:t1").status().code(), Code::kNotFound);
  EXPECT_EQ(*db_->Neighbors("driver:d1", "handles"), (std::vector<std::string>{"trip:t2"}));
  NeighborOptions then;
  then.as_of = both;
  EXPECT_EQ(*db_->Neighbors("driver:d1", "handles", then), (std::vector<std::string>{"trip:t1", "trip:t2"}));
  then.as_of = before;
  EXPECT_TRUE(db_->Neighbors("driver:d1", "handles", then)->empty());
  ASSERT_TRUE(db_->Delete("trip", "t2").ok());
  EXPECT_TRUE(db_->Neighbors("driver:d1", "handles")->empty());
  Reopen();
  then.as_of = both;
  EXPECT_EQ(*db_->Neighbors("driver:d1", "handles", then), (std::vector<std::string>{"trip:t1", "trip:t2"}));
  // TRAVERSE in NQL.
  Put("trip", "t3", "{\"km\":8}");
  ASSERT_TRUE(db_->Link("driver:d1", "handles", "trip:t3").ok());
  QueryResult r = Q("FROM driver WHERE name = \"Ann\" TRAVERSE handles");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_NE(r.rows[0].find("\"km\":8"), std::string::npos);
  r = Q("FROM trip TRAVERSE handles REVERSE");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_NE(r.rows[0].find("\"Ann\""), std::string::npos);
  r = Q("FROM driver AS OF " + std::to_string(both) + " TRAVERSE handles ORDER BY km DESC");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_NE(r.rows[0].find("\"km\":5"), std::string::npos);
}

TEST_F(IndexTest, BadInputIsRejected) {
  Put("a", "1", "{}");
  EXPECT_EQ(db_->Link("a:1", "rel", "a:2").status().code(), Code::kNotFound);
  EXPECT_EQ(db_->Link("a1", "rel", "a:1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->Link("a:1", "bad rel", "a:1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->Neighbors("a:1", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->CreateIndex("a", "").code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->CreateIndex("a", "x..y").code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->CreateIndex("bad coll", "x").code(), Code::kInvalidArgument);
  auto reserved = db_->Put("_cairn_index", "x", "{}");
  EXPECT_EQ(reserved.status().code(), Code::kInvalidArgument);
  EXPECT_NE(reserved.status().message().find("reserved"), std::string::npos);
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_EQ(db_->CreateIndex("a", "x").code(), Code::kClosed);
  EXPECT_EQ(db_->Link("a:1", "r", "a:1").status().code(), Code::kClosed);
}

}  // namespace
}  // namespace cairn
