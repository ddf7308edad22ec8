#include "wasm/space_codec.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "util/json.h"

namespace cairn {
namespace {

// Reads words in order; every read is bounds-checked.
class WordReader {
 public:
  WordReader(const std::vector<uint32_t>& in, size_t words)
      : in_(in), end_(std::min(words, in.size())) {}

  bool done() const { return at_ >= end_; }
  bool Word(uint32_t* v) {
    if (at_ >= end_) return false;
    *v = in_[at_++];
    return true;
  }
  bool Double(double* v) {
    uint32_t lo, hi;
    if (!Word(&lo) || !Word(&hi)) return false;
    const uint64_t bits = static_cast<uint64_t>(hi) << 32 | lo;
    std::memcpy(v, &bits, sizeof bits);
    return true;
  }
  bool Seq(std::optional<uint64_t>* v) {
    uint32_t flag, lo, hi;
    if (!Word(&flag) || !Word(&lo) || !Word(&hi)) return false;
    if (flag) *v = static_cast<uint64_t>(hi) << 32 | lo;
    return true;
  }
  bool Points(uint32_t dims, Point* p) {
    if (dims > end_ - at_) return false;
    p->assign(in_.begin() + static_cast<ptrdiff_t>(at_),
              in_.begin() + static_cast<ptrdiff_t>(at_ + dims));
    at_ += dims;
    return true;
  }
  bool Bytes(std::string* s) {
    uint32_t len;
    if (!Word(&len)) return false;
    const size_t words = (static_cast<size_t>(len) + 3) / 4;
    if (words > end_ - at_) return false;
    s->assign(reinterpret_cast<const char*>(in_.data() + at_), len);
    at_ += words;
    return true;
  }

 private:
  const std::vector<uint32_t>& in_;
  const size_t end_;
  size_t at_ = 0;
};

Status Truncated(const char* what) {
  return Status::InvalidArgument(std::string(what) + ": truncated encoding");
}

void PutBytes(std::vector<uint32_t>* out, std::string_view s) {
  out->push_back(static_cast<uint32_t>(s.size()));
  const size_t at = out->size();
  out->resize(at + (s.size() + 3) / 4, 0);
  if (!s.empty()) std::memcpy(out->data() + at, s.data(), s.size());
}

void PutRecordHead(std::vector<uint32_t>* out, uint32_t flags, const uint32_t* p, uint32_t dims, uint64_t seq) {
  out->push_back(flags);
  out->push_back(dims);
  out->push_back(static_cast<uint32_t>(seq));
  out->push_back(static_cast<uint32_t>(seq >> 32));
  out->insert(out->end(), p, p + dims);
}

}  // namespace

Result<std::vector<SpatialWrite>> DecodeSpaceWrites(const std::vector<uint32_t>& in, size_t words) {
  std::vector<SpatialWrite> ops;
  WordReader r(in, words);
  while (!r.done()) {
    SpatialWrite w;
    uint32_t kind, dims;
    if (!r.Word(&kind) || !r.Word(&dims) || !r.Points(dims, &w.point) ||
        !r.Bytes(&w.payload.data)) {
      return Truncated("insertMany");
    }
    w.payload.binary = kind == 1;
    w.is_delete = kind == 2;
    ops.push_back(std::move(w));
  }
  return ops;
}

Result<Hyperedge> DecodeEdge(const std::vector<uint32_t>& in, size_t words) {
  Hyperedge e;
  WordReader r(in, words);
  uint32_t ends;
  if (!r.Bytes(&e.id) || !r.Bytes(&e.kind) || !r.Double(&e.weight) || !r.Seq(&e.valid_from) ||
      !r.Seq(&e.valid_to) || !r.Word(&ends)) {
    return Truncated("putEdge");
  }
  for (uint32_t i = 0; i < ends; i++) {
    EdgeEndpoint ep;
    uint32_t dir, dims;
    if (!r.Bytes(&ep.space) || !r.Bytes(&ep.role) || !r.Word(&dir) || !r.Word(&dims) ||
        !r.Points(dims, &ep.point)) {
      return Truncated("putEdge");
    }
    ep.direction = dir == 1   ? EdgeEndpoint::Direction::kTail
                   : dir == 2 ? EdgeEndpoint::Direction::kHead
                              : EdgeEndpoint::Direction::kNone;
    e.endpoints.push_back(std::move(ep));
  }
  uint32_t meta;
  if (!r.Word(&meta)) return Truncated("putEdge");
  for (uint32_t i = 0; i < meta; i++) {
    std::string k, v;
    if (!r.Bytes(&k) || !r.Bytes(&v)) return Truncated("putEdge");
    e.meta.emplace_back(std::move(k), std::move(v));
  }
  return e;
}

namespace {

void AppendPoint(std::string* s, const Point& p) {
  s->push_back('[');
  for (size_t i = 0; i < p.size(); i++) {
    if (i) s->push_back(',');
    s->append(std::to_string(p[i]));
  }
  s->push_back(']');
}

void AppendOptionalSeq(std::string* s, const std::optional<uint64_t>& v) {
  s->append(v ? std::to_string(*v) : "null");
}

}  // namespace

std::string EdgeJson(const Hyperedge& e) {
  std::string s = "{\"id\":";
  AppendJsonString(&s, e.id);
  s.append(",\"kind\":");
  AppendJsonString(&s, e.kind);
  s.append(",\"ends\":[");
  for (size_t i = 0; i < e.endpoints.size(); i++) {
    const EdgeEndpoint& ep = e.endpoints[i];
    if (i) s.push_back(',');
    s.append("{\"space\":");
    AppendJsonString(&s, ep.space);
    s.append(",\"point\":");
    AppendPoint(&s, ep.point);
    s.append(",\"role\":");
    AppendJsonString(&s, ep.role);
    s.append(ep.direction == EdgeEndpoint::Direction::kTail   ? ",\"dir\":\"tail\"}"
             : ep.direction == EdgeEndpoint::Direction::kHead ? ",\"dir\":\"head\"}"
                                                              : ",\"dir\":null}");
  }
  s.append("],\"weight\":");
  AppendJsonNumber(&s, e.weight);
  s.append(",\"meta\":{");
  for (size_t i = 0; i < e.meta.size(); i++) {
    if (i) s.push_back(',');
    AppendJsonString(&s, e.meta[i].first);
    s.push_back(':');
    AppendJsonString(&s, e.meta[i].second);
  }
  s.append("},\"validFrom\":");
  AppendOptionalSeq(&s, e.valid_from);
  s.append(",\"validTo\":");
  AppendOptionalSeq(&s, e.valid_to);
  s.append(",\"seq\":" + std::to_string(e.seq) + "}");
  return s;
}

std::string HopJson(const EdgeHop& h) {
  std::string s = "{\"space\":";
  AppendJsonString(&s, h.space);
  s.append(",\"point\":");
  AppendPoint(&s, h.point);
  s.append(",\"depth\":" + std::to_string(h.depth) + ",\"via\":");
  AppendJsonString(&s, h.via);
  s.push_back('}');
  return s;
}

std::string SpaceInfoJson(const SpaceInfo& x) {
  std::string s = "{\"name\":";
  AppendJsonString(&s, x.name);
  s.append(",\"dims\":" + std::to_string(x.dims) + ",\"bits\":" + std::to_string(x.bits) +
           ",\"createdSeq\":" + std::to_string(x.created_seq) + "}");
  return s;
}

std::string BranchInfoJson(const BranchInfo& b) {
  std::string s = "{\"name\":";
  AppendJsonString(&s, b.name);
  s.append(",\"parent\":");
  if (b.parent.empty()) {
    s.append("null");
  } else {
    AppendJsonString(&s, b.parent);
  }
  s.append(",\"forkSeq\":" + std::to_string(b.fork_seq) +
           ",\"createdSeq\":" + std::to_string(b.created_seq) + "}");
  return s;
}

Point PointAt(const std::vector<uint32_t>& in, size_t at, size_t dims) {
  return Point(in.begin() + static_cast<ptrdiff_t>(at),
               in.begin() + static_cast<ptrdiff_t>(at + dims));
}

void RecordEncoder::Add(const SpatialRecord& r, uint32_t tag, const double* distance) {
  uint32_t flags = tag << 8;
  if (r.deleted) {
    flags |= kRecordDeleted;
  } else if (r.payload.binary) {
    flags |= kRecordBinary;
  }
  if (distance) flags |= kRecordHasDistance;
  Put(flags, r.point.data(), static_cast<uint32_t>(r.point.size()), r.seq, distance, r.payload.data);
}

void RecordEncoder::Add(const SpatialRecordView& r) {
  Put(r.binary ? kRecordBinary : 0, r.point, r.dims, r.seq, nullptr, r.payload);
}

void RecordEncoder::Put(uint32_t flags, const uint32_t* point, uint32_t dims, uint64_t seq, const double* distance,
                        std::string_view payload) {
  PutRecordHead(&words_, flags, point, dims, seq);
  if (distance) {
    uint64_t bits;
    std::memcpy(&bits, distance, sizeof bits);
    words_.push_back(static_cast<uint32_t>(bits));
    words_.push_back(static_cast<uint32_t>(bits >> 32));
  }
  if (flags & kRecordBinary) {
    PutBytes(&words_, payload);
  } else if (!(flags & kRecordDeleted)) {
    if (json_.size() > 1) json_.push_back(',');
    json_.append(payload.empty() ? std::string_view("null") : payload);
  }
  count_++;
}

void RecordEncoder::AddAbsent(const Point& p, uint32_t tag) {
  PutRecordHead(&words_, tag << 8 | kRecordAbsent, p.data(), static_cast<uint32_t>(p.size()), 0);
  count_++;
}

void RecordEncoder::Finish(std::vector<uint32_t>* out) {
  json_.push_back(']');
  out->clear();
  out->reserve(2 + (json_.size() + 3) / 4 + words_.size());
  out->push_back(static_cast<uint32_t>(count_));
  out->push_back(static_cast<uint32_t>(json_.size()));
  const size_t at = out->size();
  out->resize(at + (json_.size() + 3) / 4, 0);
  std::memcpy(out->data() + at, json_.data(), json_.size());
  out->insert(out->end(), words_.begin(), words_.end());
}

}  // namespace cairn
