// Query through the public API: results, special fields, AS OF, TRACE,
// SEARCH, ordering across types, EXPLAIN and errors.
#include <gtest/gtest.h>

#include "cairn/db.h"

namespace cairn {
namespace {

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::OpenInMemory(Options{});
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
  }
  Version Put(const std::string& coll, const std::string& id, const std::string& json,
              const WriteOptions& o = {}) {
    auto v = db_->Put(coll, id, json, o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Version{};
  }
  QueryResult Q(const std::string& nql) {
    auto r = db_->Query(nql);
    EXPECT_TRUE(r.ok()) << nql << ": " << r.status().ToString();
    return r.ok() ? *r : QueryResult{};
  }
  std::vector<std::string> Ids(const std::string& nql) {
    std::vector<std::string> ids;
    for (const std::string& row : Q(nql).rows) {
      size_t at = row.find("\"_id\":\"");
      ids.push_back(row.substr(at + 7, row.find('"', at + 7) - at - 7));
    }
    return ids;
  }
  std::unique_ptr<Database> db_;
};

TEST_F(QueryTest, RowsCarryTheDocumentAndItsSpecialFields) {
  Version v = Put("blocks", "1", R"({"height": 10, "miner": "m1"})");
  QueryResult r = Q("FROM blocks WHERE height = 10");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], R"({"_coll":"blocks","_hash":")" + v.hash.ToHex() +
                           R"(","_id":"1","_seq":1,"height":10,"miner":"m1"})");
  EXPECT_EQ(r.seq, 1u);
  EXPECT_EQ(r.head, db_->GetHead()->head);
  Put("vals", "x", "[1, 2]");
  EXPECT_NE(Q("FROM vals").rows[0].find(R"("_value":[1,2])"), std::string::npos);
}

TEST_F(QueryTest, AsOfSeesTheDatabaseAsItWasIncludingLaterDeletes) {
  Put("t", "a", R"({"n": 1})");
  Put("t", "b", R"({"n": 2})");
  ASSERT_TRUE(db_->Delete("t", "a").ok());
  Put("t", "c", R"({"n": 3})");
  EXPECT_EQ(Ids("FROM t"), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Ids("FROM t AS OF 2"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Ids("FROM t AS OF 0"), std::vector<std::string>{});
  QueryResult r = Q("FROM t AS OF 2");
  EXPECT_EQ(r.seq, 2u);
  auto all = db_->Versions(1, 2);
  ASSERT_TRUE(all.ok());
  EXPECT_NE(r.head, db_->GetHead()->head);
  auto err = db_->Query("FROM t AS OF 99");
  EXPECT_EQ(err.status().code(), Code::kInvalidArgument);
  EXPECT_NE(err.status().message().find("beyond the latest seq 4"), std::string::npos);
}

TEST_F(QueryTest, HeadOfAnAsOfSnapshotIsTheHeadAfterThatWrite) {
  std::vector<Hash> heads;
  std::vector<WriteOp> ops;
  for (int i = 0; i < 3; i++) ops.push_back({"t", std::to_string(i), "1", {}});
  ASSERT_TRUE(db_->PutMany(ops).ok());  // seqs 1..3 in one commit
  heads.push_back(db_->GetHead()->head);
  Put("t", "x", "2");
  for (uint64_t s = 1; s <= 4; s++) {
    QueryResult r = Q("FROM t AS OF " + std::to_string(s));
    // Recompute the chain from the versions.
    Hash h;
    auto versions = db_->Versions(1, s);
    ASSERT_TRUE(versions.ok());
    for (const Version& v : *versions) {
      std::string buf(h.bytes.begin(), h.bytes.end());
      for (int k = 7; k >= 0; k--) buf.push_back(static_cast<char>(v.seq >> (8 * k)));
      buf.append(v.hash.bytes.begin(), v.hash.bytes.end());
      h = Hash::Of(buf);
    }
    EXPECT_EQ(r.head, h) << "seq " << s;
  }
}

TEST_F(QueryTest, ValidAsOfPicksTheVersionValidAtThatInstant) {
  WriteOptions o1;
  o1.valid_from = "2024-01-01T00:00:00Z";
  o1.valid_to = "2024-06-01T00:00:00+02:00";
  Put("p", "x", R"({"price": 1})", o1);
  WriteOptions o2;
  o2.valid_from = "2024-06-01T00:00:00+02:00";
  Put("p", "x", R"({"price": 2})", o2);
  Put("p", "always", R"({"price": 9})");
  auto price_at = [&](const std::string& t) {
    std::vector<std::string> out;
    for (const std::string& row : Q("FROM p VALID AS OF \"" + t + "\" ORDER BY price").rows) {
      out.push_back(row.substr(row.find("\"price\":") + 8, 1));
    }
    return out;
  };
  EXPECT_EQ(price_at("2024-03-01T00:00:00Z"), (std::vector<std::string>{"1", "9"}));
  // Instants compare as instants: 2024-05-31T22:00Z is 2024-06-01T00:00+02:00.
  EXPECT_EQ(price_at("2024-05-31T21:59:59.999Z"), (std::vector<std::string>{"1", "9"}));
  EXPECT_EQ(price_at("2024-05-31T22:00:00Z"), (std::vector<std::string>{"2", "9"}));
  EXPECT_EQ(price_at("2023-12-31T23:59:59+00:00"), (std::vector<std::string>{"9"}));
}

TEST_F(QueryTest, OrderByUsesTheTotalOrderAcrossTypes) {
  Put("o", "1", R"({"v": "b"})");
  Put("o", "2", R"({"v": 2})");
  Put("o", "3", R"({"v": true})");
  Put("o", "4", R"({})");
  Put("o", "5", R"({"v": [1]})");
  Put("o", "6", R"({"v": null})");
  Put("o", "7", R"({"v": false})");
  Put("o", "8", R"({"v": {"k": 1}})");
  Put("o", "9", R"({"v": -1.5})");
  Put("o", "10", R"({"v": "a"})");
  EXPECT_EQ(Ids("FROM o ORDER BY v"),
            (std::vector<std::string>{"4", "6", "7", "3", "9", "2", "10", "1", "5", "8"}));
  EXPECT_EQ(Ids("FROM o ORDER BY v DESC LIMIT 3"), (std::vector<std::string>{"8", "5", "1"}));
  // Ties keep id order.
  EXPECT_EQ(Ids("FROM o WHERE v IS NULL ORDER BY v DESC"), (std::vector<std::string>{"4", "6"}));
}

TEST_F(QueryTest, ThreeValuedLogic) {
  Put("f", "with", R"({"fee": 3})");
  Put("f", "without", R"({})");
  Put("f", "null", R"({"fee": null})");
  Put("f", "text", R"({"fee": "3"})");
  EXPECT_EQ(Ids("FROM f WHERE fee < 5"), (std::vector<std::string>{"with"}));
  EXPECT_EQ(Ids("FROM f WHERE NOT fee < 5"), (std::vector<std::string>{"text"}));
  EXPECT_EQ(Ids("FROM f WHERE fee IS NULL"), (std::vector<std::string>{"null", "without"}));
  EXPECT_EQ(Ids("FROM f WHERE fee != 3"), (std::vector<std::string>{"text"}));
  EXPECT_EQ(Ids("FROM f WHERE fee = NULL"), std::vector<std::string>{});
  EXPECT_EQ(Ids("FROM f WHERE fee IN (3, NULL)"), (std::vector<std::string>{"with"}));
  EXPECT_EQ(Ids("FROM f WHERE fee NOT IN (3, NULL)"), std::vector<std::string>{});
}

TEST_F(QueryTest, LikeAndIlikeWithUnicode) {
  Put("l", "1", R"({"s": "Ça va ÉTÉ"})");
  Put("l", "2", R"({"s": "100% sure"})");
  Put("l", "3", R"({"s": "Ωmega"})");
  EXPECT_EQ(Ids("FROM l WHERE s ILIKE \"ça%été\""), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Ids("FROM l WHERE s LIKE \"ça%\""), std::vector<std::string>{});
  EXPECT_EQ(Ids("FROM l WHERE s LIKE \"100\\\\% %\""), (std::vector<std::string>{"2"}));
  EXPECT_EQ(Ids("FROM l WHERE s ILIKE \"ω_ega\""), (std::vector<std::string>{"3"}));
}

TEST_F(QueryTest, SearchMatchesEveryTermAndPrefixes) {
  Put("d", "1", R"({"title": "The Quick brown FOX", "tags": ["Café", "x"]})");
  Put("d", "2", R"({"title": "lazy dog", "body": {"text": "quick-thinking fox"}})");
  Put("d", "3", R"({"title": "foxes everywhere"})");
  EXPECT_EQ(Ids("FROM d SEARCH \"fox quick\""), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Ids("FROM d SEARCH \"fox*\""), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(Ids("FROM d SEARCH \"CAFÉ\""), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Ids("FROM d SEARCH \"thinking\""), (std::vector<std::string>{"2"}));
  EXPECT_EQ(db_->Query("FROM d SEARCH \" -- \"").status().code(), Code::kInvalidArgument);
}

TEST_F(QueryTest, TraceExpandsRowsIntoTheirCausalChains) {
  Version a = Put("e", "a", R"({"k": "root"})");
  WriteOptions o;
  o.caused_by = {a.hash};
  Version b = Put("e", "b", R"({"k": "mid"})", o);
  o.caused_by = {b.hash};
  Put("e", "c", R"({"k": "leaf"})", o);
  QueryResult r = Q("FROM e WHERE k = \"leaf\" TRACE caused_by");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_NE(r.rows[2].find("\"_depth\":2"), std::string::npos);
  EXPECT_NE(r.rows[2].find("\"k\":\"root\""), std::string::npos);
  EXPECT_EQ(Q("FROM e WHERE k = \"leaf\" TRACE caused_by DEPTH 1").rows.size(), 2u);
  EXPECT_EQ(Q("FROM e WHERE k = \"root\" TRACE caused_by REVERSE LIMIT 2").rows.size(), 2u);
  // Every row of every chain once.
  EXPECT_EQ(Q("FROM e TRACE caused_by").rows.size(), 3u);
}

TEST_F(QueryTest, GroupByAndAggregates) {
  Put("g", "1", R"({"m": "a", "fee": 1})");
  Put("g", "2", R"({"m": "a", "fee": 2.5})");
  Put("g", "3", R"({"m": "b", "fee": "x"})");
  Put("g", "4", R"({"fee": 4})");
  QueryResult r = Q("FROM g GROUP BY m COUNT, SUM fee, AVG fee AS mean, MIN fee, MAX fee ORDER BY count DESC");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0], R"({"count":2,"m":"a","max_fee":2.5,"mean":1.75,"min_fee":1,"sum_fee":3.5})");
  EXPECT_EQ(r.rows[1], R"({"count":1,"m":null,"max_fee":4,"mean":4,"min_fee":4,"sum_fee":4})");
  EXPECT_EQ(r.rows[2], R"({"count":1,"m":"b","max_fee":"x","mean":null,"min_fee":"x","sum_fee":null})");
  EXPECT_EQ(Q("FROM g GROUP BY m COUNT HAVING count > 1").rows.size(), 1u);
  EXPECT_EQ(Q("FROM g WHERE fee > 100 COUNT").rows[0], R"({"count":0})");
  EXPECT_EQ(Q("FROM g GROUP BY m").rows.size(), 3u);
}

TEST_F(QueryTest, ExplainDescribesThePlan) {
  Put("x", "1", "{}");
  QueryResult r = Q("EXPLAIN FROM x WHERE a > 1 ORDER BY a LIMIT 3");
  EXPECT_TRUE(r.rows.empty());
  EXPECT_NE(r.plan.find("access: scan of every live document in x"), std::string::npos) << r.plan;
  EXPECT_NE(r.plan.find("filter: WHERE a > 1"), std::string::npos) << r.plan;
  EXPECT_NE(r.plan.find("then: sort"), std::string::npos) << r.plan;
}

TEST_F(QueryTest, BadQueriesAreErrors) {
  EXPECT_EQ(db_->Query("FROM").status().code(), Code::kParseError);
  EXPECT_EQ(db_->Query("FROM bad-name!").status().code(), Code::kParseError);
  EXPECT_EQ(db_->Query("FROM `bad name`").status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_EQ(db_->Query("FROM t").status().code(), Code::kClosed);
}

}  // namespace
}  // namespace cairn
