// Functional tests of the document store through the public Database API.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "cairn/db.h"
#include "docs/version_codec.h"
#include "storage-backends/fault/fault_storage.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/posix/thread_scheduler.h"
#include "tests/core/engine/db_test_util.h"

namespace cairn {
namespace {

class FixedClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }
  int64_t now_ = 1700000000000;
};

class StillClock final : public Clock {
 public:
  int64_t NowMillis() override { return 1700000000000; }
};

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_.clock = &clock_;
    Reopen();
  }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  Version MustPut(const std::string& coll, const std::string& id, const std::string& json,
                  const WriteOptions& o = {}) {
    auto v = db_->Put(coll, id, json, o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Version{};
  }

  FixedClock clock_;
  StillClock still_clock_;
  Options opts_;
  FaultFileSystem fs_;
  std::unique_ptr<Database> db_;
};

TEST_F(DbTest, PutGetRoundTripsCanonicalData) {
  Version v = MustPut("blocks", "618000", R"({ "height": 618000, "a": [1, 2.50, "x"] })");
  EXPECT_EQ(v.seq, 1u);
  EXPECT_EQ(v.coll, "blocks");
  EXPECT_EQ(v.id, "618000");
  EXPECT_EQ(v.data, R"({"a":[1,2.5,"x"],"height":618000})");
  EXPECT_FALSE(v.prev.has_value());
  EXPECT_EQ(v.ts, 1700000000000);
  EXPECT_EQ(v.hash, ComputeVersionHash(v));
  auto got = db_->Get("blocks", "618000");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->data, v.data);
  EXPECT_EQ((*got)->hash, v.hash);
  auto missing = db_->Get("blocks", "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(DbTest, VersionsChainAndTimeTravel) {
  Version v1 = MustPut("c", "d", R"({"n":1})");
  Version other = MustPut("c", "e", R"({"n":100})");
  Version v2 = MustPut("c", "d", R"({"n":2})");
  Version v3 = MustPut("c", "d", R"({"n":3})");
  EXPECT_EQ(v2.prev, v1.hash);
  EXPECT_EQ(v3.prev, v2.hash);
  EXPECT_EQ(v3.seq, 4u);
  for (uint64_t as_of = 0; as_of <= 4; as_of++) {
    auto g = db_->Get("c", "d", {as_of});
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    const char* want = as_of == 0 ? nullptr : as_of <= 2 ? R"({"n":1})" : as_of == 3 ? R"({"n":2})" : R"({"n":3})";
    if (!want) {
      EXPECT_FALSE(g->has_value());
    } else {
      ASSERT_TRUE(g->has_value()) << as_of;
      EXPECT_EQ((*g)->data, want) << as_of;
    }
  }
  auto h = db_->History("c", "d");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].hash, v3.hash);
  EXPECT_EQ((*h)[1].hash, v2.hash);
  EXPECT_EQ((*h)[2].hash, v1.hash);
  auto by_hash = db_->GetByHash(other.hash);
  ASSERT_TRUE(by_hash.ok() && by_hash->has_value());
  EXPECT_EQ((*by_hash)->id, "e");
  auto beyond = db_->Get("c", "d", {5});
  EXPECT_EQ(beyond.status().code(), Code::kInvalidArgument);
}

TEST_F(DbTest, DeleteWritesTombstoneAndKeepsHistory) {
  Version v1 = MustPut("users", "u1", R"({"name":"ada"})");
  auto del = db_->Delete("users", "u1");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_TRUE(del->deleted);
  EXPECT_EQ(del->data, "null");
  EXPECT_EQ(del->prev, v1.hash);
  auto g = db_->Get("users", "u1");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
  auto before = db_->Get("users", "u1", {1});
  ASSERT_TRUE(before.ok() && before->has_value());
  EXPECT_EQ((*before)->data, R"({"name":"ada"})");
  auto list = db_->List("users");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  auto old_list = db_->List("users", {1});
  ASSERT_TRUE(old_list.ok());
  EXPECT_EQ(old_list->size(), 1u);
  auto h = db_->History("users", "u1");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 2u);
  EXPECT_EQ(db_->Delete("users", "u1").status().code(), Code::kNotFound);
  // Re-creating after a delete chains to the tombstone.
  Version again = MustPut("users", "u1", R"({"name":"ada2"})");
  EXPECT_EQ(again.prev, del->hash);
  EXPECT_EQ(db_->GetStats().documents, 1u);
}

TEST_F(DbTest, PutManyIsAtomicAndOrdered) {
  Version first = MustPut("a", "x", "1");
  std::vector<WriteOp> ops = {{"a", "y", "2", {}}, {"b", "z", "3", {}}, {"a", "y", "4", {}}};
  ops[1].options.caused_by = {first.hash};
  auto vs = db_->PutMany(ops);
  ASSERT_TRUE(vs.ok()) << vs.status().ToString();
  ASSERT_EQ(vs->size(), 3u);
  EXPECT_EQ((*vs)[0].seq, 2u);
  EXPECT_EQ((*vs)[1].seq, 3u);
  EXPECT_EQ((*vs)[2].seq, 4u);
  EXPECT_EQ((*vs)[2].prev, (*vs)[0].hash);  // a later op sees an earlier one in the batch
  EXPECT_EQ((*vs)[1].caused_by, std::vector<Hash>{first.hash});
  // The batch read the clock once (it ticks on every reading), after the
  // single put before it.
  EXPECT_GT((*vs)[0].ts, first.ts);
  EXPECT_EQ((*vs)[1].ts, (*vs)[0].ts);
  EXPECT_EQ((*vs)[2].ts, (*vs)[0].ts);

  // A batch naming a version made earlier in the same batch.
  std::vector<WriteOp> bad = {{"a", "q", "5", {}}, {"a", "r", "{", {}}};
  auto r = db_->PutMany(bad);
  EXPECT_EQ(r.status().code(), Code::kParseError);
  EXPECT_NE(r.status().message().find("batch item 1"), std::string::npos) << r.status().message();
  std::vector<WriteOp> missing_cause = {{"a", "q", "5", {}}, {"a", "r", "6", {}}};
  missing_cause[1].options.caused_by = {Hash::Of("nothing")};
  EXPECT_EQ(db_->PutMany(missing_cause).status().code(), Code::kNotFound);
  auto head = db_->GetHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 4u);
  auto q = db_->Get("a", "q");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->has_value());
}

TEST_F(DbTest, HeadChainsEveryWriteAndSurvivesReopen) {
  Hash head;
  for (int i = 0; i < 50; i++) {
    Version v = MustPut("h", "d" + std::to_string(i % 7), "{\"i\":" + std::to_string(i) + "}");
    head = ChainHead(head, v.seq, v.hash);
  }
  auto h = db_->GetHead();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->seq, 50u);
  EXPECT_EQ(h->head, head);
  Reopen();
  auto h2 = db_->GetHead();
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2->seq, 50u);
  EXPECT_EQ(h2->head, head);
  Version next = MustPut("h", "x", "{}");
  EXPECT_EQ(next.seq, 51u);
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_EQ(report->checked, 51u);
}

TEST_F(DbTest, ListOrdersByIdWithLimitOffsetAndAsOf) {
  for (int i = 9; i >= 0; i--) MustPut("l", "id" + std::to_string(i), std::to_string(i));
  MustPut("other", "id0", "0");
  auto all = db_->List("l");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 10u);
  for (int i = 0; i < 10; i++) EXPECT_EQ((*all)[i].id, "id" + std::to_string(i));
  auto page = db_->List("l", {std::nullopt, 3, 4});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].id, "id4");
  auto early = db_->List("l", {3, SIZE_MAX, 0});
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->size(), 3u);  // ids 9, 8, 7 existed after write 3
  auto colls = db_->Collections();
  ASSERT_TRUE(colls.ok());
  EXPECT_EQ(*colls, (std::vector<std::string>{"l", "other"}));
}

// Random operations against an in-memory model, across checkpoints and
// reopens, checking every read path (current, as-of, history, list).
TEST_F(DbTest, MatchesModelAcrossCheckpointsAndReopens) {
  opts_.checkpoint_bytes = 16 * 1024;
  opts_.segment_bytes = 64 * 1024;
  Reopen();
  std::mt19937_64 rng(42);
  struct ModelVersion {
    uint64_t seq;
    std::string data;
    bool deleted;
  };
  std::map<std::string, std::vector<ModelVersion>> model;  // id -> versions, oldest first
  uint64_t seq = 0;
  auto live_at = [&](const std::vector<ModelVersion>& vs, uint64_t at) -> const ModelVersion* {
    const ModelVersion* r = nullptr;
    for (auto& v : vs) if (v.seq <= at) r = &v;
    return r && !r->deleted ? r : nullptr;
  };
  for (int step = 0; step < 3000; step++) {
    std::string id = "k" + std::to_string(rng() % 60);
    int op = rng() % 10;
    if (op < 6) {
      std::string data = "{\"v\":" + std::to_string(rng() % 100000) + ",\"pad\":\"" +
                         std::string(rng() % 200, 'x') + "\"}";
      Version v = MustPut("m", id, data);
      ASSERT_EQ(v.seq, ++seq);
      model[id].push_back({seq, v.data, false});
    } else if (op < 8) {
      auto d = db_->Delete("m", id);
      bool live = model.count(id) && live_at(model[id], seq);
      if (live) {
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        model[id].push_back({++seq, "null", true});
      } else {
        ASSERT_EQ(d.status().code(), Code::kNotFound);
      }
    } else if (op == 8) {
      uint64_t at = seq ? rng() % seq + 1 : 0;
      if (!seq) continue;
      auto g = db_->Get("m", id, {at});
      ASSERT_TRUE(g.ok());
      const ModelVersion* want = model.count(id) ? live_at(model[id], at) : nullptr;
      ASSERT_EQ(g->has_value(), want != nullptr) << id << " at " << at;
      if (want) EXPECT_EQ((*g)->data, want->data);
    } else if (rng() % 20 == 0) {
      Reopen();
    }
  }
  Reopen();
  // Every document AS OF every seq: the reads pass over the tables (and the
  // memtables) whose seq ranges start after the target, so every boundary
  // between them must answer right.
  for (const auto& [id, vs] : model) {
    for (uint64_t at = 1; at <= seq; at++) {
      auto g = db_->Get("m", id, {at});
      ASSERT_TRUE(g.ok());
      const ModelVersion* want = live_at(vs, at);
      ASSERT_EQ(g->has_value(), want != nullptr) << id << " at " << at;
      if (want) ASSERT_EQ((*g)->data, want->data) << id << " at " << at;
    }
  }
  for (auto& [id, vs] : model) {
    auto h = db_->History("m", id);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), vs.size());
    for (size_t i = 0; i < vs.size(); i++) {
      EXPECT_EQ((*h)[i].seq, vs[vs.size() - 1 - i].seq);
      EXPECT_EQ((*h)[i].data, vs[vs.size() - 1 - i].data);
    }
  }
  for (uint64_t at : {seq / 3, seq / 2, seq}) {
    auto l = db_->List("m", {at, SIZE_MAX, 0});
    ASSERT_TRUE(l.ok());
    std::vector<std::string> want;
    for (auto& [id, vs] : model)
      if (live_at(vs, at)) want.push_back(id);
    std::vector<std::string> got;
    for (auto& v : *l) got.push_back(v.id);
    EXPECT_EQ(got, want) << "as of " << at;
  }
  Stats st = db_->GetStats();
  EXPECT_GT(st.segments, 1u);
  uint64_t on_disk = 0;
  for (const std::string& name : fs_.FileNames()) {
    if (name.rfind("log-", 0) == 0) on_disk += fs_.ReadRaw(name).size();
  }
  EXPECT_EQ(st.log_bytes, on_disk);
  EXPECT_GT(st.checkpoint_entries, 0u);
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
}

TEST_F(DbTest, OpenReplaysOnlyTheTailAfterACheckpoint) {
  std::vector<WriteOp> ops;
  for (int i = 0; i < 2000; i++) ops.push_back({"t", "d" + std::to_string(i), "{}", {}});
  ASSERT_TRUE(db_->PutMany(ops).ok());
  ASSERT_TRUE(db_->Checkpoint().ok());
  MustPut("t", "after", "1");
  // Drop the process without Close: no checkpoint at close.
  fs_.PowerCut();
  db_.reset();
  Reopen();
  Stats st = db_->GetStats();
  EXPECT_EQ(st.replayed_records, 1u);  // only the commit after the checkpoint
  EXPECT_EQ(st.documents, 2001u);
  auto g = db_->Get("t", "d1999");
  ASSERT_TRUE(g.ok() && g->has_value());
}

// PutMany hands the validation and canonicalization of a large batch, the
// lookups of its documents' current versions and the hashing of its
// versions to the scheduler's helpers. The versions must be exactly those
// of staging the batch in order on one thread, and a bad batch must name
// its first bad item whichever thread met it first, and write nothing.
TEST_F(DbTest, PutManyWithHelpersMatchesInOrderPreparation) {
  ThreadScheduler helpers(3);  // more helpers than ranges run at once on a small machine
  FixedClock other_clock;
  FaultFileSystem other_fs;
  std::unique_ptr<Database> parallel = OpenWithScheduler(&other_fs, opts_, &helpers, &other_clock);
  ASSERT_TRUE(parallel);

  std::mt19937_64 rng(5);
  // Each document's newest hash: a version's prev must be it, also where
  // the version it replaces was written earlier in the same batch (version
  // hashes are computed after the batch is staged, on the helpers too).
  std::map<std::string, Hash> newest;
  std::set<std::string> live;
  std::map<std::string, uint64_t> z_of;  // each document's newest z, less its .5
  size_t chained_in_batch = 0;
  // An index: each version's index entries are added after the group's
  // version and hash entries, which the helpers add side by side.
  ASSERT_TRUE(db_->CreateIndex("c", "z").ok());
  ASSERT_TRUE(parallel->CreateIndex("c", "z").ok());
  const uint64_t system_docs = parallel->GetStats().documents;  // the index's definition
  for (int batch = 0; batch < 5; batch++) {
    if (batch == 2) {
      // Later lookups then also find versions in a checkpoint table.
      ASSERT_TRUE(db_->Checkpoint().ok());
      ASSERT_TRUE(parallel->Checkpoint().ok());
    }
    if (batch == 3) {
      // Tombstones: a later put's prev is the tombstone, and the document
      // counts as live again.
      for (const std::string id : {"d5", "d77", "d1234", "d2999"}) {
        if (!live.count(id)) continue;
        auto x = db_->Delete("c", id);
        auto y = parallel->Delete("c", id);
        ASSERT_TRUE(x.ok() && y.ok());
        ASSERT_EQ(x->hash, y->hash);
        newest[id] = y->hash;
        live.erase(id);
      }
    }
    std::vector<WriteOp> ops;
    for (int i = 0; i < 2000; i++) {
      const uint64_t r = rng();
      z_of["d" + std::to_string(r % 3000)] = r % 1000;
      // Keys out of order, numbers to canonicalize, some documents rewritten
      // within the batch.
      ops.push_back({"c", "d" + std::to_string(r % 3000),
                     "{\"z\": " + std::to_string(r % 1000) + ".50, \"a\": [" + std::to_string(i) +
                         ", 1e2, \"s\"], \"m\": {\"y\": true, \"b\": null}}",
                     {}});
    }
    auto a = db_->PutMany(ops);
    auto b = parallel->PutMany(ops);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    std::set<std::string> in_batch;
    for (size_t i = 0; i < a->size(); i++) {
      ASSERT_EQ((*a)[i].hash, (*b)[i].hash) << "batch " << batch << " item " << i;
      ASSERT_EQ((*a)[i].data, (*b)[i].data);
      const Version& v = (*b)[i];
      EXPECT_EQ(v.hash, ComputeVersionHash(v)) << "batch " << batch << " item " << i;
      auto last = newest.find(v.id);
      ASSERT_EQ(v.prev.has_value(), last != newest.end()) << "batch " << batch << " item " << i;
      if (last != newest.end()) EXPECT_EQ(*v.prev, last->second) << "batch " << batch << " item " << i;
      chained_in_batch += !in_batch.insert(v.id).second;
      newest[v.id] = v.hash;
      live.insert(v.id);
    }
    EXPECT_EQ(parallel->GetStats().documents, system_docs + live.size()) << "batch " << batch;
    EXPECT_EQ(db_->GetStats().documents, system_docs + live.size()) << "batch " << batch;
  }
  EXPECT_GT(chained_in_batch, 500u);  // documents rewritten within their batch
  EXPECT_EQ(db_->GetHead()->head, parallel->GetHead()->head);
  auto verified = parallel->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->ok);
  // Every newest version by its hash (the 'h' entries).
  for (const auto& [id, hash] : newest) {
    auto v = parallel->GetByHash(hash);
    ASSERT_TRUE(v.ok() && v->has_value()) << id;
    EXPECT_EQ((*v)->id, id);
    EXPECT_EQ((*v)->hash, hash);
    EXPECT_EQ((*v)->deleted, !live.count(id));
  }
  // The index, once built, against the model.
  for (int waited = 0; waited < 1000; waited++) {
    auto defs = parallel->Indexes();
    ASSERT_TRUE(defs.ok() && defs->size() == 1);
    if ((*defs)[0].ready) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (uint64_t z : {0u, 7u, 500u, 999u}) {
    const std::string q = "FROM c WHERE z = " + std::to_string(z) + ".5";
    std::set<std::string> expected;
    for (const std::string& id : live) {
      if (z_of.at(id) == z) expected.insert(id);
    }
    for (Database* d : {db_.get(), parallel.get()}) {
      auto r = d->Query(q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_NE(r->plan.find("access: index"), std::string::npos) << r->plan;
      std::set<std::string> ids;
      for (const std::string& row : r->rows) {
        const size_t at = row.find("\"_id\":\"");
        ASSERT_NE(at, std::string::npos) << row;
        ids.insert(row.substr(at + 7, row.find('"', at + 7) - at - 7));
      }
      EXPECT_EQ(ids, expected) << q;
    }
  }

  const uint64_t seq_before = parallel->GetHead()->seq;
  for (size_t first_bad : {0u, 31u, 32u, 300u, 1999u}) {
    std::vector<WriteOp> ops;
    for (int i = 0; i < 2000; i++) ops.push_back({"c", "bad" + std::to_string(i), "{\"i\":1}", {}});
    ops[first_bad].doc_json = "{\"i\":";
    if (first_bad + 700 < ops.size()) ops[first_bad + 700].doc_json = "[1,";
    if (first_bad + 1 < ops.size()) ops[first_bad + 1].id = std::string(1, '\x01');
    auto r = parallel->PutMany(ops);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError) << r.status().ToString();
    EXPECT_NE(r.status().message().find("batch item " + std::to_string(first_bad) + ":"), std::string::npos)
        << r.status().message();
  }
  EXPECT_EQ(parallel->GetHead()->seq, seq_before);
  auto g = parallel->Get("c", "bad5");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
}

TEST_F(DbTest, ConcurrentWritersShareCommitsAndReadersSeeConsistentState) {
  ThreadScheduler scheduler;
  opts_.scheduler = &scheduler;
  opts_.checkpoint_bytes = 32 * 1024;
  Reopen();
  constexpr int kThreads = 4, kPer = 300;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; i++) {
        auto v = db_->Put("w", "t" + std::to_string(t) + "-" + std::to_string(i % 50),
                          "{\"i\":" + std::to_string(i) + "}");
        if (!v.ok()) failed = true;
        auto g = db_->Get("w", "t" + std::to_string(t) + "-" + std::to_string(i % 50));
        if (!g.ok() || !g->has_value()) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed);
  auto head = db_->GetHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, static_cast<uint64_t>(kThreads * kPer));
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  Reopen();
  EXPECT_EQ(db_->GetStats().versions, static_cast<uint64_t>(kThreads * kPer));
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  db_.reset();  // before the scheduler
}

// Writers that share group commits (a slow sync keeps the queue full), where
// many batches fail part way (a cause that names no version) and others
// name real causes: a failed batch leaves no trace in the group it was
// staged in, and every other batch lands whole, with seqs in one run and
// each document's prev chain unbroken.
TEST_F(DbTest, FailedBatchesInSharedCommitsLeaveNoTrace) {
  fs_.SetSyncDelay(2000);
  constexpr int kThreads = 4, kBatches = 40;
  struct Landed {
    std::vector<Version> versions;
  };
  std::vector<std::vector<Landed>> landed(kThreads);
  std::atomic<int> failed_as_expected{0}, unexpected{0};
  const uint64_t syncs_before = fs_.syncs();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(100 + t);
      std::optional<Hash> cause;  // a version this thread wrote before
      for (int b = 0; b < kBatches; b++) {
        std::vector<WriteOp> ops;
        const int n = 1 + static_cast<int>(rng() % 24);
        const bool fails = rng() % 3 == 0;
        const int bad_at = static_cast<int>(rng() % n);
        for (int i = 0; i < n; i++) {
          // Documents shared by every thread, and repeated inside a batch.
          WriteOp op{"g", "d" + std::to_string(rng() % 30), "{\"t\":" + std::to_string(t) + "}", {}};
          if (cause && rng() % 4 == 0) op.options.caused_by = {*cause};
          ops.push_back(op);
        }
        // A cause that names no version fails the batch while it is staged,
        // after the items before it were staged in the group.
        if (fails) ops[bad_at].options.caused_by = {Hash::Of("no such version " + std::to_string(t))};
        auto vs = db_->PutMany(ops);
        if (fails) {
          if (vs.status().code() == Code::kNotFound &&
              (n == 1 || vs.status().message().find("batch item " + std::to_string(bad_at)) != std::string::npos)) {
            failed_as_expected++;
          } else {
            unexpected++;
          }
          continue;
        }
        if (!vs.ok() || vs->size() != ops.size()) {
          unexpected++;
          continue;
        }
        cause = vs->back().hash;
        landed[t].push_back(Landed{*vs});
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(failed_as_expected.load(), 0);
  std::vector<Version> all;
  size_t batches = 0;
  for (const auto& per : landed) {
    for (const Landed& l : per) {
      batches++;
      // A batch's seqs are consecutive.
      for (size_t i = 1; i < l.versions.size(); i++) EXPECT_EQ(l.versions[i].seq, l.versions[i - 1].seq + 1);
      all.insert(all.end(), l.versions.begin(), l.versions.end());
    }
  }
  // Commits were shared: fewer syncs than landed batches.
  EXPECT_LT(fs_.syncs() - syncs_before, batches);
  std::sort(all.begin(), all.end(), [](const Version& a, const Version& b) { return a.seq < b.seq; });
  std::map<std::string, Hash> newest;
  for (size_t i = 0; i < all.size(); i++) {
    const Version& v = all[i];
    ASSERT_EQ(v.seq, i + 1) << "failed batches took no seqs";
    auto it = newest.find(v.id);
    if (it == newest.end()) {
      EXPECT_FALSE(v.prev.has_value()) << v.id;
    } else {
      ASSERT_TRUE(v.prev.has_value()) << v.id;
      EXPECT_EQ(*v.prev, it->second) << v.id << " at seq " << v.seq;
    }
    newest[v.id] = v.hash;
    EXPECT_EQ(v.hash, ComputeVersionHash(v));
  }
  auto head = db_->GetHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, all.size());
  fs_.SetSyncDelay(0);
  Reopen();
  for (const auto& [doc_id, hash] : newest) {
    const std::string id = doc_id;  // a lambda below captures it (clang 14 cannot capture a binding)
    auto got = db_->Get("g", id);
    ASSERT_TRUE(got.ok() && got->has_value()) << id;
    EXPECT_EQ((*got)->hash, hash) << id;
    auto history = db_->History("g", id);
    ASSERT_TRUE(history.ok());
    const size_t want = std::count_if(all.begin(), all.end(), [&](const Version& v) { return v.id == id; });
    EXPECT_EQ(history->size(), want) << id;
  }
  auto report = db_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
}

// A batch of 8,192 writes or more takes the memtable's sorted path (its
// version entries become a sorted run); smaller ones go into the tree. The
// same writes, in batches of 12,000 in one database and of 100 in another,
// must read the same everywhere: gets, AS OF, history, lists, an indexed
// query (whose index updates read the memtable in the middle of a batch),
// after more writes on top and after a reopen.
TEST_F(DbTest, LargeBatchesReadLikeSmallOnes) {
  // A clock that stands still, shared by both: a batch reads the clock
  // once, so only then do both give each seq the same ts and every version
  // the same hash.
  opts_.clock = &still_clock_;
  Reopen();  // empty still
  FaultFileSystem small_fs;
  auto small = Database::Open(small_fs.NewStorage(), opts_);
  ASSERT_TRUE(small.ok());
  std::unique_ptr<Database> small_db = std::move(small).value();
  for (Database* db : {db_.get(), small_db.get()}) ASSERT_TRUE(db->CreateIndex("indexed", "n").ok());
  std::mt19937_64 rng(5);
  std::vector<WriteOp> ops;
  for (int i = 0; i < 36000; i++) {
    // Ids repeat inside a batch and across batches. The first two large
    // batches write the plain collection only (their versions become runs);
    // in the third, every other write goes to the indexed collection, whose
    // index updates read the memtable mid-batch.
    const std::string coll = i >= 24000 && i % 2 == 0 ? "indexed" : "plain";
    ops.push_back({coll, "d" + std::to_string(rng() % 9000), "{\"n\":" + std::to_string(rng() % 500) + "}", {}});
  }
  auto write = [&](Database* db, size_t batch) {
    for (size_t at = 0; at < ops.size(); at += batch) {
      std::vector<WriteOp> part(ops.begin() + at, ops.begin() + std::min(ops.size(), at + batch));
      auto vs = db->PutMany(part);
      ASSERT_TRUE(vs.ok()) << vs.status().ToString();
    }
  };
  write(db_.get(), 12000);
  write(small_db.get(), 100);
  auto same = [&](const std::string& when) {
    SCOPED_TRACE(when);
    auto ha = db_->GetHead(), hb = small_db->GetHead();
    ASSERT_TRUE(ha.ok() && hb.ok());
    ASSERT_EQ(ha->seq, hb->seq);
    for (const std::string coll : {"indexed", "plain"}) {
      for (int d = 0; d < 9000; d += 7) {
        const std::string id = "d" + std::to_string(d);
        auto a = db_->History(coll, id), b = small_db->History(coll, id);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->size(), b->size()) << coll << "/" << id;
        for (size_t k = 0; k < a->size(); k++) EXPECT_EQ((*a)[k].hash, (*b)[k].hash);
        for (uint64_t as_of : {uint64_t{5000}, uint64_t{20000}, ha->seq}) {
          ReadOptions ro;
          ro.as_of = as_of;
          auto ga = db_->Get(coll, id, ro), gb = small_db->Get(coll, id, ro);
          ASSERT_TRUE(ga.ok() && gb.ok());
          ASSERT_EQ(ga->has_value(), gb->has_value()) << coll << "/" << id << " as of " << as_of;
          if (ga->has_value()) EXPECT_EQ((**ga).hash, (**gb).hash);
        }
      }
      ListOptions lo;
      lo.as_of = 15000;
      auto la = db_->List(coll, lo), lb = small_db->List(coll, lo);
      ASSERT_TRUE(la.ok() && lb.ok());
      ASSERT_EQ(la->size(), lb->size());
      for (size_t k = 0; k < la->size(); k++) EXPECT_EQ((*la)[k].id, (*lb)[k].id);
    }
    for (const char* q : {"FROM indexed WHERE n = 7", "FROM indexed WHERE n >= 480 ORDER BY n LIMIT 50"}) {
      auto qa = db_->Query(q), qb = small_db->Query(q);
      ASSERT_TRUE(qa.ok() && qb.ok()) << q;
      EXPECT_EQ(qa->rows, qb->rows) << q;
      EXPECT_FALSE(qa->rows.empty()) << q;
    }
  };
  same("after the load");
  // Single writes on top: the tree and the runs together.
  for (int i = 0; i < 50; i++) {
    for (Database* db : {db_.get(), small_db.get()}) {
      ASSERT_TRUE(db->Put("plain", "d" + std::to_string(i * 7), "{\"n\":1}").ok());
    }
  }
  same("after single puts");
  Reopen();
  same("after a reopen");
  EXPECT_TRUE(db_->Verify()->ok);
}

TEST_F(DbTest, VersionsReturnsEveryWriteInSeqOrderAcrossCommitsAndReopens) {
  opts_.checkpoint_bytes = 8 * 1024;
  Reopen();
  std::vector<Version> written;
  for (int i = 0; i < 40; i++) {
    if (i % 10 == 3) {
      std::vector<WriteOp> ops;
      for (int j = 0; j < 7; j++) ops.push_back({"s", "b" + std::to_string(j), std::to_string(i * 10 + j), {}});
      auto vs = db_->PutMany(ops);
      ASSERT_TRUE(vs.ok());
      written.insert(written.end(), vs->begin(), vs->end());
    } else if (i % 10 == 7) {
      auto d = db_->Delete("s", "b1");
      ASSERT_TRUE(d.ok());
      written.push_back(*d);
    } else {
      written.push_back(MustPut("s", "k" + std::to_string(i), std::to_string(i)));
    }
    if (i == 20) Reopen();
  }
  for (uint64_t from : {0ull, 1ull, 5ull, 6ull, 30ull, static_cast<unsigned long long>(written.size())}) {
    for (size_t limit : {size_t{1}, size_t{3}, size_t{1000}}) {
      auto vs = db_->Versions(from, limit);
      ASSERT_TRUE(vs.ok()) << vs.status().ToString();
      size_t start = from == 0 ? 0 : from - 1;
      size_t want = std::min(limit, written.size() - start);
      ASSERT_EQ(vs->size(), want) << from << " " << limit;
      for (size_t i = 0; i < want; i++) {
        EXPECT_EQ((*vs)[i].seq, written[start + i].seq);
        EXPECT_EQ((*vs)[i].hash, written[start + i].hash);
        EXPECT_EQ((*vs)[i].data, written[start + i].data);
      }
    }
  }
  auto past = db_->Versions(written.size() + 1, 10);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());
}

TEST_F(DbTest, ListCursorPagesThroughEveryIdOnce) {
  for (int i = 0; i < 25; i++) MustPut("p", "id" + std::to_string(100 + i), "{}");
  ASSERT_TRUE(db_->Delete("p", "id110").ok());
  std::vector<std::string> seen;
  ListOptions lo;
  lo.limit = 4;
  for (;;) {
    auto page = db_->List("p", lo);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (auto& v : *page) seen.push_back(v.id);
    lo.start_after = page->back().id;
  }
  ASSERT_EQ(seen.size(), 24u);
  for (size_t i = 1; i < seen.size(); i++) EXPECT_LT(seen[i - 1], seen[i]);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "id110"), 0);
}

TEST_F(DbTest, ValidTimeIsNormalisedToUtc) {
  WriteOptions o;
  o.valid_from = "2024-05-01T12:00:00+02:00";
  o.valid_to = "2024-06-01";
  Version v = MustPut("vt", "a", "{}", o);
  EXPECT_EQ(v.valid_from, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(v.valid_to, "2024-06-01T00:00:00.000Z");
  auto g = db_->Get("vt", "a");
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->valid_from, v.valid_from);
  EXPECT_EQ((*g)->hash, v.hash);
}

TEST_F(DbTest, CloseThenEveryCallIsClosed) {
  MustPut("c", "d", "1");
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_TRUE(db_->Close().ok());  // idempotent
  EXPECT_EQ(db_->Get("c", "d").status().code(), Code::kClosed);
  EXPECT_EQ(db_->Put("c", "d", "1").status().code(), Code::kClosed);
}

// Reads by hash go through the log: the versions of the active segment's
// last block are read while later commits keep appending to that block
// (its written prefix is cached and reloaded when a read needs more),
// including versions that span blocks.
void ExpectTailReadsExact(Database* db) {
  std::vector<Version> written;
  for (int i = 0; i < 300; i++) {
    const std::string pad(i % 37 == 0 ? 70000 : static_cast<size_t>(i * 7 % 300), 'x');
    auto v = db->Put("tail", "d" + std::to_string(i % 50), "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + pad + "\"}");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    written.push_back(*v);
    // The newest, its predecessor and one older version, every time.
    for (size_t back : {size_t{0}, size_t{1}, size_t{17}}) {
      if (back >= written.size()) continue;
      const Version& want = written[written.size() - 1 - back];
      auto got = db->GetByHash(want.hash);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->has_value());
      ASSERT_EQ((*got)->data, want.data) << "version " << written.size() - 1 - back;
      ASSERT_EQ((*got)->seq, want.seq);
    }
  }
  auto report = db->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << (report->problems.empty() ? "" : report->problems.front());
}

TEST_F(DbTest, ReadsOfTheGrowingLogTailAreExact) { ExpectTailReadsExact(db_.get()); }

TEST(DbPosixTest, ReadsOfTheGrowingLogTailAreExact) {
  std::string dir = std::filesystem::temp_directory_path() / ("cairn-db-tail-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "O_DIRECT log" : "buffered log");
    PosixOptions po;
    po.direct_io = direct;
    auto s = OpenPosixStorage(dir, po);
    ASSERT_TRUE(s.ok());
    auto db = Database::Open(std::move(s).value(), Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ExpectTailReadsExact(db->get());
    ASSERT_TRUE((*db)->Close().ok());
    std::filesystem::remove_all(dir);
  }
}

TEST(DbPosixTest, SecondOpenIsLockedAndDataPersists) {
  std::string dir = std::filesystem::temp_directory_path() / ("cairn-db-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  {
    auto s = OpenPosixStorage(dir);
    ASSERT_TRUE(s.ok());
    auto db = Database::Open(std::move(s).value(), Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Put("p", "1", R"({"x":1})").ok());
    auto s2 = OpenPosixStorage(dir);
    ASSERT_TRUE(s2.ok());
    auto db2 = Database::Open(std::move(s2).value(), Options{});
    EXPECT_EQ(db2.status().code(), Code::kLocked);
  }
  {
    auto s = OpenPosixStorage(dir);
    ASSERT_TRUE(s.ok());
    auto db = Database::Open(std::move(s).value(), Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto g = (*db)->Get("p", "1");
    ASSERT_TRUE(g.ok() && g->has_value());
    EXPECT_EQ((*g)->data, R"({"x":1})");
  }
  std::filesystem::remove_all(dir);
}

// Index tables read through the posix backend's mappings (the default)
// answer exactly as through File::Read and the block cache: every current
// and AS OF read, history and list, over many tables. A byte flipped in a
// table on disk is reported by the reads that reach it and by Verify.
TEST(DbPosixTest, MappedTableReadsMatchReadsThroughTheCache) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("cairn-db-mmap-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto open = [&](bool mmap_reads) {
    Options o;
    o.mmap_reads = mmap_reads;
    o.checkpoint_bytes = 32 * 1024;
    o.segment_bytes = 128 * 1024;
    auto s = OpenPosixStorage(dir);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    auto db = Database::Open(std::move(s).value(), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  };
  uint64_t last_seq = 0;
  {
    auto db = open(true);
    ASSERT_NE(db, nullptr);
    std::mt19937_64 rng(7);
    for (int round = 0; round < 40; round++) {
      std::vector<WriteOp> ops;
      for (int i = 0; i < 50; i++) {
        ops.push_back({"m", "k" + std::to_string(rng() % 400),
                       "{\"r\":" + std::to_string(round) + ",\"pad\":\"" +
                           std::string(rng() % 300, 'p') + "\"}",
                       {}});
      }
      auto put = db->PutMany(ops);
      ASSERT_TRUE(put.ok()) << put.status().ToString();
      last_seq = put->back().seq;
      if (round % 7 == 3) ASSERT_TRUE(db->Delete("m", ops[0].id).ok());
    }
    ASSERT_TRUE(db->Checkpoint().ok());
    ASSERT_GT(db->GetStats().checkpoint_tables, 1u);
    ASSERT_TRUE(db->Close().ok());
  }
  // Everything a reader can ask, one way and then the other.
  auto read_all = [&](Database* db) {
    std::vector<std::string> out;
    auto head = db->GetHead();
    EXPECT_TRUE(head.ok());
    for (int k = 0; k < 400; k++) {
      const std::string id = "k" + std::to_string(k);
      for (uint64_t at : {uint64_t{1}, last_seq / 4, last_seq / 2, last_seq, head->seq}) {
        auto g = db->Get("m", id, {at});
        EXPECT_TRUE(g.ok()) << g.status().ToString();
        out.push_back(g.ok() && g->has_value() ? (*g)->hash.ToHex() : "none");
      }
      auto h = db->History("m", id);
      EXPECT_TRUE(h.ok());
      for (const Version& v : *h) out.push_back(std::to_string(v.seq) + v.data);
    }
    auto l = db->List("m", {last_seq / 2, SIZE_MAX, 0});
    EXPECT_TRUE(l.ok());
    for (const Version& v : *l) out.push_back(v.id);
    return out;
  };
  std::vector<std::string> mapped, unmapped;
  {
    auto db = open(true);
    ASSERT_NE(db, nullptr);
    mapped = read_all(db.get());
    auto report = db->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok);
  }
  {
    auto db = open(false);
    ASSERT_NE(db, nullptr);
    unmapped = read_all(db.get());
  }
  EXPECT_GT(mapped.size(), 2000u);
  EXPECT_EQ(mapped, unmapped);

  // Flip a byte in the middle of the largest table's data.
  std::string table;
  uintmax_t largest = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("checkpoint-", 0) == 0 && e.file_size() > largest) {
      largest = e.file_size();
      table = name;
    }
  }
  ASSERT_FALSE(table.empty());
  {
    std::fstream f(dir + "/" + table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(largest / 3));
    char c = 0;
    f.read(&c, 1);
    c ^= 0x20;
    f.seekp(static_cast<std::streamoff>(largest / 3));
    f.write(&c, 1);
  }
  {
    auto db = open(true);
    ASSERT_NE(db, nullptr);
    int corrupt = 0;
    for (int k = 0; k < 400; k++) {
      auto h = db->History("m", "k" + std::to_string(k));
      if (h.ok()) continue;
      EXPECT_EQ(h.status().code(), Code::kCorruption) << h.status().ToString();
      EXPECT_NE(h.status().message().find(table), std::string::npos) << h.status().ToString();
      corrupt++;
    }
    EXPECT_GT(corrupt, 0) << "no read reached the damaged block";
    auto report = db->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->ok);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn
