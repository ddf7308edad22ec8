// File-name rules shared by every storage backend (see cairn/storage.h).
//
// A name is 1..64 bytes of [A-Za-z0-9._-] and does not start with '.', so no
// name can be "..", contain a separator or reach outside the directory.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {
namespace {

constexpr size_t kMaxFileNameBytes = 64;
// How much of a rejected name an error message quotes.
constexpr size_t kMaxQuotedBytes = 80;

bool IsNameByte(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// `b` as it appears in a message: printable ASCII as itself, anything else
// (NUL, control bytes, UTF-8) as \xNN so the message stays readable.
void AppendEscapedByte(std::string* out, unsigned char b) {
  if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
    out->push_back(static_cast<char>(b));
    return;
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "\\x%02x", b);
  out->append(hex);
}

std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (size_t i = 0; i < name.size() && i < kMaxQuotedBytes; i++) {
    AppendEscapedByte(&out, static_cast<unsigned char>(name[i]));
  }
  if (name.size() > kMaxQuotedBytes) out += "...";
  out += "\"";
  return out;
}

Status Invalid(std::string_view name, const std::string& what) {
  return Status::InvalidArgument("invalid file name " + Quote(name) + ": " + what);
}

}  // namespace

bool IsValidFileName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFileNameBytes || name[0] == '.') return false;
  for (char c : name) {
    if (!IsNameByte(c)) return false;
  }
  return true;
}

Status CheckFileName(std::string_view name) {
  if (name.empty()) return Invalid(name, "it is empty");
  if (name.size() > kMaxFileNameBytes) {
    return Invalid(name, "it is " + std::to_string(name.size()) + " bytes long; the limit is " +
                             std::to_string(kMaxFileNameBytes));
  }
  if (name[0] == '.') return Invalid(name, "it starts with '.'");
  for (size_t i = 0; i < name.size(); i++) {
    if (IsNameByte(name[i])) continue;
    std::string shown;
    AppendEscapedByte(&shown, static_cast<unsigned char>(name[i]));
    return Invalid(
        name, "byte " + std::to_string(i) + " ('" + shown + "') is not one of A-Z a-z 0-9 . _ -");
  }
  return Status::OK();
}

}  // namespace cairn
