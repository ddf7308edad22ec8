// Parser tests: every clause, and every kind of error with line:column, the
// token found and what was expected.
#include "nql/parser.h"

#include <gtest/gtest.h>

namespace cairn::nql {
namespace {

Query MustParse(const std::string& text) {
  auto q = Parse(text);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status().ToString();
  return q.ok() ? std::move(q).value() : Query{};
}

std::string ErrorOf(const std::string& text) {
  auto q = Parse(text);
  EXPECT_FALSE(q.ok()) << text;
  if (q.ok()) return "";
  EXPECT_EQ(q.status().code(), Code::kParseError) << q.status().ToString();
  return q.status().message();
}

TEST(NqlParser, EveryClauseInOrder) {
  Query q = MustParse(
      "explain from blocks as of 42 valid as of \"2024-05-01T12:00:00+02:00\" "
      "where height > 600000 and miner = \"m1\" search \"fee* lazy\" traverse mined_by reverse "
      "trace caused_by reverse depth 3 group by miner, a.b count, sum fee as total, avg fee, min fee, max a.b "
      "having count >= 2 order by total desc, miner asc limit 10 offset 5");
  EXPECT_TRUE(q.explain);
  EXPECT_EQ(q.coll, "blocks");
  EXPECT_EQ(q.as_of, 42u);
  EXPECT_EQ(q.valid_at_ms, 1714557600000);
  ASSERT_TRUE(q.where);
  EXPECT_EQ(q.where->kind, Predicate::Kind::kAnd);
  EXPECT_EQ(q.search, "fee* lazy");
  EXPECT_EQ(q.traverse, "mined_by");
  EXPECT_TRUE(q.traverse_reverse);
  EXPECT_TRUE(q.trace);
  EXPECT_TRUE(q.trace_reverse);
  EXPECT_EQ(q.trace_depth, 3u);
  ASSERT_EQ(q.group_by.size(), 2u);
  EXPECT_EQ(q.group_by[1].path, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(q.aggregates.size(), 5u);
  EXPECT_EQ(q.aggregates[0].name, "count");
  EXPECT_EQ(q.aggregates[1].name, "total");
  EXPECT_EQ(q.aggregates[2].name, "avg_fee");
  EXPECT_EQ(q.aggregates[4].name, "max_a_b");
  ASSERT_TRUE(q.having);
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_FALSE(q.order_by[1].descending);
  EXPECT_EQ(q.limit, 10u);
  EXPECT_EQ(q.offset, 5u);
}

TEST(NqlParser, Predicates) {
  Query q = MustParse(
      "FROM t WHERE NOT (a = 1 OR b != \"x\") AND c <> 2 AND d < 1.5e3 AND e <= -2 AND f >= TRUE "
      "AND g IN (1, \"two\", NULL) AND h NOT IN (false) AND i BETWEEN 1 AND 10 AND j LIKE \"a%\" "
      "AND k NOT ILIKE \"_b\" AND l IS NULL AND m IS NOT NULL AND `order`.`from` = 3 AND _id = \"k\"");
  ASSERT_TRUE(q.where);
  // Precedence: AND binds tighter than OR; NOT applies to the parenthesis.
  Query p = MustParse("FROM t WHERE a = 1 OR b = 2 AND c = 3");
  EXPECT_EQ(p.where->kind, Predicate::Kind::kOr);
  EXPECT_EQ(p.where->right->kind, Predicate::Kind::kAnd);
  Query lit = MustParse("FROM t WHERE a = \"q\\\"\\\\\\n\\u00e9\\ud83d\\ude00\" AND b = 1e2 AND c = -0.5");
  EXPECT_EQ(lit.where->left->left->values[0].string, "q\"\\\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(lit.where->left->right->values[0].is_integer);
  EXPECT_EQ(lit.where->left->right->values[0].integer, 100);
  EXPECT_DOUBLE_EQ(lit.where->right->values[0].number, -0.5);
}

TEST(NqlParser, KeywordsAreCaseInsensitiveAndQuotedNamesEscapeThem) {
  MustParse("From t Where a = 1 Order By a Desc Limit 1");
  Query q = MustParse("FROM t WHERE `limit` = 1 ORDER BY `count`");
  EXPECT_EQ(q.where->field.path[0], "limit");
  EXPECT_EQ(q.order_by[0].field.path[0], "count");
}

TEST(NqlParser, AggregatesWithoutGroupBy) {
  Query q = MustParse("FROM t WHERE a > 1 COUNT");
  EXPECT_TRUE(q.group_by.empty());
  ASSERT_EQ(q.aggregates.size(), 1u);
}

TEST(NqlParser, ErrorsSayWhereWhatWasFoundAndWhatWasExpected) {
  EXPECT_EQ(ErrorOf(""), "line 1, column 1: expected FROM, found end of query");
  EXPECT_EQ(ErrorOf("SELECT * FROM t"), "line 1, column 1: expected FROM, found 'SELECT'");
  EXPECT_EQ(ErrorOf("FROM"), "line 1, column 5: expected a collection name after FROM, found end of query");
  EXPECT_EQ(ErrorOf("FROM where"),
            "line 1, column 6: expected a collection name after FROM, found keyword 'where' (quote a name "
            "that is a keyword: `where`)");
  EXPECT_EQ(ErrorOf("FROM t\nWHERE a >"),
            "line 2, column 10: expected a value (\"string\", number, TRUE, FALSE or NULL) after >, found end of query");
  EXPECT_EQ(ErrorOf("FROM t WHERE a"),
            "line 1, column 15: expected an operator (= != < <= > >= IN NOT IN BETWEEN LIKE ILIKE IS) after a, found end of query");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = 1 LIMIT 5 WHERE b = 2"),
            "line 1, column 28: expected the next clause (WHERE, SEARCH, TRAVERSE, TRACE, GROUP BY, an "
            "aggregate, HAVING, ORDER BY, LIMIT or OFFSET, in that order) or the end of the query, found 'WHERE'");
  EXPECT_EQ(ErrorOf("FROM t ORDER BY a WHERE a = 1").substr(0, 20), "line 1, column 19: e");
  EXPECT_EQ(ErrorOf("FROM t LIMIT -1"),
            "line 1, column 14: expected a count after LIMIT (a non-negative integer), found '-1'");
  EXPECT_EQ(ErrorOf("FROM t LIMIT 1.5"),
            "line 1, column 14: expected a count after LIMIT (a non-negative integer), found '1.5'");
  EXPECT_EQ(ErrorOf("FROM t LIMIT 99999999999999999999999"),
            "line 1, column 14: a count after LIMIT is too large: 99999999999999999999999");
  EXPECT_EQ(ErrorOf("FROM t AS OF x"), "line 1, column 14: expected a seq after AS OF, found 'x'");
  EXPECT_EQ(ErrorOf("FROM t VALID AS OF \"yesterday\"").substr(0, 65),
            "line 1, column 20: invalid instant \"yesterday\" after VALID AS OF:");
  EXPECT_EQ(ErrorOf("FROM t VALID AS OF 5"),
            "line 1, column 20: expected an ISO-8601 instant in quotes after VALID AS OF, found '5'");
  EXPECT_EQ(ErrorOf("FROM t WHERE (a = 1"), "line 1, column 20: expected ')' to close '(', found end of query");
  EXPECT_EQ(ErrorOf("FROM t WHERE a IN (1, 2"), "line 1, column 24: expected ',' or ')' in the IN list, found end of query");
  EXPECT_EQ(ErrorOf("FROM t WHERE a IN ()"), "line 1, column 20: expected a value in the IN list, found ')'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a BETWEEN 1 OR 2"),
            "line 1, column 26: expected AND between the bounds of BETWEEN, found 'OR'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a LIKE 5"), "line 1, column 21: expected a pattern in quotes after LIKE, found '5'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a IS 5"), "line 1, column 19: expected NULL or NOT NULL after IS, found '5'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a NOT = 1"), "line 1, column 20: expected IN, LIKE or ILIKE after NOT, found '='");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = \"open"), "line 1, column 18: unterminated string");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = \"\\q\""), "line 1, column 19: unknown escape \\q in string");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = \"\\ud800\""), "line 1, column 19: unpaired surrogate in \\u escape");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = 1e"), "line 1, column 18: malformed number '1e': the exponent has no digits");
  EXPECT_EQ(ErrorOf("FROM t WHERE a ~ 1"), "line 1, column 16: unexpected '~'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = 1e999"), "line 1, column 18: number out of range: 1e999");
  EXPECT_EQ(ErrorOf("FROM t TRACE effects"), "line 1, column 14: expected caused_by after TRACE, found 'effects'");
  EXPECT_EQ(ErrorOf("FROM t SEARCH fox"), "line 1, column 15: expected search terms in quotes after SEARCH, found 'fox'");
  EXPECT_EQ(ErrorOf("FROM t HAVING count > 1"), "line 1, column 8: HAVING needs GROUP BY or an aggregate before it");
  EXPECT_EQ(ErrorOf("FROM t COUNT, COUNT"), "line 1, column 15: two aggregates are named count; name one with AS");
  EXPECT_EQ(ErrorOf("FROM t GROUP a"), "line 1, column 14: expected BY after GROUP, found 'a'");
  EXPECT_EQ(ErrorOf("FROM t WHERE a = 1 AND"),
            "line 1, column 23: expected a field, NOT or '(' in the condition, found end of query");
  EXPECT_EQ(ErrorOf("FROM t WHERE a.= 1"), "line 1, column 16: expected a field name after '.', found '='");
  EXPECT_EQ(ErrorOf("FROM t WHERE `` = 1"), "line 1, column 14: empty quoted name ``");
  EXPECT_EQ(ErrorOf("FROM t\n  WHERE é = 1"), "line 2, column 9: unexpected 'é'");
  EXPECT_EQ(ErrorOf(std::string("FROM t WHERE a = \"\xff\"")), "query is not valid UTF-8");
}

}  // namespace
}  // namespace cairn::nql
