// Spaces: N-dimensional points in Hilbert order, with revisions and branches
// (README, "Spaces"; FORMAT.md, "Spaces").
//
// Every spatial write is a version in a system collection, written through
// the normal write path, so it takes the global seq, is hashed into the head,
// is durable and replays like any write:
//   _cairn_space   id: space name            data: {"bits":B,"dims":D}; drop: tombstone
//   _cairn_branch  id: space ":" branch      data: {"at":F,"from":parent}; drop: tombstone
//   _cairn_point   id: space ":" branch ":" c0 "," c1 ...
//                  data: {"data":V,"point":[..]} or {"bytes":"<base64>","point":[..]};
//                  delete: tombstone
// The index entries they imply are derived in ApplyVersions (ApplySpatial):
//   'G' space                  -> BE64(gen) BE32(dims) BE32(bits), or "D" dropped
//   'B' space 0 branch         -> BE64(gen) BE64(fork) parent, or "D" dropped
//   'H' BE64(space gen)        -> BE32(min0) BE32(max0) ..: the bounding box of every point written
//   'S' BE64(space gen) BE64(branch gen) hilbert_key BE32(c0)..BE32(cn-1) BE64(~seq)
//                              -> 'J' json | 'B' bytes | 'R' hash (a payload over 1 KiB) | 'D'
// gen is the seq of the definition, so the points of a dropped space or
// branch never mix with those of a later one of the same name. The 'S'
// entries are the sealed, sorted runs the checkpoint tables hold: a box
// query decomposes its box into Hilbert key ranges (spatial/hilbert.h), seeks
// each, and filters every entry exactly.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <queue>
#include <unordered_map>

#include "docs/validate.h"
#include "engine/db_impl.h"
#include "spatial/hilbert.h"
#include "util/base64.h"
#include "util/coding.h"
#include "util/json.h"

namespace cairn {
namespace {

constexpr char kSpaceCollection[] = "_cairn_space";
constexpr char kBranchCollection[] = "_cairn_branch";
constexpr char kPointCollection[] = "_cairn_point";
constexpr char kMain[] = "main";
constexpr size_t kMaxNameBytes = 32;
// Payloads up to this size are copied into their 'S' entry; larger ones are
// read from the log by hash.
constexpr size_t kMaxInlinePayloadBytes = 1024;
// How many Hilbert key ranges a box query reads at most. The checkpoint
// tables' blocks carry bounding boxes, so a query passes over the blocks of a
// loose range that miss its box; the memtables have none, and a scan filters
// every entry of theirs it meets. So with few unflushed index bytes, fewer and
// looser ranges cost less (fewer seeks, a cheaper decomposition), and with
// many, tight ranges keep the memtable scans short.
constexpr size_t kMaxRanges = 64;
constexpr size_t kMaxRangesFewUnflushed = 16;
constexpr uint64_t kFewUnflushedBytes = 4 << 20;
// Between two ranges, a scan steps over up to this many entries before it
// seeks instead.
constexpr int kStepsBeforeSeek = 16;
// A box that fixes its first coordinate is read from its points' ids when
// the version index lists at most this many points under them, in at most
// this many version entries (ScanViewByIds): each candidate then costs a
// seek, where a range scan of a thin box costs the many ranges it crosses.
constexpr size_t kMaxIdCandidates = 128;
constexpr size_t kMaxIdScanEntries = 512;

Status ValidateName(std::string_view name, const char* what, const Limits& limits) {
  Status s = ValidateCollection(name, limits);
  if (!s.ok()) return Status::InvalidArgument(std::string(what) + ": " + s.message());
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(name) + "\" is longer than " +
                                   std::to_string(kMaxNameBytes) + " bytes");
  }
  return Status::OK();
}

std::string Be64(uint64_t v) {
  std::string s;
  PutBigEndian64(&s, v);
  return s;
}

void AppendSpacePrefix(uint64_t space_gen, uint64_t branch_gen, std::string* out) {
  out->push_back('S');
  PutBigEndian64(out, space_gen);
  PutBigEndian64(out, branch_gen);
}

std::string SpacePrefix(uint64_t space_gen, uint64_t branch_gen) {
  std::string k;
  AppendSpacePrefix(space_gen, branch_gen, &k);
  return k;
}

// "c0,c1,...": a point's coordinates in decimal.
void AppendPointList(const uint32_t* p, size_t n, std::string* out) {
  char digits[10];
  for (size_t i = 0; i < n; i++) {
    if (i) out->push_back(',');
    const auto r = std::to_chars(digits, digits + sizeof digits, p[i]);
    out->append(digits, static_cast<size_t>(r.ptr - digits));
  }
}

std::string PointList(const uint32_t* p, size_t n) {
  std::string s;
  AppendPointList(p, n, &s);
  return s;
}

// A point's position in its space's index keys: the Hilbert key, then the
// coordinates (4 bytes each, big-endian), which order points of equal keys.
void AppendPosition(const Point& p, uint32_t dims, uint32_t bits, std::string* out) {
  AppendHilbertKey(p.data(), static_cast<int>(dims), static_cast<int>(bits), out);
  for (uint32_t c : p) PutBigEndian32(out, c);
}

std::string PointId(std::string_view space, std::string_view branch, const Point& p) {
  std::string id;
  id.reserve(space.size() + branch.size() + 2 + 11 * p.size());
  id.append(space);
  id.push_back(':');
  id.append(branch);
  id.push_back(':');
  AppendPointList(p.data(), p.size(), &id);
  return id;
}

std::string BranchId(std::string_view space, std::string_view branch) {
  return std::string(space) + ":" + std::string(branch);
}

// "a,b,c" -> point; false on any malformed part.
bool ParsePointList(std::string_view s, Point* out) {
  out->clear();
  while (true) {
    size_t comma = s.find(',');
    std::string_view part = s.substr(0, comma);
    if (part.empty() || part.size() > 10) return false;
    uint64_t v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > UINT32_MAX) return false;
    out->push_back(static_cast<uint32_t>(v));
    if (comma == std::string_view::npos) return true;
    s.remove_prefix(comma + 1);
  }
}

// The version data of a point write.
std::string PointData(const Point& p, const SpatialPayload& payload) {
  std::string d;
  if (payload.binary) {
    d = "{\"bytes\":\"" + Base64Encode(payload.data) + "\"";
  } else {
    // One allocation: the payload, wrapped.
    d.reserve(payload.data.size() + 22 + 11 * p.size());
    d.append("{\"data\":");
    d.append(payload.data);
  }
  d.append(",\"point\":[");
  AppendPointList(p.data(), p.size(), &d);
  d.append("]}");
  return d;
}

// The payload of a point version's data (PointData's inverse).
bool PayloadOfData(std::string_view data, SpatialPayload* out) {
  const size_t tail = data.rfind(",\"point\":[");
  if (tail == std::string_view::npos) return false;
  if (data.starts_with("{\"data\":")) {
    out->binary = false;
    out->data.assign(data.substr(8, tail - 8));
    return true;
  }
  if (data.starts_with("{\"bytes\":\"") && tail >= 11 && data[tail - 1] == '"') {
    out->binary = true;
    return Base64Decode(data.substr(10, tail - 11), &out->data);
  }
  return false;
}

uint64_t JsonUint(std::string_view data, std::string_view field) {
  const std::string needle = "\"" + std::string(field) + "\":";
  const size_t at = data.find(needle);
  if (at == std::string_view::npos) return 0;
  uint64_t v = 0;
  for (size_t i = at + needle.size(); i < data.size() && data[i] >= '0' && data[i] <= '9'; i++) {
    v = v * 10 + static_cast<uint64_t>(data[i] - '0');
  }
  return v;
}

std::string JsonStringField(std::string_view data, std::string_view field) {
  const std::string needle = "\"" + std::string(field) + "\":\"";
  const size_t at = data.find(needle);
  if (at == std::string_view::npos) return "";
  const size_t end = data.find('"', at + needle.size());
  return std::string(data.substr(at + needle.size(), end - at - needle.size()));
}

Status CheckPoint(const Point& p, uint32_t dims, uint32_t bits, std::string_view what) {
  if (p.size() != dims) {
    return Status::InvalidArgument(std::string(what) + " has " + std::to_string(p.size()) +
                                   " coordinates; the space has " + std::to_string(dims) + " dimensions");
  }
  if (bits < 32) {
    for (size_t i = 0; i < p.size(); i++) {
      if (p[i] >> bits) {
        return Status::InvalidArgument(std::string(what) + ": coordinate " + std::to_string(p[i]) + " on axis " +
                                       std::to_string(i) + " does not fit the space's " + std::to_string(bits) +
                                       " bits (max " + std::to_string((uint64_t{1} << bits) - 1) + ")");
      }
    }
  }
  return Status::OK();
}

// A query box: both corners fit the space, min <= max on every axis.
Status CheckBox(const Point& lo, const Point& hi, uint32_t dims, uint32_t bits) {
  CAIRN_RETURN_IF_ERROR(CheckPoint(lo, dims, bits, "box min"));
  CAIRN_RETURN_IF_ERROR(CheckPoint(hi, dims, bits, "box max"));
  for (size_t i = 0; i < dims; i++) {
    if (lo[i] > hi[i]) {
      return Status::InvalidArgument("box min " + std::to_string(lo[i]) + " is above box max " +
                                     std::to_string(hi[i]) + " on axis " + std::to_string(i));
    }
  }
  return Status::OK();
}

Status CheckAsOf(const std::optional<uint64_t>& as_of, uint64_t latest) {
  if (as_of && *as_of > latest) {
    return Status::InvalidArgument("as_of " + std::to_string(*as_of) + " is beyond the latest seq " +
                                   std::to_string(latest));
  }
  return Status::OK();
}

}  // namespace

// One point's deciding entry in a view.
struct DBImpl::SpatialEntry {
  std::string_view position;  // Hilbert key + coordinates
  Point point;
  uint64_t seq = 0;
  char kind = 'D';  // 'J', 'B', 'R' or 'D'
  std::string_view value;  // after the kind byte
};

// ---- derived state

void DBImpl::ApplySpatial(const Version& v) {
  if (v.coll == kSpaceCollection) {
    const std::string key = "G" + v.id;
    if (v.deleted) {
      mem_->Put(key, "D");
      spaces_.erase(v.id);
      auto b = branches_.find(v.id);
      if (b != branches_.end()) {
        for (const auto& [name, def] : b->second) mem_->Put("B" + v.id + std::string(1, '\0') + name, "D");
        branches_.erase(b);
      }
      return;
    }
    SpaceDef def{static_cast<uint32_t>(JsonUint(v.data, "dims")),
                 static_cast<uint32_t>(JsonUint(v.data, "bits")), v.seq, {}, {}};
    if (def.dims < 1 || def.dims > 16 || def.bits < 1 || def.bits > 32) return;
    std::string value = Be64(def.gen);
    PutBigEndian32(&value, def.dims);
    PutBigEndian32(&value, def.bits);
    mem_->Put(key, value);
    spaces_[v.id] = def;
    return;
  }
  if (v.coll == kBranchCollection) {
    const size_t colon = v.id.find(':');
    if (colon == std::string::npos) return;
    const std::string space = v.id.substr(0, colon), name = v.id.substr(colon + 1);
    const std::string key = "B" + space + std::string(1, '\0') + name;
    if (v.deleted) {
      mem_->Put(key, "D");
      auto b = branches_.find(space);
      if (b != branches_.end()) b->second.erase(name);
      return;
    }
    BranchDef def{JsonStringField(v.data, "from"), JsonUint(v.data, "at"), v.seq};
    std::string value = Be64(def.gen) + Be64(def.fork) + def.parent;
    mem_->Put(key, value);
    branches_[space][name] = def;
    return;
  }
  // A point. Once per point written, on the writer: the point, key, value
  // and payload are parsed into buffers kept by the thread, not allocated.
  const size_t c1 = v.id.find(':');
  const size_t c2 = c1 == std::string::npos ? c1 : v.id.find(':', c1 + 1);
  if (c2 == std::string::npos) return;
  const std::string_view id(v.id);
  auto sp = spaces_.find(id.substr(0, c1));
  if (sp == spaces_.end() || v.seq < sp->second.gen) return;
  SpaceDef& def = sp->second;
  const std::string_view branch = id.substr(c1 + 1, c2 - c1 - 1);
  uint64_t branch_gen = def.gen;
  if (branch != kMain) {
    auto bs = branches_.find(id.substr(0, c1));
    if (bs == branches_.end()) return;
    auto b = bs->second.find(branch);
    if (b == bs->second.end() || v.seq < b->second.gen) return;
    branch_gen = b->second.gen;
  }
  thread_local Point p;
  thread_local std::string key, value;
  thread_local SpatialPayload payload;
  if (!ParsePointList(id.substr(c2 + 1), &p) || p.size() != def.dims) return;
  if (!CheckPoint(p, def.dims, def.bits, "point").ok()) return;
  if (!v.deleted) {
    // Grow the space's bounding box ('H' keeps it across reopens).
    bool grew = def.min.empty();
    if (grew) {
      def.min = p;
      def.max = p;
    } else {
      for (size_t i = 0; i < p.size(); i++) {
        if (p[i] < def.min[i]) def.min[i] = p[i], grew = true;
        if (p[i] > def.max[i]) def.max[i] = p[i], grew = true;
      }
    }
    if (grew) {
      std::string box;
      for (size_t i = 0; i < p.size(); i++) {
        PutBigEndian32(&box, def.min[i]);
        PutBigEndian32(&box, def.max[i]);
      }
      mem_->Put("H" + Be64(def.gen), box);
    }
  }
  key.clear();
  AppendSpacePrefix(def.gen, branch_gen, &key);
  AppendPosition(p, def.dims, def.bits, &key);
  PutBigEndian64(&key, ~v.seq);
  value.clear();
  if (v.deleted) {
    value = "D";
  } else {
    if (!PayloadOfData(v.data, &payload)) return;
    if (payload.data.size() > kMaxInlinePayloadBytes) {
      value = "R";
      value.append(reinterpret_cast<const char*>(v.hash.bytes.data()), Hash::kSize);
    } else {
      value = payload.binary ? "B" : "J";
      value += payload.data;
    }
  }
  mem_->Put(key, value);
  // A payload grown by a rare large point is let go of afterwards.
  if (payload.data.capacity() > (64u << 10)) std::string().swap(payload.data);
}

// ---- lookups (index_mu_ held)

Result<DBImpl::SpaceDef> DBImpl::FindSpace(std::string_view space) {
  auto it = spaces_.find(space);
  if (it == spaces_.end()) return Status::NotFound("no space named \"" + std::string(space) + "\"");
  return it->second;
}

Result<std::vector<DBImpl::ViewLevel>> DBImpl::BranchChain(std::string_view space, const SpaceDef& def,
                                                           std::string_view branch, uint64_t as_of) {
  std::vector<ViewLevel> levels;
  std::string name(branch);
  uint64_t cap = as_of;
  while (true) {
    if (name == kMain) {
      levels.push_back(ViewLevel{def.gen, cap, name});
      return levels;
    }
    auto bs = branches_.find(space);
    const BranchDef* b = nullptr;
    if (bs != branches_.end()) {
      auto it = bs->second.find(name);
      if (it != bs->second.end()) b = &it->second;
    }
    if (!b) {
      return Status::NotFound("space \"" + std::string(space) + "\" has no branch \"" + name + "\"");
    }
    if (levels.size() > 64) return Status::Corruption("branch chain of " + std::string(branch) + " loops");
    levels.push_back(ViewLevel{b->gen, cap, name});
    cap = std::min(cap, b->fork);
    name = b->parent;
  }
}

std::function<uint32_t(std::string_view)> DBImpl::SpatialKeyDims() {
  // gen -> (dims, key length); spaces are few.
  std::vector<std::pair<uint64_t, std::pair<uint32_t, size_t>>> layouts;
  for (const auto& [name, def] : spaces_) {
    const size_t key_bytes = kSpatialKeyPrefixBytes +
                             HilbertKeyBytes(static_cast<int>(def.dims), static_cast<int>(def.bits)) +
                             4 * size_t{def.dims} + 8;
    layouts.emplace_back(def.gen, std::make_pair(def.dims, key_bytes));
  }
  return [layouts = std::move(layouts)](std::string_view key) -> uint32_t {
    if (key.size() <= kSpatialKeyPrefixBytes || key[0] != 'S') return 0;
    const uint64_t gen = DecodeBigEndian64(key.data() + 1);
    for (const auto& [g, layout] : layouts) {
      if (g == gen) return key.size() == layout.second ? layout.first : 0;
    }
    return 0;
  };
}

namespace {

// Passes over the table blocks of one branch's entries whose box misses the
// query box: every entry there would be filtered out. Only blocks that end
// inside the Hilbert key range the scan is in (`*range`): past it, the scan
// seeks to its next range, which is cheaper than stepping over every block
// between two ranges.
class BoxFilter final : public BlockFilter {
 public:
  BoxFilter(std::string_view prefix, const Point& lo, const Point& hi, size_t key_bytes,
            const std::vector<HilbertRange>& ranges, const size_t* range)
      : prefix_(prefix), lo_(lo), hi_(hi), key_bytes_(key_bytes), ranges_(ranges), range_(range) {}
  bool Skip(std::string_view last_key, const BlockBox& box) const override {
    // Called for every block a seek passes over: compared inline.
    if (box.prefix_bytes != prefix_.size() || box.dims != lo_.size() ||
        last_key.size() < prefix_.size() + key_bytes_ || !HasKeyPrefix(last_key, prefix_) ||
        *range_ >= ranges_.size() ||
        CompareKeyBytes(last_key.data() + prefix_.size(), ranges_[*range_].hi.data(), key_bytes_) > 0) {
      return false;
    }
    for (uint32_t i = 0; i < box.dims; i++) {
      if (box.max[i] < lo_[i] || box.min[i] > hi_[i]) {
        skipped_++;
        return true;
      }
    }
    return false;
  }
  uint64_t skipped() const { return skipped_; }

 private:
  const std::string prefix_;
  const Point& lo_;
  const Point& hi_;
  const size_t key_bytes_;
  const std::vector<HilbertRange>& ranges_;
  const size_t* range_;
  mutable uint64_t skipped_ = 0;
};

}  // namespace

Result<bool> DBImpl::ScanViewByIds(std::string_view space, const SpaceDef& def,
                                   const std::vector<ViewLevel>& levels, const Point& lo, const Point& hi,
                                   std::string_view after, const std::function<bool(SpatialEntry&)>& fn) {
  // Every point written to a branch is a document of _cairn_point whose id
  // is "space:branch:c0,c1,..." (PointId), and the version index keeps every
  // version of every document. So the points whose leading coordinates are
  // the box's fixed ones are exactly the documents under one id prefix per
  // level: the candidates. Older generations of the space, and points
  // written after the view's cap, are candidates too; their spatial entries
  // decide, below, as in the range scan.
  size_t fixed = 0;
  while (fixed < def.dims && lo[fixed] == hi[fixed]) fixed++;
  std::string text = PointList(lo.data(), fixed);
  // A whole point is a whole id; a part of one ends at a comma.
  text.push_back(fixed == def.dims ? '\0' : ',');
  struct Candidate {
    std::string position;
    Point point;
  };
  std::vector<Candidate> candidates;
  size_t scanned = 0;
  auto it = NewIndexIterator();
  const std::string versions = CollectionVersionsPrefix(kPointCollection);
  for (const ViewLevel& level : levels) {
    const std::string id_start = versions + std::string(space) + ":" + level.branch + ":";
    const std::string prefix = id_start + text;
    CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
    std::string last_id;
    while (it->Valid() && it->key().starts_with(prefix)) {
      if (++scanned > kMaxIdScanEntries) return false;
      const std::string_view key = it->key();
      if (key.size() < id_start.size() + 9) return Status::Corruption("malformed version index key");
      // The coordinates, between the id's start and its NUL and seq.
      const std::string_view list = key.substr(id_start.size(), key.size() - 9 - id_start.size());
      Candidate c;
      // Older versions of the same point follow it: skip them. Inside the
      // box is inside the space's precision (the box was checked).
      if (list != last_id && ParsePointList(list, &c.point) && c.point.size() == def.dims) {
        last_id.assign(list);
        bool inside = true;
        for (uint32_t i = 0; i < def.dims && inside; i++) inside = lo[i] <= c.point[i] && c.point[i] <= hi[i];
        if (inside) {
          if (candidates.size() == kMaxIdCandidates) return false;
          AppendPosition(c.point, def.dims, def.bits, &c.position);
          candidates.push_back(std::move(c));
        }
      }
      CAIRN_RETURN_IF_ERROR(it->Next());
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.position < b.position; });
  candidates.erase(std::unique(candidates.begin(), candidates.end(),
                               [](const Candidate& a, const Candidate& b) { return a.position == b.position; }),
                   candidates.end());
  // A candidate's entry on level i: its newest no newer than the level's cap.
  std::vector<std::unique_ptr<Table::Iterator>> its(levels.size());
  std::string target;
  auto find_on_level = [&](size_t i, const Candidate& c, SpatialEntry* e) -> Result<bool> {
    if (!its[i]) its[i] = NewIndexIterator();
    Table::Iterator& li = *its[i];
    target = SpacePrefix(def.gen, levels[i].branch_gen);
    target += c.position;
    CAIRN_RETURN_IF_ERROR(li.Seek(target));
    while (li.Valid() && li.key().starts_with(target)) {
      const std::string_view k = li.key();
      if (k.size() != target.size() + 8) return Status::Corruption("malformed spatial index entry");
      const uint64_t seq = ~DecodeBigEndian64(k.data() + target.size());
      if (seq > levels[i].cap) {
        CAIRN_RETURN_IF_ERROR(li.Next());
        continue;
      }
      const std::string_view value = li.value();
      if (value.empty()) return Status::Corruption("empty spatial index value");
      e->point = c.point;
      e->seq = seq;
      e->kind = value[0];
      e->value = value.substr(1);
      e->position = c.position;
      return true;
    }
    return false;
  };
  // Each candidate's deciding entry is that of the nearest level holding
  // one, as ScanView's merge picks.
  for (const Candidate& c : candidates) {
    if (!after.empty() && std::string_view(c.position) <= after) continue;
    for (size_t i = 0; i < levels.size(); i++) {
      SpatialEntry e;
      CAIRN_ASSIGN_OR_RETURN(const bool found, find_on_level(i, c, &e));
      if (!found) continue;
      if (!fn(e)) return true;
      break;
    }
  }
  return true;
}

Status DBImpl::ScanView(std::string_view space, const SpaceDef& def, const std::vector<ViewLevel>& levels,
                        const Point& lo, const Point& hi, std::string_view after,
                        const std::function<bool(SpatialEntry&)>& fn) {
  const int dims = static_cast<int>(def.dims), bits = static_cast<int>(def.bits);
  const size_t key_bytes = HilbertKeyBytes(dims, bits);
  const size_t pos_bytes = key_bytes + 4 * def.dims;
  // No point lies outside the space's bounding box: decompose only the
  // part of the box inside it.
  if (def.min.size() != def.dims) return Status::OK();  // no point ever written
  Point clo(def.dims), chi(def.dims);
  for (uint32_t i = 0; i < def.dims; i++) {
    clo[i] = std::max(lo[i], def.min[i]);
    chi[i] = std::min(hi[i], def.max[i]);
    if (clo[i] > chi[i]) return Status::OK();
  }
  if (lo[0] == hi[0]) {
    CAIRN_ASSIGN_OR_RETURN(const bool done, ScanViewByIds(space, def, levels, lo, hi, after, fn));
    if (done) return Status::OK();
  }
  const uint64_t unflushed = mem_->data_bytes() + (imm_ ? imm_->data_bytes() : 0);
  const std::vector<HilbertRange> ranges = HilbertRanges(
      clo.data(), chi.data(), dims, bits, unflushed < kFewUnflushedBytes ? kMaxRangesFewUnflushed : kMaxRanges);

  // One cursor per level, each yielding its deciding entries in order.
  struct Cursor {
    std::string prefix;
    uint64_t cap = 0;
    std::unique_ptr<BoxFilter> filter;  // outlives `it`
    std::unique_ptr<Table::Iterator> it;
    size_t range = 0;
    bool done = false;
    bool has = false;  // `entry` holds this level's next deciding entry
    bool at_best = false;
    std::string position;
    SpatialEntry entry;
  };
  std::vector<Cursor> cursors(levels.size());
  struct CountSkips {  // into Stats, however the scan ends
    const std::vector<Cursor>& cursors;
    std::atomic<uint64_t>& total;
    ~CountSkips() {
      for (const Cursor& c : cursors) {
        if (c.filter) total.fetch_add(c.filter->skipped(), std::memory_order_relaxed);
      }
    }
  } count_skips{cursors, space_blocks_skipped_};
  auto in_box = [&](const char* coords, Point* p) {
    p->resize(def.dims);
    for (uint32_t i = 0; i < def.dims; i++) {
      const uint32_t c = DecodeBigEndian32(coords + 4 * i);
      if (c < lo[i] || c > hi[i]) return false;
      (*p)[i] = c;
    }
    return true;
  };
  // Seeks the cursor's current range at or after max(range.lo, after).
  auto seek_range = [&](Cursor& c) -> Status {
    while (c.range < ranges.size()) {
      const HilbertRange& r = ranges[c.range];
      if (!after.empty() && std::string_view(r.hi) < after.substr(0, key_bytes)) {
        c.range++;
        continue;
      }
      std::string target = c.prefix;
      if (!after.empty() && after.substr(0, key_bytes) >= std::string_view(r.lo)) {
        target.append(after);
        target.append(8, '\xff');  // past every version of `after`
      } else {
        target.append(r.lo);
      }
      return c.it->Seek(target);
    }
    c.done = true;
    return Status::OK();
  };
  // Every entry a scan reads passes here, so its key is read from the
  // iterator once, and Hilbert keys (key_bytes each, ranges included)
  // compare a word at a time.
  const auto hkey_cmp = [key_bytes](const char* a, const char* b) { return CompareKeyBytes(a, b, key_bytes); };
  // Advances to the cursor's next deciding entry in the box.
  auto advance = [&](Cursor& c) -> Status {
    c.has = false;
    while (!c.done) {
      if (!c.it->Valid()) {
        c.done = true;
        break;
      }
      const std::string_view whole = c.it->key();
      if (!HasKeyPrefix(whole, c.prefix)) {
        c.done = true;
        break;
      }
      // Past the level's prefix (the loop spells out what substr would do,
      // as GCC does not always inline it here): position, then seq.
      const char* k = whole.data() + c.prefix.size();
      if (whole.size() - c.prefix.size() != pos_bytes + 8) return Status::Corruption("malformed spatial index entry");
      if (hkey_cmp(k, ranges[c.range].hi.data()) > 0) {
        // Past this range: on to the first range not wholly below the
        // entry. Already inside it: no seek. A few entries short of it:
        // step there, which is cheaper than a seek when ranges are close.
        while (c.range < ranges.size() && hkey_cmp(k, ranges[c.range].hi.data()) > 0) c.range++;
        if (c.range == ranges.size()) {
          c.done = true;
          break;
        }
        if (hkey_cmp(k, ranges[c.range].lo.data()) < 0) {
          bool reached = false;
          for (int step = 0; step < kStepsBeforeSeek; step++) {
            CAIRN_RETURN_IF_ERROR(c.it->Next());
            if (!c.it->Valid()) {
              reached = true;
              break;
            }
            const std::string_view key = c.it->key();
            if (!HasKeyPrefix(key, c.prefix) || key.size() < c.prefix.size() + key_bytes ||
                hkey_cmp(key.data() + c.prefix.size(), ranges[c.range].lo.data()) >= 0) {
              reached = true;
              break;
            }
          }
          if (!reached) CAIRN_RETURN_IF_ERROR(seek_range(c));
        }
        continue;
      }
      const uint64_t seq = ~DecodeBigEndian64(k + pos_bytes);
      if (seq > c.cap || !in_box(k + key_bytes, &c.entry.point)) {
        CAIRN_RETURN_IF_ERROR(c.it->Next());
        continue;
      }
      c.position.assign(k, pos_bytes);
      c.entry.seq = seq;
      const std::string_view value = c.it->value();
      if (value.empty()) return Status::Corruption("empty spatial index value");
      c.entry.kind = value[0];
      c.entry.value = std::string_view(value.data() + 1, value.size() - 1);
      c.has = true;
      break;
    }
    return Status::OK();
  };
  for (size_t i = 0; i < levels.size(); i++) {
    Cursor& c = cursors[i];
    c.prefix = SpacePrefix(def.gen, levels[i].branch_gen);
    c.cap = levels[i].cap;
    c.filter = std::make_unique<BoxFilter>(c.prefix, lo, hi, key_bytes, ranges, &c.range);
    c.it = NewIndexIterator();
    c.it->SetBlockFilter(c.filter.get());
    CAIRN_RETURN_IF_ERROR(seek_range(c));
    CAIRN_RETURN_IF_ERROR(advance(c));
  }
  // Skips the remaining (older) versions of the cursor's current point, then
  // finds its next deciding entry.
  auto next = [&](Cursor& c) -> Status {
    CAIRN_RETURN_IF_ERROR(c.it->Next());
    while (c.it->Valid()) {
      const std::string_view key = c.it->key();
      if (key.size() != c.prefix.size() + pos_bytes + 8 ||
          CompareKeyBytes(key.data() + c.prefix.size(), c.position.data(), pos_bytes) != 0) {
        break;
      }
      CAIRN_RETURN_IF_ERROR(c.it->Next());
    }
    return advance(c);
  };
  while (true) {
    // The smallest position among the levels; the nearest level holding it decides.
    Cursor* best = nullptr;
    for (Cursor& c : cursors) {
      if (c.has && (!best || c.position < best->position)) best = &c;
    }
    if (!best) return Status::OK();
    best->entry.position = best->position;
    const bool go_on = fn(best->entry);
    // Every level at this position moves on: marked first, since moving
    // `best` changes the position the others are compared with.
    for (Cursor& c : cursors) c.at_best = c.has && (&c == best || c.position == best->position);
    for (Cursor& c : cursors) {
      if (c.at_best) CAIRN_RETURN_IF_ERROR(next(c));
    }
    if (!go_on) return Status::OK();
  }
}


bool DBImpl::EntryPayload(const SpatialEntry& e, std::string_view* inline_payload, Hash* by_hash) {
  *inline_payload = {};
  if (e.kind == 'R' && e.value.size() == Hash::kSize) {
    std::memcpy(by_hash->bytes.data(), e.value.data(), Hash::kSize);
    return true;
  }
  if (e.kind == 'J' || e.kind == 'B') *inline_payload = e.value;
  return false;
}

Hash DBImpl::FillRecord(const SpatialEntry& e, SpatialRecord* r) {
  r->point = e.point;
  r->seq = e.seq;
  r->deleted = e.kind == 'D';
  r->payload.binary = e.kind == 'B';
  std::string_view payload;
  Hash h;
  EntryPayload(e, &payload, &h);
  r->payload.data.assign(payload);
  return h;
}

Status DBImpl::ReadPayload(const Hash& hash, const uint32_t* point, size_t dims, SpatialPayload* out) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v, GetByHash(hash));
  if (!v || !PayloadOfData(v->data, out)) {
    return Status::Corruption("the payload of point [" + PointList(point, dims) + "] (version " + hash.ToHex() +
                              ") cannot be read");
  }
  return Status::OK();
}

Status DBImpl::ResolvePayloads(std::vector<SpatialRecord>* records, const std::vector<Hash>& by_hash) {
  for (size_t i = 0; i < by_hash.size() && i < records->size(); i++) {
    if (by_hash[i].IsZero()) continue;
    SpatialRecord& r = (*records)[i];
    CAIRN_RETURN_IF_ERROR(ReadPayload(by_hash[i], r.point.data(), r.point.size(), &r.payload));
  }
  return Status::OK();
}

// ---- spaces

Result<SpaceInfo> DBImpl::CreateSpace(std::string_view name, uint32_t dims, uint32_t bits) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateName(name, "space name", options_.limits));
  if (dims < 1 || dims > 16) {
    return Status::InvalidArgument("space " + std::string(name) + ": dims must be 1..16, got " + std::to_string(dims));
  }
  if (bits < 1 || bits > 32) {
    return Status::InvalidArgument("space " + std::string(name) + ": bits must be 1..32, got " + std::to_string(bits));
  }
  {
    ReaderLock l(&index_mu_);
    auto it = spaces_.find(name);
    if (it != spaces_.end()) {
      if (it->second.dims != dims || it->second.bits != bits) {
        return Status::InvalidArgument("space " + std::string(name) + " exists with dims " +
                                       std::to_string(it->second.dims) + " and bits " +
                                       std::to_string(it->second.bits) + ", not dims " + std::to_string(dims) +
                                       " and bits " + std::to_string(bits));
      }
      return SpaceInfo{std::string(name), dims, bits, it->second.gen};
    }
  }
  const std::string data = "{\"bits\":" + std::to_string(bits) + ",\"dims\":" + std::to_string(dims) + "}";
  CAIRN_ASSIGN_OR_RETURN(Version v, WriteSystem(kSpaceCollection, std::string(name), data, false));
  return SpaceInfo{std::string(name), dims, bits, v.seq};
}

Result<std::vector<SpaceInfo>> DBImpl::Spaces() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  std::vector<SpaceInfo> out;
  for (const auto& [name, def] : spaces_) out.push_back(SpaceInfo{name, def.dims, def.bits, def.gen});
  return out;
}

Status DBImpl::DropSpace(std::string_view name) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateName(name, "space name", options_.limits));
  {
    ReaderLock l(&index_mu_);
    CAIRN_RETURN_IF_ERROR(FindSpace(name).status());
  }
  return WriteSystem(kSpaceCollection, std::string(name), "", true).status();
}

// ---- writes

Result<std::vector<uint64_t>> DBImpl::SpaceWrite(std::string_view space, std::string_view branch,
                                                 const std::vector<SpatialWrite>& ops) {
  return WriteSpatial(space, branch, ops, true);
}

Result<std::vector<uint64_t>> DBImpl::WriteSpatial(std::string_view space, std::string_view branch,
                                                   const std::vector<SpatialWrite>& ops, bool check_live) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateName(space, "space name", options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateName(branch, "branch name", options_.limits));
  if (ops.empty()) return std::vector<uint64_t>();
  if (check_live && ops.size() > options_.limits.max_batch_writes) {
    return Status::InvalidArgument("a spatial batch holds " + std::to_string(ops.size()) + " writes; the limit is " +
                                   std::to_string(options_.limits.max_batch_writes));
  }
  SpaceDef def;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(def, FindSpace(space));
    CAIRN_RETURN_IF_ERROR(BranchChain(space, def, branch, visible_seq_).status());
  }
  const JsonLimits jl{options_.limits.max_depth, options_.limits.max_document_bytes};
  std::vector<PreparedOp> prepared(ops.size());
  // An item's error names its place in a batch (built only for an error).
  const auto fail = [&](size_t i, const Status& s) {
    return ops.size() > 1 ? s.WithContext("batch item " + std::to_string(i)) : s;
  };
  // Any write: its point checked, its version's collection and id.
  const auto prepare_point = [&](size_t i) -> Status {
    CAIRN_RETURN_IF_ERROR(CheckPoint(ops[i].point, def.dims, def.bits, "point"));
    prepared[i].coll = kPointCollection;
    prepared[i].id = PointId(space, branch, ops[i].point);
    return Status::OK();
  };
  // An insert: that, and its payload canonicalized and wrapped. Needs
  // nothing from the other writes.
  const auto prepare_insert = [&](size_t i) -> Status {
    CAIRN_RETURN_IF_ERROR(prepare_point(i));
    const SpatialWrite& w = ops[i];
    PreparedOp& op = prepared[i];
    if (w.payload.binary) {
      if (w.payload.data.size() > options_.limits.max_document_bytes / 2) {
        return Status::InvalidArgument("point: payload of " + std::to_string(w.payload.data.size()) +
                                       " bytes is over the limit of " +
                                       std::to_string(options_.limits.max_document_bytes / 2));
      }
      op.data = PointData(w.point, w.payload);
    } else {
      auto canon = CanonicalizeJson(w.payload.data.empty() ? std::string_view("null") : w.payload.data, jl);
      if (!canon.ok()) return canon.status().WithContext("point [" + PointList(w.point.data(), w.point.size()) + "]");
      op.data = PointData(w.point, SpatialPayload{std::move(canon).value(), false});
    }
    return Status::OK();
  };
  const bool has_deletes =
      std::any_of(ops.begin(), ops.end(), [](const SpatialWrite& w) { return w.is_delete; });
  if (!has_deletes) {
    // Inserts only: the scheduler's helpers share them, as PutMany's
    // documents; the error reported is the first bad item's.
    size_t failed_at = 0;
    if (Status s = ParallelEach(ops.size(), 64, prepare_insert, &failed_at); !s.ok()) return fail(failed_at, s);
  } else {
    // Deletes of points this batch wrote before, by id: live after the
    // batch's earlier ops? Kept only when the batch deletes something.
    std::unordered_map<std::string, bool> batch_live;
    const bool track_live = check_live && has_deletes;
    for (size_t i = 0; i < ops.size(); i++) {
      const SpatialWrite& w = ops[i];
      if (!w.is_delete) {
        if (Status s = prepare_insert(i); !s.ok()) return fail(i, s);
      } else {
        if (Status s = prepare_point(i); !s.ok()) return fail(i, s);
        PreparedOp& op = prepared[i];
        op.is_delete = true;
        op.data = "null";
        op.allow_absent = true;
        if (check_live) {
          bool live;
          if (auto it = batch_live.find(op.id); it != batch_live.end()) {
            live = it->second;
          } else {
            SpaceReadOptions ro;
            ro.branch = std::string(branch);
            CAIRN_ASSIGN_OR_RETURN(uint64_t n, SpaceCount(space, w.point, w.point, ro));
            live = n > 0;
          }
          if (!live) {
            return fail(i, Status::NotFound("point [" + PointList(w.point.data(), w.point.size()) +
                                            "] is not live in " + std::string(space) + "/" +
                                            std::string(branch)));
          }
        }
      }
      if (track_live) batch_live[prepared[i].id] = !w.is_delete;
    }
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<Version> versions, Write(std::move(prepared)));
  std::vector<uint64_t> seqs;
  seqs.reserve(versions.size());
  for (const Version& v : versions) seqs.push_back(v.seq);
  return seqs;
}

// ---- queries

Result<SpaceQueryResult> DBImpl::BoxQuery(std::string_view space, const Point* lo_in, const Point* hi_in,
                                          const Point* prefix, const SpaceReadOptions& options,
                                          const std::function<void(const SpatialRecordView&)>& fn) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  SpaceQueryResult out;
  // The records, laid out flat while the index is read: their coordinates
  // one after another, their payloads in one string. A payload kept by hash
  // (over kMaxInlinePayloadBytes) is read after the lock is released.
  struct Flat {
    uint64_t seq;
    size_t payload_at;
    size_t payload_size;
    bool binary;
  };
  std::vector<Flat> flat;
  std::vector<uint32_t> coords;
  std::string payloads;
  std::vector<std::pair<size_t, Hash>> by_hash;  // record index, version hash
  uint32_t dims = 0;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    dims = def.dims;
    Point lo, hi;
    if (prefix) {
      if (prefix->size() > def.dims) {
        return Status::InvalidArgument("prefix has " + std::to_string(prefix->size()) +
                                       " coordinates; the space has " + std::to_string(def.dims) + " dimensions");
      }
      Point full(*prefix);
      full.resize(def.dims, 0);
      CAIRN_RETURN_IF_ERROR(CheckPoint(full, def.dims, def.bits, "prefix"));
      lo = full;
      hi = full;
      const uint32_t max = def.bits == 32 ? UINT32_MAX : (uint32_t{1} << def.bits) - 1;
      for (size_t i = prefix->size(); i < def.dims; i++) hi[i] = max;
    } else {
      CAIRN_RETURN_IF_ERROR(CheckBox(*lo_in, *hi_in, def.dims, def.bits));
      lo = *lo_in;
      hi = *hi_in;
    }
    CAIRN_RETURN_IF_ERROR(CheckAsOf(options.as_of, visible_seq_));
    out.seq = options.as_of.value_or(visible_seq_);
    CAIRN_ASSIGN_OR_RETURN(std::vector<ViewLevel> levels, BranchChain(space, def, options.branch, out.seq));
    std::string after;
    if (!options.cursor.empty()) {
      const size_t pos_bytes = HilbertKeyBytes(static_cast<int>(def.dims), static_cast<int>(def.bits)) + 4 * def.dims;
      if (options.cursor.size() != 2 * pos_bytes) return Status::InvalidArgument("malformed cursor");
      for (size_t i = 0; i < pos_bytes; i++) {
        auto hex = [](char c) -> int {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          return -1;
        };
        const int a = hex(options.cursor[2 * i]), b = hex(options.cursor[2 * i + 1]);
        if (a < 0 || b < 0) return Status::InvalidArgument("malformed cursor");
        after.push_back(static_cast<char>(a * 16 + b));
      }
    }
    std::string last;
    CAIRN_RETURN_IF_ERROR(ScanView(space, def, levels, lo, hi, after, [&](SpatialEntry& e) {
      if (e.kind == 'D') return true;
      if (flat.size() == options.limit) {
        out.cursor = "more";  // set below from `last`
        return false;
      }
      coords.insert(coords.end(), e.point.begin(), e.point.end());
      std::string_view payload;
      Hash h;
      if (EntryPayload(e, &payload, &h)) by_hash.emplace_back(flat.size(), h);
      flat.push_back(Flat{e.seq, payloads.size(), payload.size(), e.kind == 'B'});
      payloads.append(payload);
      last.assign(e.position);
      return true;
    }));
    if (!out.cursor.empty()) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.cursor.clear();
      for (unsigned char c : last) {
        out.cursor.push_back(kHex[c >> 4]);
        out.cursor.push_back(kHex[c & 15]);
      }
    }
  }
  for (const auto& [i, hash] : by_hash) {
    SpatialPayload payload;
    CAIRN_RETURN_IF_ERROR(ReadPayload(hash, coords.data() + i * dims, dims, &payload));
    flat[i].payload_at = payloads.size();
    flat[i].payload_size = payload.data.size();
    flat[i].binary = payload.binary;
    payloads.append(payload.data);
  }
  for (size_t i = 0; i < flat.size(); i++) {
    fn(SpatialRecordView{coords.data() + i * dims, dims, flat[i].seq,
                         std::string_view(payloads).substr(flat[i].payload_at, flat[i].payload_size),
                         flat[i].binary});
  }
  return out;
}

Result<SpaceQueryResult> DBImpl::CollectBoxQuery(std::string_view space, const Point* lo, const Point* hi,
                                                 const Point* prefix, const SpaceReadOptions& options) {
  std::vector<SpatialRecord> records;
  CAIRN_ASSIGN_OR_RETURN(SpaceQueryResult out, BoxQuery(space, lo, hi, prefix, options, [&](const SpatialRecordView& r) {
    records.push_back(SpatialRecord{Point(r.point, r.point + r.dims), r.seq,
                                    SpatialPayload{std::string(r.payload), r.binary}, false});
  }));
  out.records = std::move(records);
  return out;
}

Result<SpaceQueryResult> DBImpl::SpaceBox(std::string_view space, const Point& lo, const Point& hi,
                                          const SpaceReadOptions& options) {
  return CollectBoxQuery(space, &lo, &hi, nullptr, options);
}

Result<SpaceQueryResult> DBImpl::SpaceSubscope(std::string_view space, const Point& prefix,
                                               const SpaceReadOptions& options) {
  return CollectBoxQuery(space, nullptr, nullptr, &prefix, options);
}

Result<SpaceQueryResult> DBImpl::SpaceBoxEach(std::string_view space, const Point& lo, const Point& hi,
                                              const SpaceReadOptions& options,
                                              const std::function<void(const SpatialRecordView&)>& fn) {
  return BoxQuery(space, &lo, &hi, nullptr, options, fn);
}

Result<SpaceQueryResult> DBImpl::SpaceSubscopeEach(std::string_view space, const Point& prefix,
                                                   const SpaceReadOptions& options,
                                                   const std::function<void(const SpatialRecordView&)>& fn) {
  return BoxQuery(space, nullptr, nullptr, &prefix, options, fn);
}

Result<uint64_t> DBImpl::SpaceCount(std::string_view space, const Point& lo, const Point& hi,
                                    const SpaceReadOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
  CAIRN_RETURN_IF_ERROR(CheckBox(lo, hi, def.dims, def.bits));
  CAIRN_RETURN_IF_ERROR(CheckAsOf(options.as_of, visible_seq_));
  CAIRN_ASSIGN_OR_RETURN(std::vector<ViewLevel> levels,
                         BranchChain(space, def, options.branch, options.as_of.value_or(visible_seq_)));
  uint64_t n = 0;
  CAIRN_RETURN_IF_ERROR(ScanView(space, def, levels, lo, hi, "", [&](SpatialEntry& e) {
    if (e.kind != 'D') n++;
    return true;
  }));
  return n;
}

Result<std::vector<NearestRecord>> DBImpl::SpaceNearest(std::string_view space, const Point& point, size_t k,
                                                        const SpaceReadOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  uint32_t dims, bits;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    CAIRN_RETURN_IF_ERROR(CheckPoint(point, def.dims, def.bits, "point"));
    dims = def.dims;
    bits = def.bits;
  }
  std::vector<NearestRecord> out;
  if (k == 0) return out;
  const uint64_t max = bits == 32 ? UINT32_MAX : (uint64_t{1} << bits) - 1;
  SpaceReadOptions ro = options;
  ro.limit = SIZE_MAX;
  ro.cursor.clear();
  if (!ro.as_of) ro.as_of = VisibleSeq();  // one snapshot for every round
  // Grow a box around the point until it holds k points no farther than its
  // half-width: every point outside the box is farther than that.
  for (uint64_t w = 16;; w *= 4) {
    Point lo(dims), hi(dims);
    bool whole = true;
    for (uint32_t i = 0; i < dims; i++) {
      lo[i] = static_cast<uint32_t>(point[i] > w ? point[i] - w : 0);
      hi[i] = static_cast<uint32_t>(std::min<uint64_t>(max, uint64_t{point[i]} + w));
      if (lo[i] != 0 || hi[i] != max) whole = false;
    }
    CAIRN_ASSIGN_OR_RETURN(SpaceQueryResult r, SpaceBox(space, lo, hi, ro));
    if (r.records.size() >= k || whole) {
      out.clear();
      for (SpatialRecord& rec : r.records) {
        double d2 = 0;
        for (uint32_t i = 0; i < dims; i++) {
          const double d = static_cast<double>(rec.point[i]) - static_cast<double>(point[i]);
          d2 += d * d;
        }
        out.push_back(NearestRecord{std::move(rec), std::sqrt(d2)});
      }
      // Stable: ties keep Hilbert order.
      std::stable_sort(out.begin(), out.end(),
                       [](const NearestRecord& a, const NearestRecord& b) { return a.distance < b.distance; });
      if (out.size() > k) out.resize(k);
      if (whole || (out.size() == k && out.back().distance <= static_cast<double>(w))) return out;
    }
    if (w > max) return out;
  }
}

Result<std::vector<SpatialRecord>> DBImpl::SpaceHistory(std::string_view space, std::string_view branch,
                                                        const Point& point) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  std::vector<ViewLevel> levels;  // each level's writes start at its definition (branch_gen)
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    CAIRN_RETURN_IF_ERROR(CheckPoint(point, def.dims, def.bits, "point"));
    CAIRN_ASSIGN_OR_RETURN(levels, BranchChain(space, def, branch, visible_seq_));
  }
  std::vector<SpatialRecord> out;
  for (const ViewLevel& lv : levels) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<Version> versions, History(kPointCollection, PointId(space, lv.branch, point)));
    for (const Version& v : versions) {
      if (v.seq > lv.cap || v.seq < lv.branch_gen) continue;
      SpatialRecord r;
      r.point = point;
      r.seq = v.seq;
      r.deleted = v.deleted;
      if (!v.deleted && !PayloadOfData(v.data, &r.payload)) {
        return Status::Corruption("point version " + v.hash.ToHex() + " holds no payload");
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

// ---- branches

Result<BranchInfo> DBImpl::CreateBranch(std::string_view space, std::string_view name, std::string_view from,
                                        std::optional<uint64_t> at) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateName(space, "space name", options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateName(name, "branch name", options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateName(from, "parent branch name", options_.limits));
  uint64_t fork;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    if (name == kMain || (branches_.count(space) && branches_.find(space)->second.count(name))) {
      return Status::InvalidArgument("space " + std::string(space) + " already has a branch \"" + std::string(name) + "\"");
    }
    CAIRN_RETURN_IF_ERROR(BranchChain(space, def, from, visible_seq_).status());
    if (at && *at > visible_seq_) {
      return Status::InvalidArgument("branch point " + std::to_string(*at) + " is beyond the latest seq " +
                                     std::to_string(visible_seq_));
    }
    fork = at.value_or(visible_seq_);
  }
  std::string data = "{\"at\":" + std::to_string(fork) + ",\"from\":";
  AppendJsonString(&data, from);
  data += "}";
  CAIRN_ASSIGN_OR_RETURN(Version v, WriteSystem(kBranchCollection, BranchId(space, name), data, false));
  return BranchInfo{std::string(name), std::string(from), fork, v.seq};
}

Result<std::vector<BranchInfo>> DBImpl::Branches(std::string_view space) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
  std::vector<BranchInfo> out;
  out.push_back(BranchInfo{kMain, "", 0, def.gen});
  auto bs = branches_.find(space);
  if (bs != branches_.end()) {
    for (const auto& [name, b] : bs->second) {
      if (name != kMain) out.push_back(BranchInfo{name, b.parent, b.fork, b.gen});
    }
  }
  return out;
}

Status DBImpl::DropBranch(std::string_view space, std::string_view name) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateName(space, "space name", options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateName(name, "branch name", options_.limits));
  {
    ReaderLock l(&index_mu_);
    CAIRN_RETURN_IF_ERROR(FindSpace(space).status());
    if (name == kMain) return Status::InvalidArgument("the main branch of a space cannot be dropped");
    auto bs = branches_.find(space);
    if (bs == branches_.end() || !bs->second.count(name)) {
      return Status::NotFound("space \"" + std::string(space) + "\" has no branch \"" + std::string(name) + "\"");
    }
    for (const auto& [other, b] : bs->second) {
      if (b.parent == name) {
        return Status::InvalidArgument("branch " + std::string(name) + " cannot be dropped: branch " + other +
                                       " forks from it");
      }
    }
  }
  return WriteSystem(kBranchCollection, BranchId(space, name), "", true).status();
}

Result<std::vector<SpatialRecord>> DBImpl::FullView(std::string_view space, std::string_view branch,
                                                    uint64_t as_of, bool with_tombstones) {
  std::vector<SpatialRecord> out;
  std::vector<Hash> by_hash;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    CAIRN_ASSIGN_OR_RETURN(std::vector<ViewLevel> levels, BranchChain(space, def, branch, as_of));
    const uint32_t max = def.bits == 32 ? UINT32_MAX : (uint32_t{1} << def.bits) - 1;
    const Point lo(def.dims, 0), hi(def.dims, max);
    CAIRN_RETURN_IF_ERROR(ScanView(space, def, levels, lo, hi, "", [&](SpatialEntry& e) {
      if (e.kind == 'D' && !with_tombstones) return true;
      out.emplace_back();
      by_hash.push_back(FillRecord(e, &out.back()));
      return true;
    }));
  }
  CAIRN_RETURN_IF_ERROR(ResolvePayloads(&out, by_hash));
  return out;
}

namespace {

bool SamePayload(const SpatialRecord& a, const SpatialRecord& b) {
  return a.payload.binary == b.payload.binary && a.payload.data == b.payload.data;
}

// Live state of a point: nullopt when absent or deleted.
const SpatialRecord* Live(const std::map<Point, SpatialRecord>& m, const Point& p) {
  auto it = m.find(p);
  return it == m.end() || it->second.deleted ? nullptr : &it->second;
}

std::map<Point, SpatialRecord> ByPoint(std::vector<SpatialRecord> v) {
  std::map<Point, SpatialRecord> m;
  for (SpatialRecord& r : v) {
    Point p = r.point;
    m.emplace(std::move(p), std::move(r));
  }
  return m;
}

}  // namespace

Result<SpatialDiff> DBImpl::SpaceDiff(std::string_view space, std::string_view from, std::string_view to,
                                      std::optional<uint64_t> as_of) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  const uint64_t seq = as_of.value_or(VisibleSeq());
  CAIRN_RETURN_IF_ERROR(CheckAsOf(seq, VisibleSeq()));
  CAIRN_ASSIGN_OR_RETURN(std::vector<SpatialRecord> a, FullView(space, from, seq, false));
  CAIRN_ASSIGN_OR_RETURN(std::vector<SpatialRecord> b, FullView(space, to, seq, false));
  // Both are in the same (Hilbert, coordinates) order: merge them.
  SpatialDiff diff;
  const std::map<Point, SpatialRecord> in_b = ByPoint(b);
  std::map<Point, bool> seen;
  for (SpatialRecord& r : a) {
    const SpatialRecord* other = Live(in_b, r.point);
    seen[r.point] = true;
    if (!other) {
      diff.removed.push_back(std::move(r));
    } else if (!SamePayload(r, *other)) {
      diff.changed.emplace_back(std::move(r), *other);
    }
  }
  for (SpatialRecord& r : b) {
    if (!seen.count(r.point)) diff.added.push_back(std::move(r));
  }
  return diff;
}

Result<MergeResult> DBImpl::MergeBranch(std::string_view space, std::string_view source, std::string_view target,
                                        MergeStrategy strategy) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  if (source == target) return Status::InvalidArgument("a branch cannot be merged into itself");
  // The common base: the first level of the source's view that the
  // target's view also reads, as of the older of the two caps.
  std::string base_branch;
  uint64_t base_seq = 0;
  const uint64_t now = VisibleSeq();
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    CAIRN_ASSIGN_OR_RETURN(std::vector<ViewLevel> s, BranchChain(space, def, source, now));
    CAIRN_ASSIGN_OR_RETURN(std::vector<ViewLevel> t, BranchChain(space, def, target, now));
    for (const ViewLevel& a : s) {
      for (const ViewLevel& b : t) {
        if (a.branch == b.branch && base_branch.empty()) {
          base_branch = a.branch;
          base_seq = std::min(a.cap, b.cap);
        }
      }
      if (!base_branch.empty()) break;
    }
    if (base_branch.empty()) return Status::Internal("branches " + std::string(source) + " and " + std::string(target) + " share no base");
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<SpatialRecord> sv, FullView(space, source, now, true));
  CAIRN_ASSIGN_OR_RETURN(std::vector<SpatialRecord> tv, FullView(space, target, now, true));
  CAIRN_ASSIGN_OR_RETURN(std::vector<SpatialRecord> bv, FullView(space, base_branch, base_seq, true));
  const std::map<Point, SpatialRecord> S = ByPoint(std::move(sv)), T = ByPoint(std::move(tv)), B = ByPoint(std::move(bv));
  auto same = [](const SpatialRecord* x, const SpatialRecord* y) {
    if (!x || !y) return x == y;
    return SamePayload(*x, *y);
  };
  auto opt = [](const std::map<Point, SpatialRecord>& m, const Point& p) -> std::optional<SpatialRecord> {
    auto it = m.find(p);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
  MergeResult result;
  std::vector<SpatialWrite> writes;
  for (const auto& [p, srec] : S) {
    const SpatialRecord* s = Live(S, p);
    const SpatialRecord* t = Live(T, p);
    const SpatialRecord* b = Live(B, p);
    if (same(s, b)) continue;  // the source did not change it
    if (same(s, t)) continue;  // both made the same change
    bool take_source;
    if (same(t, b)) {
      take_source = true;  // only the source changed it
    } else {
      switch (strategy) {
        case MergeStrategy::kPreferTarget: take_source = false; break;
        case MergeStrategy::kPreferSource: take_source = true; break;
        case MergeStrategy::kLatestWins: {
          auto tt = T.find(p);
          take_source = tt == T.end() || srec.seq > tt->second.seq;
          break;
        }
        case MergeStrategy::kReport:
        default:
          result.conflicts.push_back(MergeConflict{p, opt(B, p), opt(S, p), opt(T, p)});
          take_source = false;
      }
    }
    if (!take_source) continue;
    SpatialWrite w;
    w.point = p;
    if (s) {
      w.payload = s->payload;
    } else {
      if (!t) continue;  // already absent in the target
      w.is_delete = true;
    }
    writes.push_back(std::move(w));
  }
  if (!result.conflicts.empty()) return result;  // kReport: nothing written
  // One write, however many points: a merge is atomic.
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, WriteSpatial(space, target, writes, false));
  result.applied = seqs.size();
  if (!seqs.empty()) result.seq = seqs.back();
  return result;
}

}  // namespace cairn
