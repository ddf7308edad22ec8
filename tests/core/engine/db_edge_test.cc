// Hyperedges through the public API: insert, replace, delete, lookups by
// endpoint and by kind (checked against a scan of every edge), AS OF,
// validity windows, traversal, persistence and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "cairn/db.h"
#include "storage-backends/fault/fault_storage.h"

namespace cairn {
namespace {

class EdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_TRUE(db_->CreateSpace("a", 2, 8).ok());
    ASSERT_TRUE(db_->CreateSpace("b", 3, 8).ok());
  }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(fs_.NewStorage(), Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  static EdgeEndpoint End(std::string space, Point p, std::string role = "",
                          EdgeEndpoint::Direction d = EdgeEndpoint::Direction::kNone) {
    return EdgeEndpoint{std::move(space), std::move(p), std::move(role), d};
  }
  Hyperedge Put(Hyperedge e) {
    auto r = db_->PutEdge(e);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Hyperedge{};
  }
  static std::set<std::string> Ids(const Result<std::vector<Hyperedge>>& r) {
    std::set<std::string> out;
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      for (auto& e : *r) out.insert(e.id);
    }
    return out;
  }
  FaultFileSystem fs_;
  std::unique_ptr<Database> db_;
};

TEST_F(EdgeTest, PutQueryDeleteAsOf) {
  Hyperedge e;
  e.kind = "road";
  e.endpoints = {End("a", {1, 2}, "from", EdgeEndpoint::Direction::kTail),
                 End("a", {3, 4}, "to", EdgeEndpoint::Direction::kHead), End("b", {1, 1, 1}, "via")};
  e.weight = 2.5;
  e.meta = {{"name", "A1"}, {"lanes", "2"}};
  Hyperedge put = Put(e);
  EXPECT_EQ(put.id.size(), 32u);  // derived from content
  EXPECT_GT(put.seq, 0u);
  auto at = db_->EdgesAt("b", {1, 1, 1});
  ASSERT_TRUE(at.ok());
  ASSERT_EQ(at->size(), 1u);
  const Hyperedge& got = (*at)[0];
  EXPECT_EQ(got.kind, "road");
  EXPECT_EQ(got.weight, 2.5);
  ASSERT_EQ(got.endpoints.size(), 3u);
  EXPECT_EQ(got.endpoints[0].role, "from");
  EXPECT_EQ(got.endpoints[0].direction, EdgeEndpoint::Direction::kTail);
  EXPECT_EQ(got.meta, (std::vector<std::pair<std::string, std::string>>{{"lanes", "2"}, {"name", "A1"}}));
  EXPECT_EQ(Ids(db_->EdgesOfKind("road")), std::set<std::string>{put.id});
  EXPECT_TRUE(Ids(db_->EdgesAt("a", {9, 9})).empty());

  // Replace with an id: endpoints move; the old endpoint no longer finds it.
  e.id = put.id;
  e.endpoints[2] = End("b", {2, 2, 2});
  Hyperedge moved = Put(e);
  EXPECT_TRUE(Ids(db_->EdgesAt("b", {1, 1, 1})).empty());
  EXPECT_EQ(Ids(db_->EdgesAt("b", {2, 2, 2})), std::set<std::string>{put.id});
  EdgeQueryOptions old;
  old.as_of = put.seq;
  EXPECT_EQ(Ids(db_->EdgesAt("b", {1, 1, 1}, old)), std::set<std::string>{put.id});
  // Delete; AS OF before it still finds it.
  ASSERT_TRUE(db_->DeleteEdge(put.id).ok());
  EXPECT_TRUE(Ids(db_->EdgesAt("a", {1, 2})).empty());
  EXPECT_TRUE(Ids(db_->EdgesOfKind("road")).empty());
  old.as_of = moved.seq;
  EXPECT_EQ(Ids(db_->EdgesOfKind("road", old)), std::set<std::string>{put.id});
  EXPECT_TRUE(db_->DeleteEdge(put.id).IsNotFound());
  Reopen();
  EXPECT_EQ(Ids(db_->EdgesOfKind("road", old)), std::set<std::string>{put.id});
}

TEST_F(EdgeTest, ValidityWindowInSeqs) {
  Hyperedge e;
  e.kind = "lease";
  e.endpoints = {End("a", {1, 1}), End("a", {2, 2})};
  const uint64_t now = db_->GetHead()->seq;
  e.valid_from = now + 3;
  e.valid_to = now + 5;
  Put(e);  // seq now+1
  EXPECT_TRUE(Ids(db_->EdgesAt("a", {1, 1})).empty());  // not yet valid
  Put(Hyperedge{"", "filler", {End("a", {7, 7}), End("a", {8, 8})}});  // now+2
  Put(Hyperedge{"", "filler", {End("a", {7, 7}), End("a", {9, 9})}});  // now+3
  EXPECT_EQ(Ids(db_->EdgesAt("a", {1, 1})).size(), 1u);
  Put(Hyperedge{"", "filler", {End("a", {7, 7}), End("a", {6, 6})}});  // now+4
  Put(Hyperedge{"", "filler", {End("a", {7, 7}), End("a", {5, 5})}});  // now+5
  EXPECT_TRUE(Ids(db_->EdgesAt("a", {1, 1})).empty());  // expired
  EdgeQueryOptions o;
  o.as_of = now + 4;
  EXPECT_EQ(Ids(db_->EdgesAt("a", {1, 1}, o)).size(), 1u);
  o.kinds = {"filler"};
  EXPECT_TRUE(Ids(db_->EdgesAt("a", {1, 1}, o)).empty());
}

TEST_F(EdgeTest, TraverseBreadthFirst) {
  // A chain a(0,0) -> a(1,1) -> a(2,2) -> a(3,3), directed; plus an undirected
  // "near" edge a(1,1) -- b(5,5,5).
  for (uint32_t i = 0; i < 3; i++) {
    Put(Hyperedge{"", "next",
                  {End("a", {i, i}, "", EdgeEndpoint::Direction::kTail),
                   End("a", {i + 1, i + 1}, "", EdgeEndpoint::Direction::kHead)}});
  }
  Put(Hyperedge{"", "near", {End("a", {1, 1}), End("b", {5, 5, 5})}});
  EdgeTraverseOptions o;
  o.depth = 2;
  auto r = db_->TraverseEdges("a", {0, 0}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);  // (1,1) at 1; (2,2) and b(5,5,5) at 2
  EXPECT_EQ((*r)[0].point, (Point{1, 1}));
  EXPECT_EQ((*r)[0].depth, 1u);
  o.depth = 10;
  o.directed = true;
  r = db_->TraverseEdges("a", {0, 0}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);  // the chain only
  EXPECT_EQ(r->back().point, (Point{3, 3}));
  EXPECT_EQ(r->back().depth, 3u);
  o.directed = false;
  o.kinds = {"near"};
  r = db_->TraverseEdges("a", {1, 1}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].space, "b");
  // Backwards on a directed chain finds nothing.
  o.kinds.clear();
  o.directed = true;
  r = db_->TraverseEdges("a", {3, 3}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(EdgeTest, IndexedLookupsMatchAScan) {
  std::mt19937 rng(5);
  std::vector<Hyperedge> live;
  for (int i = 0; i < 120; i++) {
    if (!live.empty() && rng() % 4 == 0) {
      const size_t k = rng() % live.size();
      ASSERT_TRUE(db_->DeleteEdge(live[k].id).ok());
      live.erase(live.begin() + static_cast<long>(k));
      continue;
    }
    Hyperedge e;
    e.kind = rng() % 2 ? "k1" : "k2";
    e.id = "e" + std::to_string(rng() % 60);  // ids repeat: replacements
    const int n = 2 + static_cast<int>(rng() % 3);
    for (int j = 0; j < n; j++) e.endpoints.push_back(End("a", {uint32_t(rng() % 4), uint32_t(rng() % 4)}));
    Hyperedge put = Put(e);
    live.erase(std::remove_if(live.begin(), live.end(), [&](const Hyperedge& x) { return x.id == put.id; }),
               live.end());
    live.push_back(put);
    if (i % 40 == 39) Reopen();
  }
  for (uint32_t x = 0; x < 4; x++) {
    for (uint32_t y = 0; y < 4; y++) {
      std::set<std::string> want;
      for (auto& e : live) {
        for (auto& ep : e.endpoints) {
          if (ep.point == Point{x, y}) want.insert(e.id);
        }
      }
      EXPECT_EQ(Ids(db_->EdgesAt("a", {x, y})), want) << x << "," << y;
    }
  }
  std::set<std::string> k1;
  for (auto& e : live) {
    if (e.kind == "k1") k1.insert(e.id);
  }
  EXPECT_EQ(Ids(db_->EdgesOfKind("k1")), k1);
}

TEST_F(EdgeTest, BadInput) {
  auto r = db_->PutEdge(Hyperedge{"", "k", {End("a", {1, 1})}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);  // one endpoint
  r = db_->PutEdge(Hyperedge{"", "bad kind!", {End("a", {1, 1}), End("a", {2, 2})}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  r = db_->PutEdge(Hyperedge{"", "k", {End("a", {1, 1}), End("zz", {2, 2})}});
  EXPECT_TRUE(r.status().IsNotFound());
  r = db_->PutEdge(Hyperedge{"", "k", {End("a", {1, 1}), End("b", {2, 2})}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);  // b has 3 dims
  EXPECT_NE(r.status().message().find("endpoint 1"), std::string::npos);
  r = db_->PutEdge(Hyperedge{"", "k", {End("a", {1, 1}), End("a", {2, 300})}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);  // 8 bits
  Hyperedge w{"", "k", {End("a", {1, 1}), End("a", {2, 2})}};
  w.weight = std::nan("");
  EXPECT_FALSE(db_->PutEdge(w).ok());
  w.weight = 1;
  w.valid_from = 9;
  w.valid_to = 3;
  EXPECT_FALSE(db_->PutEdge(w).ok());
  EXPECT_TRUE(db_->EdgesAt("zz", {1}).status().IsNotFound());
  EXPECT_FALSE(db_->EdgesAt("a", {1}).ok());
}

}  // namespace
}  // namespace cairn
