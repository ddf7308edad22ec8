#include "engine/log_format.h"

#include <cstdio>

#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

bool ParseNumbered(const std::string& name, const char* prefix, const char* suffix,
                   size_t digits, uint64_t* out) {
  std::string p(prefix), s(suffix);
  if (name.size() != p.size() + digits + s.size()) return false;
  if (name.compare(0, p.size(), p) != 0) return false;
  if (name.compare(name.size() - s.size(), s.size(), s) != 0) return false;
  uint64_t v = 0;
  for (size_t i = p.size(); i < p.size() + digits; i++) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

size_t AppendCommitItem(std::string* payload, std::string_view entry, size_t* item_bytes) {
  *item_bytes = kEntryChecksumBytes + entry.size();
  PutVarint64(payload, *item_bytes);
  size_t at = payload->size();
  PutFixed64(payload, Checksum64(entry.data(), entry.size()));
  payload->append(entry.data(), entry.size());
  return at;
}

bool NextCommitItem(std::string_view* rest, std::string_view* item, std::string_view* entry) {
  uint64_t n;
  if (!GetVarint64(rest, &n) || n < kEntryChecksumBytes || n > rest->size()) return false;
  *item = rest->substr(0, n);
  *entry = item->substr(kEntryChecksumBytes);
  rest->remove_prefix(n);
  return true;
}

bool CheckCommitItem(std::string_view item, std::string_view* entry) {
  if (item.size() < kEntryChecksumBytes) return false;
  *entry = item.substr(kEntryChecksumBytes);
  return Checksum64(entry->data(), entry->size()) == DecodeFixed64(item.data());
}

std::string SegmentFileName(uint32_t segment) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "log-%06u.cairn", segment);
  return buf;
}

bool ParseSegmentFileName(const std::string& name, uint32_t* segment) {
  uint64_t v;
  if (!ParseNumbered(name, "log-", ".cairn", 6, &v)) return false;
  *segment = static_cast<uint32_t>(v);
  return true;
}

std::string CheckpointFileName(uint64_t seq) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "checkpoint-%020llu.cairn", static_cast<unsigned long long>(seq));
  return buf;
}

bool ParseCheckpointFileName(const std::string& name, uint64_t* seq) {
  return ParseNumbered(name, "checkpoint-", ".cairn", 20, seq);
}

}  // namespace cairn
