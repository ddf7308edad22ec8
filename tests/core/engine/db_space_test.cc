// Spaces through the public API: box, subscope, count and nearest-neighbour
// queries, AS OF and branches, property-tested against a brute-force model
// over random operations (inserts, deletes, re-inserts, branches, merges,
// checkpoints, reopens) in several dimensionalities; diff and merge
// strategies; persistence across power cuts; and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "cairn/db.h"
#include "tests/core/engine/db_test_util.h"
#include "storage-backends/fault/fault_storage.h"
#include "storage-backends/posix/thread_scheduler.h"

namespace cairn {
namespace {

// A brute-force model: every spatial write, and the branches.
struct Model {
  struct Write {
    uint64_t seq;
    std::string branch;
    Point point;
    std::optional<std::string> payload;  // nullopt: a delete
  };
  struct Branch {
    std::string parent;
    uint64_t fork;
  };
  std::vector<Write> writes;
  std::map<std::string, Branch> branches{{"main", {"", 0}}};

  // point -> (seq, payload or tombstone) deciding the view.
  using View = std::map<Point, std::pair<uint64_t, std::optional<std::string>>>;
  View ViewOf(const std::string& branch, uint64_t as_of) const {
    View v;
    if (branch != "main") {
      const Branch& b = branches.at(branch);
      v = ViewOf(b.parent, std::min(as_of, b.fork));
    }
    for (const Write& w : writes) {
      if (w.branch == branch && w.seq <= as_of) v[w.point] = {w.seq, w.payload};
    }
    return v;
  }
  std::map<Point, std::pair<uint64_t, std::string>> Live(const std::string& branch, uint64_t as_of) const {
    std::map<Point, std::pair<uint64_t, std::string>> out;
    for (auto& [p, s] : ViewOf(branch, as_of)) {
      if (s.second) out[p] = {s.first, *s.second};
    }
    return out;
  }
};

bool InBox(const Point& p, const Point& lo, const Point& hi) {
  for (size_t i = 0; i < p.size(); i++) {
    if (p[i] < lo[i] || p[i] > hi[i]) return false;
  }
  return true;
}

class SpaceTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  static SpatialPayload Json(const std::string& s) { return SpatialPayload{s, false}; }
  uint64_t Insert(const std::string& space, const Point& p, const std::string& json,
                  const std::string& branch = "main") {
    auto r = db_->SpaceWrite(space, branch, {SpatialWrite{p, Json(json), false}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->at(0) : 0;
  }
  uint64_t Erase(const std::string& space, const Point& p, const std::string& branch = "main") {
    auto r = db_->SpaceWrite(space, branch, {SpatialWrite{p, {}, true}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->at(0) : 0;
  }
  // The records of a box query, all pages of `page` records.
  std::vector<SpatialRecord> Box(const std::string& space, const Point& lo, const Point& hi,
                                 SpaceReadOptions o = {}, size_t page = SIZE_MAX) {
    std::vector<SpatialRecord> all;
    o.limit = page;
    while (true) {
      auto r = db_->SpaceBox(space, lo, hi, o);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) return all;
      all.insert(all.end(), r->records.begin(), r->records.end());
      if (r->cursor.empty()) return all;
      EXPECT_EQ(r->records.size(), page);
      o.cursor = r->cursor;
    }
  }

  Options opts_;
  FaultFileSystem fs_;
  std::unique_ptr<Database> db_;
};

TEST_F(SpaceTest, InsertQueryReplaceDelete) {
  ASSERT_TRUE(db_->CreateSpace("s", 2, 16).ok());
  const uint64_t a = Insert("s", {10, 20}, R"({"n": 1})");
  Insert("s", {30, 40}, R"({"n": 2})");
  Insert("s", {500, 600}, R"("far")");
  auto r = Box("s", {0, 0}, {100, 100});
  ASSERT_EQ(r.size(), 2u);
  std::set<Point> pts{r[0].point, r[1].point};
  EXPECT_EQ(pts, (std::set<Point>{{10, 20}, {30, 40}}));
  for (const auto& rec : r) {
    if (rec.point == Point{10, 20}) {
      EXPECT_EQ(rec.payload.data, R"({"n":1})");
      EXPECT_EQ(rec.seq, a);
    }
  }
  // Replace: the same coordinates, a new payload.
  const uint64_t b = Insert("s", {10, 20}, R"({"n": 3})");
  r = Box("s", {10, 20}, {10, 20});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].payload.data, R"({"n":3})");
  EXPECT_EQ(r[0].seq, b);
  // AS OF the first insert still sees the old payload.
  SpaceReadOptions o;
  o.as_of = a;
  r = Box("s", {10, 20}, {10, 20}, o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].payload.data, R"({"n":1})");
  // Delete hides it from its seq on; re-insert shows it again.
  const uint64_t d = Erase("s", {10, 20});
  EXPECT_TRUE(Box("s", {10, 20}, {10, 20}).empty());
  o.as_of = d - 1;
  EXPECT_EQ(Box("s", {10, 20}, {10, 20}, o).size(), 1u);
  Insert("s", {10, 20}, "[1,2]");
  r = Box("s", {10, 20}, {10, 20});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].payload.data, "[1,2]");
  // History, newest first, tombstone included.
  auto h = db_->SpaceHistory("s", "main", {10, 20});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 4u);
  EXPECT_FALSE((*h)[0].deleted);
  EXPECT_TRUE((*h)[1].deleted);
  EXPECT_EQ((*h)[3].payload.data, R"({"n":1})");
  // A delete of a point that is not live fails.
  auto bad = db_->SpaceWrite("s", "main", {SpatialWrite{{1, 1}, {}, true}});
  EXPECT_TRUE(bad.status().IsNotFound()) << bad.status().ToString();
}

TEST_F(SpaceTest, BytesPayloadsAndLargePayloads) {
  ASSERT_TRUE(db_->CreateSpace("b", 1, 8).ok());
  std::string bytes;
  for (int i = 0; i < 256; i++) bytes.push_back(static_cast<char>(i));
  ASSERT_TRUE(db_->SpaceWrite("b", "main", {SpatialWrite{{7}, SpatialPayload{bytes, true}, false}}).ok());
  // Over 1 KiB: kept in the log, read by hash.
  std::string big = "\"" + std::string(5000, 'x') + "\"";
  Insert("b", {9}, big);
  for (int round = 0; round < 2; round++) {
    auto r = Box("b", {0}, {255});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(r[0].payload.binary || r[1].payload.binary);
    for (auto& rec : r) {
      if (rec.point == Point{7}) {
        EXPECT_TRUE(rec.payload.binary);
        EXPECT_EQ(rec.payload.data, bytes);
      } else {
        EXPECT_FALSE(rec.payload.binary);
        EXPECT_EQ(rec.payload.data, big);
      }
    }
    ASSERT_TRUE(db_->Checkpoint().ok());
    Reopen();
  }
  auto v = db_->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok);
}

// SpaceBoxEach and SpaceSubscopeEach hand over exactly the records SpaceBox
// and SpaceSubscope return: inline and by-hash payloads, JSON and bytes,
// pages, AS OF and branches. Their callback may use the database, and a
// failing query never calls it.
TEST_F(SpaceTest, EachHandsOverWhatBoxAndSubscopeReturn) {
  ASSERT_TRUE(db_->CreateSpace("e", 2, 16).ok());
  std::string bytes;
  for (int i = 0; i < 256; i++) bytes.push_back(static_cast<char>(i));
  const std::string big_json = "\"" + std::string(3000, 'j') + "\"";
  const std::string big_bytes = std::string(2000, '\x01') + bytes;
  std::vector<SpatialWrite> batch;
  for (uint32_t x = 0; x < 40; x++) {
    for (uint32_t y = 0; y < 5; y++) {
      SpatialPayload p = Json("{\"x\":" + std::to_string(x) + ",\"y\":" + std::to_string(y) + "}");
      if ((x + y) % 7 == 0) p = SpatialPayload{bytes.substr(x), true};
      if (x == 3 && y == 1) p = Json(big_json);    // over 1 KiB: read by hash
      if (x == 5 && y == 2) p = SpatialPayload{big_bytes, true};
      if (x == 6 && y == 0) p = SpatialPayload{"", true};
      batch.push_back(SpatialWrite{{x * 10, y * 100}, p, false});
    }
  }
  std::map<Point, SpatialPayload> live;  // main's points now
  for (const SpatialWrite& w : batch) live[w.point] = w.payload;
  live.erase(Point{100, 200});
  live[Point{110, 300}] = Json(R"({"again":true})");
  auto written = db_->SpaceWrite("e", "main", batch);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const uint64_t loaded = written->back();
  Erase("e", {100, 200});
  Insert("e", {110, 300}, R"({"again":true})");
  ASSERT_TRUE(db_->CreateBranch("e", "b", "main", std::nullopt).ok());
  Insert("e", {120, 400}, R"("on b")", "b");
  Erase("e", {30, 100}, "b");  // the by-hash payload's point, on b only

  auto same = [&](const Result<SpaceQueryResult>& want, const Result<SpaceQueryResult>& got,
                  const std::vector<SpatialRecord>& seen) {
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->records.empty());
    EXPECT_EQ(got->cursor, want->cursor);
    EXPECT_EQ(got->seq, want->seq);
    ASSERT_EQ(seen.size(), want->records.size());
    for (size_t i = 0; i < seen.size(); i++) {
      EXPECT_EQ(seen[i].point, want->records[i].point) << i;
      EXPECT_EQ(seen[i].seq, want->records[i].seq) << i;
      EXPECT_EQ(seen[i].payload.binary, want->records[i].payload.binary) << i;
      EXPECT_EQ(seen[i].payload.data, want->records[i].payload.data) << i;
    }
  };
  auto collect = [](std::vector<SpatialRecord>* seen) {
    return [seen](const SpatialRecordView& r) {
      seen->push_back(SpatialRecord{Point(r.point, r.point + r.dims), r.seq,
                                    SpatialPayload{std::string(r.payload), r.binary}, false});
    };
  };
  size_t big_seen = 0;
  for (int stage = 0; stage < 2; stage++) {
    for (const std::string branch : {"main", "b"}) {
      for (const std::optional<uint64_t> as_of : {std::optional<uint64_t>(), std::optional<uint64_t>(loaded)}) {
        for (const size_t page : {SIZE_MAX, size_t{7}}) {
          SpaceReadOptions o;
          o.branch = branch;
          o.as_of = as_of;
          o.limit = page;
          for (const auto& [lo, hi] : std::vector<std::pair<Point, Point>>{
                   {{0, 0}, {65535, 65535}}, {{25, 50}, {215, 350}}, {{30, 100}, {30, 100}}}) {
            SpaceReadOptions po = o;
            size_t pages = 0;
            while (true) {
              std::vector<SpatialRecord> seen;
              auto got = db_->SpaceBoxEach("e", lo, hi, po, collect(&seen));
              auto want = db_->SpaceBox("e", lo, hi, po);
              same(want, got, seen);
              for (const SpatialRecord& r : seen) big_seen += r.payload.data == big_json || r.payload.data == big_bytes;
              if (branch == "main" && !as_of && page == SIZE_MAX && lo == Point{0, 0}) {
                // Against what was written, not only against SpaceBox.
                ASSERT_EQ(seen.size(), live.size());
                for (const SpatialRecord& r : seen) {
                  ASSERT_TRUE(live.count(r.point)) << r.point[0] << "," << r.point[1];
                  EXPECT_EQ(r.payload.binary, live[r.point].binary) << r.point[0] << "," << r.point[1];
                  EXPECT_EQ(r.payload.data, live[r.point].data) << r.point[0] << "," << r.point[1];
                }
              }
              if (!want.ok() || want->cursor.empty() || ++pages > 100) break;
              po.cursor = want->cursor;
            }
          }
          for (const Point& prefix : {Point{}, Point{30}, Point{50}, Point{110, 300}}) {
            std::vector<SpatialRecord> seen;
            same(db_->SpaceSubscope("e", prefix, o), db_->SpaceSubscopeEach("e", prefix, o, collect(&seen)), seen);
          }
        }
      }
    }
    ASSERT_TRUE(db_->Compact().ok());
    Reopen();
  }
  EXPECT_GT(big_seen, 0u);

  // The callback may call the database: the index is no longer held.
  size_t calls = 0;
  auto r = db_->SpaceBoxEach("e", {0, 0}, {95, 0}, {}, [&](const SpatialRecordView& v) {
    auto n = db_->SpaceCount("e", Point(v.point, v.point + v.dims), Point(v.point, v.point + v.dims));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1u);
    calls++;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(calls, 10u);

  // A failing query never calls it.
  auto never = [](const SpatialRecordView&) { ADD_FAILURE() << "called"; };
  EXPECT_TRUE(db_->SpaceBoxEach("nope", {0, 0}, {1, 1}, {}, never).status().IsNotFound());
  EXPECT_EQ(db_->SpaceBoxEach("e", {0}, {1}, {}, never).status().code(), Code::kInvalidArgument);
  SpaceReadOptions bad;
  bad.cursor = "zz";
  EXPECT_EQ(db_->SpaceBoxEach("e", {0, 0}, {1, 1}, bad, never).status().code(), Code::kInvalidArgument);
  bad = {};
  bad.branch = "missing";
  EXPECT_TRUE(db_->SpaceSubscopeEach("e", {1}, bad, never).status().IsNotFound());
  EXPECT_EQ(db_->SpaceSubscopeEach("e", {1, 2, 3}, {}, never).status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_EQ(db_->SpaceBoxEach("e", {0, 0}, {1, 1}, {}, never).status().code(), Code::kClosed);
  EXPECT_EQ(db_->SpaceSubscopeEach("e", {}, {}, never).status().code(), Code::kClosed);
}

TEST_F(SpaceTest, SubscopeAndNearest) {
  ASSERT_TRUE(db_->CreateSpace("g", 3, 10).ok());
  std::vector<SpatialWrite> ops;
  for (uint32_t x = 0; x < 6; x++) {
    for (uint32_t y = 0; y < 6; y++) {
      ops.push_back(SpatialWrite{{x * 7, y * 5, (x + y) % 4}, Json(std::to_string(x * 10 + y)), false});
    }
  }
  ASSERT_TRUE(db_->SpaceWrite("g", "main", ops).ok());
  auto sub = db_->SpaceSubscope("g", {14}, {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->records.size(), 6u);
  for (auto& r : sub->records) EXPECT_EQ(r.point[0], 14u);
  sub = db_->SpaceSubscope("g", {14, 10}, {});
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(sub->records.size(), 1u);
  EXPECT_EQ(sub->records[0].payload.data, "22");
  sub = db_->SpaceSubscope("g", {}, {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->records.size(), 36u);
  auto nn = db_->SpaceNearest("g", {15, 11, 0}, 3);
  ASSERT_TRUE(nn.ok()) << nn.status().ToString();
  ASSERT_EQ(nn->size(), 3u);
  EXPECT_EQ((*nn)[0].record.point, (Point{14, 10, 0}));
  EXPECT_NEAR((*nn)[0].distance, std::sqrt(2.0), 1e-9);
  EXPECT_LE((*nn)[0].distance, (*nn)[1].distance);
  EXPECT_LE((*nn)[1].distance, (*nn)[2].distance);
  auto count = db_->SpaceCount("g", {0, 0, 0}, {20, 1023, 1023});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 18u);
}

TEST_F(SpaceTest, BranchesDiffAndMergeStrategies) {
  ASSERT_TRUE(db_->CreateSpace("m", 2, 8).ok());
  Insert("m", {1, 1}, "1");
  Insert("m", {2, 2}, "2");
  Insert("m", {3, 3}, "3");
  auto br = db_->CreateBranch("m", "dev", "main", std::nullopt);
  ASSERT_TRUE(br.ok()) << br.status().ToString();
  // The branch sees main as of its fork, plus its own writes.
  Insert("m", {4, 4}, "4", "dev");
  Insert("m", {2, 2}, "\"dev\"", "dev");
  Erase("m", {3, 3}, "dev");
  Insert("m", {5, 5}, "5");  // main only
  Insert("m", {1, 1}, "\"main\"");
  SpaceReadOptions dev;
  dev.branch = "dev";
  auto d = Box("m", {0, 0}, {255, 255}, dev);
  std::map<Point, std::string> got;
  for (auto& r : d) got[r.point] = r.payload.data;
  EXPECT_EQ(got, (std::map<Point, std::string>{{{1, 1}, "1"}, {{2, 2}, "\"dev\""}, {{4, 4}, "4"}}));
  EXPECT_EQ(Box("m", {0, 0}, {255, 255}).size(), 4u);  // main: 1 2 3 5

  auto diff = db_->SpaceDiff("m", "main", "dev");
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->added.size(), 1u);
  EXPECT_EQ(diff->added[0].point, (Point{4, 4}));
  ASSERT_EQ(diff->removed.size(), 2u);  // 3 (deleted on dev), 5 (new on main)
  ASSERT_EQ(diff->changed.size(), 2u);  // 1 (main changed), 2 (dev changed)

  // Conflicts: none yet (1 changed only on main, 2 only on dev).
  Insert("m", {2, 2}, "\"main2\"");  // now 2 changed on both
  auto report = db_->MergeBranch("m", "dev", "main", MergeStrategy::kReport);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->conflicts.size(), 1u);
  EXPECT_EQ(report->conflicts[0].point, (Point{2, 2}));
  EXPECT_EQ(report->applied, 0u);
  EXPECT_EQ(Box("m", {4, 4}, {4, 4}).size(), 0u);  // nothing written

  auto keep = db_->MergeBranch("m", "dev", "main", MergeStrategy::kPreferTarget);
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->applied, 2u);  // 4 added, 3 deleted
  got.clear();
  for (auto& r : Box("m", {0, 0}, {255, 255})) got[r.point] = r.payload.data;
  EXPECT_EQ(got, (std::map<Point, std::string>{
                     {{1, 1}, "\"main\""}, {{2, 2}, "\"main2\""}, {{4, 4}, "4"}, {{5, 5}, "5"}}));
  // After that merge, the source side (dev) still differs on 2: prefer source now.
  auto take = db_->MergeBranch("m", "dev", "main", MergeStrategy::kPreferSource);
  ASSERT_TRUE(take.ok());
  auto two = Box("m", {2, 2}, {2, 2});
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].payload.data, "\"dev\"");

  // Latest wins: a later write on dev beats an earlier one on main.
  Insert("m", {9, 9}, "\"m\"");
  ASSERT_TRUE(db_->CreateBranch("m", "b2", "main", std::nullopt).ok());
  Insert("m", {9, 9}, "\"main-later?\"");
  Insert("m", {9, 9}, "\"b2-latest\"", "b2");
  auto lw = db_->MergeBranch("m", "b2", "main", MergeStrategy::kLatestWins);
  ASSERT_TRUE(lw.ok());
  auto nine = Box("m", {9, 9}, {9, 9});
  ASSERT_EQ(nine.size(), 1u);
  EXPECT_EQ(nine[0].payload.data, "\"b2-latest\"");

  // Branches persist across reopen; stats count them.
  Reopen();
  Stats st = db_->GetStats();
  EXPECT_EQ(st.spaces, 1u);
  EXPECT_EQ(st.space_branches, 2u);
  ASSERT_TRUE(db_->Checkpoint().ok());
  EXPECT_GE(db_->GetStats().checkpoint_tables, 1u);
  auto list = db_->Branches("m");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  d = Box("m", {0, 0}, {255, 255}, dev);
  EXPECT_EQ(d.size(), 3u);
  // Drop rules.
  EXPECT_FALSE(db_->DropBranch("m", "main").ok());
  ASSERT_TRUE(db_->DropBranch("m", "dev").ok());
  auto gone = db_->SpaceBox("m", {0, 0}, {1, 1}, dev);
  EXPECT_TRUE(gone.status().IsNotFound());
}

// A spatial batch of 8,192 writes or more takes the memtable's sorted path
// (its version and 'S' entries become sorted runs). The same writes in
// batches of 10,000 and of 100 must answer every query the same: boxes now
// and as of earlier seqs, histories, counts, after a checkpoint and a reopen.
TEST_F(SpaceTest, LargeBatchesAnswerLikeSmallOnes) {
  FaultFileSystem small_fs;
  auto small = Database::Open(small_fs.NewStorage(), opts_);
  ASSERT_TRUE(small.ok());
  std::unique_ptr<Database> small_db = std::move(small).value();
  for (Database* db : {db_.get(), small_db.get()}) ASSERT_TRUE(db->CreateSpace("s", 2, 10).ok());
  // Inserts over a 64 x 64 grid, so points are replaced inside and across
  // batches; later batches also delete points live before them.
  std::mt19937_64 rng(11);
  std::vector<SpatialWrite> ops;
  std::set<Point> live;
  for (int i = 0; i < 30000; i++) {
    Point p{static_cast<uint32_t>(rng() % 64), static_cast<uint32_t>(rng() % 64)};
    // A delete needs the point live just before it, in either batching.
    const bool erase = i >= 10000 && live.count(p) > 0 && rng() % 4 == 0;
    ops.push_back(SpatialWrite{p, Json("{\"i\":" + std::to_string(i) + "}"), erase});
    if (erase) {
      live.erase(p);
    } else {
      live.insert(p);
    }
  }
  auto write = [&](Database* db, size_t batch, std::vector<uint64_t>* seqs) {
    for (size_t at = 0; at < ops.size(); at += batch) {
      std::vector<SpatialWrite> part(ops.begin() + at, ops.begin() + std::min(ops.size(), at + batch));
      auto r = db->SpaceWrite("s", "main", part);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      seqs->insert(seqs->end(), r->begin(), r->end());
    }
  };
  std::vector<uint64_t> big_seqs, small_seqs;
  write(db_.get(), 10000, &big_seqs);
  write(small_db.get(), 100, &small_seqs);
  ASSERT_EQ(big_seqs, small_seqs);
  auto same = [&](const std::string& when) {
    SCOPED_TRACE(when);
    for (int q = 0; q < 60; q++) {
      const uint32_t x = static_cast<uint32_t>(rng() % 64), y = static_cast<uint32_t>(rng() % 64);
      const Point lo{x, y}, hi{std::min<uint32_t>(63, x + static_cast<uint32_t>(rng() % 20)),
                               std::min<uint32_t>(63, y + static_cast<uint32_t>(rng() % 20))};
      SpaceReadOptions o;
      if (q % 3 == 1) o.as_of = big_seqs[rng() % big_seqs.size()];
      auto a = db_->SpaceBox("s", lo, hi, o), b = small_db->SpaceBox("s", lo, hi, o);
      ASSERT_TRUE(a.ok() && b.ok());
      ASSERT_EQ(a->records.size(), b->records.size());
      for (size_t k = 0; k < a->records.size(); k++) {
        EXPECT_EQ(a->records[k].point, b->records[k].point);
        EXPECT_EQ(a->records[k].seq, b->records[k].seq);
        EXPECT_EQ(a->records[k].payload.data, b->records[k].payload.data);
      }
      auto ha = db_->SpaceHistory("s", "main", lo), hb = small_db->SpaceHistory("s", "main", lo);
      ASSERT_TRUE(ha.ok() && hb.ok());
      ASSERT_EQ(ha->size(), hb->size());
      for (size_t k = 0; k < ha->size(); k++) EXPECT_EQ((*ha)[k].seq, (*hb)[k].seq);
    }
    auto ca = db_->SpaceCount("s", Point{0, 0}, Point{63, 63}), cb = small_db->SpaceCount("s", Point{0, 0}, Point{63, 63});
    ASSERT_TRUE(ca.ok() && cb.ok());
    EXPECT_EQ(*ca, *cb);
    EXPECT_GT(*ca, 0u);
  };
  same("in the memtable");
  ASSERT_TRUE(db_->Checkpoint().ok());
  same("after a checkpoint");
  Reopen();
  same("after a reopen");
}

// After a checkpoint, box queries pass over table blocks whose bounding box
// misses the query (Stats::space_blocks_skipped), and still answer exactly:
// thin lines, small and large boxes, subscopes, AS OF, on main and on a
// branch whose view mixes its own entries with main's, in two spaces.
TEST_F(SpaceTest, BlockBoxesPassOverBlocksWithoutLosingPoints) {
  ASSERT_TRUE(db_->CreateSpace("s", 2, 12).ok());
  ASSERT_TRUE(db_->CreateSpace("t", 3, 12).ok());
  std::mt19937_64 rng(5);
  Model m;
  auto write = [&](const std::string& branch, int n, bool deletes) {
    std::vector<SpatialWrite> ops;
    std::set<Point> in_batch;
    const auto live = m.Live(branch, db_->GetHead()->seq);
    for (int i = 0; i < n; i++) {
      Point p{static_cast<uint32_t>(rng() % 4096), static_cast<uint32_t>(rng() % 4096)};
      if (deletes && !live.empty() && rng() % 3 == 0) {
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        if (!in_batch.insert(it->first).second) continue;
        ops.push_back(SpatialWrite{it->first, {}, true});
        continue;
      }
      if (!in_batch.insert(p).second) continue;
      ops.push_back(SpatialWrite{p, Json(std::to_string(i)), false});
    }
    auto r = db_->SpaceWrite("s", branch, ops);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (size_t i = 0; i < ops.size(); i++) {
      m.writes.push_back({(*r)[i], branch, ops[i].point,
                          ops[i].is_delete ? std::nullopt : std::optional<std::string>(ops[i].payload.data)});
    }
  };
  write("main", 20000, false);
  // Points of another space share the tables.
  std::vector<SpatialWrite> other;
  for (int i = 0; i < 3000; i++) {
    other.push_back(SpatialWrite{Point{static_cast<uint32_t>(i), static_cast<uint32_t>(i % 7), 1}, Json("1"), false});
  }
  ASSERT_TRUE(db_->SpaceWrite("t", "main", other).ok());
  const uint64_t fork = db_->GetHead()->seq;
  ASSERT_TRUE(db_->CreateBranch("s", "b", "main", fork).ok());
  m.branches["b"] = {"main", fork};
  write("b", 3000, true);
  write("main", 3000, true);
  const uint64_t mid = db_->GetHead()->seq;
  write("main", 2000, true);

  // `in_tables`: everything is in one checkpoint table, so queries take at
  // most 16 key ranges and pass over blocks; otherwise the memtable holds
  // everything (over 4 MiB of it), and queries take up to 64 ranges.
  auto check = [&](const std::string& when, bool in_tables) {
    SCOPED_TRACE(when);
    const uint64_t head = db_->GetHead()->seq;
    const uint64_t skipped_before = db_->GetStats().space_blocks_skipped;
    for (int q = 0; q < 120; q++) {
      const uint32_t x = static_cast<uint32_t>(rng() % 4096), y = static_cast<uint32_t>(rng() % 4096);
      const uint32_t w = q % 3 == 0 ? 0 : static_cast<uint32_t>(rng() % (q % 3 == 1 ? 64 : 1024));
      const uint32_t h = q % 4 == 0 ? 4095 : static_cast<uint32_t>(rng() % 512);
      const Point lo{x, q % 4 == 0 ? 0 : y}, hi{std::min(4095u, x + w), std::min(4095u, (q % 4 == 0 ? 0 : y) + h)};
      SpaceReadOptions o;
      o.branch = q % 5 == 1 ? "b" : "main";
      o.as_of = q % 2 ? head : mid;
      std::vector<std::pair<Point, uint64_t>> want, got;
      for (const auto& [p, v] : m.Live(o.branch, *o.as_of)) {
        if (InBox(p, lo, hi)) want.emplace_back(p, v.first);
      }
      for (const SpatialRecord& r : Box("s", lo, hi, o)) got.emplace_back(r.point, r.seq);
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, want) << "query " << q;
      if (q % 4 == 0) {
        // The same line as a subscope.
        auto sub = db_->SpaceSubscope("s", Point{x}, o);
        ASSERT_TRUE(sub.ok()) << sub.status().ToString();
        std::vector<std::pair<Point, uint64_t>> got_sub;
        for (const SpatialRecord& r : sub->records) {
          if (r.point[0] <= hi[0]) got_sub.emplace_back(r.point, r.seq);
        }
        std::sort(got_sub.begin(), got_sub.end());
        std::vector<std::pair<Point, uint64_t>> want_line;
        for (const auto& e : want) {
          if (e.first[0] == x) want_line.push_back(e);
        }
        ASSERT_EQ(got_sub, want_line) << "subscope " << q;
      }
    }
    if (in_tables) {
      EXPECT_GT(db_->GetStats().space_blocks_skipped, skipped_before + 1000);
    } else {
      EXPECT_EQ(db_->GetStats().space_blocks_skipped, skipped_before);
    }
  };
  ASSERT_EQ(db_->GetStats().checkpoint_tables, 0u);
  check("in the memtable", false);
  ASSERT_TRUE(db_->Compact().ok());
  ASSERT_EQ(db_->GetStats().checkpoint_tables, 1u);
  ASSERT_EQ(db_->GetStats().memtable_entries, 0u);
  check("after a compaction", true);
  Reopen();
  check("after a reopen", true);
}

// A box that fixes its first coordinate (a subscope, a line) is read from
// the ids of the points written under it when they are few, and by Hilbert
// ranges otherwise. Both must give the same records in the same order: each
// thin query is compared with a wider box (always read by ranges, and
// property-tested below) cut down to the thin one, and with a model of the
// live points, on main and a branch, as of several seqs, across generations
// of the space, paged, before and after a compaction and a reopen.
TEST_F(SpaceTest, ThinBoxesReadFromPointIdsAnswerLikeRangeScans) {
  // An older generation of the space, with points on the lines queried
  // below: dropped, so they must never show.
  ASSERT_TRUE(db_->CreateSpace("t", 2, 16).ok());
  Insert("t", {8, 1}, "0");
  Insert("t", {8, 40000}, "0");
  ASSERT_TRUE(db_->DropSpace("t").ok());
  ASSERT_TRUE(db_->CreateSpace("t", 2, 16).ok());
  std::map<Point, std::string> live;  // main, now
  auto put = [&](const Point& p, const std::string& v, const std::string& branch = "main") {
    const uint64_t seq = Insert("t", p, v, branch);
    if (branch == "main") live[p] = v;
    return seq;
  };
  std::vector<SpatialWrite> many;
  // x = 7: 300 points, more than the ids path takes; x = 70, 700, 7000
  // share its leading digit, and x = 6 and 9 are its neighbours.
  for (uint32_t y = 0; y < 300; y++) many.push_back(SpatialWrite{{7, y * 200}, Json(std::to_string(y)), false});
  for (uint32_t x : {6u, 9u, 70u, 700u, 7000u}) {
    for (uint32_t y = 0; y < 5; y++) many.push_back(SpatialWrite{{x, y * 9000 + x}, Json("1"), false});
  }
  ASSERT_TRUE(db_->SpaceWrite("t", "main", many).ok());
  for (const SpatialWrite& w : many) live[w.point] = w.payload.data;
  // x = 8: 20 points, some deleted and some written again.
  for (uint32_t y = 0; y < 20; y++) put({8, y * 3000 + 5}, std::to_string(y));
  const uint64_t before_deletes = db_->GetHead()->seq;
  for (uint32_t y = 0; y < 20; y += 3) {
    Erase("t", {8, y * 3000 + 5});
    live.erase({8, y * 3000 + 5});
  }
  put({8, 5}, "\"again\"");
  // A branch from here: its own points on x = 8, a delete of one of main's,
  // a point of main's rewritten; then main moves on.
  const uint64_t fork = db_->GetHead()->seq;
  ASSERT_TRUE(db_->CreateBranch("t", "b", "main", fork).ok());
  put({8, 1}, "\"b1\"", "b");
  put({8, 3005}, "\"b2\"", "b");
  Erase("t", {8, 6005}, "b");
  put({8, 9005}, "\"main later\"");
  // (9, 100): one point written 600 times, more versions than the ids path
  // reads; x = 9 keeps its 5 other points.
  uint64_t first_rewrite = 0;
  for (int i = 0; i < 600; i++) {
    const uint64_t seq = put({9, 100}, std::to_string(i));
    if (i == 0) first_rewrite = seq;
  }
  const uint64_t head = db_->GetHead()->seq;
  const uint32_t max = 65535;

  auto check = [&](const std::string& stage) {
    for (const std::string branch : {"main", "b"}) {
      for (uint64_t at : {before_deletes, fork, first_rewrite, head}) {
        SpaceReadOptions o;
        o.branch = branch;
        o.as_of = at;
        for (uint32_t x : {6u, 7u, 8u, 9u, 70u, 100u}) {
          SCOPED_TRACE(stage + " branch " + branch + " as of " + std::to_string(at) + " x " + std::to_string(x));
          // The oracle: a box three wide, by ranges, cut down to x.
          std::vector<SpatialRecord> want;
          for (const SpatialRecord& r : Box("t", {x - 1, 0}, {x + 1, max}, o)) {
            if (r.point[0] == x) want.push_back(r);
          }
          auto same = [&](const std::vector<SpatialRecord>& got, uint32_t ylo, uint32_t yhi) {
            std::vector<SpatialRecord> expect;
            for (const SpatialRecord& r : want) {
              if (r.point[1] >= ylo && r.point[1] <= yhi) expect.push_back(r);
            }
            ASSERT_EQ(got.size(), expect.size());
            for (size_t i = 0; i < got.size(); i++) {
              EXPECT_EQ(got[i].point, expect[i].point) << i;
              EXPECT_EQ(got[i].seq, expect[i].seq) << i;
              EXPECT_EQ(got[i].payload.data, expect[i].payload.data) << i;
            }
          };
          auto sub = db_->SpaceSubscope("t", {x}, o);
          ASSERT_TRUE(sub.ok()) << sub.status().ToString();
          same(sub->records, 0, max);
          same(Box("t", {x, 0}, {x, max}, o), 0, max);
          same(Box("t", {x, 0}, {x, max}, o, 7), 0, max);  // paged
          same(Box("t", {x, 3000}, {x, 30000}, o), 3000, 30000);
          auto count = db_->SpaceCount("t", {x, 0}, {x, max}, o);
          ASSERT_TRUE(count.ok());
          EXPECT_EQ(*count, want.size());
          // A whole point: the exact id.
          for (const uint32_t y : {5u, 100u, 3005u}) {
            auto one = db_->SpaceSubscope("t", {x, y}, o);
            ASSERT_TRUE(one.ok());
            same(one->records, y, y);
          }
        }
      }
    }
    // And main now against the model.
    for (uint32_t x : {6u, 7u, 8u, 9u, 70u, 700u, 7000u}) {
      auto sub = db_->SpaceSubscope("t", {x});
      ASSERT_TRUE(sub.ok());
      std::map<Point, std::string> got, expect;
      for (const SpatialRecord& r : sub->records) got[r.point] = r.payload.data;
      for (const auto& [p, v] : live) {
        if (p[0] == x) expect[p] = v;
      }
      EXPECT_EQ(got, expect) << stage << " x " << x;
    }
    EXPECT_EQ(db_->SpaceSubscope("t", {7})->records.size(), 300u);
  };
  check("unflushed");
  if (HasFatalFailure()) return;
  ASSERT_TRUE(db_->Compact().ok());
  check("compacted");
  if (HasFatalFailure()) return;
  Reopen();
  check("reopened");
}

TEST_F(SpaceTest, BranchFromAnOlderSeqAndFromABranch) {
  ASSERT_TRUE(db_->CreateSpace("h", 1, 8).ok());
  const uint64_t s1 = Insert("h", {1}, "1");
  Insert("h", {2}, "2");
  ASSERT_TRUE(db_->CreateBranch("h", "old", "main", s1).ok());
  SpaceReadOptions o;
  o.branch = "old";
  EXPECT_EQ(Box("h", {0}, {255}, o).size(), 1u);
  Insert("h", {3}, "3", "old");
  ASSERT_TRUE(db_->CreateBranch("h", "sub", "old", std::nullopt).ok());
  Insert("h", {4}, "4", "old");  // after sub forked: sub does not see it
  o.branch = "sub";
  auto r = Box("h", {0}, {255}, o);
  std::set<Point> pts;
  for (auto& x : r) pts.insert(x.point);
  EXPECT_EQ(pts, (std::set<Point>{{1}, {3}}));
  EXPECT_FALSE(db_->DropBranch("h", "old").ok());  // sub forks from it
}

// A batch of inserts is prepared (points checked, payloads canonicalized)
// on the scheduler's helpers too: the versions must be exactly those of
// preparing it in order, and a bad batch must name its first bad item
// whichever thread met it, and write nothing.
TEST_F(SpaceTest, InsertBatchesPreparedOnHelpersMatchInOrderPreparation) {
  // Both clocks give the same times, so equal versions hash alike.
  struct FixedClock final : Clock {
    int64_t NowMillis() override { return now++; }
    int64_t now = 1700000000000;
  } clock, other_clock;
  opts_.clock = &clock;
  Reopen();
  ThreadScheduler helpers(3);  // more helpers than ranges run at once on a small machine
  FaultFileSystem other_fs;
  std::unique_ptr<Database> parallel = OpenWithScheduler(&other_fs, opts_, &helpers, &other_clock);
  ASSERT_TRUE(parallel);
  for (Database* db : {db_.get(), parallel.get()}) ASSERT_TRUE(db->CreateSpace("s", 2, 16).ok());

  std::mt19937_64 rng(23);
  std::map<Point, std::string> model;  // the payloads as stored (canonical)
  for (int batch = 0; batch < 4; batch++) {
    std::vector<SpatialWrite> ops;
    for (int i = 0; i < 3000; i++) {
      Point p{static_cast<uint32_t>(rng() % 200), static_cast<uint32_t>(rng() % 200)};
      if (i % 7 == 0) {
        ops.push_back(SpatialWrite{p, SpatialPayload{std::string("b\0") + std::to_string(i), true}, false});
        model[p] = std::string("b\0") + std::to_string(i);
      } else {
        // Keys out of order and numbers to canonicalize.
        ops.push_back(SpatialWrite{p, Json("{ \"z\": 1e2, \"a\": " + std::to_string(i) + ".50 }"), false});
        model[p] = "{\"a\":" + std::to_string(i) + ".5,\"z\":100}";
      }
    }
    auto a = db_->SpaceWrite("s", "main", ops);
    auto b = parallel->SpaceWrite("s", "main", ops);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
    EXPECT_EQ(*a, *b);
  }
  // The same versions: the heads chain every version's hash.
  EXPECT_EQ(db_->GetHead()->head, parallel->GetHead()->head);
  auto all = parallel->SpaceBox("s", {0, 0}, {65535, 65535});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->records.size(), model.size());
  for (const SpatialRecord& r : all->records) EXPECT_EQ(r.payload.data, model.at(r.point));

  const Hash head = parallel->GetHead()->head;
  for (size_t first_bad : {0u, 63u, 64u, 1500u, 2999u}) {
    std::vector<SpatialWrite> ops;
    for (uint32_t i = 0; i < 3000; i++) ops.push_back(SpatialWrite{{i % 300, 201 + i / 300}, Json("1"), false});
    ops[first_bad].payload = Json("{bad");
    if (first_bad + 700 < ops.size()) ops[first_bad + 700].point = {1, 70000};
    if (first_bad + 1 < ops.size()) ops[first_bad + 1].point = {1, 2, 3};
    auto r = parallel->SpaceWrite("s", "main", ops);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError) << r.status().ToString();
    EXPECT_EQ(r.status().message().rfind("batch item " + std::to_string(first_bad) + ": point [", 0), 0u)
        << r.status().message();
  }
  EXPECT_EQ(parallel->GetHead()->head, head);
  auto none = parallel->SpaceBox("s", {0, 201}, {65535, 65535});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->records.empty());
  db_.reset();  // before its clock goes
}

TEST_F(SpaceTest, BadInput) {
  EXPECT_FALSE(db_->CreateSpace("x", 0, 8).ok());
  EXPECT_FALSE(db_->CreateSpace("x", 17, 8).ok());
  EXPECT_FALSE(db_->CreateSpace("x", 2, 0).ok());
  EXPECT_FALSE(db_->CreateSpace("x", 2, 33).ok());
  EXPECT_FALSE(db_->CreateSpace("../etc", 2, 8).ok());
  EXPECT_FALSE(db_->CreateSpace(std::string(33, 'a'), 2, 8).ok());
  ASSERT_TRUE(db_->CreateSpace("x", 2, 8).ok());
  auto again = db_->CreateSpace("x", 3, 8);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("exists with dims 2"), std::string::npos);
  EXPECT_TRUE(db_->CreateSpace("x", 2, 8).ok());  // idempotent
  // Wrong dimensionality, out of range (never masked), unknown names.
  auto w = db_->SpaceWrite("x", "main", {SpatialWrite{{1, 2, 3}, SpatialPayload{"1", false}, false}});
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
  EXPECT_NE(w.status().message().find("2 dimensions"), std::string::npos) << w.status().ToString();
  w = db_->SpaceWrite("x", "main", {SpatialWrite{{1, 256}, SpatialPayload{"1", false}, false}});
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
  EXPECT_NE(w.status().message().find("axis 1"), std::string::npos) << w.status().ToString();
  w = db_->SpaceWrite("nope", "main", {SpatialWrite{{1, 2}, SpatialPayload{"1", false}, false}});
  EXPECT_TRUE(w.status().IsNotFound());
  w = db_->SpaceWrite("x", "nobranch", {SpatialWrite{{1, 2}, SpatialPayload{"1", false}, false}});
  EXPECT_TRUE(w.status().IsNotFound());
  w = db_->SpaceWrite("x", "main", {SpatialWrite{{1, 2}, SpatialPayload{"{bad", false}, false}});
  EXPECT_EQ(w.status().code(), Code::kParseError);
  // A batch with one bad item writes nothing.
  w = db_->SpaceWrite("x", "main", {SpatialWrite{{1, 2}, SpatialPayload{"1", false}, false},
                                    SpatialWrite{{1, 999}, SpatialPayload{"1", false}, false}});
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("batch item 1: point: coordinate 999 on axis 1"), std::string::npos)
      << w.status().ToString();
  EXPECT_TRUE(Box("x", {0, 0}, {255, 255}).empty());
  // Every kind of bad item names its place in the batch, and only then.
  auto message = [](const Result<std::vector<uint64_t>>& r) { return r.status().message(); };
  const SpatialWrite good{{1, 2}, SpatialPayload{"1", false}, false};
  w = db_->SpaceWrite("x", "main", {good, SpatialWrite{{1, 3}, SpatialPayload{"{bad", false}, false}});
  EXPECT_EQ(w.status().code(), Code::kParseError);
  EXPECT_NE(message(w).find("batch item 1: point [1,3]"), std::string::npos) << message(w);
  w = db_->SpaceWrite("x", "main", {good, SpatialWrite{{3, 3}, {}, true}});
  EXPECT_TRUE(w.status().IsNotFound());
  EXPECT_NE(message(w).find("batch item 1: point [3,3] is not live in x/main"), std::string::npos) << message(w);
  const std::string huge(Options().limits.max_document_bytes / 2 + 1, 'b');
  w = db_->SpaceWrite("x", "main", {good, SpatialWrite{{1, 4}, SpatialPayload{huge, true}, false}});
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
  EXPECT_NE(message(w).find("batch item 1: point: payload of"), std::string::npos) << message(w);
  w = db_->SpaceWrite("x", "main", {SpatialWrite{{3, 3}, {}, true}});
  EXPECT_EQ(message(w).rfind("point [3,3] is not live", 0), 0u) << message(w);
  w = db_->SpaceWrite("x", "main", {SpatialWrite{{1, 999}, SpatialPayload{"1", false}, false}});
  EXPECT_EQ(message(w).rfind("point: coordinate 999", 0), 0u) << message(w);
  EXPECT_TRUE(Box("x", {0, 0}, {255, 255}).empty());
  EXPECT_FALSE(db_->SpaceBox("x", {5, 5}, {4, 9}).ok());  // min above max
  EXPECT_FALSE(db_->SpaceBox("x", {0}, {4, 9}).ok());
  EXPECT_FALSE(db_->SpaceSubscope("x", {1, 2, 3}).ok());
  SpaceReadOptions o;
  o.as_of = 1u << 30;
  EXPECT_FALSE(db_->SpaceBox("x", {0, 0}, {1, 1}, o).ok());
  o.as_of.reset();
  o.cursor = "zz";
  EXPECT_FALSE(db_->SpaceBox("x", {0, 0}, {1, 1}, o).ok());
  EXPECT_FALSE(db_->CreateBranch("x", "main", "main", std::nullopt).ok());
  EXPECT_TRUE(db_->CreateBranch("x", "b", "missing", std::nullopt).status().IsNotFound());
  EXPECT_TRUE(db_->DropSpace("missing").IsNotFound());
  // Users cannot write the system collections behind spaces.
  EXPECT_FALSE(db_->Put("_cairn_point", "x:main:1,1", "{}").ok());
}

TEST_F(SpaceTest, DropAndRecreateStartsEmpty) {
  ASSERT_TRUE(db_->CreateSpace("d", 2, 8).ok());
  Insert("d", {1, 1}, "1");
  ASSERT_TRUE(db_->CreateBranch("d", "b", "main", std::nullopt).ok());
  ASSERT_TRUE(db_->DropSpace("d").ok());
  EXPECT_TRUE(db_->SpaceBox("d", {0, 0}, {1, 1}).status().IsNotFound());
  ASSERT_TRUE(db_->CreateSpace("d", 2, 8).ok());
  EXPECT_TRUE(Box("d", {0, 0}, {255, 255}).empty());
  auto b = db_->Branches("d");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 1u);  // main only
  Reopen();
  EXPECT_TRUE(Box("d", {0, 0}, {255, 255}).empty());
  auto spaces = db_->Spaces();
  ASSERT_TRUE(spaces.ok());
  ASSERT_EQ(spaces->size(), 1u);
}

TEST_F(SpaceTest, AcknowledgedSpatialWritesSurviveAPowerCut) {
  ASSERT_TRUE(db_->CreateSpace("p", 2, 12).ok());
  ASSERT_TRUE(db_->CreateBranch("p", "b", "main", std::nullopt).ok());
  for (uint32_t i = 0; i < 50; i++) Insert("p", {i, i * 3}, std::to_string(i), i % 2 ? "b" : "main");
  fs_.PowerCut();
  Reopen();
  // b forked before any insert: each branch holds exactly its own 25.
  for (const std::string branch : {"main", "b"}) {
    SpaceReadOptions o;
    o.branch = branch;
    auto r = Box("p", {0, 0}, {4095, 4095}, o);
    ASSERT_EQ(r.size(), 25u) << branch;
    for (auto& rec : r) {
      EXPECT_EQ(rec.point[0] % 2, branch == "b" ? 1u : 0u);
      EXPECT_EQ(rec.payload.data, std::to_string(rec.point[0]));
    }
  }
}

// The property test: random operations, every query checked against the model.

class SpacePropertyTest : public SpaceTest, public ::testing::WithParamInterface<std::pair<uint32_t, uint32_t>> {
 public:
  void Run(uint32_t dims, uint32_t bits, int steps, uint64_t seed) {
    std::mt19937_64 rng(seed);
    const uint64_t max = bits == 32 ? UINT32_MAX : (uint64_t{1} << bits) - 1;
    ASSERT_TRUE(db_->CreateSpace("p", dims, bits).ok());
    Model m;
    // Coordinates come from a small pool per axis, so points repeat.
    std::vector<std::vector<uint32_t>> pool(dims);
    for (auto& axis : pool) {
      axis.push_back(0);
      axis.push_back(static_cast<uint32_t>(max));
      for (int i = 0; i < 5; i++) axis.push_back(static_cast<uint32_t>(rng() % (max + 1)));
    }
    auto random_point = [&] {
      Point p(dims);
      for (uint32_t i = 0; i < dims; i++) p[i] = pool[i][rng() % pool[i].size()];
      return p;
    };
    auto random_box = [&](Point* lo, Point* hi) {
      lo->resize(dims);
      hi->resize(dims);
      for (uint32_t i = 0; i < dims; i++) {
        uint32_t a = rng() % 3 ? pool[i][rng() % pool[i].size()] : static_cast<uint32_t>(rng() % (max + 1));
        uint32_t b = rng() % 3 ? pool[i][rng() % pool[i].size()] : static_cast<uint32_t>(rng() % (max + 1));
        if (rng() % 5 == 0) b = a;
        (*lo)[i] = std::min(a, b);
        (*hi)[i] = std::max(a, b);
      }
    };
    std::vector<std::string> names{"main"};
    uint64_t seq = db_->GetHead()->seq;
    for (int step = 0; step < steps; step++) {
      const int op = static_cast<int>(rng() % 100);
      const std::string branch = names[rng() % names.size()];
      if (op < 50) {
        // A batch of 1..4 inserts.
        std::vector<SpatialWrite> ops;
        const int n = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < n; i++) {
          ops.push_back(SpatialWrite{random_point(), SpatialPayload{std::to_string(rng() % 1000), false}, false});
        }
        auto r = db_->SpaceWrite("p", branch, ops);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        for (int i = 0; i < n; i++) m.writes.push_back({(*r)[i], branch, ops[i].point, ops[i].payload.data});
        seq = r->back();
      } else if (op < 70) {
        auto live = m.Live(branch, seq);
        if (live.empty()) continue;
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        auto r = db_->SpaceWrite("p", branch, {SpatialWrite{it->first, {}, true}});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        m.writes.push_back({(*r)[0], branch, it->first, std::nullopt});
        seq = (*r)[0];
      } else if (op < 76 && names.size() < 5) {
        const std::string name = "b" + std::to_string(step);
        const uint64_t at = rng() % 2 ? seq : rng() % (seq + 1);
        auto r = db_->CreateBranch("p", name, branch, at);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        m.branches[name] = {branch, at};
        names.push_back(name);
        seq = r->created_seq;
      } else if (op < 80 && names.size() > 1) {
        // Merge a branch into its parent, preferring the source.
        const std::string src = names[1 + rng() % (names.size() - 1)];
        const std::string dst = m.branches[src].parent;
        // Expected: the three-way rule, from the model.
        const auto S = m.ViewOf(src, seq), T = m.ViewOf(dst, seq);
        const auto B = m.ViewOf(dst, std::min(seq, m.branches[src].fork));
        auto live_of = [](const Model::View& v, const Point& p) -> std::optional<std::string> {
          auto it = v.find(p);
          return it == v.end() ? std::nullopt : it->second.second;
        };
        std::vector<std::pair<Point, std::optional<std::string>>> expect;
        for (auto& [p, s] : S) {
          auto sv = live_of(S, p), tv = live_of(T, p), bv = live_of(B, p);
          if (sv == bv || sv == tv) continue;
          if (!sv && !tv) continue;
          expect.emplace_back(p, sv);
        }
        auto r = db_->MergeBranch("p", src, dst, MergeStrategy::kPreferSource);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_EQ(r->applied, expect.size());
        uint64_t s = r->seq - expect.size();
        for (auto& [p, v] : expect) m.writes.push_back({++s, dst, p, v});
        if (r->seq) seq = r->seq;
      } else if (op < 83) {
        ASSERT_TRUE(db_->Checkpoint().ok());
      } else if (op < 85) {
        Reopen();
      } else {
        // Queries: a box on some branch, now or as of a past seq.
        Point lo, hi;
        random_box(&lo, &hi);
        SpaceReadOptions o;
        o.branch = branch;
        uint64_t at = seq;
        if (rng() % 2) {
          at = rng() % (seq + 1);
          o.as_of = at;
        }
        std::map<Point, std::pair<uint64_t, std::string>> expect;
        for (auto& [p, s] : m.Live(branch, at)) {
          if (InBox(p, lo, hi)) expect[p] = s;
        }
        auto got = Box("p", lo, hi, o, rng() % 2 ? SIZE_MAX : 1 + rng() % 3);
        std::map<Point, std::pair<uint64_t, std::string>> got_map;
        for (auto& r : got) {
          ASSERT_TRUE(got_map.emplace(r.point, std::make_pair(r.seq, r.payload.data)).second) << "duplicate";
        }
        ASSERT_EQ(got_map, expect) << "step " << step << " branch " << branch << " as_of " << at;
        auto count = db_->SpaceCount("p", lo, hi, o);
        ASSERT_TRUE(count.ok());
        ASSERT_EQ(*count, expect.size());
        // Subscope on a leading prefix of a random live point.
        const Point center = random_point();
        const size_t plen = rng() % (dims + 1);
        Point prefix(center.begin(), center.begin() + static_cast<long>(plen));
        auto sub = db_->SpaceSubscope("p", prefix, o);
        ASSERT_TRUE(sub.ok());
        std::map<Point, std::pair<uint64_t, std::string>> sub_want, sub_got;
        for (auto& [p, s] : m.Live(branch, at)) {
          if (std::equal(prefix.begin(), prefix.end(), p.begin())) sub_want[p] = s;
        }
        for (auto& r : sub->records) sub_got[r.point] = {r.seq, r.payload.data};
        ASSERT_EQ(sub->records.size(), sub_got.size()) << "duplicate";
        ASSERT_EQ(sub_got, sub_want) << "step " << step << " subscope of " << plen;
        // Nearest: the k smallest distances agree.
        const size_t k = 1 + rng() % 4;
        auto nn = db_->SpaceNearest("p", center, k, o);
        ASSERT_TRUE(nn.ok()) << nn.status().ToString();
        std::vector<double> dist;
        for (auto& [p, s] : m.Live(branch, at)) {
          double d2 = 0;
          for (uint32_t i = 0; i < dims; i++) {
            const double d = double(p[i]) - double(center[i]);
            d2 += d * d;
          }
          dist.push_back(std::sqrt(d2));
        }
        std::sort(dist.begin(), dist.end());
        dist.resize(std::min(dist.size(), k));
        ASSERT_EQ(nn->size(), dist.size());
        for (size_t i = 0; i < dist.size(); i++) ASSERT_DOUBLE_EQ((*nn)[i].distance, dist[i]);
      }
    }
  }
};

TEST_P(SpacePropertyTest, MatchesBruteForce) {
  const auto [dims, bits] = GetParam();
  for (uint64_t seed = 1; seed <= 3; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    if (seed > 1) {
      ASSERT_TRUE(db_->DropSpace("p").ok());
    }
    Run(dims, bits, 250, seed * 7919 + dims);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Dims, SpacePropertyTest,
                         ::testing::Values(std::make_pair(1u, 8u), std::make_pair(2u, 32u), std::make_pair(2u, 5u),
                                           std::make_pair(3u, 12u), std::make_pair(5u, 7u), std::make_pair(8u, 32u),
                                           std::make_pair(16u, 4u), std::make_pair(16u, 32u)));

}  // namespace
}  // namespace cairn
