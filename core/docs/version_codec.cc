#include "docs/version_codec.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "util/coding.h"
#include "util/json.h"

namespace cairn {
namespace {

using namespace std::string_view_literals;  // literals appended without a strlen

enum EntryFlags : uint8_t {
  kFlagDeleted = 1,
  kFlagPrev = 2,
  kFlagValidFrom = 4,
  kFlagValidTo = 8,
  kAllFlags = 15,
};

void AppendHashJson(std::string* out, const Hash& h) {
  out->push_back('"');
  h.AppendHex(out);
  out->push_back('"');
}

void AppendOptionalString(std::string* out, const std::optional<std::string>& s) {
  if (s) {
    AppendJsonString(out, *s);
  } else {
    out->append("null"sv);
  }
}

// An integer in decimal, as std::to_string writes it.
template <typename Int>
void AppendDecimal(std::string* out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

// Appends CanonicalVersionBytes(v) to *out.
void AppendCanonicalVersionBytes(std::string* out, const Version& v) {
  out->reserve(out->size() + 160 + v.data.size() + v.coll.size() + v.id.size() +
               66 * v.caused_by.size());
  out->append("{\"caused_by\":["sv);
  for (size_t i = 0; i < v.caused_by.size(); i++) {
    if (i) out->push_back(',');
    AppendHashJson(out, v.caused_by[i]);
  }
  out->append("],\"coll\":"sv);
  AppendJsonString(out, v.coll);
  out->append(",\"data\":"sv);
  out->append(v.data);
  out->append(",\"deleted\":"sv);
  out->append(v.deleted ? "true"sv : "false"sv);
  out->append(",\"id\":"sv);
  AppendJsonString(out, v.id);
  out->append(",\"prev\":"sv);
  if (v.prev) {
    AppendHashJson(out, *v.prev);
  } else {
    out->append("null"sv);
  }
  out->append(",\"seq\":"sv);
  AppendDecimal(out, v.seq);
  out->append(",\"ts\":"sv);
  AppendDecimal(out, v.ts);
  out->append(",\"valid_from\":"sv);
  AppendOptionalString(out, v.valid_from);
  out->append(",\"valid_to\":"sv);
  AppendOptionalString(out, v.valid_to);
  out->push_back('}');
}

void PutHash(std::string* out, const Hash& h) {
  out->append(reinterpret_cast<const char*>(h.bytes.data()), Hash::kSize);
}

bool GetHash(std::string_view* in, Hash* h) {
  if (in->size() < Hash::kSize) return false;
  std::memcpy(h->bytes.data(), in->data(), Hash::kSize);
  in->remove_prefix(Hash::kSize);
  return true;
}

bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64(in->data());
  in->remove_prefix(8);
  return true;
}

}  // namespace

std::string CanonicalVersionBytes(const Version& v) {
  std::string out;
  AppendCanonicalVersionBytes(&out, v);
  return out;
}

Hash ComputeVersionHash(const Version& v) {
  // One buffer per thread, reused: no allocation per version written.
  // A buffer grown by a rare large document is let go of afterwards.
  thread_local std::string bytes;
  bytes.clear();
  AppendCanonicalVersionBytes(&bytes, v);
  const Hash h = Hash::Of(bytes);
  if (bytes.capacity() > (64u << 10)) std::string().swap(bytes);
  return h;
}

Hash ChainHead(const Hash& prev_head, uint64_t seq, const Hash& object_hash) {
  // prev_head || BE64(seq) || object_hash, on the stack: one per write.
  char buf[2 * Hash::kSize + 8];
  std::memcpy(buf, prev_head.bytes.data(), Hash::kSize);
  EncodeBigEndian64(buf + Hash::kSize, seq);
  std::memcpy(buf + Hash::kSize + 8, object_hash.bytes.data(), Hash::kSize);
  return Hash::Of(std::string_view(buf, sizeof buf));
}

void EncodeVersionEntry(const Version& v, std::string* out) {
  uint8_t flags = (v.deleted ? kFlagDeleted : 0) | (v.prev ? kFlagPrev : 0) |
                  (v.valid_from ? kFlagValidFrom : 0) | (v.valid_to ? kFlagValidTo : 0);
  out->push_back(static_cast<char>(kEntryDocumentVersion));
  out->push_back(static_cast<char>(flags));
  PutFixed64(out, v.seq);
  PutFixed64(out, static_cast<uint64_t>(v.ts));
  if (v.prev) PutHash(out, *v.prev);
  PutLengthPrefixed(out, v.coll);
  PutLengthPrefixed(out, v.id);
  PutVarint64(out, v.caused_by.size());
  for (const Hash& h : v.caused_by) PutHash(out, h);
  if (v.valid_from) PutLengthPrefixed(out, *v.valid_from);
  if (v.valid_to) PutLengthPrefixed(out, *v.valid_to);
  PutLengthPrefixed(out, v.data);
}

Status DecodeVersionEntry(std::string_view in, Version* v) {
  auto bad = [](const char* what) {
    return Status::Corruption(std::string("malformed version entry: ") + what);
  };
  if (in.size() < 2) return bad("too short");
  if (static_cast<uint8_t>(in[0]) != kEntryDocumentVersion) return bad("unknown entry kind");
  uint8_t flags = static_cast<uint8_t>(in[1]);
  if (flags & ~kAllFlags) return bad("unknown flags");
  in.remove_prefix(2);
  uint64_t seq, ts;
  if (!GetFixed64(&in, &seq) || !GetFixed64(&in, &ts)) return bad("truncated header");
  v->seq = seq;
  v->ts = static_cast<int64_t>(ts);
  v->deleted = flags & kFlagDeleted;
  v->prev.reset();
  if (flags & kFlagPrev) {
    Hash h;
    if (!GetHash(&in, &h)) return bad("truncated prev");
    v->prev = h;
  }
  std::string_view coll, id, s;
  if (!GetLengthPrefixed(&in, &coll) || !GetLengthPrefixed(&in, &id)) return bad("truncated name");
  v->coll.assign(coll);
  v->id.assign(id);
  uint64_t n;
  if (!GetVarint64(&in, &n) || n > in.size() / Hash::kSize) return bad("bad caused_by count");
  v->caused_by.resize(n);
  for (uint64_t i = 0; i < n; i++) GetHash(&in, &v->caused_by[i]);
  v->valid_from.reset();
  v->valid_to.reset();
  if (flags & kFlagValidFrom) {
    if (!GetLengthPrefixed(&in, &s)) return bad("truncated valid_from");
    v->valid_from = std::string(s);
  }
  if (flags & kFlagValidTo) {
    if (!GetLengthPrefixed(&in, &s)) return bad("truncated valid_to");
    v->valid_to = std::string(s);
  }
  if (!GetLengthPrefixed(&in, &s)) return bad("truncated data");
  v->data.assign(s);
  if (!in.empty()) return bad("trailing bytes");
  return Status::OK();
}

}  // namespace cairn
