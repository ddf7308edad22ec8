// NQL against SQLite as the oracle: random documents (nested objects,
// missing fields, nulls, mixed types, updates, deletes, valid time) are
// loaded into both; random queries are translated to SQL over json_extract
// and the answers compared row for row, with and without AS OF and VALID AS
// OF. The SQL encodes NQL's documented semantics (three-valued logic, no
// comparison across types, the total order of ORDER BY).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <random>
#include <set>

#include "cairn/db.h"
#include "nql/ast.h"
#include "nql/row.h"
#include "util/time.h"

namespace cairn {
namespace {

class Oracle {
 public:
  Oracle() {
    EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec("PRAGMA case_sensitive_like = ON");
    Exec("CREATE TABLE versions (seq INTEGER PRIMARY KEY, id TEXT, deleted INT, vf INT, vt INT, doc TEXT)");
    Exec("CREATE INDEX versions_by_id ON versions (id, seq)");
  }
  ~Oracle() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << sql << ": " << (err ? err : "");
  }
  void Add(const Version& v) {
    sqlite3_stmt* st;
    sqlite3_prepare_v2(db_, "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)", -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(v.seq));
    sqlite3_bind_text(st, 2, v.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, v.deleted);
    if (v.valid_from) sqlite3_bind_int64(st, 4, *ParseInstantMillis(*v.valid_from)); else sqlite3_bind_null(st, 4);
    if (v.valid_to) sqlite3_bind_int64(st, 5, *ParseInstantMillis(*v.valid_to)); else sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, v.data.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
  }
  // Rows of `sql` as strings joined by '|' (NULL as "∅").
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << "\n" << sql;
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        if (i) row += "|";
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
          row += "\xE2\x88\x85";
        } else if (sqlite3_column_type(st, i) == SQLITE_FLOAT) {
          char buf[64];
          snprintf(buf, sizeof(buf), "%.6g", sqlite3_column_double(st, i));
          row += buf;
        } else {
          row += reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        }
      }
      out.push_back(row);
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// One generated query: its NQL and the SQL computing the same rows.
struct Case {
  std::string nql, sql;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string Doc() {
    std::string d = "{";
    auto add = [&](const std::string& k, const std::string& v) {
      if (d.size() > 1) d += ",";
      d += "\"" + k + "\":" + v;
    };
    if (Pct(85)) add("a", Scalar());
    if (Pct(80)) add("b", Pick({"\"x\"", "\"y\"", "\"z\"", "\"Yes\"", "\"no\"", "3", "null"}));
    if (Pct(70)) add("c", Pct(80) ? "{\"d\":" + Scalar() + (Pct(50) ? ",\"e\":\"" + Word() + "\"" : "") + "}" : "[1,2]");
    if (Pct(80)) add("n", Pct(85) ? std::to_string(static_cast<int>(rng_() % 200) - 100) : "null");
    if (Pct(75)) add("s", "\"" + Word() + " " + Word() + "\"");
    if (Pct(20)) add("arr", "[\"" + Word() + "\",3]");
    return d + "}";
  }

  Case Query(uint64_t max_seq, int64_t t_lo, int64_t t_hi) {
    Case c;
    std::string from = "FROM t";
    std::string live = "(SELECT v.* FROM versions v WHERE v.deleted = 0 AND v.seq = (SELECT max(w.seq) FROM versions w WHERE w.id = v.id AND w.seq <= " + std::to_string(max_seq) + "))";
    std::string n = std::to_string(max_seq);
    if (Pct(35)) {
      const uint64_t as_of = rng_() % (max_seq + 1);
      from += " AS OF " + std::to_string(as_of);
      n = std::to_string(as_of);
      live = "(SELECT v.* FROM versions v WHERE v.deleted = 0 AND v.seq = (SELECT max(w.seq) FROM versions w WHERE w.id = v.id AND w.seq <= " + n + "))";
    }
    if (Pct(30)) {
      const int64_t t = t_lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(t_hi - t_lo));
      from += " VALID AS OF \"" + FormatInstantMillis(t) + "\"";
      const std::string ts = std::to_string(t);
      const std::string lo = "coalesce((SELECT max(x.seq) FROM versions x WHERE x.id = cur.id AND x.seq <= " + n + " AND x.deleted = 1), 0)";
      const std::string contains = "(%.vf IS NULL OR %.vf <= " + ts + ") AND (%.vt IS NULL OR " + ts + " < %.vt)";
      auto in = [&](const std::string& alias) {
        std::string s = contains;
        for (size_t p; (p = s.find('%')) != std::string::npos;) s.replace(p, 1, alias);
        return s;
      };
      live = "(SELECT v.* FROM " + live + " cur JOIN versions v ON v.id = cur.id WHERE v.seq > " + lo + " AND v.seq <= " + n + " AND " + in("v") +
             " AND v.seq = (SELECT max(w.seq) FROM versions w WHERE w.id = cur.id AND w.seq > " + lo + " AND w.seq <= " + n + " AND " + in("w") + "))";
    }
    std::string where_nql, where_sql = "1";
    if (Pct(85)) {
      auto [p, s] = Pred(2);
      where_nql = " WHERE " + p;
      where_sql = "(" + s + ") IS 1";
    }
    const int shape = static_cast<int>(rng_() % 10);
    if (shape < 6) {
      // Plain rows, maybe ordered, maybe limited.
      std::string order_nql, order_sql;
      if (Pct(60)) {
        const std::string f = Pick({"a", "b", "c.d", "n", "s", "_id"});
        const bool desc = Pct(50);
        order_nql = " ORDER BY " + f + (desc ? " DESC" : "");
        order_sql = Rank(f) + (desc ? " DESC, " : ", ") + Val(f) + (desc ? " DESC, " : ", ");
      }
      std::string lim_nql, lim_sql;
      if (Pct(50)) {
        const int lim = static_cast<int>(rng_() % 30), off = Pct(40) ? static_cast<int>(rng_() % 20) : 0;
        lim_nql = " LIMIT " + std::to_string(lim) + (off ? " OFFSET " + std::to_string(off) : "");
        lim_sql = " LIMIT " + std::to_string(lim) + " OFFSET " + std::to_string(off);
      }
      c.nql = from + where_nql + order_nql + lim_nql;
      c.sql = "SELECT id, seq FROM " + live + " WHERE " + where_sql + " ORDER BY " + order_sql + "id" + lim_sql;
    } else {
      // Groups and aggregates.
      const bool grouped = Pct(75);
      const std::string g = Pick({"b", "c.d", "a"});
      std::string nql = from + where_nql + (grouped ? " GROUP BY " + g : "") + " COUNT, SUM n, AVG n, MIN n, MAX n";
      std::string sql = "SELECT " + std::string(grouped ? Val(g) + ", " : "") +
                        "count(*), sum(" + Num("n") + "), avg(" + Num("n") + "), min(" + Num("n") + "), max(" + Num("n") + ") FROM " + live +
                        " WHERE " + where_sql;
      if (grouped) sql += " GROUP BY " + Rank(g) + ", " + Val(g);
      std::string having_sql;
      if (grouped && Pct(40)) {
        const int k = static_cast<int>(rng_() % 4);
        nql += " HAVING count > " + std::to_string(k);
        sql += " HAVING count(*) > " + std::to_string(k);
      }
      if (grouped) sql += " ORDER BY " + Rank(g) + ", " + Val(g);
      c.nql = nql;
      c.sql = sql;
    }
    return c;
  }

 private:
  bool Pct(int p) { return static_cast<int>(rng_() % 100) < p; }
  std::string Pick(std::initializer_list<const char*> xs) {
    auto it = xs.begin();
    std::advance(it, rng_() % xs.size());
    return *it;
  }
  std::string Word() {
    static const char* kWords[] = {"fox", "Fox", "lazy", "dog", "jump", "over", "quick", "brown", "café", "foxes"};
    return kWords[rng_() % 10];
  }
  // Values around the edges of what index keys decide exactly: integers
  // beyond 2^53 that share a double, and strings long enough to be cut.
  std::string BigInt() {
    static const char* kInts[] = {"9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993",
                                  "9007199254740994"};
    return kInts[rng_() % 5];
  }
  std::string LongString() { return std::string(118 + rng_() % 16, 'x') + std::string(1, static_cast<char>('a' + rng_() % 3)); }
  std::string Scalar() {
    switch (rng_() % 11) {
      case 9: return BigInt();
      case 10: return "\"" + LongString() + "\"";
      case 0: return "null";
      case 1: return "true";
      case 2: return "false";
      case 3: return std::to_string(static_cast<int>(rng_() % 20) - 5);
      case 4: return std::to_string(static_cast<int>(rng_() % 20) - 5) + ".5";
      case 5: return "\"" + std::string(1, static_cast<char>('a' + rng_() % 6)) + "\"";
      case 6: return "\"" + Word() + "\"";
      case 7: return "[" + std::to_string(rng_() % 3) + "]";
      default: return std::to_string(static_cast<int>(rng_() % 10));
    }
  }
  std::string Literal(std::string* sql) {
    switch (rng_() % 8) {
      case 6: {
        std::string v = BigInt();
        *sql = v;
        return v;
      }
      case 7: {
        std::string v = LongString();
        *sql = "'" + v + "'";
        return "\"" + v + "\"";
      }
      case 0: case 1: {
        std::string v = std::to_string(static_cast<int>(rng_() % 20) - 5) + (Pct(30) ? ".5" : "");
        *sql = v;
        return v;
      }
      case 2: case 3: {
        std::string v = Pct(50) ? std::string(1, static_cast<char>('a' + rng_() % 6)) : Word();
        *sql = "'" + v + "'";
        return "\"" + v + "\"";
      }
      case 4: {
        const bool b = Pct(50);
        *sql = b ? "1" : "0";
        return b ? "TRUE" : "FALSE";
      }
      default: *sql = "NULL"; return "NULL";
    }
  }
  static std::string Path(const std::string& f) {
    if (f == "_id") return "";
    return "$." + f;
  }
  // SQL pieces for a field: its json type (NULL when missing) and value.
  static std::string Jt(const std::string& f) {
    if (f == "_id") return "'text'";
    return "json_type(doc, '" + Path(f) + "')";
  }
  static std::string Val(const std::string& f) {
    if (f == "_id") return "id";
    return "json_extract(doc, '" + Path(f) + "')";
  }
  static std::string Num(const std::string& f) {
    return "CASE WHEN " + Jt(f) + " IN ('integer','real') THEN " + Val(f) + " END";
  }
  static std::string Rank(const std::string& f) {
    const std::string jt = Jt(f);
    return "(CASE WHEN " + jt + " IS NULL OR " + jt + " = 'null' THEN 0 WHEN " + jt + " = 'false' THEN 1 WHEN " + jt +
           " = 'true' THEN 2 WHEN " + jt + " IN ('integer','real') THEN 3 WHEN " + jt + " = 'text' THEN 4 WHEN " + jt +
           " = 'array' THEN 5 ELSE 6 END)";
  }
  static std::string ClassOf(const std::string& lit_sql, const std::string& lit_nql) {
    if (lit_nql == "TRUE" || lit_nql == "FALSE") return "('true','false')";
    if (lit_sql[0] == '\'') return "('text')";
    return "('integer','real')";
  }
  std::string Cmp(const std::string& f, const std::string& op, const std::string& lit_nql, const std::string& lit_sql) {
    if (lit_sql == "NULL") return "NULL";
    const std::string jt = Jt(f);
    return "(CASE WHEN " + jt + " IS NULL OR " + jt + " = 'null' THEN NULL WHEN " + jt + " IN " + ClassOf(lit_sql, lit_nql) +
           " THEN (" + Val(f) + " " + op + " " + lit_sql + ") ELSE " + (op == "!=" ? "1" : "0") + " END)";
  }

  std::pair<std::string, std::string> Pred(int depth) {
    const int k = static_cast<int>(rng_() % (depth > 0 ? 11 : 8));
    const std::string f = Pick({"a", "b", "c.d", "c.e", "n", "s", "_id", "arr", "zz"});
    switch (k) {
      case 0: case 1: case 2: {
        const std::string op = Pick({"=", "!=", "<", "<=", ">", ">="});
        std::string ls;
        std::string ln = Literal(&ls);
        return {f + " " + op + " " + ln, Cmp(f, op, ln, ls)};
      }
      case 3: {
        std::string nql = f + (Pct(30) ? " NOT IN (" : " IN ("), sql = "(";
        const bool neg = nql.find("NOT") != std::string::npos;
        const int m = 1 + static_cast<int>(rng_() % 3);
        for (int i = 0; i < m; i++) {
          std::string ls;
          std::string ln = Literal(&ls);
          nql += (i ? ", " : "") + ln;
          sql += (i ? " OR " : "") + Cmp(f, "=", ln, ls);
        }
        return {nql + ")", neg ? "NOT " + sql + ")" : sql + ")"};
      }
      case 4: {
        std::string s1, s2;
        std::string l1 = Literal(&s1), l2 = Literal(&s2);
        return {f + " BETWEEN " + l1 + " AND " + l2, "(" + Cmp(f, ">=", l1, s1) + " AND " + Cmp(f, "<=", l2, s2) + ")"};
      }
      case 5: {
        const bool ci = Pct(40), neg = Pct(25);
        std::string pat = Pick({"%o%", "f%", "_o%", "%x", "%", "fox", "F%", "%a_y%", "%o_"});
        const std::string jt = Jt(f);
        std::string like = ci ? "lower(" + Val(f) + ") LIKE lower('" + pat + "')" : Val(f) + " LIKE '" + pat + "'";
        std::string sql = "(CASE WHEN " + jt + " IS NULL OR " + jt + " = 'null' THEN NULL WHEN " + jt + " = 'text' THEN (" + like + ") ELSE 0 END)";
        return {f + (neg ? " NOT" : "") + (ci ? " ILIKE \"" : " LIKE \"") + pat + "\"", neg ? "(NOT " + sql + ")" : sql};
      }
      case 6: {
        const bool neg = Pct(50);
        const std::string jt = Jt(f);
        const std::string isnull = "(" + jt + " IS NULL OR " + jt + " = 'null')";
        return {f + (neg ? " IS NOT NULL" : " IS NULL"), neg ? "(NOT " + isnull + ")" : isnull};
      }
      case 7: {
        auto [p, s] = Pred(0);
        return {"NOT " + p, "(NOT " + s + ")"};
      }
      default: {
        auto [p1, s1] = Pred(depth - 1);
        auto [p2, s2] = Pred(depth - 1);
        const bool both = Pct(50);
        return {"(" + p1 + (both ? " AND " : " OR ") + p2 + ")", "(" + s1 + (both ? " AND " : " OR ") + s2 + ")"};
      }
    }
  }

  std::mt19937_64 rng_;
};

std::string Format(const nql::JsonValue* v) {
  if (v == nullptr || v->IsNull()) return "\xE2\x88\x85";
  if (v->IsBool()) return v->IsTrue() ? "1" : "0";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsNumber()) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.6g", v->GetDouble());
    return buf;
  }
  return nql::RowToJson(*v);
}

// Our rows, reduced to the columns the SQL selects.
std::vector<std::string> Reduce(const QueryResult& r, const std::string& nql) {
  std::vector<std::string> out;
  const size_t group_at = nql.find(" GROUP BY ");
  const bool aggregated = nql.find(" COUNT") != std::string::npos;
  std::string group_field;
  if (group_at != std::string::npos) {
    group_field = nql.substr(group_at + 10);
    group_field = group_field.substr(0, group_field.find(' '));
  }
  for (const std::string& text : r.rows) {
    nql::Doc d;
    EXPECT_TRUE(nql::ParseJson(text, &d)) << text;
    if (!aggregated) {
      out.push_back(std::string(d["_id"].GetString()) + "|" + std::to_string(d["_seq"].GetUint64()));
      continue;
    }
    std::string row;
    if (!group_field.empty()) {
      nql::Field f;
      for (size_t a = 0, b; a <= group_field.size(); a = b + 1) {
        b = group_field.find('.', a);
        if (b == std::string::npos) b = group_field.size();
        f.path.push_back(group_field.substr(a, b - a));
      }
      row = Format(nql::Lookup(d, f)) + "|";
    }
    for (const char* k : {"count", "sum_n", "avg_n", "min_n", "max_n"}) {
      const nql::JsonValue* v = d.HasMember(k) ? &d[k] : nullptr;
      row += Format(v);
      if (std::string(k) != "max_n") row += "|";
    }
    out.push_back(row);
  }
  return out;
}

class NqlDifferential : public ::testing::TestWithParam<bool> {};

// With indexes, every query on the current state goes through them (an
// equality, IN, range or ORDER BY ... LIMIT on an indexed field), and must
// give the same rows as SQLite, as the scans do.
TEST_P(NqlDifferential, MatchesSQLiteOnRandomDocumentsAndQueries) {
  const bool with_indexes = GetParam();
  auto db = Database::OpenInMemory(Options{});
  ASSERT_TRUE(db.ok());
  Oracle oracle;
  Generator gen(20261122);
  std::mt19937_64 rng(7);
  const int64_t t0 = 1700000000000;
  const int64_t day = 86400000;
  // 400 documents written, then updated, deleted and recreated.
  for (int step = 0; step < 1200; step++) {
    const std::string id = "d" + std::to_string(rng() % 400);
    Result<Version> v = Status::OK();
    if (step >= 400 && rng() % 10 == 0) {
      v = (*db)->Delete("t", id);
      if (!v.ok()) {
        ASSERT_EQ(v.status().code(), Code::kNotFound);
        continue;
      }
    } else {
      WriteOptions o;
      if (rng() % 3 == 0) {
        const int64_t from = t0 + static_cast<int64_t>(rng() % 20) * day;
        o.valid_from = FormatInstantMillis(from);
        if (rng() % 2) o.valid_to = FormatInstantMillis(from + static_cast<int64_t>(1 + rng() % 10) * day);
      } else if (rng() % 4 == 0) {
        o.valid_to = FormatInstantMillis(t0 + static_cast<int64_t>(rng() % 30) * day);
      }
      v = (*db)->Put("t", id, gen.Doc(), o);
    }
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    oracle.Add(*v);
  }
  if (with_indexes) {
    for (const char* f : {"a", "b", "c.d", "n", "s", "_id"}) ASSERT_TRUE((*db)->CreateIndex("t", f).ok()) << f;
  }
  auto head = (*db)->GetHead();
  ASSERT_TRUE(head.ok());
  int indexed = 0;
  for (int i = 0; i < 3000; i++) {
    Case c = gen.Query(head->seq, t0 - day, t0 + 35 * day);
    auto r = (*db)->Query(c.nql);
    ASSERT_TRUE(r.ok()) << c.nql << "\n" << r.status().ToString();
    ASSERT_EQ(Reduce(*r, c.nql), oracle.Rows(c.sql)) << "query " << i << ": " << c.nql << "\nSQL: " << c.sql
                                                     << "\nplan:\n" << r->plan;
    indexed += r->plan.find("access: index") != std::string::npos;
  }
  if (with_indexes) EXPECT_GT(indexed, 400) << "too few queries went through an index";
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutIndexes, NqlDifferential, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Indexed" : "Scanned"; });

}  // namespace
}  // namespace cairn
