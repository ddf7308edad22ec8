// Query: NQL over the engine. The executor (nql/executor.h) reads the
// database through DbSource, which answers with the engine's own reads.
#include "engine/db_impl.h"
#include "nql/executor.h"
#include "nql/parser.h"
#include "docs/validate.h"

namespace cairn {
namespace {

class DbSource final : public nql::Source {
 public:
  DbSource(DBImpl* db, bool use_indexes) : db_(db), use_indexes_(use_indexes) {}

  Status ScanLive(std::string_view coll, uint64_t as_of,
                  const std::function<bool(Version&&)>& fn) override {
    ListOptions o;
    o.as_of = as_of;
    o.limit = 512;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(std::vector<Version> page, db_->List(coll, o));
      for (Version& v : page) {
        if (!fn(std::move(v))) return Status::OK();
      }
      if (page.size() < o.limit) return Status::OK();
      o.start_after = page.back().id;
    }
  }

  Result<std::optional<Version>> Get(std::string_view coll, std::string_view id,
                                     uint64_t as_of) override {
    ReadOptions o;
    o.as_of = as_of;
    return db_->Get(coll, id, o, &cursor_);
  }

  Result<std::optional<Version>> GetIndexed(std::string_view coll, std::string_view id, uint64_t as_of,
                                            std::string_view ref) override {
    return db_->GetIndexed(coll, id, as_of, ref, &cursor_);
  }

  Result<std::vector<Version>> History(std::string_view coll, std::string_view id) override {
    return db_->History(coll, id);
  }

  Result<std::vector<TraceEntry>> Trace(const Hash& from, const TraceOptions& options) override {
    return db_->Trace(from, options);
  }

  Result<std::vector<std::pair<std::string, std::string>>> Neighbors(
      std::string_view coll, std::string_view id, std::string_view rel, bool reverse,
      uint64_t as_of) override {
    NeighborOptions o;
    o.reverse = reverse;
    o.as_of = as_of;
    CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> nodes,
                           db_->Neighbors(std::string(coll) + ":" + std::string(id), rel, o));
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& n : nodes) {
      const size_t colon = n.find(':');
      out.emplace_back(n.substr(0, colon), n.substr(colon + 1));
    }
    return out;
  }

  // Indexes describe the current state: they serve snapshots at the latest
  // seq only (Query re-runs without them if a write lands meanwhile).
  std::vector<std::string> IndexedFields(std::string_view coll, uint64_t as_of) override {
    if (!use_indexes_ || as_of != db_->VisibleSeq()) return {};
    return db_->ReadyIndexes(coll, false);
  }
  Status IndexScan(std::string_view coll, std::string_view field, uint64_t as_of,
                   const std::optional<Bound>& lo, const std::optional<Bound>& hi, bool reverse,
                   const std::function<bool(std::string_view, std::string_view, std::string_view)>& fn,
                   size_t expected) override {
    return db_->ScanIndex(coll, field, lo ? &lo->key : nullptr, lo ? lo->inclusive : true,
                          hi ? &hi->key : nullptr, hi ? hi->inclusive : true, reverse, fn, expected);
  }
  bool HasTextIndex(std::string_view coll, uint64_t as_of) override {
    return use_indexes_ && as_of == db_->VisibleSeq() && !db_->ReadyIndexes(coll, true).empty();
  }
  Status TextLookup(std::string_view coll, std::string_view term, bool prefix, uint64_t as_of,
                    std::vector<std::string>* ids) override {
    return db_->TextIds(coll, term, prefix, ids);
  }
  Status TextIntersect(std::string_view coll, const std::vector<std::pair<std::string, bool>>& terms,
                       const std::string& after, size_t max, std::vector<std::string>* ids) override {
    return db_->TextIntersect(coll, terms, after, max, ids);
  }

 private:
  DBImpl* db_;
  bool use_indexes_;
  DBImpl::ReadCursor cursor_;
};

}  // namespace

Result<QueryResult> DBImpl::Query(std::string_view text) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_ASSIGN_OR_RETURN(nql::Query q, nql::Parse(text));
  CAIRN_RETURN_IF_ERROR(ValidateCollection(q.coll, options_.limits));
  uint64_t latest;
  {
    ReaderLock l(&index_mu_);
    latest = visible_seq_;
  }
  if (q.as_of && *q.as_of > latest) {
    return Status::InvalidArgument("AS OF " + std::to_string(*q.as_of) +
                                   " is beyond the latest seq " + std::to_string(latest));
  }
  const uint64_t as_of = q.as_of.value_or(latest);
  DbSource source(this, /*use_indexes=*/true);
  CAIRN_ASSIGN_OR_RETURN(nql::Output out, nql::Execute(q, source, as_of));
  if (!q.explain && out.used_index && VisibleSeq() != as_of) {
    // A write landed while the indexes were read: they may describe a later
    // state than the snapshot. Answer from the snapshot alone.
    DbSource scan(this, /*use_indexes=*/false);
    CAIRN_ASSIGN_OR_RETURN(out, nql::Execute(q, scan, as_of));
  }
  QueryResult r;
  r.rows = std::move(out.rows);
  r.plan = std::move(out.plan);
  r.seq = as_of;
  CAIRN_ASSIGN_OR_RETURN(r.head, HeadAt(as_of));
  return r;
}

}  // namespace cairn
