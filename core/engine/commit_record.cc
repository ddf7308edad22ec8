#include "engine/commit_record.h"

#include <cstring>
#include <string>

#include "docs/version_codec.h"
#include "engine/log_format.h"
#include "util/coding.h"

namespace cairn {

Status DecodeCommitRecord(std::string_view payload, CommitRecord* out, uint64_t from_seq) {
  auto bad = [](const std::string& what) { return Status::Corruption(what); };
  if (payload.size() < kCommitHeaderBytes) return bad("is too short");
  out->first_seq = DecodeFixed64(payload.data());
  out->count = DecodeFixed32(payload.data() + 8);
  std::memcpy(out->head_after.bytes.data(), payload.data() + 12, Hash::kSize);
  out->synced_through = DecodeFixed64(payload.data() + kCommitSyncedThroughOffset);
  out->versions.clear();
  out->items.clear();
  std::string_view rest = payload.substr(kCommitHeaderBytes);
  Version v;
  for (uint32_t i = 0; i < out->count; i++) {
    std::string_view item, entry;
    if (!NextCommitItem(&rest, &item, &entry)) return bad("has a truncated entry");
    if (!CheckCommitItem(item, &entry)) return bad("entry " + std::to_string(i) + ": checksum mismatch");
    Status s = DecodeVersionEntry(entry, &v);
    if (!s.ok()) return bad("entry " + std::to_string(i) + ": " + s.message());
    if (v.seq != out->first_seq + i) return bad("entry " + std::to_string(i) + " has the wrong seq");
    if (v.seq < from_seq) continue;
    v.hash = ComputeVersionHash(v);
    // The item ends where the rest begins.
    out->items.emplace_back(payload.size() - rest.size() - item.size(),
                            static_cast<uint32_t>(item.size()));
    out->versions.push_back(std::move(v));
  }
  if (!rest.empty()) return bad("has trailing bytes");
  return Status::OK();
}

}  // namespace cairn
