// Trace through the public API: a property test against a brute-force walk
// over every version, across checkpoints and reopens, plus the edge cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>

#include "cairn/db.h"
#include "storage-backends/fault/fault_storage.h"

namespace cairn {
namespace {

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), opts_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  Version MustPut(const std::string& id, const std::vector<Hash>& causes) {
    WriteOptions o;
    o.caused_by = causes;
    auto v = db_->Put("events", id, "{\"n\":" + std::to_string(counter_++) + "}", o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Version{};
  }
  std::vector<std::pair<std::string, uint32_t>> Walk(const Hash& from, const TraceOptions& o) {
    auto r = db_->Trace(from, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::pair<std::string, uint32_t>> out;
    if (r.ok()) {
      for (const TraceEntry& e : *r) out.emplace_back(e.version.hash.ToHex(), e.depth);
    }
    return out;
  }

  Options opts_;
  FaultFileSystem fs_;
  std::unique_ptr<Database> db_;
  int counter_ = 0;
};

TEST_F(TraceTest, WalksCausesAndEffectsBreadthFirst) {
  Version a = MustPut("a", {});
  Version b = MustPut("b", {a.hash});
  Version c = MustPut("c", {a.hash});
  Version d = MustPut("d", {c.hash, b.hash});
  auto causes = Walk(d.hash, {});
  std::vector<std::pair<std::string, uint32_t>> want = {
      {d.hash.ToHex(), 0}, {c.hash.ToHex(), 1}, {b.hash.ToHex(), 1}, {a.hash.ToHex(), 2}};
  EXPECT_EQ(causes, want);  // caused_by order within a level; a only once

  TraceOptions rev;
  rev.reverse = true;
  auto effects = Walk(a.hash, rev);
  want = {{a.hash.ToHex(), 0}, {b.hash.ToHex(), 1}, {c.hash.ToHex(), 1}, {d.hash.ToHex(), 2}};
  EXPECT_EQ(effects, want);  // seq order within a level

  rev.depth = 1;
  EXPECT_EQ(Walk(a.hash, rev).size(), 3u);
  rev.depth = 0;
  EXPECT_EQ(Walk(a.hash, rev).size(), 1u);
  rev.depth = SIZE_MAX;
  rev.limit = 2;
  want = {{a.hash.ToHex(), 0}, {b.hash.ToHex(), 1}};
  EXPECT_EQ(Walk(a.hash, rev), want);
  rev.limit = 0;
  EXPECT_TRUE(Walk(a.hash, rev).empty());

  rev.limit = SIZE_MAX;
  rev.as_of = c.seq;  // d does not exist yet
  want = {{a.hash.ToHex(), 0}, {b.hash.ToHex(), 1}, {c.hash.ToHex(), 1}};
  EXPECT_EQ(Walk(a.hash, rev), want);
}

TEST_F(TraceTest, ErrorsNameTheProblem) {
  Version a = MustPut("a", {});
  Version b = MustPut("b", {a.hash});
  Hash unknown = Hash::Of("nothing");
  auto r = db_->Trace(unknown);
  ASSERT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find(unknown.ToHex()), std::string::npos);
  TraceOptions o;
  o.as_of = a.seq;
  r = db_->Trace(b.hash, o);  // b is later than the snapshot
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  o.as_of = 99;
  r = db_->Trace(a.hash, o);
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("beyond the latest seq"), std::string::npos);
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_EQ(db_->Trace(a.hash).status().code(), Code::kClosed);
}

TEST_F(TraceTest, TombstonesAndRewritesKeepTheirLinks) {
  Version a = MustPut("a", {});
  Version b = MustPut("b", {a.hash});
  WriteOptions o;
  o.caused_by = {b.hash};
  auto del = db_->Delete("events", "a", o);
  ASSERT_TRUE(del.ok());
  TraceOptions rev;
  rev.reverse = true;
  std::vector<std::pair<std::string, uint32_t>> want = {
      {a.hash.ToHex(), 0}, {b.hash.ToHex(), 1}, {del->hash.ToHex(), 2}};
  EXPECT_EQ(Walk(a.hash, rev), want);
}

// Brute force: every version from Versions(), edges from caused_by, BFS by
// the documented order. Compared for random DAGs, options and snapshots,
// with part of the index in a checkpoint and after a reopen.
TEST_F(TraceTest, MatchesBruteForceAcrossCheckpointsAndReopens) {
  std::mt19937_64 rng(42);
  std::vector<Version> all;
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 120; i++) {
      std::vector<Hash> causes;
      if (!all.empty()) {
        int n = static_cast<int>(rng() % 4);
        for (int k = 0; k < n; k++) {
          const Hash& h = all[rng() % all.size()].hash;
          if (std::find(causes.begin(), causes.end(), h) == causes.end()) causes.push_back(h);
        }
      }
      all.push_back(MustPut(std::to_string(rng() % 50), causes));
    }
    if (round == 0) ASSERT_TRUE(db_->Checkpoint().ok());
    if (round == 1) Reopen();
  }
  auto versions = db_->Versions(1, SIZE_MAX);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), all.size());
  std::map<Hash, const Version*> by_hash;
  for (const Version& v : *versions) by_hash[v.hash] = &v;

  auto brute = [&](const Hash& from, const TraceOptions& o) {
    const uint64_t as_of = o.as_of.value_or(UINT64_MAX);
    std::vector<std::pair<std::string, uint32_t>> out;
    if (o.limit == 0) return out;
    std::set<Hash> seen{from};
    out.emplace_back(from.ToHex(), 0);
    std::deque<std::pair<Hash, uint32_t>> queue{{from, 0}};
    while (!queue.empty() && out.size() < o.limit) {
      auto [h, d] = queue.front();
      queue.pop_front();
      if (d >= o.depth) break;
      std::vector<const Version*> next;
      if (!o.reverse) {
        for (const Hash& c : by_hash[h]->caused_by) next.push_back(by_hash[c]);
      } else {
        for (const Version& v : *versions) {  // already in seq order
          if (std::find(v.caused_by.begin(), v.caused_by.end(), h) != v.caused_by.end()) {
            next.push_back(&v);
          }
        }
      }
      for (const Version* v : next) {
        if (v->seq > as_of || !seen.insert(v->hash).second) continue;
        if (out.size() == o.limit) break;
        out.emplace_back(v->hash.ToHex(), d + 1);
        queue.emplace_back(v->hash, d + 1);
      }
    }
    return out;
  };

  for (int q = 0; q < 400; q++) {
    const Version& start = all[rng() % all.size()];
    TraceOptions o;
    o.reverse = rng() % 2;
    if (rng() % 3 == 0) o.depth = rng() % 4;
    if (rng() % 3 == 0) o.limit = rng() % 10;
    if (rng() % 3 == 0) o.as_of = start.seq + rng() % (all.size() - start.seq + 1);
    ASSERT_EQ(Walk(start.hash, o), brute(start.hash, o))
        << "from seq " << start.seq << " reverse " << o.reverse << " depth " << o.depth
        << " limit " << o.limit;
  }
}

}  // namespace
}  // namespace cairn
