// The NQL parser.
//
//   query  := [EXPLAIN] FROM <coll> [AS OF <seq>] [VALID AS OF "<instant>"]
//             [WHERE <pred>] [SEARCH "<terms>"]
//             [TRAVERSE <rel> [REVERSE]] [TRACE caused_by [REVERSE] [DEPTH <n>]]
//             [GROUP BY <field>, ...] [<agg> [AS <name>], ...] [HAVING <pred>]
//             [ORDER BY <field> [ASC|DESC], ...] [LIMIT <n>] [OFFSET <n>]
//   agg    := COUNT | SUM <field> | AVG <field> | MIN <field> | MAX <field>
//   pred   := pred OR pred | pred AND pred | NOT pred | ( pred )
//           | <field> (= | != | <> | < | <= | > | >=) <value>
//           | <field> [NOT] IN ( <value>, ... )
//           | <field> BETWEEN <value> AND <value>
//           | <field> [NOT] (LIKE | ILIKE) "<pattern>"
//           | <field> IS [NOT] NULL
//   field  := <name> [. <name> ...]   a name is a word or a `quoted name`
//   value  := "string" | number | TRUE | FALSE | NULL
//
// Keywords are case-insensitive; a field that is a keyword is written
// `quoted`. Clauses must come in this order. Anything else is PARSE_ERROR
// "line L, column C: expected <what>, found <token>"; nothing is skipped.
#ifndef CAIRN_NQL_PARSER_H_
#define CAIRN_NQL_PARSER_H_

#include <string_view>

#include "cairn/status.h"
#include "nql/ast.h"

namespace cairn::nql {

Result<Query> Parse(std::string_view text);

}  // namespace cairn::nql

#endif  // CAIRN_NQL_PARSER_H_
