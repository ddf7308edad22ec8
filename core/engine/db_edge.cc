// Hyperedges: typed relations among two or more spatial endpoints (README,
// "Hyperedges"; FORMAT.md, "Spaces").
//
// An edge is a version of the system collection _cairn_edge (id: given, or
// the first 32 hex digits of the BLAKE2b of its data), so it is durable,
// hashed into the head and readable AS OF any seq. Its data, canonical JSON:
//   {"ends":[{"dir":"tail"|"head"|"none","point":[..],"role":"..","space":".."},..],
//    "kind":"..","meta":{..},"valid_from":n,"valid_to":n,"weight":w}
// (valid_from and valid_to only when set). Derived index entries
// (ApplyEdge):
//   'x' space 0 BE32(c0).. id 0 BE64(~seq) -> "1" an endpoint / "0" no longer
//   'y' kind 0 id 0 BE64(~seq)              -> "1" of this kind / "0" no longer
//   'w' id                                  -> the current 'x' and 'y' key parts, each after its u32 length
// so edges by endpoint and by kind are found as of any seq without a scan.
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "docs/validate.h"
#include "engine/db_impl.h"
#include "nql/row.h"
#include "util/coding.h"
#include "util/json.h"

namespace cairn {
namespace {

constexpr char kEdgeCollection[] = "_cairn_edge";
constexpr size_t kMaxEndpoints = 64;
constexpr size_t kMaxRoleBytes = 64;

// The part of an 'x' key naming an endpoint: space 0 BE32 coordinates.
std::string EndpointPart(std::string_view space, const Point& p) {
  std::string k(space);
  k.push_back('\0');
  for (uint32_t c : p) PutBigEndian32(&k, c);
  return k;
}

const char* DirName(EdgeEndpoint::Direction d) {
  switch (d) {
    case EdgeEndpoint::Direction::kTail: return "tail";
    case EdgeEndpoint::Direction::kHead: return "head";
    default: return "none";
  }
}

std::string EdgeData(const Hyperedge& e) {
  std::string d = "{\"ends\":[";
  for (size_t i = 0; i < e.endpoints.size(); i++) {
    const EdgeEndpoint& ep = e.endpoints[i];
    if (i) d.push_back(',');
    d += "{\"dir\":\"";
    d += DirName(ep.direction);
    d += "\",\"point\":[";
    for (size_t j = 0; j < ep.point.size(); j++) {
      if (j) d.push_back(',');
      d += std::to_string(ep.point[j]);
    }
    d += "],\"role\":";
    AppendJsonString(&d, ep.role);
    d += ",\"space\":";
    AppendJsonString(&d, ep.space);
    d += "}";
  }
  d += "],\"kind\":";
  AppendJsonString(&d, e.kind);
  d += ",\"meta\":{";
  for (size_t i = 0; i < e.meta.size(); i++) {
    if (i) d.push_back(',');
    AppendJsonString(&d, e.meta[i].first);
    d.push_back(':');
    AppendJsonString(&d, e.meta[i].second);
  }
  d += "}";
  if (e.valid_from) d += ",\"valid_from\":" + std::to_string(*e.valid_from);
  if (e.valid_to) d += ",\"valid_to\":" + std::to_string(*e.valid_to);
  char w[40];
  std::snprintf(w, sizeof w, "%.17g", e.weight);
  d += ",\"weight\":";
  d += w;
  d += "}";
  return d;
}

// Parses an edge version's data; false when it is not an edge.
bool ParseEdge(const Version& v, Hyperedge* e) {
  nql::Doc d;
  if (!nql::ParseJson(v.data, &d) || !d.IsObject()) return false;
  if (!d.HasMember("ends") || !d["ends"].IsArray() || !d.HasMember("kind") || !d["kind"].IsString()) return false;
  e->id = v.id;
  e->seq = v.seq;
  e->kind = d["kind"].GetString();
  e->weight = d.HasMember("weight") && d["weight"].IsNumber() ? d["weight"].GetDouble() : 1.0;
  e->valid_from.reset();
  e->valid_to.reset();
  if (d.HasMember("valid_from") && d["valid_from"].IsUint64()) e->valid_from = d["valid_from"].GetUint64();
  if (d.HasMember("valid_to") && d["valid_to"].IsUint64()) e->valid_to = d["valid_to"].GetUint64();
  e->meta.clear();
  if (d.HasMember("meta") && d["meta"].IsObject()) {
    for (const auto& m : d["meta"].GetObject()) {
      if (m.value.IsString()) e->meta.emplace_back(m.name.GetString(), m.value.GetString());
    }
  }
  e->endpoints.clear();
  for (const auto& x : d["ends"].GetArray()) {
    if (!x.IsObject() || !x.HasMember("space") || !x["space"].IsString() || !x.HasMember("point") ||
        !x["point"].IsArray()) {
      return false;
    }
    EdgeEndpoint ep;
    ep.space = x["space"].GetString();
    for (const auto& c : x["point"].GetArray()) {
      if (!c.IsUint()) return false;
      ep.point.push_back(c.GetUint());
    }
    if (x.HasMember("role") && x["role"].IsString()) ep.role = x["role"].GetString();
    const std::string dir = x.HasMember("dir") && x["dir"].IsString() ? x["dir"].GetString() : "none";
    ep.direction = dir == "tail" ? EdgeEndpoint::Direction::kTail
                   : dir == "head" ? EdgeEndpoint::Direction::kHead
                                   : EdgeEndpoint::Direction::kNone;
    e->endpoints.push_back(std::move(ep));
  }
  return true;
}

bool ValidAt(const Hyperedge& e, uint64_t seq) {
  return (!e.valid_from || *e.valid_from <= seq) && (!e.valid_to || seq < *e.valid_to);
}

}  // namespace

void DBImpl::ApplyEdge(const Version& v) {
  // The entries of the version this one replaces become "0".
  const std::string wkey = "w" + v.id;
  std::set<std::string> old_parts, new_parts;
  Result<std::optional<std::string>> old = DerivedValue(wkey);
  if (old.ok() && *old && **old != "D") {
    std::string_view rest = **old;
    while (rest.size() >= 4) {
      const uint32_t n = DecodeFixed32(rest.data());
      if (rest.size() < 4 + size_t{n}) break;
      old_parts.emplace(rest.substr(4, n));
      rest.remove_prefix(4 + size_t{n});
    }
  }
  Hyperedge e;
  if (!v.deleted && ParseEdge(v, &e)) {
    for (const EdgeEndpoint& ep : e.endpoints) new_parts.insert("x" + EndpointPart(ep.space, ep.point));
    new_parts.insert("y" + e.kind + std::string(1, '\0'));
  }
  std::string suffix = v.id;
  suffix.push_back('\0');
  PutBigEndian64(&suffix, ~v.seq);
  for (const std::string& p : old_parts) {
    if (!new_parts.count(p)) mem_->Put(p + suffix, "0");
  }
  std::string list;
  for (const std::string& p : new_parts) {
    mem_->Put(p + suffix, "1");
    PutFixed32(&list, static_cast<uint32_t>(p.size()));
    list.append(p);
  }
  mem_->Put(wkey, v.deleted ? "D" : list);
}

Result<Hyperedge> DBImpl::PutEdge(const Hyperedge& edge) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  Status s = ValidateCollection(edge.kind, options_.limits);
  if (!s.ok()) return Status::InvalidArgument("edge kind: " + s.message());
  if (edge.endpoints.size() < 2 || edge.endpoints.size() > kMaxEndpoints) {
    return Status::InvalidArgument("an edge has 2 to " + std::to_string(kMaxEndpoints) + " endpoints, got " +
                                   std::to_string(edge.endpoints.size()));
  }
  if (!std::isfinite(edge.weight)) return Status::InvalidArgument("edge weight must be a finite number");
  if (edge.valid_from && edge.valid_to && *edge.valid_from >= *edge.valid_to) {
    return Status::InvalidArgument("edge valid_from " + std::to_string(*edge.valid_from) +
                                   " is not before valid_to " + std::to_string(*edge.valid_to));
  }
  {
    ReaderLock l(&index_mu_);
    for (size_t i = 0; i < edge.endpoints.size(); i++) {
      const EdgeEndpoint& ep = edge.endpoints[i];
      const std::string what = "edge endpoint " + std::to_string(i);
      auto sp = spaces_.find(ep.space);
      if (sp == spaces_.end()) return Status::NotFound(what + ": no space named \"" + ep.space + "\"");
      if (ep.point.size() != sp->second.dims) {
        return Status::InvalidArgument(what + " has " + std::to_string(ep.point.size()) +
                                       " coordinates; space " + ep.space + " has " +
                                       std::to_string(sp->second.dims) + " dimensions");
      }
      for (size_t j = 0; j < ep.point.size(); j++) {
        if (sp->second.bits < 32 && (ep.point[j] >> sp->second.bits)) {
          return Status::InvalidArgument(what + ": coordinate " + std::to_string(ep.point[j]) + " on axis " +
                                         std::to_string(j) + " does not fit space " + ep.space + "'s " +
                                         std::to_string(sp->second.bits) + " bits");
        }
      }
      if (ep.role.size() > kMaxRoleBytes || !IsValidUtf8(ep.role)) {
        return Status::InvalidArgument(what + ": role must be valid UTF-8 of at most " +
                                       std::to_string(kMaxRoleBytes) + " bytes");
      }
    }
  }
  Hyperedge e = edge;
  std::sort(e.meta.begin(), e.meta.end());
  for (size_t i = 0; i < e.meta.size(); i++) {
    if (!IsValidUtf8(e.meta[i].first) || !IsValidUtf8(e.meta[i].second)) {
      return Status::InvalidArgument("edge meta must be valid UTF-8");
    }
    if (i && e.meta[i].first == e.meta[i - 1].first) {
      return Status::InvalidArgument("edge meta key \"" + e.meta[i].first + "\" appears twice");
    }
  }
  JsonLimits jl{options_.limits.max_depth, options_.limits.max_document_bytes};
  CAIRN_ASSIGN_OR_RETURN(std::string data, CanonicalizeJson(EdgeData(e), jl));
  if (e.id.empty()) {
    e.id = Hash::Of(data).ToHex().substr(0, 32);
  } else {
    CAIRN_RETURN_IF_ERROR(ValidateId(e.id, options_.limits));
  }
  CAIRN_ASSIGN_OR_RETURN(Version v, WriteSystem(kEdgeCollection, e.id, std::move(data), false));
  e.seq = v.seq;
  return e;
}

Status DBImpl::DeleteEdge(std::string_view id) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateId(id, options_.limits));
  CAIRN_ASSIGN_OR_RETURN(std::optional<Version> live, Get(kEdgeCollection, id, {}));
  if (!live) return Status::NotFound("no edge with id " + std::string(id));
  return WriteSystem(kEdgeCollection, std::string(id), "", true).status();
}

namespace {

// The ids under `prefix` whose newest entry at or before as_of is "1".
Status LiveIds(Table::Iterator* it, const std::string& prefix, uint64_t as_of, std::vector<std::string>* ids) {
  CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
  std::string current;
  bool decided = false;
  while (it->Valid() && it->key().starts_with(prefix)) {
    const std::string_view rest = it->key().substr(prefix.size());
    if (rest.size() < 9) return Status::Corruption("malformed edge index entry");
    const std::string_view id = rest.substr(0, rest.size() - 9);
    const uint64_t seq = ~DecodeBigEndian64(rest.data() + rest.size() - 8);
    if (id != current) {
      current.assign(id);
      decided = false;
    }
    if (!decided && seq <= as_of) {
      decided = true;
      if (it->value() == "1") ids->push_back(current);
    }
    CAIRN_RETURN_IF_ERROR(it->Next());
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Hyperedge>> DBImpl::EdgesAt(std::string_view space, const Point& point,
                                               const EdgeQueryOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  std::vector<std::string> ids;
  uint64_t as_of;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(SpaceDef def, FindSpace(space));
    if (point.size() != def.dims) {
      return Status::InvalidArgument("point has " + std::to_string(point.size()) + " coordinates; the space has " +
                                     std::to_string(def.dims) + " dimensions");
    }
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) + " is beyond the latest seq " +
                                     std::to_string(visible_seq_));
    }
    as_of = options.as_of.value_or(visible_seq_);
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(LiveIds(it.get(), "x" + EndpointPart(space, point), as_of, &ids));
  }
  std::vector<Hyperedge> out;
  ReadOptions ro;
  ro.as_of = as_of;
  for (const std::string& id : ids) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v, Get(kEdgeCollection, id, ro));
    Hyperedge e;
    if (!v || !ParseEdge(*v, &e)) continue;
    if (!ValidAt(e, as_of)) continue;
    if (!options.kinds.empty() && std::find(options.kinds.begin(), options.kinds.end(), e.kind) == options.kinds.end()) {
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Hyperedge>> DBImpl::EdgesOfKind(std::string_view kind, const EdgeQueryOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  Status s = ValidateCollection(kind, options_.limits);
  if (!s.ok()) return Status::InvalidArgument("edge kind: " + s.message());
  std::vector<std::string> ids;
  uint64_t as_of;
  {
    ReaderLock l(&index_mu_);
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) + " is beyond the latest seq " +
                                     std::to_string(visible_seq_));
    }
    as_of = options.as_of.value_or(visible_seq_);
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(LiveIds(it.get(), "y" + std::string(kind) + std::string(1, '\0'), as_of, &ids));
  }
  std::vector<Hyperedge> out;
  ReadOptions ro;
  ro.as_of = as_of;
  for (const std::string& id : ids) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v, Get(kEdgeCollection, id, ro));
    Hyperedge e;
    if (v && ParseEdge(*v, &e) && ValidAt(e, as_of)) out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<EdgeHop>> DBImpl::TraverseEdges(std::string_view space, const Point& start,
                                                   const EdgeTraverseOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  EdgeQueryOptions q;
  q.as_of = options.as_of.value_or(VisibleSeq());
  q.kinds = options.kinds;
  std::vector<EdgeHop> out;
  std::set<std::pair<std::string, Point>> seen{{std::string(space), start}};
  std::deque<EdgeHop> frontier{EdgeHop{std::string(space), start, 0, ""}};
  while (!frontier.empty() && out.size() < options.limit) {
    EdgeHop at = std::move(frontier.front());
    frontier.pop_front();
    if (at.depth >= options.depth) continue;
    Result<std::vector<Hyperedge>> found = EdgesAt(at.space, at.point, q);
    if (!found.ok() && found.status().IsNotFound()) continue;  // an endpoint in a dropped space
    CAIRN_ASSIGN_OR_RETURN(std::vector<Hyperedge> edges, std::move(found));
    for (const Hyperedge& e : edges) {
      if (options.directed) {
        // Only edges where this endpoint is a tail lead anywhere: to heads.
        bool is_tail = false;
        for (const EdgeEndpoint& ep : e.endpoints) {
          if (ep.space == at.space && ep.point == at.point && ep.direction == EdgeEndpoint::Direction::kTail) {
            is_tail = true;
          }
        }
        if (!is_tail) continue;
      }
      for (const EdgeEndpoint& ep : e.endpoints) {
        if (options.directed && ep.direction != EdgeEndpoint::Direction::kHead) continue;
        if (!seen.emplace(ep.space, ep.point).second) continue;
        EdgeHop hop{ep.space, ep.point, at.depth + 1, e.id};
        out.push_back(hop);
        if (out.size() >= options.limit) return out;
        frontier.push_back(std::move(hop));
      }
    }
  }
  return out;
}

}  // namespace cairn
