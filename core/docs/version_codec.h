// The two encodings of a version (FORMAT.md):
//  - the canonical object: the JSON text that is hashed (BLAKE2b-256) to give
//    the version's hash;
//  - the log entry: a compact binary form stored in log segments, from which
//    the canonical object is rebuilt exactly.
// And the Merkle head: new_head = BLAKE2b-256(prev_head || BE64(seq) || hash).
#ifndef CAIRN_DOCS_VERSION_CODEC_H_
#define CAIRN_DOCS_VERSION_CODEC_H_

#include <string>
#include <string_view>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/status.h"

namespace cairn {

inline constexpr uint8_t kEntryDocumentVersion = 1;

// {"caused_by":[..],"coll":..,"data":..,"deleted":..,"id":..,"prev":..,
//  "seq":..,"ts":..,"valid_from":..,"valid_to":..}
// REQUIRES: v.data is canonical JSON.
std::string CanonicalVersionBytes(const Version& v);

// BLAKE2b-256 of CanonicalVersionBytes(v).
Hash ComputeVersionHash(const Version& v);

Hash ChainHead(const Hash& prev_head, uint64_t seq, const Hash& object_hash);

// Appends the log entry of `v` (its hash is not stored; it is recomputed).
void EncodeVersionEntry(const Version& v, std::string* out);

// Decodes one log entry into *v (every field but hash). CORRUPTION when the
// bytes are not exactly one well-formed entry.
Status DecodeVersionEntry(std::string_view in, Version* v);

}  // namespace cairn

#endif  // CAIRN_DOCS_VERSION_CODEC_H_
