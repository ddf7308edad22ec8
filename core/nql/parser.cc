#include "nql/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "nql/lexer.h"
#include "util/time.h"

namespace cairn::nql {
namespace {

// Words that cannot be bare field names.
const std::set<std::string, std::less<>>& Keywords() {
  static const auto* k = new std::set<std::string, std::less<>>{
      "EXPLAIN", "FROM",  "AS",    "OF",      "VALID", "WHERE", "SEARCH", "TRAVERSE", "REVERSE",
      "TRACE",   "DEPTH", "GROUP", "BY",      "COUNT", "SUM",   "AVG",    "MIN",      "MAX",
      "HAVING",  "ORDER", "ASC",   "DESC",    "LIMIT", "OFFSET", "AND",   "OR",       "NOT",
      "IN",      "BETWEEN", "LIKE", "ILIKE",  "IS",    "NULL",  "TRUE",   "FALSE"};
  return *k;
}

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return u;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Query> Run() {
    Query q;
    if (Accept("EXPLAIN")) q.explain = true;
    CAIRN_RETURN_IF_ERROR(Expect("FROM", "FROM"));
    CAIRN_ASSIGN_OR_RETURN(q.coll, Name("a collection name after FROM"));
    if (Peek("AS") && PeekAt(1, "OF")) {
      Next();
      Next();
      CAIRN_ASSIGN_OR_RETURN(q.as_of, Count("a seq after AS OF"));
    }
    if (Accept("VALID")) {
      CAIRN_RETURN_IF_ERROR(Expect("AS", "AS after VALID"));
      CAIRN_RETURN_IF_ERROR(Expect("OF", "OF after VALID AS"));
      const Token& at = Cur();
      if (at.kind != TokenKind::kString) return Error(at, "an ISO-8601 instant in quotes after VALID AS OF");
      Result<int64_t> ms = ParseInstantMillis(at.text);
      if (!ms.ok()) return ErrorAt(at, "invalid instant " + Describe(at) + " after VALID AS OF: " + ms.status().message());
      q.valid_at_ms = *ms;
      q.valid_at_text = at.text;
      Next();
    }
    if (Accept("WHERE")) {
      CAIRN_ASSIGN_OR_RETURN(q.where, Or());
    }
    if (Accept("SEARCH")) {
      const Token& s = Cur();
      if (s.kind != TokenKind::kString) return Error(s, "search terms in quotes after SEARCH");
      q.search = s.text;
      Next();
    }
    if (Accept("TRAVERSE")) {
      CAIRN_ASSIGN_OR_RETURN(q.traverse, Name("a link relation after TRAVERSE"));
      q.traverse_reverse = Accept("REVERSE");
    }
    if (Accept("TRACE")) {
      const Token& f = Cur();
      if (f.kind != TokenKind::kWord || f.text != "caused_by") return Error(f, "caused_by after TRACE");
      Next();
      q.trace = true;
      q.trace_reverse = Accept("REVERSE");
      if (Accept("DEPTH")) {
        CAIRN_ASSIGN_OR_RETURN(q.trace_depth, Count("a depth after DEPTH"));
      }
    }
    if (Peek("GROUP")) {
      Next();
      CAIRN_RETURN_IF_ERROR(Expect("BY", "BY after GROUP"));
      do {
        CAIRN_ASSIGN_OR_RETURN(Field f, ParseField("a field after GROUP BY"));
        q.group_by.push_back(std::move(f));
      } while (Accept(","));
    }
    if (PeekAggregate()) {
      do {
        CAIRN_ASSIGN_OR_RETURN(Aggregate a, ParseAggregate());
        for (const Aggregate& other : q.aggregates) {
          if (other.name == a.name) {
            return ErrorAt(Prev(), "two aggregates are named " + a.name + "; name one with AS");
          }
        }
        q.aggregates.push_back(std::move(a));
      } while (Accept(","));
    }
    if (Accept("HAVING")) {
      if (q.group_by.empty() && q.aggregates.empty()) {
        return ErrorAt(Prev(), "HAVING needs GROUP BY or an aggregate before it");
      }
      CAIRN_ASSIGN_OR_RETURN(q.having, Or());
    }
    if (Peek("ORDER")) {
      Next();
      CAIRN_RETURN_IF_ERROR(Expect("BY", "BY after ORDER"));
      do {
        OrderKey k;
        CAIRN_ASSIGN_OR_RETURN(k.field, ParseField("a field after ORDER BY"));
        if (Accept("DESC")) {
          k.descending = true;
        } else {
          Accept("ASC");
        }
        q.order_by.push_back(std::move(k));
      } while (Accept(","));
    }
    if (Accept("LIMIT")) {
      CAIRN_ASSIGN_OR_RETURN(q.limit, Count("a count after LIMIT"));
    }
    if (Accept("OFFSET")) {
      CAIRN_ASSIGN_OR_RETURN(q.offset, Count("a count after OFFSET"));
    }
    if (Cur().kind != TokenKind::kEnd) return Error(Cur(), ExpectedAfterClauses(q));
    return q;
  }

 private:
  const Token& Cur() const { return t_[i_]; }
  const Token& Prev() const { return t_[i_ == 0 ? 0 : i_ - 1]; }
  void Next() {
    if (t_[i_].kind != TokenKind::kEnd) i_++;
  }
  // kw is upper case; compared without building an upper-case copy, as
  // every grammar level peeks at the current word.
  static bool IsWord(const Token& t, std::string_view kw) {
    if (t.kind != TokenKind::kWord || t.text.size() != kw.size()) return false;
    for (size_t k = 0; k < kw.size(); k++) {
      char c = t.text[k];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != kw[k]) return false;
    }
    return true;
  }
  bool Peek(std::string_view kw) const { return IsWord(Cur(), kw); }
  bool PeekAt(size_t ahead, std::string_view kw) const {
    return i_ + ahead < t_.size() && IsWord(t_[i_ + ahead], kw);
  }
  bool PeekPunct(std::string_view p) const {
    return Cur().kind == TokenKind::kPunct && Cur().text == p;
  }
  bool Accept(std::string_view kw_or_punct) {
    if (Peek(kw_or_punct) || PeekPunct(kw_or_punct)) {
      Next();
      return true;
    }
    return false;
  }
  Status Expect(std::string_view kw, const std::string& what) {
    if (Accept(kw)) return Status::OK();
    return Error(Cur(), what);
  }

  static Status ErrorAt(const Token& t, const std::string& message) {
    return Status::ParseError("line " + std::to_string(t.line) + ", column " +
                              std::to_string(t.column) + ": " + message);
  }
  static Status Error(const Token& found, const std::string& expected) {
    return ErrorAt(found, "expected " + expected + ", found " + Describe(found));
  }

  // What may follow, for the error at a token no clause accepts.
  static std::string ExpectedAfterClauses(const Query& q) {
    (void)q;
    return "the next clause (WHERE, SEARCH, TRAVERSE, TRACE, GROUP BY, an aggregate, HAVING, "
           "ORDER BY, LIMIT or OFFSET, in that order) or the end of the query";
  }

  // A name; in field positions also the aggregate keywords, so that HAVING
  // and ORDER BY can name the default aggregate columns (count, ...).
  Result<std::string> Name(const std::string& what, bool field = false) {
    const Token& t = Cur();
    const std::string up = Upper(t.text);
    const bool aggregate_word = up == "COUNT" || up == "SUM" || up == "AVG" || up == "MIN" || up == "MAX";
    if (t.kind == TokenKind::kQuotedName ||
        (t.kind == TokenKind::kWord && (!Keywords().count(up) || (field && aggregate_word)))) {
      Next();
      return t.text;
    }
    if (t.kind == TokenKind::kWord) {
      return ErrorAt(t, "expected " + what + ", found keyword " + Describe(t) +
                            " (quote a name that is a keyword: `" + t.text + "`)");
    }
    return Error(t, what);
  }

  Result<Field> ParseField(const std::string& what) {
    Field f;
    CAIRN_ASSIGN_OR_RETURN(std::string first, Name(what, /*field=*/true));
    f.path.push_back(first);
    f.text = first;
    while (PeekPunct(".")) {
      Next();
      CAIRN_ASSIGN_OR_RETURN(std::string part, Name("a field name after '.'", /*field=*/true));
      f.path.push_back(part);
      f.text += "." + part;
    }
    return f;
  }

  Result<uint64_t> Count(const std::string& what) {
    const Token& t = Cur();
    if (t.kind != TokenKind::kNumber) return Error(t, what);
    for (char c : t.text) {
      if (c < '0' || c > '9') return ErrorAt(t, "expected " + what + " (a non-negative integer), found " + Describe(t));
    }
    errno = 0;
    const unsigned long long v = std::strtoull(t.text.c_str(), nullptr, 10);
    if (errno == ERANGE) return ErrorAt(t, what + " is too large: " + t.text);
    Next();
    return static_cast<uint64_t>(v);
  }

  Result<Literal> Value(const std::string& what) {
    const Token& t = Cur();
    Literal l;
    l.text = t.kind == TokenKind::kString ? Describe(t) : t.text;
    if (t.kind == TokenKind::kString) {
      l.kind = Literal::Kind::kString;
      l.string = t.text;
    } else if (t.kind == TokenKind::kNumber) {
      l.kind = Literal::Kind::kNumber;
      l.number = std::strtod(t.text.c_str(), nullptr);
      if (!std::isfinite(l.number)) return ErrorAt(t, "number out of range: " + t.text);
      bool integral = t.text.find_first_of(".eE") == std::string::npos;
      if (integral) {
        errno = 0;
        const long long v = std::strtoll(t.text.c_str(), nullptr, 10);
        if (errno != ERANGE) {
          l.is_integer = true;
          l.integer = v;
        }
      } else if (std::trunc(l.number) == l.number && std::fabs(l.number) < 9007199254740992.0) {
        l.is_integer = true;
        l.integer = static_cast<int64_t>(l.number);
      }
    } else if (IsWord(t, "TRUE") || IsWord(t, "FALSE")) {
      l.kind = Literal::Kind::kBool;
      l.boolean = IsWord(t, "TRUE");
    } else if (IsWord(t, "NULL")) {
      l.kind = Literal::Kind::kNull;
    } else {
      return Error(t, what);
    }
    Next();
    return l;
  }

  Result<std::unique_ptr<Predicate>> Or() {
    CAIRN_ASSIGN_OR_RETURN(auto left, And());
    while (Accept("OR")) {
      CAIRN_ASSIGN_OR_RETURN(auto right, And());
      auto p = std::make_unique<Predicate>();
      p->kind = Predicate::Kind::kOr;
      p->left = std::move(left);
      p->right = std::move(right);
      left = std::move(p);
    }
    return left;
  }

  Result<std::unique_ptr<Predicate>> And() {
    CAIRN_ASSIGN_OR_RETURN(auto left, Not());
    while (Accept("AND")) {
      CAIRN_ASSIGN_OR_RETURN(auto right, Not());
      auto p = std::make_unique<Predicate>();
      p->kind = Predicate::Kind::kAnd;
      p->left = std::move(left);
      p->right = std::move(right);
      left = std::move(p);
    }
    return left;
  }

  Result<std::unique_ptr<Predicate>> Not() {
    if (Accept("NOT")) {
      CAIRN_ASSIGN_OR_RETURN(auto inner, Not());
      auto p = std::make_unique<Predicate>();
      p->kind = Predicate::Kind::kNot;
      p->left = std::move(inner);
      return p;
    }
    if (Accept("(")) {
      CAIRN_ASSIGN_OR_RETURN(auto inner, Or());
      CAIRN_RETURN_IF_ERROR(Expect(")", "')' to close '('"));
      return inner;
    }
    return Comparison();
  }

  Result<std::unique_ptr<Predicate>> Comparison() {
    auto p = std::make_unique<Predicate>();
    CAIRN_ASSIGN_OR_RETURN(p->field, ParseField("a field, NOT or '(' in the condition"));
    const Token& op = Cur();
    if (op.kind == TokenKind::kPunct) {
      static const std::pair<std::string_view, CmpOp> kOps[] = {
          {"=", CmpOp::kEq}, {"!=", CmpOp::kNe}, {"<>", CmpOp::kNe}, {"<", CmpOp::kLt},
          {"<=", CmpOp::kLe}, {">", CmpOp::kGt}, {">=", CmpOp::kGe}};
      for (const auto& [text, cmp] : kOps) {
        if (op.text == text) {
          Next();
          p->kind = Predicate::Kind::kCompare;
          p->op = cmp;
          CAIRN_ASSIGN_OR_RETURN(Literal v, Value("a value (\"string\", number, TRUE, FALSE or NULL) after " + std::string(text)));
          p->values.push_back(std::move(v));
          return p;
        }
      }
    }
    if (Accept("IS")) {
      p->kind = Predicate::Kind::kIsNull;
      p->negated = Accept("NOT");
      CAIRN_RETURN_IF_ERROR(Expect("NULL", p->negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS"));
      return p;
    }
    if (Accept("BETWEEN")) {
      p->kind = Predicate::Kind::kBetween;
      CAIRN_ASSIGN_OR_RETURN(Literal lo, Value("a value after BETWEEN"));
      CAIRN_RETURN_IF_ERROR(Expect("AND", "AND between the bounds of BETWEEN"));
      CAIRN_ASSIGN_OR_RETURN(Literal hi, Value("a value after BETWEEN ... AND"));
      p->values.push_back(std::move(lo));
      p->values.push_back(std::move(hi));
      return p;
    }
    const bool negated = Accept("NOT");
    p->negated = negated;
    if (Accept("IN")) {
      p->kind = Predicate::Kind::kIn;
      CAIRN_RETURN_IF_ERROR(Expect("(", "'(' after IN"));
      do {
        CAIRN_ASSIGN_OR_RETURN(Literal v, Value("a value in the IN list"));
        p->values.push_back(std::move(v));
      } while (Accept(","));
      CAIRN_RETURN_IF_ERROR(Expect(")", "',' or ')' in the IN list"));
      return p;
    }
    if (Peek("LIKE") || Peek("ILIKE")) {
      p->kind = Predicate::Kind::kLike;
      p->case_insensitive = Peek("ILIKE");
      Next();
      const Token& pat = Cur();
      if (pat.kind != TokenKind::kString) return Error(pat, "a pattern in quotes after LIKE");
      CAIRN_ASSIGN_OR_RETURN(Literal v, Value("a pattern"));
      p->values.push_back(std::move(v));
      return p;
    }
    return Error(Cur(), negated ? "IN, LIKE or ILIKE after NOT"
                                : "an operator (= != < <= > >= IN NOT IN BETWEEN LIKE ILIKE IS) after " +
                                      p->field.text);
  }

  bool PeekAggregate() const {
    return Peek("COUNT") || Peek("SUM") || Peek("AVG") || Peek("MIN") || Peek("MAX");
  }

  Result<Aggregate> ParseAggregate() {
    Aggregate a;
    const Token& fn = Cur();
    if (!PeekAggregate()) return Error(fn, "an aggregate (COUNT, SUM, AVG, MIN, MAX)");
    const std::string up = Upper(fn.text);
    Next();
    if (up == "COUNT") {
      a.fn = Aggregate::Fn::kCount;
      a.name = "count";
    } else {
      a.fn = up == "SUM" ? Aggregate::Fn::kSum
             : up == "AVG" ? Aggregate::Fn::kAvg
             : up == "MIN" ? Aggregate::Fn::kMin
                           : Aggregate::Fn::kMax;
      CAIRN_ASSIGN_OR_RETURN(a.field, ParseField("a field after " + up));
      std::string lower = up;
      for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
      a.name = lower + "_" + a.field.text;
      for (char& c : a.name) {
        if (c == '.') c = '_';  // sum_a_b for SUM a.b: one name HAVING can reach
      }
    }
    if (Accept("AS")) {
      CAIRN_ASSIGN_OR_RETURN(a.name, Name("a name after AS"));
    }
    return a;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
};

}  // namespace

Result<Query> Parse(std::string_view text) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  return Parser(std::move(tokens)).Run();
}

}  // namespace cairn::nql
