#include "docs/keys.h"

#include <cstring>

#include "util/coding.h"

namespace cairn {

void AppendDocPrefix(std::string* out, std::string_view coll, std::string_view id) {
  out->push_back(kVersionTag);
  out->append(coll);
  out->push_back('\0');
  out->append(id);
  out->push_back('\0');
}

std::string DocPrefix(std::string_view coll, std::string_view id) {
  std::string k;
  k.reserve(3 + coll.size() + id.size() + 8);
  AppendDocPrefix(&k, coll, id);
  return k;
}

std::string CollectionVersionsPrefix(std::string_view coll) {
  std::string k;
  k.push_back(kVersionTag);
  k.append(coll);
  k.push_back('\0');
  return k;
}

void AppendVersionKey(std::string* out, std::string_view coll, std::string_view id, uint64_t seq) {
  AppendDocPrefix(out, coll, id);
  PutBigEndian64(out, ~seq);
}

std::string VersionKey(std::string_view coll, std::string_view id, uint64_t seq) {
  std::string k = DocPrefix(coll, id);
  PutBigEndian64(&k, ~seq);
  return k;
}

void AppendHashKey(std::string* out, const Hash& hash) {
  out->push_back(kHashTag);
  out->append(reinterpret_cast<const char*>(hash.bytes.data()), Hash::kSize);
}

std::string HashKey(const Hash& hash) {
  std::string k;
  AppendHashKey(&k, hash);
  return k;
}

std::string EffectPrefix(const Hash& cause) {
  std::string k;
  k.reserve(1 + 2 * Hash::kSize);
  k.push_back(kEffectTag);
  k.append(reinterpret_cast<const char*>(cause.bytes.data()), Hash::kSize);
  return k;
}

std::string EffectKey(const Hash& cause, const Hash& effect) {
  std::string k = EffectPrefix(cause);
  k.append(reinterpret_cast<const char*>(effect.bytes.data()), Hash::kSize);
  return k;
}

std::string CollectionKey(std::string_view coll) {
  std::string k;
  k.push_back(kCollectionTag);
  k.append(coll);
  return k;
}

bool ParseVersionKey(std::string_view key, std::string_view* coll, std::string_view* id,
                     uint64_t* seq) {
  if (key.size() < 1 + 1 + 1 + 1 + 8 || key[0] != kVersionTag) return false;
  std::string_view rest = key.substr(1, key.size() - 9);
  size_t sep = rest.find('\0');
  if (sep == std::string_view::npos || rest.empty() || rest.back() != '\0') return false;
  *coll = rest.substr(0, sep);
  *id = rest.substr(sep + 1, rest.size() - sep - 2);
  if (id->find('\0') != std::string_view::npos) return false;
  *seq = ~DecodeBigEndian64(key.data() + key.size() - 8);
  return true;
}

std::string CommitKey(uint64_t first_seq) {
  std::string k(1, kCommitTag);
  PutBigEndian64(&k, ~first_seq);
  return k;
}

std::string EncodeCommitRef(const CommitRef& ref) {
  std::string v;
  PutFixed32(&v, ref.segment);
  PutFixed64(&v, ref.payload_offset);
  PutFixed32(&v, ref.payload_length);
  PutFixed32(&v, ref.count);
  return v;
}

bool DecodeCommitRef(std::string_view in, CommitRef* ref) {
  if (in.size() != 20) return false;
  ref->segment = DecodeFixed32(in.data());
  ref->payload_offset = DecodeFixed64(in.data() + 4);
  ref->payload_length = DecodeFixed32(in.data() + 12);
  ref->count = DecodeFixed32(in.data() + 16);
  return true;
}

void EncodeLocation(std::string* out, const Location& loc) {
  PutFixed32(out, loc.segment);
  PutFixed64(out, loc.offset);
  PutFixed32(out, loc.length);
}

void AppendIndexRef(std::string* out, const Hash& hash, const Location& loc) {
  out->append(reinterpret_cast<const char*>(hash.bytes.data()), Hash::kSize);
  EncodeLocation(out, loc);
}

bool DecodeLocation(std::string_view in, Location* loc) {
  if (in.size() != kLocationBytes) return false;
  loc->segment = DecodeFixed32(in.data());
  loc->offset = DecodeFixed64(in.data() + 4);
  loc->length = DecodeFixed32(in.data() + 12);
  return true;
}

void AppendVersionRef(std::string* out, const Hash& hash, const Location& loc, bool deleted,
                      std::string_view item) {
  out->append(reinterpret_cast<const char*>(hash.bytes.data()), Hash::kSize);
  EncodeLocation(out, loc);
  out->push_back(deleted ? 1 : 0);
  out->append(item);
}

std::string EncodeVersionRef(const VersionRef& ref) {
  std::string v;
  v.reserve(kVersionRefBytes + ref.item.size());
  AppendVersionRef(&v, ref.hash, ref.loc, ref.deleted, ref.item);
  return v;
}

bool DecodeVersionRef(std::string_view in, VersionRef* ref) {
  if (in.size() < kVersionRefBytes) return false;
  std::memcpy(ref->hash.bytes.data(), in.data(), Hash::kSize);
  if (!DecodeLocation(in.substr(Hash::kSize, kLocationBytes), &ref->loc)) return false;
  uint8_t flags = static_cast<uint8_t>(in[Hash::kSize + kLocationBytes]);
  if (flags > 1) return false;
  ref->deleted = flags == 1;
  // An inline item is exactly the bytes the location names.
  const std::string_view item = in.substr(kVersionRefBytes);
  if (!item.empty() && item.size() != ref->loc.length) return false;
  ref->item.assign(item.data(), item.size());
  return true;
}

}  // namespace cairn
