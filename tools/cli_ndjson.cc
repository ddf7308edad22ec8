#include "tools/cli_ndjson.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace cairn {
namespace {

using nlohmann::json;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view s, size_t p) {
  while (p < s.size() && IsJsonSpace(s[p])) p++;
  return p;
}

// REQUIRES: s[p] == '"' starts a well-formed string. Returns the index just
// past its closing quote.
size_t SkipString(std::string_view s, size_t p) {
  for (p++; p < s.size() && s[p] != '"'; p++) {
    if (s[p] == '\\') p++;
  }
  return p + 1;
}

// REQUIRES: a well-formed value starts at s[p]. Returns the index just past it.
size_t SkipValue(std::string_view s, size_t p) {
  if (s[p] == '"') return SkipString(s, p);
  if (s[p] == '{' || s[p] == '[') {
    int depth = 0;
    do {
      if (s[p] == '"') {
        p = SkipString(s, p);
        continue;
      }
      if (s[p] == '{' || s[p] == '[') depth++;
      if (s[p] == '}' || s[p] == ']') depth--;
      p++;
    } while (depth > 0);
    return p;
  }
  while (p < s.size() && !IsJsonSpace(s[p]) && s[p] != ',' && s[p] != '}' && s[p] != ']') p++;
  return p;
}

struct Member {
  std::string key;
  std::string_view raw_value;
};

// Splits a well-formed JSON object into its members, in order, with each
// value's exact text. A key given twice is an error: JSON parsers disagree on
// which one wins, so the line is ambiguous.
CliOutcome TopLevelMembers(std::string_view s, std::vector<Member>* out) {
  std::set<std::string> seen;
  size_t p = SkipSpace(s, 0) + 1;  // past '{'
  p = SkipSpace(s, p);
  if (s[p] == '}') return CliOutcome::Ok();
  for (;;) {
    const size_t key_end = SkipString(s, p);
    Member m;
    m.key = json::parse(s.substr(p, key_end - p)).get<std::string>();
    p = SkipSpace(s, SkipSpace(s, key_end) + 1);  // past ':'
    const size_t value_end = SkipValue(s, p);
    m.raw_value = s.substr(p, value_end - p);
    if (!seen.insert(m.key).second) {
      return CliOutcome::Failure("INVALID_ARGUMENT", "field \"" + m.key + "\" is given twice");
    }
    out->push_back(std::move(m));
    p = SkipSpace(s, value_end);
    if (s[p] == '}') return CliOutcome::Ok();
    p = SkipSpace(s, p + 1);  // past ','
  }
}

CliOutcome ParseHashField(const std::string& field, const json& v, Hash* out) {
  if (!v.is_string()) return Shape(field + " must be a hash string, got " + TypeName(v));
  Result<Hash> h = Hash::FromHex(v.get<std::string>());
  if (!h.ok()) return Shape(field + ": " + h.status().message());
  *out = *h;
  return CliOutcome::Ok();
}

CliOutcome OptionalString(const std::string& field, const json& v,
                          std::optional<std::string>* out) {
  if (v.is_null()) return CliOutcome::Ok();
  if (!v.is_string()) return Shape(field + " must be a string or null, got " + TypeName(v));
  *out = v.get<std::string>();
  return CliOutcome::Ok();
}

// The message of a JSON syntax error at a byte of a one-line text.
CliOutcome SyntaxError(std::string_view line) {
  try {
    [[maybe_unused]] const json parsed = json::parse(line.begin(), line.end());
  } catch (const json::parse_error& e) {
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 5: <detail>"
    std::string detail = e.what();
    const size_t column = detail.find("column ");
    const size_t colon = column == std::string::npos ? column : detail.find(": ", column);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    return CliOutcome::Failure("PARSE_ERROR", "column " + std::to_string(e.byte) + ": " + detail);
  } catch (const json::exception& e) {
    // what(): "[json.exception.out_of_range.406] number overflow parsing '1e400'"
    std::string detail = e.what();
    const size_t bracket = detail.find("] ");
    if (detail.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
      detail = detail.substr(bracket + 2);
    }
    return CliOutcome::Failure("PARSE_ERROR", detail);
  }
  return CliOutcome::Failure("PARSE_ERROR", "not valid JSON");
}

}  // namespace

std::string TypeName(const json& v) {
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

CliOutcome Shape(const std::string& message) {
  return CliOutcome::Failure("INVALID_ARGUMENT", message);
}

// Reads the failing item's index from a PutMany error ("batch item 3: ...")
// and sets *rest to the message after that prefix.
std::optional<size_t> FailedBatchItem(const std::string& message, std::string* rest) {
  static constexpr char kPrefix[] = "batch item ";
  if (message.rfind(kPrefix, 0) != 0) return std::nullopt;
  size_t p = sizeof(kPrefix) - 1;
  size_t item = 0;
  const size_t digits_start = p;
  while (p < message.size() && message[p] >= '0' && message[p] <= '9') {
    item = item * 10 + static_cast<size_t>(message[p] - '0');
    p++;
  }
  if (p == digits_start || message.compare(p, 2, ": ") != 0) return std::nullopt;
  *rest = message.substr(p + 2);
  return item;
}

bool IsBlankLine(std::string_view line) { return SkipSpace(line, 0) == line.size(); }

CliOutcome ParseImportLine(std::string_view line, ImportRecord* out) {
  *out = ImportRecord();
  const json doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return SyntaxError(line);
  if (!doc.is_object()) return Shape("expected a JSON object, got " + TypeName(doc));
  std::vector<Member> members;
  CliOutcome split = TopLevelMembers(line, &members);
  if (!split.ok()) return split;

  bool have_coll = false, have_id = false, have_data = false;
  for (const Member& m : members) {
    const json& v = doc.at(m.key);
    const std::string field = "\"" + m.key + "\"";
    CliOutcome o = CliOutcome::Ok();
    if (m.key == "coll" || m.key == "id") {
      if (!v.is_string()) return Shape(field + " must be a string, got " + TypeName(v));
      (m.key == "coll" ? out->coll : out->id) = v.get<std::string>();
      (m.key == "coll" ? have_coll : have_id) = true;
    } else if (m.key == "data") {
      out->data.assign(m.raw_value);
      have_data = true;
    } else if (m.key == "deleted") {
      if (!v.is_boolean()) return Shape(field + " must be true or false, got " + TypeName(v));
      out->deleted = v.get<bool>();
    } else if (m.key == "caused_by") {
      if (v.is_null()) continue;
      if (!v.is_array()) return Shape(field + " must be an array of hashes, got " + TypeName(v));
      for (size_t i = 0; i < v.size(); i++) {
        Hash h;
        o = ParseHashField(field + "[" + std::to_string(i) + "]", v[i], &h);
        if (!o.ok()) return o;
        out->caused_by.push_back(h);
      }
    } else if (m.key == "valid_from") {
      o = OptionalString(field, v, &out->valid_from);
    } else if (m.key == "valid_to") {
      o = OptionalString(field, v, &out->valid_to);
    } else if (m.key == "hash") {
      Hash h;
      o = ParseHashField(field, v, &h);
      out->source_hash = h;
    } else if (m.key == "prev") {
      Hash ignored;
      if (!v.is_null()) o = ParseHashField(field, v, &ignored);
    } else if (m.key == "seq") {
      if (!v.is_number_unsigned()) {
        return Shape(field + " must be a non-negative integer, got " + TypeName(v));
      }
    } else if (m.key == "ts") {
      if (!v.is_number_integer()) return Shape(field + " must be an integer, got " + TypeName(v));
    } else {
      return Shape("unknown field " + field +
                   " (expected coll, id, data, caused_by, valid_from, valid_to, deleted, hash, "
                   "prev, seq, ts)");
    }
    if (!o.ok()) return o;
  }
  if (!have_coll) return Shape("missing \"coll\"");
  if (!have_id) return Shape("missing \"id\"");
  if (out->deleted) {
    if (have_data && out->data != "null") {
      return Shape("a deleted version must have \"data\":null");
    }
    out->data = "null";
  } else if (!have_data) {
    return Shape("missing \"data\"");
  }
  return CliOutcome::Ok();
}

}  // namespace cairn
