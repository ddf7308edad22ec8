// Spaces: named sets of N-dimensional points (README, "Spaces").
//
// A space holds points of `dims` (1..16) unsigned 32-bit coordinates, each
// below 2^bits, with a payload (a JSON value or bytes). A point is identified
// by (space, branch, exact coordinates); writing a point again replaces it,
// deleting it writes a tombstone. Every spatial write is a version in the
// database's one log: it takes the global seq, is hashed into the Merkle
// head and can be read AS OF any later seq. Points are ordered by the
// Hilbert key of their coordinates (FORMAT.md, "Hilbert keys").
//
// Branches: every space has the branch "main". A branch forks from another
// at a seq; it sees its parent as of that seq, plus its own writes, which
// its parent never sees. Branches can be diffed and merged.
//
// Hyperedges: typed relations among two or more endpoints (space + point).
#ifndef CAIRN_SPACE_H_
#define CAIRN_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn {

using Point = std::vector<uint32_t>;

struct SpaceInfo {
  std::string name;
  uint32_t dims = 0;
  uint32_t bits = 0;
  uint64_t created_seq = 0;  // the seq of its definition
};

struct BranchInfo {
  std::string name;
  std::string parent;  // empty for "main"
  uint64_t fork_seq = 0;  // it sees its parent as of this seq
  uint64_t created_seq = 0;
};

// A point's payload: canonical JSON text, or bytes.
struct SpatialPayload {
  std::string data;
  bool binary = false;  // data holds raw bytes, not JSON
};

// One point as a query sees it.
struct SpatialRecord {
  Point point;
  uint64_t seq = 0;  // the write that made this state
  SpatialPayload payload;
  bool deleted = false;  // only in history and diff answers
};

// A record as SpaceBoxEach and SpaceSubscopeEach hand it over: views, valid
// only during the call that receives it. Never a tombstone.
struct SpatialRecordView {
  const uint32_t* point = nullptr;  // `dims` coordinates
  uint32_t dims = 0;
  uint64_t seq = 0;          // the write that made this state
  std::string_view payload;  // canonical JSON text, or bytes when `binary`
  bool binary = false;
};

// One write in a SpaceWrite batch.
struct SpatialWrite {
  Point point;
  SpatialPayload payload;  // ignored for a delete
  bool is_delete = false;
};

struct SpaceReadOptions {
  // The state right after write `as_of`. Unset: now.
  std::optional<uint64_t> as_of;
  std::string branch = "main";
  // At most `limit` records; `cursor` (from a previous answer) resumes after
  // the last record it returned.
  size_t limit = SIZE_MAX;
  std::string cursor;
};

// Records in Hilbert-key order (then by coordinates).
struct SpaceQueryResult {
  std::vector<SpatialRecord> records;
  std::string cursor;  // resumes after the last record; empty when no more
  uint64_t seq = 0;    // the snapshot read
};

struct NearestRecord {
  SpatialRecord record;
  double distance = 0;  // Euclidean
};

// What changed from branch `from` to branch `to`.
struct SpatialDiff {
  std::vector<SpatialRecord> added;    // in `to`, not in `from`
  std::vector<SpatialRecord> removed;  // in `from`, not in `to`
  // (state in `from`, state in `to`) of points in both with another payload
  std::vector<std::pair<SpatialRecord, SpatialRecord>> changed;
};

enum class MergeStrategy {
  kPreferTarget,  // on a conflict, keep the target's state
  kPreferSource,  // on a conflict, take the source's state
  kLatestWins,    // on a conflict, the state written last (higher seq) wins
  kReport,        // on any conflict write nothing and return the conflicts
};

// A point both branches changed, differently, since their common base.
struct MergeConflict {
  Point point;
  std::optional<SpatialRecord> base, source, target;  // nullopt: absent
};

struct MergeResult {
  size_t applied = 0;  // points written to the target
  std::vector<MergeConflict> conflicts;
  uint64_t seq = 0;    // the last seq written (0 when nothing was)
};

// One endpoint of a hyperedge.
struct EdgeEndpoint {
  std::string space;
  Point point;
  std::string role;  // may be empty
  enum class Direction { kNone, kTail, kHead } direction = Direction::kNone;
};

struct Hyperedge {
  std::string id;
  std::string kind;
  std::vector<EdgeEndpoint> endpoints;  // two or more
  double weight = 1.0;
  std::vector<std::pair<std::string, std::string>> meta;  // sorted by key
  // Valid for seqs in [valid_from, valid_to); unset: from its write / forever.
  std::optional<uint64_t> valid_from;
  std::optional<uint64_t> valid_to;
  uint64_t seq = 0;  // the write that made this state
};

struct EdgeQueryOptions {
  std::optional<uint64_t> as_of;
  std::vector<std::string> kinds;  // empty: every kind
};

struct EdgeTraverseOptions {
  std::optional<uint64_t> as_of;
  std::vector<std::string> kinds;  // empty: every kind
  size_t depth = 1;                // hops from the start
  size_t limit = SIZE_MAX;         // endpoints returned, the start excluded
  bool directed = false;           // only from tail endpoints to head endpoints
};

// An endpoint reached by a traversal.
struct EdgeHop {
  std::string space;
  Point point;
  uint32_t depth = 0;
  std::string via;  // the id of the hyperedge that reached it first
};

}  // namespace cairn

#endif  // CAIRN_SPACE_H_
