#include "nql/executor.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include "index/tokenizer.h"
#include "index/value_key.h"
#include "nql/row.h"
#include "util/json.h"
#include "util/time.h"

namespace cairn::nql {
namespace {

using Bound = Source::Bound;

const char* OpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "=";
    case CmpOp::kNe: return "!=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
  }
  return "?";
}

std::string PredicateText(const Predicate& p) {
  switch (p.kind) {
    case Predicate::Kind::kAnd: return "(" + PredicateText(*p.left) + " AND " + PredicateText(*p.right) + ")";
    case Predicate::Kind::kOr: return "(" + PredicateText(*p.left) + " OR " + PredicateText(*p.right) + ")";
    case Predicate::Kind::kNot: return "NOT " + PredicateText(*p.left);
    case Predicate::Kind::kCompare: return p.field.text + " " + OpText(p.op) + " " + p.values[0].text;
    case Predicate::Kind::kIn: {
      std::string s = p.field.text + (p.negated ? " NOT IN (" : " IN (");
      for (size_t i = 0; i < p.values.size(); i++) s += (i ? ", " : "") + p.values[i].text;
      return s + ")";
    }
    case Predicate::Kind::kBetween:
      return p.field.text + " BETWEEN " + p.values[0].text + " AND " + p.values[1].text;
    case Predicate::Kind::kLike:
      return p.field.text + (p.negated ? " NOT" : "") + (p.case_insensitive ? " ILIKE " : " LIKE ") + p.values[0].text;
    case Predicate::Kind::kIsNull: return p.field.text + (p.negated ? " IS NOT NULL" : " IS NULL");
  }
  return "?";
}

// The type-class range of a literal's kind: [low, high) over keys.
char TagOf(const Literal& l) { return LiteralKey(l)[0]; }
std::string TypeLow(const Literal& l) {
  const char t = TagOf(l);
  return std::string(1, t == 0x03 ? 0x02 : t);  // booleans are one class
}
std::string TypeHigh(const Literal& l) {
  const char t = TagOf(l);
  return std::string(1, static_cast<char>((t == 0x02 ? 0x03 : t) + 1));
}

// The access path.
struct Plan {
  enum class Access { kScan, kPrimary, kPoints, kRange, kText } access = Access::kScan;
  std::vector<std::string> ids;      // kPrimary: the _id values
  std::string field;                 // kPoints, kRange
  std::vector<std::string> points;   // kPoints: value keys
  std::optional<Bound> lo, hi;       // kRange: [lo, hi) or [lo, hi]
  bool ordered = false;              // the range scan yields the first ORDER BY key's order
  bool reverse = false;
  bool early_stop = false;           // stop once offset + limit rows are out
  std::vector<std::string> lines;
};

void Conjuncts(const Predicate* p, std::vector<const Predicate*>* out) {
  if (p == nullptr) return;
  if (p->kind == Predicate::Kind::kAnd) {
    Conjuncts(p->left.get(), out);
    Conjuncts(p->right.get(), out);
  } else {
    out->push_back(p);
  }
}

bool SameField(const Field& a, const std::string& b) { return a.text == b; }

// The words of SEARCH: each required; a trailing * makes the last word of a
// term a prefix.
struct SearchTerm {
  std::string word;
  bool prefix = false;
};

Result<std::vector<SearchTerm>> ParseSearch(const std::string& text) {
  std::vector<SearchTerm> terms;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') i++;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') j++;
    if (j > i) {
      std::string_view piece(text.data() + i, j - i);
      const bool prefix = piece.back() == '*';
      if (prefix) piece.remove_suffix(1);
      std::vector<std::string> words;
      Tokenize(piece, &words);
      for (size_t k = 0; k < words.size(); k++) {
        terms.push_back({words[k], prefix && k + 1 == words.size()});
      }
    }
    i = j;
  }
  if (terms.empty()) {
    return Status::InvalidArgument("SEARCH \"" + text + "\" holds no word to search for");
  }
  return terms;
}

void CollectWords(const JsonValue& v, std::vector<std::string>* words) {
  if (v.IsString()) {
    Tokenize(std::string_view(v.GetString(), v.GetStringLength()), words);
  } else if (v.IsArray()) {
    for (const JsonValue& e : v.GetArray()) CollectWords(e, words);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) CollectWords(m.value, words);
  }
}

// The document's own string values (special fields excluded).
bool MatchesSearch(const JsonValue& row, const std::vector<SearchTerm>& terms) {
  std::vector<std::string> words;
  for (const auto& m : row.GetObject()) {
    if (IsSpecialField(std::string_view(m.name.GetString(), m.name.GetStringLength()))) continue;
    CollectWords(m.value, &words);
  }
  std::sort(words.begin(), words.end());
  for (const SearchTerm& t : terms) {
    auto it = std::lower_bound(words.begin(), words.end(), t.word);
    if (it == words.end()) return false;
    if (t.prefix ? !it->starts_with(t.word) : *it != t.word) return false;
  }
  return true;
}

bool ValidAt(const Version& v, int64_t t) {
  if (v.valid_from) {
    Result<int64_t> from = ParseInstantMillis(*v.valid_from);
    if (from.ok() && t < *from) return false;
  }
  if (v.valid_to) {
    Result<int64_t> to = ParseInstantMillis(*v.valid_to);
    if (to.ok() && t >= *to) return false;
  }
  return true;
}

struct OrderCmp {
  const std::vector<OrderKey>* keys;
  // <0 when a sorts before b.
  int operator()(const JsonValue& a, const JsonValue& b) const {
    for (const OrderKey& k : *keys) {
      int c = CompareTotal(Lookup(a, k.field), Lookup(b, k.field));
      if (c != 0) return k.descending ? -c : c;
    }
    return 0;
  }
};

class Executor {
 public:
  Executor(const Query& q, Source& src, uint64_t as_of) : q_(q), src_(src), as_of_(as_of) {}

  Result<Output> Run() {
    if (q_.search) {
      CAIRN_ASSIGN_OR_RETURN(terms_, ParseSearch(*q_.search));
    }
    Choose();
    Output out;
    out.used_index = plan_.access != Plan::Access::kScan && plan_.access != Plan::Access::kPrimary;
    for (size_t i = 0; i < plan_.lines.size(); i++) out.plan += (i ? "\n" : "") + plan_.lines[i];
    if (q_.explain) return out;
    if (group_from_index_) {
      CAIRN_RETURN_IF_ERROR(GroupCountFromIndex());
    } else {
      CAIRN_RETURN_IF_ERROR(Collect());
      if (q_.traverse) CAIRN_RETURN_IF_ERROR(Traverse());
      if (q_.trace) CAIRN_RETURN_IF_ERROR(TraceRows());
      if (!q_.group_by.empty() || !q_.aggregates.empty()) CAIRN_RETURN_IF_ERROR(Group());
    }
    if (q_.having) {
      std::vector<Row> kept;
      for (Row& r : rows_) {
        if (Evaluate(*q_.having, *r.doc) == Tri::kTrue) kept.push_back(std::move(r));
      }
      rows_ = std::move(kept);
    }
    if (!q_.order_by.empty() && !plan_.ordered) {
      OrderCmp cmp{&q_.order_by};
      std::stable_sort(rows_.begin(), rows_.end(),
                       [&](const Row& a, const Row& b) { return cmp(*a.doc, *b.doc) < 0; });
    }
    const uint64_t offset = q_.offset.value_or(0);
    const uint64_t limit = q_.limit.value_or(UINT64_MAX);
    for (uint64_t i = offset; i < rows_.size() && i - offset < limit; i++) {
      Row& r = rows_[i];
      out.rows.push_back(r.json.empty() ? RowToJson(*r.doc) : std::move(r.json));
    }
    return out;
  }

 private:
  bool Simple() const {
    return !q_.traverse && !q_.trace && q_.group_by.empty() && q_.aggregates.empty();
  }

  void Choose() {
    if (IndexOnlyGroupCount()) {
      group_from_index_ = true;
      plan_.access = Plan::Access::kRange;  // reads the index
      plan_.field = q_.group_by[0].text;
      plan_.lines.push_back("snapshot: as of seq " + std::to_string(as_of_));
      plan_.lines.push_back("access: index " + q_.coll + "." + plan_.field +
                            ", counting entries per value (documents read only for values the key does not hold exactly)");
      if (q_.having) plan_.lines.push_back("then: HAVING " + PredicateText(*q_.having));
      if (!q_.order_by.empty()) plan_.lines.push_back("then: sort");
      if (q_.limit || q_.offset) plan_.lines.push_back("then: OFFSET " + std::to_string(q_.offset.value_or(0)) + " LIMIT " + (q_.limit ? std::to_string(*q_.limit) : "all"));
      return;
    }
    // Indexes hold each document's current version: VALID AS OF may need
    // an older one, so it scans.
    std::vector<std::string> indexed;
    if (!q_.valid_at_ms) indexed = src_.IndexedFields(q_.coll, as_of_);
    auto has_index = [&](const Field& f) {
      return std::find(indexed.begin(), indexed.end(), f.text) != indexed.end();
    };
    std::vector<const Predicate*> conj;
    Conjuncts(q_.where.get(), &conj);
    std::vector<const Predicate*> exact;  // conjuncts the access path decides
    // 0. _id = "x" or _id IN (...): the primary key, one read per id.
    for (const Predicate* p : conj) {
      if (p->field.path.size() != 1 || p->field.path[0] != "_id") continue;
      const bool eq = p->kind == Predicate::Kind::kCompare && p->op == CmpOp::kEq;
      const bool in = p->kind == Predicate::Kind::kIn && !p->negated;
      if (!eq && !in) continue;
      std::set<std::string> ids;
      for (const Literal& l : p->values) {
        if (l.kind == Literal::Kind::kString) ids.insert(l.string);  // other types match no id
      }
      plan_.access = Plan::Access::kPrimary;
      plan_.ids.assign(ids.begin(), ids.end());
      exact.push_back(p);  // a read by id returns exactly that id
      plan_.lines.push_back("access: primary key of " + q_.coll + ", " + std::to_string(plan_.ids.size()) +
                            " read(s) for " + PredicateText(*p));
      break;
    }
    // 1. Equality or IN on an indexed field.
    for (const Predicate* p : conj) {
      if (plan_.access != Plan::Access::kScan) break;
      if (!has_index(p->field)) continue;
      bool points = false;
      if (p->kind == Predicate::Kind::kCompare && p->op == CmpOp::kEq &&
          p->values[0].kind != Literal::Kind::kNull) {
        points = true;
      } else if (p->kind == Predicate::Kind::kIn && !p->negated) {
        points = true;
        for (const Literal& l : p->values) points &= l.kind != Literal::Kind::kNull;
      }
      if (!points) continue;
      plan_.access = Plan::Access::kPoints;
      plan_.field = p->field.text;
      std::set<std::string> keys;
      bool decides = true;
      for (const Literal& l : p->values) {
        keys.insert(LiteralKey(l));
        decides &= LiteralKeyIsExact(l);
      }
      if (decides) exact.push_back(p);
      plan_.points.assign(keys.begin(), keys.end());
      plan_.lines.push_back("access: index " + q_.coll + "." + plan_.field + ", " +
                            std::to_string(plan_.points.size()) + " point lookup(s) for " + PredicateText(*p));
      break;
    }
    // 2. A range on an indexed field (the first ORDER BY field preferred).
    if (plan_.access == Plan::Access::kScan) {
      std::string best;
      std::optional<Bound> lo, hi;
      std::vector<std::string> used;
      std::vector<const Predicate*> used_preds;
      auto try_field = [&](const std::string& field) {
        std::optional<Bound> l, h;
        std::vector<std::string> u;
        std::vector<const Predicate*> up;
        for (const Predicate* p : conj) {
          if (!SameField(p->field, field)) continue;
          auto tighten_lo = [&](std::string key, bool inclusive) {
            if (!l || key > l->key || (key == l->key && !inclusive)) l = Bound{key, inclusive};
          };
          auto tighten_hi = [&](std::string key, bool inclusive) {
            if (!h || key < h->key || (key == h->key && !inclusive)) h = Bound{key, inclusive};
          };
          if (p->kind == Predicate::Kind::kCompare && p->values[0].kind != Literal::Kind::kNull &&
              p->op != CmpOp::kEq && p->op != CmpOp::kNe) {
            const Literal& v = p->values[0];
            const std::string k = LiteralKey(v);
            // A key that does not decide the value (a cut string, an
            // integer beyond 2^53) is shared by values on both sides of
            // it: the scan includes it and the filter decides.
            const bool shared = !LiteralKeyIsExact(v);
            if (p->op == CmpOp::kGt || p->op == CmpOp::kGe) {
              tighten_lo(k, p->op == CmpOp::kGe || shared);
              tighten_hi(TypeHigh(v), false);
            } else {
              tighten_hi(k, p->op == CmpOp::kLe || shared);
              tighten_lo(TypeLow(v), true);
            }
            u.push_back(PredicateText(*p));
            up.push_back(p);
          } else if (p->kind == Predicate::Kind::kBetween && p->values[0].kind != Literal::Kind::kNull &&
                     p->values[1].kind != Literal::Kind::kNull) {
            tighten_lo(LiteralKey(p->values[0]), true);
            tighten_hi(LiteralKey(p->values[1]), true);
            u.push_back(PredicateText(*p));
            up.push_back(p);
          }
        }
        if (l || h) {
          best = field;
          lo = l;
          hi = h;
          used = u;
          used_preds = up;
          return true;
        }
        return false;
      };
      bool found = false;
      if (!q_.order_by.empty() && has_index(q_.order_by[0].field)) found = try_field(q_.order_by[0].field.text);
      for (const Predicate* p : conj) {
        if (found) break;
        if (has_index(p->field)) found = try_field(p->field.text);
      }
      if (found) {
        plan_.access = Plan::Access::kRange;
        plan_.field = best;
        plan_.lo = lo;
        plan_.hi = hi;
        std::string what;
        for (size_t i = 0; i < used.size(); i++) what += (i ? " AND " : "") + used[i];
        plan_.lines.push_back("access: index " + q_.coll + "." + best + ", range scan for " + what);
        for (const Predicate* p : used_preds) {
          bool decides = true;
          for (const Literal& l : p->values) decides &= LiteralKeyIsExact(l);
          // BETWEEN across type classes holds for no value, but its key
          // range spans whole classes.
          if (p->kind == Predicate::Kind::kBetween) decides &= TypeLow(p->values[0]) == TypeLow(p->values[1]);
          if (decides) exact.push_back(p);
        }
      } else if (!q_.order_by.empty() && q_.limit && has_index(q_.order_by[0].field) && Simple() &&
                 !q_.search) {
        // 3. ORDER BY ... LIMIT on an indexed field: walk the index in order.
        plan_.access = Plan::Access::kRange;
        plan_.field = q_.order_by[0].field.text;
        plan_.lines.push_back("access: index " + q_.coll + "." + plan_.field + ", full scan in " +
                              (q_.order_by[0].descending ? "descending" : "ascending") + " order");
      }
    }
    if (plan_.access == Plan::Access::kRange && !q_.order_by.empty() &&
        q_.order_by[0].field.text == plan_.field && Simple()) {
      plan_.ordered = true;
      plan_.reverse = q_.order_by[0].descending;
      plan_.early_stop = q_.limit.has_value();
      plan_.lines.push_back(std::string("order: by the index") +
                            (plan_.early_stop ? ", stopping after OFFSET + LIMIT rows" : ""));
    }
    // 4. Full-text index.
    if (plan_.access == Plan::Access::kScan && q_.search && !q_.valid_at_ms &&
        src_.HasTextIndex(q_.coll, as_of_)) {
      plan_.access = Plan::Access::kText;
      plan_.lines.push_back("access: text index of " + q_.coll + ", intersecting " +
                            std::to_string(terms_.size()) + " term(s)");
    }
    if (plan_.access == Plan::Access::kScan) {
      plan_.lines.push_back("access: scan of every live document in " + q_.coll);
      if (!plan_.ordered && Simple() && q_.order_by.empty() && q_.limit) plan_.early_stop = true;
    }
    if ((plan_.access == Plan::Access::kPoints || plan_.access == Plan::Access::kPrimary) && Simple() &&
        q_.order_by.empty() && q_.limit) {
      plan_.early_stop = true;
    }
    where_exact_ = !conj.empty() && std::all_of(conj.begin(), conj.end(), [&](const Predicate* p) {
      return std::find(exact.begin(), exact.end(), p) != exact.end();
    });
    const bool groups = !q_.group_by.empty() || !q_.aggregates.empty() || q_.having != nullptr;
    const bool sorts = !q_.order_by.empty() && !plan_.ordered;
    need_doc_ = (q_.where && !where_exact_) || (q_.search && plan_.access != Plan::Access::kText) || groups ||
                (sorts && !q_.traverse && !q_.trace);
    need_doc_after_ = groups || sorts;
    // TRAVERSE reads only the ids of the rows it starts from: when nothing
    // else reads them, rows found through an index are not read at all.
    ids_only_ = q_.traverse && !q_.trace && !need_doc_ && !q_.valid_at_ms &&
                (plan_.access == Plan::Access::kPoints || plan_.access == Plan::Access::kRange);
    std::string snapshot = "snapshot: as of seq " + std::to_string(as_of_);
    if (q_.valid_at_ms) snapshot += ", valid at " + FormatInstantMillis(*q_.valid_at_ms);
    plan_.lines.insert(plan_.lines.begin(), snapshot);
    if (q_.where) {
      plan_.lines.push_back("filter: WHERE " + PredicateText(*q_.where) +
                            (where_exact_ ? ", decided by the access path" : " on every candidate"));
    }
    if (q_.search) {
      plan_.lines.push_back("filter: SEARCH \"" + *q_.search + "\"" +
                            (plan_.access == Plan::Access::kText ? ", decided by the text index" : " on every candidate"));
    }
    if (q_.traverse) {
      plan_.lines.push_back("then: TRAVERSE " + *q_.traverse + (q_.traverse_reverse ? " REVERSE" : "") +
                            " through the link index" +
                            (ids_only_ ? ", from the ids the index gives (starting rows not read)" : ""));
    }
    if (q_.trace) plan_.lines.push_back(std::string("then: TRACE caused_by") + (q_.trace_reverse ? " REVERSE (effect index)" : " (causes)"));
    if (!q_.group_by.empty() || !q_.aggregates.empty()) plan_.lines.push_back("then: group and aggregate");
    if (q_.having) plan_.lines.push_back("then: HAVING " + PredicateText(*q_.having));
    if (!q_.order_by.empty() && !plan_.ordered) plan_.lines.push_back("then: sort");
    if (q_.limit || q_.offset) plan_.lines.push_back("then: OFFSET " + std::to_string(q_.offset.value_or(0)) + " LIMIT " + (q_.limit ? std::to_string(*q_.limit) : "all"));
  }

  // Applies valid time, WHERE and SEARCH to a live version; keeps the row.
  Result<bool> Consider(Version&& v, bool need_doc = false) {
    if (q_.valid_at_ms && !ValidAt(v, *q_.valid_at_ms)) {
      std::optional<Version> older;
      CAIRN_ASSIGN_OR_RETURN(std::vector<Version> history, src_.History(v.coll, v.id));
      for (Version& h : history) {
        if (h.seq >= v.seq) continue;
        if (h.deleted) break;  // an earlier incarnation of the document
        if (ValidAt(h, *q_.valid_at_ms)) {
          older = std::move(h);
          break;
        }
      }
      if (!older) return false;
      v = std::move(*older);
    }
    Row row;
    if (need_doc || need_doc_) {
      CAIRN_ASSIGN_OR_RETURN(row, RowOfVersion(v));
      if (q_.where && !where_exact_ && Evaluate(*q_.where, *row.doc) != Tri::kTrue) return false;
      if (q_.search && plan_.access != Plan::Access::kText && !MatchesSearch(*row.doc, terms_)) return false;
    }
    CAIRN_RETURN_IF_ERROR(FinishRow(std::move(v), -1, &row));
    rows_.push_back(std::move(row));
    return true;
  }

  // The row of a version: its canonical text always (spliced, no DOM), its
  // DOM when something reads its values.
  Result<Row> MakeRow(Version&& v, int64_t depth, bool with_doc) {
    Row row;
    if (with_doc) {
      CAIRN_ASSIGN_OR_RETURN(row, RowOfVersion(v, depth));
    }
    CAIRN_RETURN_IF_ERROR(FinishRow(std::move(v), depth, &row));
    return row;
  }

  // Adds the row's text and its version's identity.
  Status FinishRow(Version&& v, int64_t depth, Row* row) {
    CAIRN_ASSIGN_OR_RETURN(row->json, RowJsonOfVersion(v, depth));
    row->seq = v.seq;
    row->coll = std::move(v.coll);
    row->id = std::move(v.id);
    row->hash = v.hash;
    return Status::OK();
  }

  // How many index entries a scan is expected to hand over: the rows
  // wanted when the scan stops early (0: unknown).
  size_t Expected(uint64_t wanted) const {
    return plan_.early_stop && wanted < 4096 ? static_cast<size_t>(wanted) : 0;
  }

  uint64_t Wanted() const {
    const uint64_t limit = q_.limit.value_or(UINT64_MAX);
    const uint64_t offset = q_.offset.value_or(0);
    return limit > UINT64_MAX - offset ? UINT64_MAX : offset + limit;
  }

  // ref: what the index entry holding `id` gave (Source::GetIndexed), or empty.
  Status ConsiderId(std::string_view id, bool need_doc = false, std::string_view ref = {}) {
    // An index entry names a live document (a removed one is skipped), and
    // the snapshot is the index's (Query re-runs without indexes otherwise).
    if (ids_only_ && !need_doc && !ref.empty()) {
      Row row;
      row.coll = q_.coll;
      row.id = std::string(id);
      rows_.push_back(std::move(row));
      return Status::OK();
    }
    CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v,
                           ref.empty() ? src_.Get(q_.coll, id, as_of_) : src_.GetIndexed(q_.coll, id, as_of_, ref));
    if (!v) return Status::OK();  // a stale index entry: the document is gone
    return Consider(std::move(*v), need_doc).status();
  }

  Status Collect() {
    const uint64_t wanted = Wanted();
    if (plan_.early_stop) rows_.reserve(static_cast<size_t>(std::min<uint64_t>(wanted, 1024)));
    switch (plan_.access) {
      case Plan::Access::kScan: {
        Status inner;
        CAIRN_RETURN_IF_ERROR(src_.ScanLive(q_.coll, as_of_, [&](Version&& v) {
          Result<bool> r = Consider(std::move(v));
          if (!r.ok()) {
            inner = r.status();
            return false;
          }
          return !(plan_.early_stop && rows_.size() >= wanted);
        }));
        return inner;
      }
      case Plan::Access::kPrimary: {
        for (const std::string& id : plan_.ids) {  // sorted: the scan order
          CAIRN_RETURN_IF_ERROR(ConsiderId(id));
          if (plan_.early_stop && rows_.size() >= wanted) break;
        }
        return Status::OK();
      }
      case Plan::Access::kPoints: {
        if (plan_.points.size() == 1) {
          // One key: its entries come in id order already; stream them.
          Status inner;
          CAIRN_RETURN_IF_ERROR(src_.IndexScan(
              q_.coll, plan_.field, as_of_, Bound{plan_.points[0], true}, Bound{plan_.points[0], true}, false,
              [&](std::string_view, std::string_view id, std::string_view ref) {
                inner = ConsiderId(id, false, ref);
                return inner.ok() && !(plan_.early_stop && rows_.size() >= wanted);
              },
              Expected(wanted)));
          return inner;
        }
        std::vector<std::pair<std::string, std::string>> ids;  // (id, ref)
        for (const std::string& key : plan_.points) {
          CAIRN_RETURN_IF_ERROR(src_.IndexScan(
              q_.coll, plan_.field, as_of_, Bound{key, true}, Bound{key, true}, false,
              [&](std::string_view, std::string_view id, std::string_view ref) {
                ids.emplace_back(id, ref);
                return true;
              }));
        }
        // The scan order: by id. A document is under one key only.
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                  ids.end());
        for (const auto& [id, ref] : ids) {
          CAIRN_RETURN_IF_ERROR(ConsiderId(id, false, ref));
          if (plan_.early_stop && rows_.size() >= wanted) break;
        }
        return Status::OK();
      }
      case Plan::Access::kRange: return CollectRange(wanted);
      case Plan::Access::kText: {
        // The postings of each word are in id order: intersect them in
        // batches (leapfrogging, in the source) and stop once enough rows
        // are out.
        std::vector<std::pair<std::string, bool>> terms;
        for (const SearchTerm& t : terms_) terms.emplace_back(t.word, t.prefix);
        std::string after;
        size_t batch = 32;
        while (true) {
          std::vector<std::string> ids;
          CAIRN_RETURN_IF_ERROR(src_.TextIntersect(q_.coll, terms, after, batch, &ids));
          for (const std::string& id : ids) {
            CAIRN_RETURN_IF_ERROR(ConsiderId(id));
            if (plan_.early_stop && rows_.size() >= wanted) return Status::OK();
          }
          if (ids.size() < batch) return Status::OK();
          after = ids.back();
          batch = std::min<size_t>(batch * 4, 4096);
        }
      }
    }
    return Status::OK();
  }

  // Index order: runs of equal keys are collected, sorted exactly (by the
  // ORDER BY keys, ties by id) and emitted; with early stop, collection ends
  // after the run that completes OFFSET + LIMIT rows.
  Status CollectRange(uint64_t wanted) {
    std::string run_key;
    std::vector<std::pair<std::string, std::string>> run_ids;  // (id, ref)
    Status inner;
    auto flush = [&]() -> Status {
      if (run_ids.empty()) return Status::OK();
      std::sort(run_ids.begin(), run_ids.end());
      const size_t before = rows_.size();
      // A run of more than one row is sorted by the ORDER BY values.
      const bool sort_run = plan_.ordered && run_ids.size() > 1;
      for (const auto& [id, ref] : run_ids) CAIRN_RETURN_IF_ERROR(ConsiderId(id, sort_run, ref));
      run_ids.clear();
      if (sort_run) {
        OrderCmp cmp{&q_.order_by};
        std::stable_sort(rows_.begin() + static_cast<ptrdiff_t>(before), rows_.end(),
                         [&](const Row& a, const Row& b) { return cmp(*a.doc, *b.doc) < 0; });
      }
      return Status::OK();
    };
    CAIRN_RETURN_IF_ERROR(src_.IndexScan(
        q_.coll, plan_.field, as_of_, plan_.lo, plan_.hi, plan_.reverse,
        [&](std::string_view key, std::string_view id, std::string_view ref) {
          if (key != run_key) {
            inner = flush();
            if (!inner.ok()) return false;
            if (plan_.early_stop && rows_.size() >= wanted) return false;
            run_key.assign(key);
          }
          run_ids.emplace_back(id, ref);
          return true;
        },
        Expected(wanted)));
    CAIRN_RETURN_IF_ERROR(inner);
    if (!(plan_.early_stop && rows_.size() >= wanted)) CAIRN_RETURN_IF_ERROR(flush());
    if (!plan_.ordered) {
      // A range scan not serving ORDER BY: back to the scan order, by id.
      std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
    }
    return Status::OK();
  }

  Status Traverse() {
    std::vector<Row> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (const Row& r : rows_) {
      CAIRN_ASSIGN_OR_RETURN(auto next, src_.Neighbors(r.coll, r.id, *q_.traverse, q_.traverse_reverse, as_of_));
      for (auto& [ncoll, nid] : next) {
        if (!seen.insert({ncoll, nid}).second) continue;
        CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v, src_.Get(ncoll, nid, as_of_));
        if (!v) continue;  // a deleted endpoint
        CAIRN_ASSIGN_OR_RETURN(Row row, MakeRow(std::move(*v), -1, need_doc_after_));
        out.push_back(std::move(row));
      }
    }
    rows_ = std::move(out);
    return Status::OK();
  }

  Status TraceRows() {
    std::vector<Row> out;
    std::unordered_set<Hash, HashHasher> seen;
    TraceOptions o;
    o.reverse = q_.trace_reverse;
    o.depth = q_.trace_depth ? static_cast<size_t>(*q_.trace_depth) : SIZE_MAX;
    o.as_of = as_of_;
    for (const Row& r : rows_) {
      CAIRN_ASSIGN_OR_RETURN(std::vector<TraceEntry> chain, src_.Trace(r.hash, o));
      for (TraceEntry& e : chain) {
        if (!seen.insert(e.version.hash).second) continue;
        CAIRN_ASSIGN_OR_RETURN(Row row, MakeRow(std::move(e.version), e.depth, need_doc_after_));
        out.push_back(std::move(row));
      }
    }
    rows_ = std::move(out);
    return Status::OK();
  }

  // GROUP BY an indexed field with only COUNT, over the whole collection:
  // counted from the index without reading documents. Keys that do not
  // determine their value exactly (long strings, arrays, objects) are
  // resolved by reading those documents.
  bool IndexOnlyGroupCount() const {
    if (q_.where || q_.search || q_.traverse || q_.trace || q_.valid_at_ms || q_.group_by.size() != 1) return false;
    for (const Aggregate& a : q_.aggregates) {
      if (a.fn != Aggregate::Fn::kCount) return false;
    }
    const std::vector<std::string> indexed = src_.IndexedFields(q_.coll, as_of_);
    return std::find(indexed.begin(), indexed.end(), q_.group_by[0].text) != indexed.end();
  }

  Status GroupCountFromIndex() {
    // (value as canonical JSON, count) in index order.
    std::vector<std::pair<std::string, uint64_t>> counts;
    std::map<std::string, uint64_t> inexact;  // values of keys that had to be read
    Status inner;
    std::string last_key;
    CAIRN_RETURN_IF_ERROR(src_.IndexScan(q_.coll, q_.group_by[0].text, as_of_, std::nullopt, std::nullopt, false,
                                         [&](std::string_view key, std::string_view id, std::string_view ref) {
                                           std::string value;
                                           if (DecodeValueKey(key, &value)) {
                                             if (counts.empty() || key != last_key) {
                                               counts.emplace_back(value, 0);
                                               last_key.assign(key);
                                             }
                                             counts.back().second++;
                                             return true;
                                           }
                                           Result<std::optional<Version>> v = src_.GetIndexed(q_.coll, id, as_of_, ref);
                                           if (!v.ok()) {
                                             inner = v.status();
                                             return false;
                                           }
                                           if (!*v) return true;
                                           Result<Row> row = RowOfVersion(**v);
                                           if (!row.ok()) {
                                             inner = row.status();
                                             return false;
                                           }
                                           const JsonValue* f = Lookup(*row->doc, q_.group_by[0]);
                                           inexact[f ? RowToJson(*f) : "null"]++;
                                           return true;
                                         }));
    CAIRN_RETURN_IF_ERROR(inner);
    for (auto& [value, n] : inexact) counts.emplace_back(value, n);
    rows_.clear();
    for (const auto& [value, n] : counts) {
      Row row;
      row.doc = std::make_unique<Doc>();
      Doc& d = *row.doc;
      auto& al = d.GetAllocator();
      d.SetObject();
      Doc parsed(&al);
      (void)ParseJson(value, &parsed);
      JsonValue* obj = &d;
      const Field& f = q_.group_by[0];
      for (size_t p = 0; p + 1 < f.path.size(); p++) {
        obj->AddMember(JsonValue(f.path[p].data(), static_cast<rapidjson::SizeType>(f.path[p].size()), al),
                       JsonValue(rapidjson::kObjectType), al);
        obj = &(*obj)[JsonValue(f.path[p].data(), static_cast<rapidjson::SizeType>(f.path[p].size()), al)];
      }
      obj->AddMember(JsonValue(f.path.back().data(), static_cast<rapidjson::SizeType>(f.path.back().size()), al),
                     static_cast<JsonValue&>(parsed), al);
      for (const Aggregate& a : q_.aggregates) {
        auto m = d.FindMember(JsonValue(rapidjson::StringRef(a.name.data(), a.name.size())));
        if (m != d.MemberEnd()) {
          m->value = JsonValue(static_cast<uint64_t>(n));
        } else {
          d.AddMember(JsonValue(a.name.data(), static_cast<rapidjson::SizeType>(a.name.size()), al),
                      JsonValue(static_cast<uint64_t>(n)), al);
        }
      }
      rows_.push_back(std::move(row));
    }
    // Index order is the total order, except for the values read from
    // documents: sort everything by the group value.
    const Field& f = q_.group_by[0];
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
      return CompareTotal(Lookup(*a.doc, f), Lookup(*b.doc, f)) < 0;
    });
    return Status::OK();
  }

  Status Group() {
    struct GroupState {
      std::unique_ptr<Doc> keys;  // an array of the group values
      uint64_t count = 0;
      std::vector<int64_t> isum;
      std::vector<double> dsum;
      std::vector<bool> sum_is_double;
      std::vector<uint64_t> n;
      std::vector<std::unique_ptr<Doc>> best;  // MIN / MAX
    };
    const size_t na = q_.aggregates.size();
    std::map<std::string, GroupState> groups;
    auto init = [&](GroupState& g) {
      g.isum.assign(na, 0);
      g.dsum.assign(na, 0);
      g.sum_is_double.assign(na, false);
      g.n.assign(na, 0);
      g.best.resize(na);
    };
    if (q_.group_by.empty()) {
      GroupState& g = groups[""];
      init(g);
      g.keys = std::make_unique<Doc>();
      g.keys->SetArray();
    }
    for (const Row& r : rows_) {
      std::string key;
      for (const Field& f : q_.group_by) {
        const JsonValue* v = Lookup(*r.doc, f);
        key += v ? RowToJson(*v) : "null";
        key.push_back('\x1f');
      }
      auto [it, fresh] = groups.try_emplace(key);
      GroupState& g = it->second;
      if (fresh) {
        init(g);
        g.keys = std::make_unique<Doc>();
        g.keys->SetArray();
        for (const Field& f : q_.group_by) {
          const JsonValue* v = Lookup(*r.doc, f);
          JsonValue copy = v ? Clone(*v, g.keys->GetAllocator()) : JsonValue();
          g.keys->PushBack(copy, g.keys->GetAllocator());
        }
      }
      g.count++;
      for (size_t i = 0; i < na; i++) {
        const Aggregate& a = q_.aggregates[i];
        if (a.fn == Aggregate::Fn::kCount) continue;
        const JsonValue* v = Lookup(*r.doc, a.field);
        if (v == nullptr || v->IsNull()) continue;
        if (a.fn == Aggregate::Fn::kSum || a.fn == Aggregate::Fn::kAvg) {
          if (!v->IsNumber()) continue;
          g.n[i]++;
          g.dsum[i] += v->GetDouble();
          if (!g.sum_is_double[i] && v->IsInt64()) {
            int64_t out;
            if (__builtin_add_overflow(g.isum[i], v->GetInt64(), &out)) {
              g.sum_is_double[i] = true;
            } else {
              g.isum[i] = out;
            }
          } else {
            g.sum_is_double[i] = true;
          }
        } else {
          const bool better = !g.best[i] || (a.fn == Aggregate::Fn::kMin ? CompareTotal(v, g.best[i].get()) < 0
                                                                          : CompareTotal(v, g.best[i].get()) > 0);
          if (better) {
            g.best[i] = std::make_unique<Doc>();
            static_cast<JsonValue&>(*g.best[i]) = Clone(*v, g.best[i]->GetAllocator());
          }
          g.n[i]++;
        }
      }
    }
    // Group rows, ordered by their group values.
    std::vector<GroupState*> order;
    for (auto& [k, g] : groups) order.push_back(&g);
    std::stable_sort(order.begin(), order.end(), [](const GroupState* a, const GroupState* b) {
      return CompareTotal(a->keys.get(), b->keys.get()) < 0;
    });
    std::vector<Row> out;
    for (GroupState* g : order) {
      Row row;
      row.doc = std::make_unique<Doc>();
      Doc& d = *row.doc;
      auto& al = d.GetAllocator();
      d.SetObject();
      for (size_t i = 0; i < q_.group_by.size(); i++) {
        // A nested path a.b becomes {"a": {"b": value}}.
        JsonValue* obj = &d;
        const Field& f = q_.group_by[i];
        for (size_t p = 0; p + 1 < f.path.size(); p++) {
          auto m = obj->FindMember(JsonValue(rapidjson::StringRef(f.path[p].data(), f.path[p].size())));
          if (m == obj->MemberEnd() || !m->value.IsObject()) {
            if (m != obj->MemberEnd()) obj->RemoveMember(m);
            obj->AddMember(JsonValue(f.path[p].data(), static_cast<rapidjson::SizeType>(f.path[p].size()), al),
                           JsonValue(rapidjson::kObjectType), al);
            m = obj->FindMember(JsonValue(rapidjson::StringRef(f.path[p].data(), f.path[p].size())));
          }
          obj = &m->value;
        }
        JsonValue copy = Clone((*g->keys)[static_cast<rapidjson::SizeType>(i)], al);
        const std::string& last = f.path.back();
        auto m = obj->FindMember(JsonValue(rapidjson::StringRef(last.data(), last.size())));
        if (m != obj->MemberEnd()) {
          m->value = copy;
        } else {
          obj->AddMember(JsonValue(last.data(), static_cast<rapidjson::SizeType>(last.size()), al), copy, al);
        }
      }
      for (size_t i = 0; i < na; i++) {
        const Aggregate& a = q_.aggregates[i];
        JsonValue v;
        switch (a.fn) {
          case Aggregate::Fn::kCount: v = JsonValue(static_cast<uint64_t>(g->count)); break;
          case Aggregate::Fn::kSum:
            if (g->n[i] > 0) v = g->sum_is_double[i] ? JsonValue(g->dsum[i]) : JsonValue(g->isum[i]);
            break;
          case Aggregate::Fn::kAvg:
            if (g->n[i] > 0) v = JsonValue((g->sum_is_double[i] ? g->dsum[i] : static_cast<double>(g->isum[i])) /
                                           static_cast<double>(g->n[i]));
            break;
          case Aggregate::Fn::kMin:
          case Aggregate::Fn::kMax:
            if (g->best[i]) v = Clone(*g->best[i], al);
            break;
        }
        const std::string name = a.name;
        auto m = d.FindMember(JsonValue(rapidjson::StringRef(name.data(), name.size())));
        if (m != d.MemberEnd()) {
          m->value = v;
        } else {
          d.AddMember(JsonValue(name.data(), static_cast<rapidjson::SizeType>(name.size()), al), v, al);
        }
      }
      out.push_back(std::move(row));
    }
    rows_ = std::move(out);
    return Status::OK();
  }

  const Query& q_;
  Source& src_;
  const uint64_t as_of_;
  Plan plan_;
  // Whether the access path alone guarantees WHERE (every conjunct answered
  // exactly by the primary key or an index whose keys decide it).
  bool where_exact_ = false;
  // Whether rows read by the access path, and rows produced by TRAVERSE or
  // TRACE, need their DOM (for WHERE, SEARCH, grouping or sorting); rows
  // that only go out are spliced as text.
  bool need_doc_ = true;
  bool need_doc_after_ = true;
  bool ids_only_ = false;
  bool group_from_index_ = false;
  std::vector<SearchTerm> terms_;
  std::vector<Row> rows_;
};

}  // namespace

Result<Output> Execute(const Query& q, Source& source, uint64_t as_of) {
  return Executor(q, source, as_of).Run();
}

}  // namespace cairn::nql
