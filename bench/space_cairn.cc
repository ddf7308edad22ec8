#include "bench/space_cairn.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "bench/bench_util.h"
#include "storage-backends/posix/posix_storage.h"

namespace cairn::bench {
namespace {

constexpr const char* kSpace = "points";
constexpr uint32_t kBits = 32;

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Fatal("cairn: " + what + ": " + s.ToString());
}

}  // namespace

CairnSpace::CairnSpace(const std::string& dir, const SpaceDataset& data, Durability durability)
    : data_(data), durability_(durability), rewritten_(data.size(), false) {
  Options options;
  options.durability = durability;
  options.scheduler = &scheduler_;
  auto storage = OpenPosixStorage(dir);
  Check(storage.status(), "open storage " + dir);
  auto opened = Database::Open(std::move(storage).value(), options);
  Check(opened.status(), "open " + dir);
  db_ = std::move(opened).value();
  Check(db_->CreateSpace(kSpace, data.dims, kBits).status(), "create space");

  for (size_t i = 0; i < data.size(); i += kSpaceBatch) {
    std::vector<SpatialWrite>& batch = batches_.emplace_back();
    const size_t end = std::min(data.size(), i + kSpaceBatch);
    batch.reserve(end - i);
    for (size_t k = i; k < end; k++) {
      const uint32_t* p = data.point(k);
      batch.push_back(
          SpatialWrite{Point(p, p + data.dims), SpatialPayload{data.payloads[k], false}, false});
    }
  }
}

CairnSpace::~CairnSpace() {
  if (db_) Check(db_->Close(), "close");
}

std::string CairnSpace::Name() const {
  return durability_ == Durability::kStrict ? "Cairn" : "Cairn (relaxed)";
}

void CairnSpace::Load() {
  for (const std::vector<SpatialWrite>& batch : batches_) {
    auto seqs = db_->SpaceWrite(kSpace, "main", batch);
    Check(seqs.status(), "load");
    if (seqs->size() != batch.size())
      Fatal("cairn: load: SpaceWrite returned the wrong number of seqs");
    if (!seqs->empty()) load_seq_ = std::max(load_seq_, seqs->back());
  }
  if (durability_ != Durability::kStrict) Check(db_->Sync(), "sync");
  batches_.clear();
  batches_.shrink_to_fit();
}

size_t CairnSpace::Box(const QueryBox& box) {
  auto r = db_->SpaceBox(kSpace, box.lo, box.hi);
  Check(r.status(), "box");
  return r->records.size();
}

size_t CairnSpace::Subscope(uint32_t x) {
  auto r = db_->SpaceSubscope(kSpace, Point{x});
  Check(r.status(), "subscope");
  return r->records.size();
}

size_t CairnSpace::BoxAsOf(const QueryBox& box, uint64_t seq) {
  SpaceReadOptions options;
  options.as_of = seq;
  auto r = db_->SpaceBox(kSpace, box.lo, box.hi, options);
  Check(r.status(), "box as of");
  return r->records.size();
}

std::vector<uint32_t> CairnSpace::BoxIndexes(const QueryBox& box) {
  auto r = db_->SpaceBox(kSpace, box.lo, box.hi);
  Check(r.status(), "box");
  return Indexes(*r, false);
}

std::vector<uint32_t> CairnSpace::SubscopeIndexes(uint32_t x) {
  auto r = db_->SpaceSubscope(kSpace, Point{x});
  Check(r.status(), "subscope");
  return Indexes(*r, false);
}

std::vector<uint32_t> CairnSpace::BoxIndexesAtLoad(const QueryBox& box) {
  SpaceReadOptions options;
  options.as_of = load_seq_;
  auto r = db_->SpaceBox(kSpace, box.lo, box.hi, options);
  Check(r.status(), "box as of");
  return Indexes(*r, true);
}

std::vector<uint32_t> CairnSpace::Indexes(const SpaceQueryResult& result, bool at_load) const {
  std::vector<uint32_t> out;
  out.reserve(result.records.size());
  for (const SpatialRecord& rec : result.records) {
    const size_t i = PayloadIndex(rec.payload.data);
    const bool v2 = !at_load && i < rewritten_.size() && rewritten_[i];
    if (i >= data_.size() || rec.deleted || rec.payload.binary || rec.point.size() != data_.dims ||
        std::memcmp(rec.point.data(), data_.point(i), data_.dims * sizeof(uint32_t)) != 0 ||
        rec.payload.data != (v2 ? PointPayload(i, 2) : data_.payloads[i]) ||
        (at_load && rec.seq > load_seq_)) {
      Fatal("cairn: returned a record that does not match the data (payload " + rec.payload.data +
            ", seq " + std::to_string(rec.seq) + ")");
    }
    out.push_back(static_cast<uint32_t>(i));
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    Fatal("cairn: a point was returned twice");
  return out;
}

void CairnSpace::Rewrite(const std::vector<uint32_t>& indexes) {
  for (size_t i = 0; i < indexes.size(); i += kSpaceBatch) {
    std::vector<SpatialWrite> batch;
    for (size_t k = i; k < std::min(indexes.size(), i + kSpaceBatch); k++) {
      const uint32_t* p = data_.point(indexes[k]);
      batch.push_back(SpatialWrite{Point(p, p + data_.dims),
                                   SpatialPayload{PointPayload(indexes[k], 2), false}, false});
    }
    Check(db_->SpaceWrite(kSpace, "main", batch).status(), "rewrite");
  }
  for (uint32_t i : indexes) rewritten_[i] = true;
}

void CairnSpace::Checkpoint() { Check(db_->Checkpoint(), "checkpoint"); }

void CairnSpace::Compact() { Check(db_->Compact(), "compact"); }

}  // namespace cairn::bench
