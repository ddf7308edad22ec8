#include "tools/cli_space_json.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/util/base64.h"
#include "tools/cli_ndjson.h"

namespace cairn {
namespace {

using nlohmann::json;

std::string Str(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string OptionalSeqJson(const std::optional<uint64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

// A JSON syntax error as PARSE_ERROR "column C: ...".
CliOutcome SyntaxError(std::string_view text) {
  try {
    [[maybe_unused]] const json parsed = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    std::string detail = e.what();
    const size_t column = detail.find("column ");
    const size_t colon = column == std::string::npos ? column : detail.find(": ", column);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    return CliOutcome::Failure("PARSE_ERROR", "column " + std::to_string(e.byte) + ": " + detail);
  } catch (const json::exception& e) {
    return CliOutcome::Failure("PARSE_ERROR", e.what());
  }
  return CliOutcome::Failure("PARSE_ERROR", "not valid JSON");
}

CliOutcome PointOf(const std::string& field, const json& v, Point* out) {
  if (!v.is_array()) return Shape(field + " must be an array of coordinates, got " + TypeName(v));
  out->clear();
  for (size_t i = 0; i < v.size(); i++) {
    const json& c = v[i];
    if (!c.is_number_unsigned() || c.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
      return Shape(field + "[" + std::to_string(i) +
                   "] must be an integer from 0 to 4294967295, got " +
                   (c.is_number() ? c.dump() : TypeName(c)));
    }
    out->push_back(c.get<uint32_t>());
  }
  return CliOutcome::Ok();
}

CliOutcome SeqOf(const std::string& field, const json& v, std::optional<uint64_t>* out) {
  if (v.is_null()) return CliOutcome::Ok();
  if (!v.is_number_unsigned())
    return Shape(field + " must be a seq (a non-negative integer) or null, got " + TypeName(v));
  *out = v.get<uint64_t>();
  return CliOutcome::Ok();
}

CliOutcome EndpointOf(const std::string& at, const json& v, EdgeEndpoint* out) {
  if (!v.is_object())
    return Shape(at + " must be an object {space, point, role?, dir?}, got " + TypeName(v));
  for (const auto& [key, value] : v.items()) {
    const std::string field = at + "." + key;
    if (key == "space") {
      if (!value.is_string()) return Shape(field + " must be a string, got " + TypeName(value));
      out->space = value.get<std::string>();
    } else if (key == "point") {
      CliOutcome o = PointOf(field, value, &out->point);
      if (!o.ok()) return o;
    } else if (key == "role") {
      if (!value.is_null() && !value.is_string())
        return Shape(field + " must be a string, got " + TypeName(value));
      out->role = value.is_null() ? "" : value.get<std::string>();
    } else if (key == "dir") {
      const std::string d = value.is_string() ? value.get<std::string>() : "";
      if (!value.is_null() && d != "tail" && d != "head") {
        return Shape(field + " must be \"tail\", \"head\" or null, got " + value.dump());
      }
      out->direction = d == "tail"   ? EdgeEndpoint::Direction::kTail
                       : d == "head" ? EdgeEndpoint::Direction::kHead
                                     : EdgeEndpoint::Direction::kNone;
    } else {
      return Shape(at + " has an unknown field \"" + key + "\" (space, point, role, dir)");
    }
  }
  if (!v.contains("space")) return Shape(at + " has no \"space\"");
  if (!v.contains("point")) return Shape(at + " has no \"point\"");
  return CliOutcome::Ok();
}

}  // namespace

std::string PointJson(const Point& p) {
  std::string s = "[";
  for (size_t i = 0; i < p.size(); i++) {
    if (i) s.push_back(',');
    s += std::to_string(p[i]);
  }
  return s + "]";
}

std::string RecordFields(const SpatialRecord& r, bool with_deleted) {
  std::string s = "\"point\":" + PointJson(r.point) + ",\"seq\":" + std::to_string(r.seq);
  if (r.deleted) {
    s += ",\"data\":null";
  } else if (r.payload.binary) {
    s += ",\"bytes\":\"" + Base64Encode(r.payload.data) + "\"";
  } else {
    s += ",\"data\":" + (r.payload.data.empty() ? std::string("null") : r.payload.data);
  }
  if (with_deleted) s += std::string(",\"deleted\":") + (r.deleted ? "true" : "false");
  return s;
}

std::string RecordJson(const SpatialRecord& r, bool with_deleted) {
  return "{" + RecordFields(r, with_deleted) + "}";
}

std::string SpaceInfoJson(const SpaceInfo& s) {
  return "{\"name\":" + Str(s.name) + ",\"dims\":" + std::to_string(s.dims) +
         ",\"bits\":" + std::to_string(s.bits) +
         ",\"created_seq\":" + std::to_string(s.created_seq) + "}";
}

std::string BranchInfoJson(const BranchInfo& b) {
  return "{\"name\":" + Str(b.name) + ",\"parent\":" + Str(b.parent) +
         ",\"fork_seq\":" + std::to_string(b.fork_seq) +
         ",\"created_seq\":" + std::to_string(b.created_seq) + "}";
}

std::string MergeResultJson(const MergeResult& m) {
  auto state = [](const std::optional<SpatialRecord>& r) {
    return r ? RecordJson(*r, true) : "null";
  };
  std::string s = "{\"applied\":" + std::to_string(m.applied) + ",\"conflicts\":[";
  for (size_t i = 0; i < m.conflicts.size(); i++) {
    const MergeConflict& c = m.conflicts[i];
    if (i) s.push_back(',');
    s += "{\"point\":" + PointJson(c.point) + ",\"base\":" + state(c.base) +
         ",\"source\":" + state(c.source) + ",\"target\":" + state(c.target) + "}";
  }
  return s + "],\"seq\":" + std::to_string(m.seq) + "}";
}

std::string EdgeJson(const Hyperedge& e) {
  std::string s = "{\"id\":" + Str(e.id) + ",\"kind\":" + Str(e.kind) + ",\"ends\":[";
  for (size_t i = 0; i < e.endpoints.size(); i++) {
    const EdgeEndpoint& ep = e.endpoints[i];
    if (i) s.push_back(',');
    const char* dir = ep.direction == EdgeEndpoint::Direction::kTail   ? "\"tail\""
                      : ep.direction == EdgeEndpoint::Direction::kHead ? "\"head\""
                                                                       : "null";
    s += "{\"space\":" + Str(ep.space) + ",\"point\":" + PointJson(ep.point) +
         ",\"role\":" + (ep.role.empty() ? std::string("null") : Str(ep.role)) + ",\"dir\":" + dir +
         "}";
  }
  s += "],\"weight\":" + NumberJson(e.weight) + ",\"meta\":{";
  for (size_t i = 0; i < e.meta.size(); i++) {
    if (i) s.push_back(',');
    s += Str(e.meta[i].first) + ":" + Str(e.meta[i].second);
  }
  return s + "},\"validFrom\":" + OptionalSeqJson(e.valid_from) +
         ",\"validTo\":" + OptionalSeqJson(e.valid_to) + ",\"seq\":" + std::to_string(e.seq) + "}";
}

std::string HopJson(const EdgeHop& h) {
  return "{\"space\":" + Str(h.space) + ",\"point\":" + PointJson(h.point) +
         ",\"depth\":" + std::to_string(h.depth) + ",\"via\":" + Str(h.via) + "}";
}

std::string NumberJson(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

CliOutcome ParseEdgeJson(std::string_view text, Hyperedge* out) {
  *out = Hyperedge();
  const json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return SyntaxError(text);
  if (!doc.is_object())
    return Shape("an edge must be a JSON object {kind, ends, ...}, got " + TypeName(doc));
  for (const auto& [key, value] : doc.items()) {
    CliOutcome o = CliOutcome::Ok();
    if (key == "id") {
      if (!value.is_null() && !value.is_string())
        return Shape("id must be a string, got " + TypeName(value));
      out->id = value.is_null() ? "" : value.get<std::string>();
    } else if (key == "kind") {
      if (!value.is_string()) return Shape("kind must be a string, got " + TypeName(value));
      out->kind = value.get<std::string>();
    } else if (key == "ends") {
      if (!value.is_array())
        return Shape("ends must be an array of endpoints, got " + TypeName(value));
      for (size_t i = 0; i < value.size(); i++) {
        EdgeEndpoint ep;
        o = EndpointOf("ends[" + std::to_string(i) + "]", value[i], &ep);
        if (!o.ok()) return o;
        out->endpoints.push_back(std::move(ep));
      }
    } else if (key == "weight") {
      if (!value.is_number()) return Shape("weight must be a number, got " + TypeName(value));
      out->weight = value.get<double>();
    } else if (key == "meta") {
      if (!value.is_null() && !value.is_object())
        return Shape("meta must be an object of strings, got " + TypeName(value));
      if (value.is_object()) {
        for (const auto& [k, v] : value.items()) {
          if (!v.is_string()) return Shape("meta." + k + " must be a string, got " + TypeName(v));
          out->meta.emplace_back(k, v.get<std::string>());
        }
      }
    } else if (key == "validFrom") {
      o = SeqOf("validFrom", value, &out->valid_from);
    } else if (key == "validTo") {
      o = SeqOf("validTo", value, &out->valid_to);
    } else if (key != "seq") {
      return Shape("unknown edge field \"" + key +
                   "\" (id, kind, ends, weight, meta, validFrom, validTo)");
    }
    if (!o.ok()) return o;
  }
  if (!doc.contains("kind")) return Shape("an edge needs a \"kind\"");
  if (!doc.contains("ends")) return Shape("an edge needs \"ends\"");
  return CliOutcome::Ok();
}

CliOutcome ParsePointLine(std::string_view line, SpatialWrite* out) {
  *out = SpatialWrite();
  const json doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return SyntaxError(line);
  if (!doc.is_object())
    return Shape("expected a JSON object {\"point\":[..],\"data\":..}, got " + TypeName(doc));
  for (const auto& [key, value] : doc.items()) {
    if (key == "point") {
      CliOutcome o = PointOf("point", value, &out->point);
      if (!o.ok()) return o;
    } else if (key == "data") {
      out->payload.data = value.dump();
    } else if (key == "bytes") {
      if (!value.is_string() || !Base64Decode(value.get<std::string>(), &out->payload.data)) {
        return Shape("bytes must be a base64 string");
      }
      out->payload.binary = true;
    } else if (key != "seq") {
      return Shape("unknown field \"" + key + "\" (point, data or bytes, seq)");
    }
  }
  if (!doc.contains("point")) return Shape("the line has no \"point\"");
  if (doc.contains("data") == doc.contains("bytes"))
    return Shape("the line needs exactly one of \"data\" and \"bytes\"");
  return CliOutcome::Ok();
}

}  // namespace cairn
