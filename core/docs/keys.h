// Index keys and values (FORMAT.md, "Index keys"). Keys sort by memcmp:
//   'v' coll 0x00 id 0x00 BE64(~seq)  -> VersionRef   newest version first
//   'h' hash[32]                      -> Location     every version by hash
//   'c' coll                          -> ""           every collection
//   'q' BE64(~first_seq)              -> CommitRef    every commit record, newest first
//   'e' cause[32] effect[32]          -> ""           caused_by, reversed: the effects of a version
// Collection names and ids never contain 0x00, so the separators keep
// (coll, id) order and no id is a prefix of another's key.
#ifndef CAIRN_DOCS_KEYS_H_
#define CAIRN_DOCS_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cairn/hash.h"

namespace cairn {

inline constexpr char kVersionTag = 'v';
inline constexpr char kHashTag = 'h';
inline constexpr char kCollectionTag = 'c';
inline constexpr char kCommitTag = 'q';
inline constexpr char kEffectTag = 'e';

// Where a version's log entry lives.
struct Location {
  uint32_t segment = 0;
  uint64_t offset = 0;  // of the entry within the segment file
  uint32_t length = 0;  // of the entry
};

// The value of a 'q' key: where a commit record's payload lives.
struct CommitRef {
  uint32_t segment = 0;
  uint64_t payload_offset = 0;
  uint32_t payload_length = 0;
  uint32_t count = 0;
};

// 'q' BE64(~first_seq). Seeking CommitKey(s) finds the commit holding seq s.
std::string CommitKey(uint64_t first_seq);
std::string EncodeCommitRef(const CommitRef& ref);
bool DecodeCommitRef(std::string_view in, CommitRef* ref);

// The value of a 'v' key.
struct VersionRef {
  Hash hash;
  Location loc;
  bool deleted = false;
  // The version's log item (the loc.length bytes at loc: checksum, then
  // entry) when the index holds a copy, so a point read needs no log read;
  // empty otherwise.
  std::string item;
};

inline constexpr size_t kLocationBytes = 16;
// A 'v' value without an inline item; with one, the item follows.
inline constexpr size_t kVersionRefBytes = Hash::kSize + kLocationBytes + 1;
// Writers copy a version's log item into its 'v' value when the item is at
// most this long (FORMAT.md, "Index keys").
inline constexpr size_t kMaxInlineItemBytes = 1024;
// A secondary index entry's value when it locates the document's version:
// hash[32] then the location (FORMAT.md, "Index keys").
inline constexpr size_t kIndexRefBytes = Hash::kSize + kLocationBytes;

// 'v' coll 0 id 0: the prefix shared by every version of one document.
std::string DocPrefix(std::string_view coll, std::string_view id);
// 'v' coll 0: the prefix shared by every version in a collection.
std::string CollectionVersionsPrefix(std::string_view coll);
// DocPrefix + BE64(~seq). Seeking it finds the newest version with seq <= `seq`.
std::string VersionKey(std::string_view coll, std::string_view id, uint64_t seq);
std::string HashKey(const Hash& hash);
// The same keys appended to *out, for callers that reuse one buffer.
void AppendDocPrefix(std::string* out, std::string_view coll, std::string_view id);
void AppendVersionKey(std::string* out, std::string_view coll, std::string_view id, uint64_t seq);
void AppendHashKey(std::string* out, const Hash& hash);
std::string CollectionKey(std::string_view coll);
// 'e' cause effect: `effect` names `cause` in its caused_by.
std::string EffectKey(const Hash& cause, const Hash& effect);
// 'e' cause: the prefix of every effect of `cause`.
std::string EffectPrefix(const Hash& cause);

// Splits a 'v' key. False when `key` is not a well-formed version key.
bool ParseVersionKey(std::string_view key, std::string_view* coll, std::string_view* id,
                     uint64_t* seq);

void EncodeLocation(std::string* out, const Location& loc);
bool DecodeLocation(std::string_view in, Location* loc);
std::string EncodeVersionRef(const VersionRef& ref);
// Appends the encoding of a VersionRef with these fields (item: empty or
// the inline copy).
void AppendVersionRef(std::string* out, const Hash& hash, const Location& loc, bool deleted,
                      std::string_view item);
bool DecodeVersionRef(std::string_view in, VersionRef* ref);
// Appends a secondary index entry's value naming this version (kIndexRefBytes).
void AppendIndexRef(std::string* out, const Hash& hash, const Location& loc);

}  // namespace cairn

#endif  // CAIRN_DOCS_KEYS_H_
