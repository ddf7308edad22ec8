#include "nql/row.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <rapidjson/reader.h>

#include <cerrno>
#include <cstdlib>

#include "util/json.h"

namespace cairn::nql {
namespace {


JsonValue Str(std::string_view s, Doc::AllocatorType& a) {
  return JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

void SetMember(JsonValue& obj, std::string_view name, JsonValue v, Doc::AllocatorType& a) {
  auto it = obj.FindMember(JsonValue(rapidjson::StringRef(name.data(), name.size())));
  if (it != obj.MemberEnd()) {
    it->value = std::move(v);
  } else {
    obj.AddMember(Str(name, a), v, a);
  }
}

// Type ranks of the total order.
int Rank(const JsonValue* v) {
  if (v == nullptr || v->IsNull()) return 0;
  if (v->IsFalse()) return 1;
  if (v->IsTrue()) return 2;
  if (v->IsNumber()) return 3;
  if (v->IsString()) return 4;
  if (v->IsArray()) return 5;
  return 6;
}

int CompareNumbers(const JsonValue& a, const JsonValue& b) {
  if (a.IsInt64() && b.IsInt64()) {
    const int64_t x = a.GetInt64(), y = b.GetInt64();
    return x < y ? -1 : x > y;
  }
  if (a.IsUint64() && b.IsUint64()) {
    const uint64_t x = a.GetUint64(), y = b.GetUint64();
    return x < y ? -1 : x > y;
  }
  // Mixed: one is a double, or one is a uint64 beyond int64 and the other
  // negative. long double holds every int64 exactly on x86; elsewhere the
  // comparison of an integer beyond 2^53 with a nearby double may tie.
  auto as_ld = [](const JsonValue& v) -> long double {
    if (v.IsInt64()) return static_cast<long double>(v.GetInt64());
    if (v.IsUint64()) return static_cast<long double>(v.GetUint64());
    return static_cast<long double>(v.GetDouble());
  };
  const long double x = as_ld(a), y = as_ld(b);
  return x < y ? -1 : x > y;
}

int CompareStrings(const JsonValue& a, const JsonValue& b) {
  const size_t n = std::min(a.GetStringLength(), b.GetStringLength());
  int c = std::memcmp(a.GetString(), b.GetString(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return a.GetStringLength() < b.GetStringLength() ? -1 : a.GetStringLength() > b.GetStringLength();
}

// A literal as a DOM value, to compare with the row's values.
JsonValue LiteralValue(const Literal& l, Doc::AllocatorType& a) {
  switch (l.kind) {
    case Literal::Kind::kNull: return JsonValue();
    case Literal::Kind::kBool: return JsonValue(l.boolean);
    case Literal::Kind::kNumber: return l.is_integer ? JsonValue(l.integer) : JsonValue(l.number);
    case Literal::Kind::kString: return Str(l.string, a);
  }
  return JsonValue();
}

// For comparisons: same type class?
int TypeClass(const JsonValue& v) {
  if (v.IsBool()) return 1;
  if (v.IsNumber()) return 3;
  if (v.IsString()) return 4;
  if (v.IsArray()) return 5;
  return 6;
}

Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

Tri Compare(const JsonValue* field, const Literal& lit, CmpOp op) {
  if (field == nullptr || field->IsNull() || lit.kind == Literal::Kind::kNull) return Tri::kUnknown;
  Doc scratch;
  JsonValue v = LiteralValue(lit, scratch.GetAllocator());
  if (TypeClass(*field) != TypeClass(v)) return FromBool(op == CmpOp::kNe);
  const int c = CompareTotal(field, &v);
  switch (op) {
    case CmpOp::kEq: return FromBool(c == 0);
    case CmpOp::kNe: return FromBool(c != 0);
    case CmpOp::kLt: return FromBool(c < 0);
    case CmpOp::kLe: return FromBool(c <= 0);
    case CmpOp::kGt: return FromBool(c > 0);
    case CmpOp::kGe: return FromBool(c >= 0);
  }
  return Tri::kUnknown;
}

Tri And(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kTrue;
}
Tri Or(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kFalse;
}
Tri Not(Tri a) {
  return a == Tri::kUnknown ? a : (a == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
}

// Decodes one UTF-8 character (input is valid UTF-8).
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(*i);
  if (c < 0x80) {
    (*i)++;
    return c;
  }
  if (c < 0xE0) {
    uint32_t cp = ((c & 0x1F) << 6) | (b(*i + 1) & 0x3F);
    *i += 2;
    return cp;
  }
  if (c < 0xF0) {
    uint32_t cp = ((c & 0x0F) << 12) | ((b(*i + 1) & 0x3F) << 6) | (b(*i + 2) & 0x3F);
    *i += 3;
    return cp;
  }
  uint32_t cp = ((c & 0x07) << 18) | ((b(*i + 1) & 0x3F) << 12) | ((b(*i + 2) & 0x3F) << 6) |
                (b(*i + 3) & 0x3F);
  *i += 4;
  return cp;
}

uint32_t LowerCodePoint(uint32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    if (odd_upper) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F)) {
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x531 && c <= 0x556) return c + 48;
  if (c >= 0x10A0 && c <= 0x10C5) return c + 7264;  // Georgian
  if (c >= 0x1E00 && c <= 0x1EFF && c != 0x1E9E && !(c >= 0x1E96 && c <= 0x1E9F)) {
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c == 0x1E9E) return 0xDF;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;  // fullwidth Latin
  return c;
}

// LIKE over code points: % any run, _ one character, \ escapes.
bool LikeMatch(const std::vector<uint32_t>& s, size_t si, const std::vector<uint32_t>& p, size_t pi) {
  // Iterative with backtracking to the last %.
  size_t star_p = SIZE_MAX, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      uint32_t pc = p[pi];
      if (pc == '%') {
        star_p = ++pi;
        star_s = si;
        continue;
      }
      bool escaped = false;
      if (pc == '\\' && pi + 1 < p.size()) {
        pc = p[pi + 1];
        escaped = true;
      }
      if ((!escaped && pc == '_') || pc == s[si]) {
        pi += escaped ? 2 : 1;
        si++;
        continue;
      }
    }
    if (star_p == SIZE_MAX) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '%') pi++;
  return pi == p.size();
}

std::vector<uint32_t> CodePoints(std::string_view s, bool fold) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t c = DecodeUtf8(s, &i);
    out.push_back(fold ? LowerCodePoint(c) : c);
  }
  return out;
}

void AppendValue(std::string* out, const JsonValue& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: out->append("null"); break;
    case rapidjson::kFalseType: out->append("false"); break;
    case rapidjson::kTrueType: out->append("true"); break;
    case rapidjson::kStringType: AppendJsonString(out, std::string_view(v.GetString(), v.GetStringLength())); break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        out->append(std::to_string(v.GetInt64()));
      } else if (v.IsUint64()) {
        out->append(std::to_string(v.GetUint64()));
      } else {
        AppendJsonNumber(out, v.GetDouble());
      }
      break;
    case rapidjson::kArrayType: {
      out->push_back('[');
      bool first = true;
      for (const JsonValue& e : v.GetArray()) {
        if (!first) out->push_back(',');
        first = false;
        AppendValue(out, e);
      }
      out->push_back(']');
      break;
    }
    case rapidjson::kObjectType: {
      std::vector<const JsonValue::Member*> members;
      for (const auto& m : v.GetObject()) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return CompareStrings(a->name, b->name) < 0;
      });
      out->push_back('{');
      for (size_t i = 0; i < members.size(); i++) {
        if (i) out->push_back(',');
        AppendJsonString(out, std::string_view(members[i]->name.GetString(), members[i]->name.GetStringLength()));
        out->push_back(':');
        AppendValue(out, members[i]->value);
      }
      out->push_back('}');
      break;
    }
  }
}

// Builds a DOM from reader events on a value stack of its own.
class DomBuilder {
 public:
  explicit DomBuilder(Doc::AllocatorType& a) : a_(a) {}
  bool Null() { return Push(JsonValue()); }
  bool Bool(bool b) { return Push(JsonValue(b)); }
  bool Int(int) { return false; }  // numbers arrive as RawNumber
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* text, rapidjson::SizeType size, bool) {
    std::string n(text, size);
    if (n.find_first_of(".eE") == std::string::npos) {
      errno = 0;
      if (n[0] == '-') {
        const long long v = std::strtoll(n.c_str(), nullptr, 10);
        if (errno == 0) return Push(JsonValue(static_cast<int64_t>(v)));
      } else {
        const unsigned long long v = std::strtoull(n.c_str(), nullptr, 10);
        if (errno == 0) return Push(JsonValue(static_cast<uint64_t>(v)));
      }
    }
    return Push(JsonValue(std::strtod(n.c_str(), nullptr)));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Push(JsonValue(s, n, a_)); }
  bool StartObject() { return true; }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return String(s, n, copy); }
  bool EndObject(rapidjson::SizeType members) {
    JsonValue obj(rapidjson::kObjectType);
    const size_t first = stack_.size() - 2 * members;
    for (size_t i = first; i < stack_.size(); i += 2) obj.AddMember(stack_[i], stack_[i + 1], a_);
    stack_.resize(first);
    return Push(std::move(obj));
  }
  bool StartArray() { return true; }
  bool EndArray(rapidjson::SizeType count) {
    JsonValue arr(rapidjson::kArrayType);
    const size_t first = stack_.size() - count;
    arr.Reserve(count, a_);
    for (size_t i = first; i < stack_.size(); i++) arr.PushBack(stack_[i], a_);
    stack_.resize(first);
    return Push(std::move(arr));
  }
  std::vector<JsonValue>& stack() { return stack_; }

 private:
  bool Push(JsonValue v) {
    stack_.push_back(std::move(v));
    return true;
  }
  Doc::AllocatorType& a_;
  std::vector<JsonValue> stack_;
};

}  // namespace

JsonValue Clone(const JsonValue& v, Doc::AllocatorType& a) {
  switch (v.GetType()) {
    case rapidjson::kStringType: return JsonValue(v.GetString(), v.GetStringLength(), a);
    case rapidjson::kArrayType: {
      JsonValue out(rapidjson::kArrayType);
      out.Reserve(v.Size(), a);
      for (const JsonValue& e : v.GetArray()) out.PushBack(Clone(e, a), a);
      return out;
    }
    case rapidjson::kObjectType: {
      JsonValue out(rapidjson::kObjectType);
      for (const auto& m : v.GetObject()) out.AddMember(Clone(m.name, a), Clone(m.value, a), a);
      return out;
    }
    case rapidjson::kNumberType:
      if (v.IsInt64()) return JsonValue(v.GetInt64());
      if (v.IsUint64()) return JsonValue(v.GetUint64());
      return JsonValue(v.GetDouble());
    case rapidjson::kTrueType: return JsonValue(true);
    case rapidjson::kFalseType: return JsonValue(false);
    default: return JsonValue();
  }
}

bool ParseJson(std::string_view text, Doc* out) {
  std::string buffer(text);  // parsed in place
  rapidjson::InsituStringStream stream(buffer.data());
  DomBuilder builder(out->GetAllocator());
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseStopWhenDoneFlag;
  if (reader.Parse<kFlags>(stream, builder).IsError() || builder.stack().size() != 1) return false;
  // Only whitespace may follow the value.
  for (size_t i = stream.Tell(); i < text.size(); i++) {
    if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t') return false;
  }
  static_cast<JsonValue&>(*out) = std::move(builder.stack()[0]);
  return true;
}

Result<Row> RowOfVersion(const Version& v, int64_t depth) {
  Row row;
  row.seq = v.seq;
  row.doc = std::make_unique<Doc>();
  Doc& d = *row.doc;
  auto& a = d.GetAllocator();
  Doc data(&a);
  if (!ParseJson(v.data, &data)) {
    return Status::Corruption("version " + v.hash.ToHex() + " holds data that is not JSON");
  }
  if (data.IsObject()) {
    d.SetObject();
    static_cast<JsonValue&>(d) = std::move(static_cast<JsonValue&>(data));
  } else {
    d.SetObject();
    d.AddMember("_value", std::move(static_cast<JsonValue&>(data)), a);
  }
  SetMember(d, "_id", Str(v.id, a), a);
  SetMember(d, "_coll", Str(v.coll, a), a);
  SetMember(d, "_hash", Str(v.hash.ToHex(), a), a);
  SetMember(d, "_seq", JsonValue(static_cast<uint64_t>(v.seq)), a);
  if (v.valid_from) SetMember(d, "_valid_from", Str(*v.valid_from, a), a);
  if (v.valid_to) SetMember(d, "_valid_to", Str(*v.valid_to, a), a);
  if (!v.caused_by.empty()) {
    JsonValue arr(rapidjson::kArrayType);
    for (const Hash& h : v.caused_by) arr.PushBack(Str(h.ToHex(), a), a);
    SetMember(d, "_caused_by", std::move(arr), a);
  }
  if (depth >= 0) SetMember(d, "_depth", JsonValue(depth), a);
  return row;
}

namespace {

// Canonical JSON text (no whitespace) is walked without being parsed: each
// step returns false on text that is not well formed.
bool SkipString(std::string_view s, size_t* i) {
  if (*i >= s.size() || s[*i] != '"') return false;
  // Most strings hold no escape: the closing quote is the next quote.
  const char* begin = s.data() + *i + 1;
  const size_t rest = s.size() - *i - 1;
  const void* quote = std::memchr(begin, '"', rest);
  if (quote == nullptr) return false;
  const size_t n = static_cast<size_t>(static_cast<const char*>(quote) - begin);
  if (std::memchr(begin, '\\', n) == nullptr) {
    *i += n + 2;
    return true;
  }
  for (size_t k = *i + 1; k < s.size(); k++) {
    if (s[k] == '\\') {
      k++;
    } else if (s[k] == '"') {
      *i = k + 1;
      return true;
    }
  }
  return false;
}

bool SkipValue(std::string_view s, size_t* i) {
  if (*i >= s.size()) return false;
  const char c = s[*i];
  if (c == '"') return SkipString(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (*i < s.size()) {
      const char d = s[*i];
      if (d == '"') {
        if (!SkipString(s, i)) return false;
        continue;
      }
      if (d == '{' || d == '[') depth++;
      if (d == '}' || d == ']') depth--;
      (*i)++;
      if (depth == 0) return true;
    }
    return false;
  }
  const size_t start = *i;
  while (*i < s.size() && s[*i] != ',' && s[*i] != '}' && s[*i] != ']') (*i)++;
  return *i > start;
}

// The decoded bytes of a canonical key's text (between the quotes): the
// canonical escapes are \" \\ \b \f \n \r \t and \u00xx.
bool DecodeKey(std::string_view raw, std::string* out) {
  out->clear();
  for (size_t k = 0; k < raw.size(); k++) {
    if (raw[k] != '\\') {
      out->push_back(raw[k]);
      continue;
    }
    if (++k >= raw.size()) return false;
    switch (raw[k]) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        if (k + 4 >= raw.size()) return false;
        unsigned v = 0;
        for (size_t j = k + 1; j <= k + 4; j++) {
          const char h = raw[j];
          int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
          if (digit < 0) return false;  // canonical escapes use lowercase hex
          v = v * 16 + static_cast<unsigned>(digit);
        }
        if (v >= 0x20) return false;  // canonical text escapes control characters only
        out->push_back(static_cast<char>(v));
        k += 4;
        break;
      }
      default: return false;
    }
  }
  return true;
}

}  // namespace

Result<std::string> RowJsonOfVersion(const Version& v, int64_t depth) {
  // The special fields in byte order of their names; absent ones skipped.
  enum Special { kCausedBy, kColl, kDepth, kHash, kId, kSeq, kValidFrom, kValidTo, kSpecials };
  static constexpr std::string_view kNames[kSpecials] = {"_caused_by", "_coll", "_depth",      "_hash",
                                                         "_id",        "_seq",  "_valid_from", "_valid_to"};
  const bool present[kSpecials] = {!v.caused_by.empty(), true, depth >= 0,           true,
                                   true,                 true, v.valid_from.has_value(), v.valid_to.has_value()};
  const std::string_view data = v.data;
  std::string out;
  out.reserve(data.size() + 128 + 67 * v.caused_by.size());
  out.push_back('{');
  auto name = [&](std::string_view n) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(n);
    out.append("\":");
  };
  auto hex = [&](const Hash& h) {
    static const char kDigits[] = "0123456789abcdef";
    const size_t at = out.size();
    out.resize(at + 2 + 2 * Hash::kSize);
    char* p = out.data() + at;
    *p++ = '"';
    for (uint8_t b : h.bytes) {
      *p++ = kDigits[b >> 4];
      *p++ = kDigits[b & 15];
    }
    *p = '"';
  };
  auto special = [&](int k) {
    name(kNames[k]);
    switch (k) {
      case kCausedBy:
        out.push_back('[');
        for (size_t i = 0; i < v.caused_by.size(); i++) {
          if (i) out.push_back(',');
          hex(v.caused_by[i]);
        }
        out.push_back(']');
        break;
      case kColl: AppendJsonString(&out, v.coll); break;
      case kDepth: out.append(std::to_string(depth)); break;
      case kHash: hex(v.hash); break;
      case kId: AppendJsonString(&out, v.id); break;
      case kSeq: out.append(std::to_string(v.seq)); break;
      case kValidFrom: AppendJsonString(&out, *v.valid_from); break;
      case kValidTo: AppendJsonString(&out, *v.valid_to); break;
    }
  };
  auto corrupt = [&] {
    return Status::Corruption("version " + v.hash.ToHex() + " holds data that is not canonical JSON");
  };
  int next = 0;  // the next special field to write
  auto skip_absent = [&] {
    while (next < kSpecials && !present[next]) next++;
  };
  skip_absent();
  if (data.empty() || data[0] != '{') {
    // Not an object: the document is the row's "_value", after every special.
    size_t end = 0;
    if (!SkipValue(data, &end) || end != data.size()) return corrupt();
    for (; next < kSpecials; next++) {
      if (present[next]) special(next);
    }
    name("_value");
    out.append(data);
    out.push_back('}');
    return out;
  }
  size_t i = 1;
  std::string decoded;
  while (i < data.size() && data[i] != '}') {
    if (i > 1) {
      if (data[i] != ',') return corrupt();
      i++;
    }
    const size_t key_start = i;
    if (!SkipString(data, &i)) return corrupt();
    const std::string_view raw = data.substr(key_start + 1, i - key_start - 2);
    std::string_view key = raw;
    if (raw.find('\\') != std::string_view::npos) {
      if (!DecodeKey(raw, &decoded)) return corrupt();
      key = decoded;
    }
    if (i >= data.size() || data[i] != ':') return corrupt();
    i++;
    if (!SkipValue(data, &i)) return corrupt();
    bool replaced = false;
    while (next < kSpecials && kNames[next] <= key) {
      // A special field replaces the document's field of that name.
      replaced = kNames[next] == key;
      special(next++);
      skip_absent();
    }
    if (replaced) continue;
    if (out.size() > 1) out.push_back(',');
    out.append(data.substr(key_start, i - key_start));
  }
  if (i + 1 != data.size()) return corrupt();
  for (; next < kSpecials; next++) {
    if (present[next]) special(next);
  }
  out.push_back('}');
  return out;
}

bool IsSpecialField(std::string_view name) {
  return name == "_id" || name == "_coll" || name == "_hash" || name == "_seq" || name == "_valid_from" ||
         name == "_valid_to" || name == "_caused_by" || name == "_depth";
}

const JsonValue* Lookup(const JsonValue& row, const Field& field) {
  const JsonValue* cur = &row;
  for (const std::string& part : field.path) {
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(JsonValue(rapidjson::StringRef(part.data(), part.size())));
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
  }
  return cur;
}

std::string RowToJson(const JsonValue& row) {
  std::string out;
  AppendValue(&out, row);
  return out;
}

int CompareTotal(const JsonValue* a, const JsonValue* b) {
  const int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 3: return CompareNumbers(*a, *b);
    case 4: return CompareStrings(*a, *b);
    case 5: {
      const rapidjson::SizeType n = std::min(a->Size(), b->Size());
      for (rapidjson::SizeType i = 0; i < n; i++) {
        int c = CompareTotal(&(*a)[i], &(*b)[i]);
        if (c != 0) return c;
      }
      return a->Size() < b->Size() ? -1 : a->Size() > b->Size();
    }
    case 6: {
      std::string x, y;
      AppendValue(&x, *a);
      AppendValue(&y, *b);
      return x < y ? -1 : x > y;
    }
    default: return 0;
  }
}

std::string FoldCase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) AppendUtf8(&out, LowerCodePoint(DecodeUtf8(s, &i)));
  return out;
}

Tri Evaluate(const Predicate& p, const JsonValue& row) {
  switch (p.kind) {
    case Predicate::Kind::kAnd: {
      Tri l = Evaluate(*p.left, row);
      if (l == Tri::kFalse) return l;
      return And(l, Evaluate(*p.right, row));
    }
    case Predicate::Kind::kOr: {
      Tri l = Evaluate(*p.left, row);
      if (l == Tri::kTrue) return l;
      return Or(l, Evaluate(*p.right, row));
    }
    case Predicate::Kind::kNot: return Not(Evaluate(*p.left, row));
    case Predicate::Kind::kCompare: return Compare(Lookup(row, p.field), p.values[0], p.op);
    case Predicate::Kind::kIn: {
      const JsonValue* f = Lookup(row, p.field);
      Tri r = Tri::kFalse;
      for (const Literal& l : p.values) {
        r = Or(r, Compare(f, l, CmpOp::kEq));
        if (r == Tri::kTrue) break;
      }
      return p.negated ? Not(r) : r;
    }
    case Predicate::Kind::kBetween: {
      const JsonValue* f = Lookup(row, p.field);
      return And(Compare(f, p.values[0], CmpOp::kGe), Compare(f, p.values[1], CmpOp::kLe));
    }
    case Predicate::Kind::kLike: {
      const JsonValue* f = Lookup(row, p.field);
      Tri r;
      if (f == nullptr || f->IsNull()) {
        r = Tri::kUnknown;
      } else if (!f->IsString()) {
        r = Tri::kFalse;
      } else {
        const bool fold = p.case_insensitive;
        r = FromBool(LikeMatch(CodePoints(std::string_view(f->GetString(), f->GetStringLength()), fold), 0,
                               CodePoints(p.values[0].string, fold), 0));
      }
      return p.negated ? Not(r) : r;
    }
    case Predicate::Kind::kIsNull: {
      const JsonValue* f = Lookup(row, p.field);
      const bool is_null = f == nullptr || f->IsNull();
      return FromBool(p.negated ? !is_null : is_null);
    }
  }
  return Tri::kUnknown;
}

}  // namespace cairn::nql
