// Word buffers: how points, payloads, spatial records and hyperedges cross
// between js/src/space.js and wasm/bindings.cc. Conversions only.
//
// Both directions use arrays of little-endian uint32 words (JS sees them as
// one Uint32Array over wasm memory), so a batch of any size costs one copy
// and one embind call. Byte strings are a word holding their length, then
// the bytes, zero-padded to a word boundary.
//
// Writes (SpaceWrite input), per op:
//   kind (0 JSON, 1 bytes, 2 delete), dims, coordinates[dims], payload string
// Hyperedge (PutEdge input):
//   id string, kind string, weight (f64 as two words, low first),
//   valid_from flag + two words, valid_to flag + two words,
//   ends count, per end: space string, role string, dir (0 none, 1 tail,
//   2 head), dims, coordinates[dims];
//   meta count, per entry: key string, value string
// Records (query output):
//   count, json_bytes, then the JSON text "[p,...]" (the payload of every
//   record whose kind is JSON, in order) padded to words, then per record:
//   flags, dims, seq low, seq high, coordinates[dims],
//   [distance: f64 as two words, when flags & kHasDistance],
//   [payload string, when flags & kBinary]
// flags: bit 0 bytes payload, bit 1 deleted (no payload), bit 2 distance,
// bit 3 absent (no state: a merge conflict side; no payload), bits 8..15 a
// tag the call defines (diff: 0 added, 1 removed, 2 changed from, 3 changed
// to).
//
// Thread-safety: pure functions and single-owner values.
#ifndef CAIRN_WASM_SPACE_CODEC_H_
#define CAIRN_WASM_SPACE_CODEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cairn/space.h"
#include "cairn/status.h"

namespace cairn {

constexpr uint32_t kRecordBinary = 1;
constexpr uint32_t kRecordDeleted = 2;
constexpr uint32_t kRecordHasDistance = 4;
constexpr uint32_t kRecordAbsent = 8;

// Reads the first `words` words of `in` as write ops.
Result<std::vector<SpatialWrite>> DecodeSpaceWrites(const std::vector<uint32_t>& in, size_t words);

// Reads a hyperedge.
Result<Hyperedge> DecodeEdge(const std::vector<uint32_t>& in, size_t words);

// JSON text for JS: {"id","kind","ends":[{"space","point","role","dir"}],
// "weight","meta":{..},"validFrom","validTo","seq"} (dir null, "tail" or
// "head"; unset valid times null).
std::string EdgeJson(const Hyperedge& e);
// {"space","point","depth","via"}.
std::string HopJson(const EdgeHop& h);
// {"name","dims","bits","createdSeq"} and {"name","parent","forkSeq","createdSeq"}.
std::string SpaceInfoJson(const SpaceInfo& s);
std::string BranchInfoJson(const BranchInfo& b);

// Words [at, at + dims) of `in` as a point. REQUIRES: they exist.
Point PointAt(const std::vector<uint32_t>& in, size_t at, size_t dims);

// Collects records, then writes them in the layout above.
class RecordEncoder {
 public:
  RecordEncoder() { json_.push_back('['); }
  void Add(const SpatialRecord& r, uint32_t tag = 0, const double* distance = nullptr);
  void Add(const SpatialRecordView& r);
  // A point with no state (a merge conflict side that is absent).
  void AddAbsent(const Point& p, uint32_t tag = 0);
  // Replaces *out with the encoded records.
  void Finish(std::vector<uint32_t>* out);

 private:
  void Put(uint32_t flags, const uint32_t* point, uint32_t dims, uint64_t seq, const double* distance,
           std::string_view payload);

  size_t count_ = 0;
  std::string json_;
  std::vector<uint32_t> words_;
};

}  // namespace cairn

#endif  // CAIRN_WASM_SPACE_CODEC_H_
