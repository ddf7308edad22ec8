#include "index/value_key.h"

#include <cmath>
#include <cstring>

#include "util/json.h"

namespace cairn {
namespace {

enum Tag : char {
  kNull = 0x01,
  kFalse = 0x02,
  kTrue = 0x03,
  kNumber = 0x04,
  kString = 0x05,
  kArray = 0x06,
  kObject = 0x07,
};

void AppendNumber(std::string* out, double d) {
  if (d == 0) d = 0;  // -0 and 0 are one value
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  // Flip so that memcmp order is numeric order.
  bits = (bits & (1ull << 63)) ? ~bits : bits | (1ull << 63);
  out->push_back(kNumber);
  for (int i = 7; i >= 0; i--) out->push_back(static_cast<char>(bits >> (8 * i)));
}

// 0x00 is escaped as 0x00 0xFF and the string ends with 0x00 0x01, so that
// keys stay self-delimiting and ordered.
void AppendString(std::string* out, std::string_view s) {
  out->push_back(kString);
  if (s.size() > kMaxStringKeyBytes) {
    size_t cut = kMaxStringKeyBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) cut--;
    s = s.substr(0, cut);
  }
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xFF');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

}  // namespace

void AppendValueKey(std::string* out, const nql::JsonValue* v) {
  if (v == nullptr || v->IsNull()) {
    out->push_back(kNull);
  } else if (v->IsFalse()) {
    out->push_back(kFalse);
  } else if (v->IsTrue()) {
    out->push_back(kTrue);
  } else if (v->IsNumber()) {
    AppendNumber(out, v->IsInt64()    ? static_cast<double>(v->GetInt64())
                      : v->IsUint64() ? static_cast<double>(v->GetUint64())
                                      : v->GetDouble());
  } else if (v->IsString()) {
    AppendString(out, std::string_view(v->GetString(), v->GetStringLength()));
  } else if (v->IsArray()) {
    out->push_back(kArray);
  } else {
    out->push_back(kObject);
  }
}

std::string LiteralKey(const nql::Literal& l) {
  std::string out;
  switch (l.kind) {
    case nql::Literal::Kind::kNull: out.push_back(kNull); break;
    case nql::Literal::Kind::kBool: out.push_back(l.boolean ? kTrue : kFalse); break;
    case nql::Literal::Kind::kNumber:
      AppendNumber(&out, l.is_integer ? static_cast<double>(l.integer) : l.number);
      break;
    case nql::Literal::Kind::kString: AppendString(&out, l.string); break;
  }
  return out;
}

bool DecodeValueKey(std::string_view key, std::string* json) {
  if (key.empty()) return false;
  switch (key[0]) {
    case kNull: *json = "null"; return key.size() == 1;
    case kFalse: *json = "false"; return key.size() == 1;
    case kTrue: *json = "true"; return key.size() == 1;
    case kNumber: {
      if (key.size() != 9) return false;
      uint64_t bits = 0;
      for (int i = 1; i <= 8; i++) bits = (bits << 8) | static_cast<unsigned char>(key[i]);
      bits = (bits & (1ull << 63)) ? bits & ~(1ull << 63) : ~bits;
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      // Integers beyond 2^53 may have been rounded into the key.
      if (std::fabs(d) >= kExactNumberKeyLimit) return false;
      json->clear();
      AppendJsonNumber(json, d);
      return true;
    }
    case kString: {
      std::string s;
      size_t i = 1;
      for (; i + 1 < key.size(); i++) {
        if (key[i] != '\0') {
          s.push_back(key[i]);
          continue;
        }
        if (key[i + 1] == '\x01') break;
        s.push_back('\0');
        i++;
      }
      if (i + 2 != key.size() || s.size() >= kExactStringKeyBytes) return false;  // maybe cut
      json->clear();
      AppendJsonString(json, s);
      return true;
    }
    default: return false;
  }
}

bool ValueKeyLength(std::string_view key, bool inverted, size_t* length) {
  const auto at = [&](size_t i) {
    const unsigned char b = static_cast<unsigned char>(key[i]);
    return static_cast<unsigned char>(inverted ? ~b : b);
  };
  if (key.empty()) return false;
  switch (at(0)) {
    case kNull: case kFalse: case kTrue: case kArray: case kObject: *length = 1; return true;
    case kNumber:
      if (key.size() < 9) return false;
      *length = 9;
      return true;
    case kString:
      for (size_t i = 1; i + 1 < key.size(); i++) {
        if (at(i) != 0) continue;
        if (at(i + 1) == 0x01) {
          *length = i + 2;
          return true;
        }
        i++;  // an escaped 0x00 0xFF
      }
      return false;
    default: return false;
  }
}

bool LiteralKeyIsExact(const nql::Literal& l) {
  switch (l.kind) {
    case nql::Literal::Kind::kNull: return false;
    case nql::Literal::Kind::kBool: return true;
    case nql::Literal::Kind::kNumber:
      return l.is_integer ? std::fabs(static_cast<double>(l.integer)) < kExactNumberKeyLimit
                          : std::fabs(l.number) < kExactNumberKeyLimit;
    case nql::Literal::Kind::kString: return l.string.size() < kExactStringKeyBytes;
  }
  return false;
}

}  // namespace cairn
