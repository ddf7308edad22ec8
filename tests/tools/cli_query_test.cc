// The query, index, link and trace commands of the CLI.
#include <gtest/gtest.h>

#include "tests/tools/cli_test_util.h"

namespace cairn {
namespace {

class CliQueryTest : public ::testing::Test {
 protected:
  CliRun Run(std::vector<std::string> args) {
    args.insert(args.begin(), dir_.Sub("db"));
    return RunCairn(args);
  }
  nlohmann::json Put(const std::string& id, const std::string& json) {
    CliRun r = Run({"put", "blocks", id, json});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ParseJson(Lines(r.out).at(0));
  }
  TempDir dir_;
};

TEST_F(CliQueryTest, QueryPrintsRowsAndExplainPrintsThePlan) {
  Put("1", R"({"height": 5})");
  Put("2", R"({"height": 9})");
  CliRun r = Run({"query", "FROM blocks WHERE height > 6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Lines(r.out).size(), 1u);
  EXPECT_EQ(ParseJson(Lines(r.out)[0])["_id"], "2");
  ASSERT_EQ(Run({"create-index", "blocks", "height"}).exit_code, 0);
  r = Run({"query", "explain FROM blocks WHERE height > 6 ORDER BY height LIMIT 1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("access: index blocks.height, range scan for height > 6"), std::string::npos) << r.out;
  r = Run({"indexes"});
  EXPECT_EQ(ParseJson(Lines(r.out).at(0))["field"], "height");
  r = Run({"query", "FROM blocks GROUP BY height COUNT"});
  EXPECT_EQ(Lines(r.out).size(), 2u);
}

TEST_F(CliQueryTest, BadQueriesFailWithWhereAndWhat) {
  Put("1", "{}");
  CliRun r = Run({"query", "FROM blocks ORDER height"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("PARSE_ERROR: line 1, column 19: expected BY after ORDER, found 'height'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Run({"query"}).exit_code, 2);
  EXPECT_EQ(Run({"create-index", "blocks"}).exit_code, 2);
  EXPECT_EQ(Run({"create-index", "blocks", "a", "--text"}).exit_code, 2);
  r = Run({"drop-index", "blocks", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos);
}

TEST_F(CliQueryTest, TextIndexAndSearch) {
  Put("1", R"({"t": "The quick brown fox"})");
  Put("2", R"({"t": "lazy dogs"})");
  ASSERT_EQ(Run({"create-index", "blocks", "--text"}).exit_code, 0);
  CliRun r = Run({"query", "FROM blocks SEARCH \"QUICK fo*\""});
  ASSERT_EQ(Lines(r.out).size(), 1u);
  EXPECT_EQ(ParseJson(Lines(r.out)[0])["_id"], "1");
}

TEST_F(CliQueryTest, LinksNeighborsAndTrace) {
  nlohmann::json a = Put("a", "{}");
  CliRun r = Run({"put", "blocks", "b", "{}", "--caused-by", a["hash"]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json b = ParseJson(Lines(r.out)[0]);
  ASSERT_EQ(Run({"link", "blocks:a", "next", "blocks:b"}).exit_code, 0);
  EXPECT_EQ(Run({"neighbors", "blocks:a", "next"}).out, "blocks:b\n");
  EXPECT_EQ(Run({"neighbors", "blocks:b", "next", "--reverse"}).out, "blocks:a\n");
  ASSERT_EQ(Run({"unlink", "blocks:a", "next", "blocks:b"}).exit_code, 0);
  EXPECT_EQ(Run({"neighbors", "blocks:a", "next"}).out, "");
  EXPECT_EQ(Run({"unlink", "blocks:a", "next", "blocks:b"}).exit_code, 1);
  EXPECT_EQ(Run({"link", "blocks:a", "next", "blocks:zz"}).exit_code, 1);
  r = Run({"trace", b["hash"]});
  ASSERT_EQ(Lines(r.out).size(), 2u);
  EXPECT_EQ(ParseJson(Lines(r.out)[1])["depth"], 1);
  EXPECT_EQ(ParseJson(Lines(r.out)[1])["hash"], a["hash"]);
  r = Run({"trace", a["hash"], "--reverse", "--depth", "0"});
  EXPECT_EQ(Lines(r.out).size(), 1u);
  EXPECT_EQ(Run({"trace", "xyz"}).exit_code, 2);
}

}  // namespace
}  // namespace cairn
