// The parsed form of an NQL query (see parser.h for the grammar).
#ifndef CAIRN_NQL_AST_H_
#define CAIRN_NQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cairn::nql {

// A field: a path of names into the row (a.b.c), or a special field.
struct Field {
  std::vector<std::string> path;
  std::string text;  // as written, for messages and EXPLAIN
};

// A literal value in a query.
struct Literal {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  bool is_integer = false;  // the number is an integer exact in int64
  int64_t integer = 0;
  std::string string;
  std::string text;  // as written
};

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Predicate {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kIn, kBetween, kLike, kIsNull };
  Kind kind = Kind::kCompare;
  std::unique_ptr<Predicate> left, right;  // kAnd, kOr; kNot uses left
  Field field;
  CmpOp op = CmpOp::kEq;
  std::vector<Literal> values;  // kCompare: 1; kIn: n; kBetween: 2; kLike: the pattern
  bool negated = false;         // NOT IN, NOT LIKE, NOT ILIKE, IS NOT NULL
  bool case_insensitive = false;  // ILIKE
};

struct Aggregate {
  enum class Fn : uint8_t { kCount, kSum, kAvg, kMin, kMax };
  Fn fn = Fn::kCount;
  Field field;       // not for COUNT
  std::string name;  // AS name, or count / sum_<f> / avg_<f> / min_<f> / max_<f>
};

struct OrderKey {
  Field field;
  bool descending = false;
};

struct Query {
  bool explain = false;
  std::string coll;
  std::optional<uint64_t> as_of;
  std::optional<int64_t> valid_at_ms;  // VALID AS OF, as ms since the epoch (UTC)
  std::string valid_at_text;
  std::unique_ptr<Predicate> where;
  std::optional<std::string> search;
  std::optional<std::string> traverse;  // the relation
  bool traverse_reverse = false;
  bool trace = false;
  bool trace_reverse = false;
  std::optional<uint64_t> trace_depth;
  std::vector<Field> group_by;
  std::vector<Aggregate> aggregates;
  std::unique_ptr<Predicate> having;
  std::vector<OrderKey> order_by;
  std::optional<uint64_t> limit;
  std::optional<uint64_t> offset;
};

}  // namespace cairn::nql

#endif  // CAIRN_NQL_AST_H_
