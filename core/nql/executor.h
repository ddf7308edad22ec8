// The NQL executor: runs a parsed query against a Source (the database seen
// through the calls the executor needs), choosing indexes when the source
// has them (planner.h) and filtering every candidate exactly.
#ifndef CAIRN_NQL_EXECUTOR_H_
#define CAIRN_NQL_EXECUTOR_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cairn/db.h"
#include "nql/ast.h"

namespace cairn::nql {

// What the executor reads. Every call reads the database as of `as_of`.
class Source {
 public:
  virtual ~Source() = default;
  // Calls fn on every live version of `coll` in id order, as of `as_of`,
  // until fn returns false.
  virtual Status ScanLive(std::string_view coll, uint64_t as_of,
                          const std::function<bool(Version&&)>& fn) = 0;
  // The live version of (coll, id) as of `as_of`, or nullopt.
  virtual Result<std::optional<Version>> Get(std::string_view coll, std::string_view id,
                                             uint64_t as_of) = 0;
  // The same for an id an IndexScan handed over with `ref`: a source whose
  // index entries locate versions reads it from there.
  virtual Result<std::optional<Version>> GetIndexed(std::string_view coll, std::string_view id, uint64_t as_of,
                                                    std::string_view ref) {
    return Get(coll, id, as_of);
  }
  // Every version of (coll, id), newest first.
  virtual Result<std::vector<Version>> History(std::string_view coll, std::string_view id) = 0;
  virtual Result<std::vector<TraceEntry>> Trace(const Hash& from, const TraceOptions& options) = 0;
  // The documents one `rel` link away from (coll, id) as of `as_of`
  // (reverse: the documents linking to it), as (coll, id) pairs.
  virtual Result<std::vector<std::pair<std::string, std::string>>> Neighbors(
      std::string_view coll, std::string_view id, std::string_view rel, bool reverse,
      uint64_t as_of) = 0;

  // Secondary indexes (optional: the defaults have none). IndexedFields
  // names the fields of `coll` with an index usable as of `as_of`.
  virtual std::vector<std::string> IndexedFields(std::string_view coll, uint64_t as_of) {
    return {};
  }
  // Calls fn(value key, id, ref) for every document whose indexed `field` may
  // lie between lo and hi (either bound optional; keys as in
  // index/value_key.h), in key order (reverse: descending), until fn
  // returns false; ref is for GetIndexed. Candidates may include documents
  // that no longer match: the executor re-checks each one. `expected` (0:
  // unknown) is how many entries the caller expects to take, so the source
  // can size its reads.
  struct Bound {
    std::string key;  // an index key encoding (index/value_key.h)
    bool inclusive = true;
  };
  virtual Status IndexScan(std::string_view coll, std::string_view field, uint64_t as_of,
                           const std::optional<Bound>& lo, const std::optional<Bound>& hi,
                           bool reverse,
                           const std::function<bool(std::string_view key, std::string_view id,
                                                    std::string_view ref)>& fn,
                           size_t expected = 0) {
    return Status::Internal("no index");
  }
  // Full-text: whether `coll` has a text index usable as of `as_of`, and
  // the ids of documents containing `term` (or, with prefix, a word starting
  // with it), in id order.
  virtual bool HasTextIndex(std::string_view coll, uint64_t as_of) { return false; }
  virtual Status TextLookup(std::string_view coll, std::string_view term, bool prefix,
                            uint64_t as_of, std::vector<std::string>* ids) {
    return Status::Internal("no text index");
  }
  // The ids after `after` (in id order) of documents holding every term
  // (word, is_prefix), at most `max` of them.
  virtual Status TextIntersect(std::string_view coll,
                               const std::vector<std::pair<std::string, bool>>& terms,
                               const std::string& after, size_t max, std::vector<std::string>* ids) {
    return Status::Internal("no text index");
  }
};

struct Output {
  std::vector<std::string> rows;  // canonical JSON objects
  std::string plan;               // one step per line
  bool used_index = false;        // the access path read an index
};

// Runs `q` as of `as_of` (the caller resolves AS OF). EXPLAIN fills only
// the plan.
Result<Output> Execute(const Query& q, Source& source, uint64_t as_of);

}  // namespace cairn::nql

#endif  // CAIRN_NQL_EXECUTOR_H_
