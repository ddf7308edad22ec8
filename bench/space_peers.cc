// The peers of cairn-space-bench: SQLite's R*Tree and Boost.Geometry's rtree.
#include <sqlite3.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <climits>
#include <cstring>
#include <iterator>
#include <utility>

#include "bench/bench_util.h"
#include "bench/space_engine.h"

namespace cairn::bench {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

const char* const kAxes[] = {"X", "Y", "Z"};

// Checks one returned point against the data: its index, coordinates and
// payload must all agree.
void CheckHit(const SpaceDataset& data, const char* engine, uint64_t index, const uint32_t* coords,
              const std::string& payload) {
  if (index >= data.size() ||
      std::memcmp(coords, data.point(index), data.dims * sizeof(uint32_t)) != 0 ||
      payload != data.payloads[index]) {
    Fatal(std::string(engine) + ": returned a point that does not match the data (index " +
          std::to_string(index) + ", payload " + payload + ")");
  }
}

// One slot of a reused answer vector, so a query does not free and
// reallocate every hit.
SpaceHit& NextHit(std::vector<SpaceHit>& hits, size_t n) {
  if (n == hits.size()) hits.emplace_back();
  return hits[n];
}

// A peer answers every query as one box (a subscope is the box x = c, the
// other axes over everything it stores up to `axis_max`) through Run, which
// fills the sorted, checked indexes when asked.
class BoxPeer : public SpaceEngine {
 public:
  explicit BoxPeer(uint32_t axis_max) : axis_max_(axis_max) {}

  size_t Box(const QueryBox& box) override { return Run(box.lo.data(), box.hi.data(), nullptr); }

  size_t Subscope(uint32_t x) override {
    const uint32_t lo[3] = {x, 0, 0}, hi[3] = {x, axis_max_, axis_max_};
    return Run(lo, hi, nullptr);
  }

  std::vector<uint32_t> BoxIndexes(const QueryBox& box) override {
    std::vector<uint32_t> out;
    Run(box.lo.data(), box.hi.data(), &out);
    return out;
  }

  std::vector<uint32_t> SubscopeIndexes(uint32_t x) override {
    const uint32_t lo[3] = {x, 0, 0}, hi[3] = {x, axis_max_, axis_max_};
    std::vector<uint32_t> out;
    Run(lo, hi, &out);
    return out;
  }

 protected:
  virtual size_t Run(const uint32_t* lo, const uint32_t* hi, std::vector<uint32_t>* indexes) = 0;

 private:
  const uint32_t axis_max_;
};

class SqliteRtree final : public BoxPeer {
 public:
  SqliteRtree(const std::string& dir, const SpaceDataset& data) : BoxPeer(INT32_MAX), data_(data) {
    const std::string path = dir + "/rtree.db";
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      Fatal("sqlite: open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    }
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    Exec("PRAGMA cache_size=-65536");
    std::string columns = "id", insert = "?1", select = "id", where;
    for (uint32_t a = 0; a < data.dims; a++) {
      const std::string axis = kAxes[a], lo = std::to_string(2 * a + 1),
                        hi = std::to_string(2 * a + 2);
      columns += ", min" + axis + ", max" + axis;
      insert += ", ?" + std::to_string(a + 2) + ", ?" + std::to_string(a + 2);
      select += ", min" + axis;
      where += std::string(a ? " AND " : "") + "min" + axis + " >= ?" + lo + " AND max" + axis +
               " <= ?" + hi;
    }
    Exec("CREATE VIRTUAL TABLE pts USING rtree_i32(" + columns + ", +payload)");
    insert_ =
        Prepare("INSERT INTO pts VALUES (" + insert + ", ?" + std::to_string(data.dims + 2) + ")");
    query_ = Prepare("SELECT " + select + ", payload FROM pts WHERE " + where);
  }
  ~SqliteRtree() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(query_);
    sqlite3_close(db_);
  }

  std::string Name() const override { return "SQLite R*Tree"; }

  void Load() override {
    Exec("BEGIN");
    for (size_t i = 0; i < data_.size(); i++) {
      sqlite3_reset(insert_);
      sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(i));
      const uint32_t* p = data_.point(i);
      for (uint32_t a = 0; a < data_.dims; a++)
        sqlite3_bind_int64(insert_, static_cast<int>(a + 2), p[a]);
      const std::string& payload = data_.payloads[i];
      sqlite3_bind_text(insert_, static_cast<int>(data_.dims + 2), payload.data(),
                        static_cast<int>(payload.size()), SQLITE_STATIC);
      if (sqlite3_step(insert_) != SQLITE_DONE)
        Fatal(std::string("sqlite: insert: ") + sqlite3_errmsg(db_));
    }
    Exec("COMMIT");
  }

 private:
  // Runs the box query into hits_; with `indexes`, also checks every hit and
  // returns the sorted indexes.
  size_t Run(const uint32_t* lo, const uint32_t* hi, std::vector<uint32_t>* indexes) override {
    sqlite3_reset(query_);
    for (uint32_t a = 0; a < data_.dims; a++) {
      sqlite3_bind_int64(query_, static_cast<int>(2 * a + 1), lo[a]);
      sqlite3_bind_int64(query_, static_cast<int>(2 * a + 2), hi[a]);
    }
    size_t n = 0;
    int rc;
    const int payload_column = static_cast<int>(data_.dims + 1);
    while ((rc = sqlite3_step(query_)) == SQLITE_ROW) {
      SpaceHit& hit = NextHit(hits_, n++);
      for (uint32_t a = 0; a < data_.dims; a++) {
        hit.coords[a] =
            static_cast<uint32_t>(sqlite3_column_int64(query_, static_cast<int>(a + 1)));
      }
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(query_, payload_column));
      hit.payload.assign(text, static_cast<size_t>(sqlite3_column_bytes(query_, payload_column)));
      if (indexes) {
        const auto id = static_cast<uint64_t>(sqlite3_column_int64(query_, 0));
        CheckHit(data_, "sqlite", id, hit.coords, hit.payload);
        indexes->push_back(static_cast<uint32_t>(id));
      }
    }
    if (rc != SQLITE_DONE) Fatal(std::string("sqlite: query: ") + sqlite3_errmsg(db_));
    if (indexes) std::sort(indexes->begin(), indexes->end());
    return n;
  }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string message = err ? err : "?";
      sqlite3_free(err);
      Fatal("sqlite: " + message + " in " + sql);
    }
  }

  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      Fatal("sqlite: prepare: " + std::string(sqlite3_errmsg(db_)) + " in " + sql);
    }
    return st;
  }

  const SpaceDataset& data_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* query_ = nullptr;
  std::vector<SpaceHit> hits_;
};

// Coordinates as doubles: exact for 32-bit integers, and Boost computes
// areas and margins in the coordinate type, which would overflow uint32_t.
template <size_t kDims>
class BoostRtree final : public BoxPeer {
 public:
  using BoostPoint = bg::model::point<double, kDims, bg::cs::cartesian>;
  using BoostBox = bg::model::box<BoostPoint>;
  using Value = std::pair<BoostPoint, uint32_t>;  // the point and its payload's index
  using Tree = bgi::rtree<Value, bgi::rstar<16>>;

  BoostRtree(const SpaceDataset& data, bool packed) : BoxPeer(UINT32_MAX), data_(data), packed_(packed) {
    values_.reserve(data.size());
    for (size_t i = 0; i < data.size(); i++)
      values_.emplace_back(ToPoint(data.point(i)), static_cast<uint32_t>(i));
  }

  std::string Name() const override { return packed_ ? "Boost rtree packed" : "Boost rtree R*"; }

  void Load() override {
    if (packed_) {
      tree_ = std::make_unique<Tree>(values_.begin(), values_.end());
    } else {
      tree_ = std::make_unique<Tree>();
      for (const Value& v : values_) tree_->insert(v);
    }
    if (tree_->size() != data_.size()) Fatal("boost: the tree does not hold every point");
  }

 private:
  static BoostPoint ToPoint(const uint32_t* c) {
    BoostPoint p;
    p.template set<0>(c[0]);
    if constexpr (kDims > 1) p.template set<1>(c[1]);
    if constexpr (kDims > 2) p.template set<2>(c[2]);
    return p;
  }

  size_t Run(const uint32_t* lo, const uint32_t* hi, std::vector<uint32_t>* indexes) override {
    found_.clear();
    tree_->query(bgi::intersects(BoostBox(ToPoint(lo), ToPoint(hi))), std::back_inserter(found_));
    size_t n = 0;
    for (const Value& v : found_) {
      SpaceHit& hit = NextHit(hits_, n++);
      hit.coords[0] = static_cast<uint32_t>(bg::get<0>(v.first));
      if constexpr (kDims > 1) hit.coords[1] = static_cast<uint32_t>(bg::get<1>(v.first));
      if constexpr (kDims > 2) hit.coords[2] = static_cast<uint32_t>(bg::get<2>(v.first));
      hit.payload = data_.payloads[v.second];
      if (indexes) {
        CheckHit(data_, "boost", v.second, hit.coords, hit.payload);
        indexes->push_back(v.second);
      }
    }
    if (indexes) std::sort(indexes->begin(), indexes->end());
    return n;
  }

  const SpaceDataset& data_;
  const bool packed_;
  std::vector<Value> values_;  // the input, built before the clock starts
  std::unique_ptr<Tree> tree_;
  std::vector<Value> found_;
  std::vector<SpaceHit> hits_;
};

std::unique_ptr<SpaceEngine> MakeBoost(const SpaceDataset& data, bool packed) {
  switch (data.dims) {
    case 2:
      return std::make_unique<BoostRtree<2>>(data, packed);
    case 3:
      return std::make_unique<BoostRtree<3>>(data, packed);
    default:
      Fatal("boost: only 2-D and 3-D data");
  }
}

}  // namespace

std::unique_ptr<SpaceEngine> MakeSqliteRtree(const std::string& dir, const SpaceDataset& data) {
  if (data.dims < 1 || data.dims > 3) Fatal("sqlite: only 1-D to 3-D data");
  return std::make_unique<SqliteRtree>(dir, data);
}

std::unique_ptr<SpaceEngine> MakeBoostPacked(const SpaceDataset& data) {
  return MakeBoost(data, true);
}
std::unique_ptr<SpaceEngine> MakeBoostRstar(const SpaceDataset& data) {
  return MakeBoost(data, false);
}

}  // namespace cairn::bench
