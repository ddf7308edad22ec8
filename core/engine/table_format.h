// The on-disk encoding of sorted tables (FORMAT.md, "Index tables"), shared
// by TableBuilder and Table. Internal to core/engine.
//
// A block (data or index) is:
//   entry*      varint64 key_len | varint64 value_len | key | value
//   offsets     u32 LE per entry: its offset from the block start
//   count       u32 LE: number of entries
//   kind        u8: kBlockData, kBlockIndex (kBlockMetadata for metadata)
//   checksum    u64 LE: XXH3-64 of every preceding byte of the block
// Keys inside a block are strictly increasing in memcmp order.
//
// Thread-safety: functions are pure; TableBlockView is a read-only view.
#ifndef CAIRN_ENGINE_TABLE_FORMAT_H_
#define CAIRN_ENGINE_TABLE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cairn/status.h"

namespace cairn {

// Version 2 adds block boxes to the block handles; a table without any is
// written as version 1, and readers accept both.
inline constexpr uint32_t kTableFormatVersion = 2;
inline constexpr uint32_t kTableFormatVersionWithoutBoxes = 1;
// The most axes a block box has (the most a space has).
inline constexpr uint32_t kMaxBoxDims = 16;
// "CAIRNTBL" as stored bytes (little-endian u64).
inline constexpr uint64_t kTableMagic = 0x4C42544E52494143ull;
inline constexpr size_t kTableFooterSize = 64;

// The kind byte in a block trailer: a handle that points at the wrong region
// fails the kind check even if the checksum happens to verify.
enum class TableBlockKind : uint8_t { kData = 1, kIndex = 2, kMetadata = 3 };

inline constexpr size_t kTableBlockTrailerSize = 1 + 8;  // kind + checksum
inline constexpr size_t kTableBlockCountSize = 4;
// A block's offsets array is u32, so no block may reach 4 GiB.
inline constexpr uint64_t kTableMaxBlockBytes = 0xFFFFFFFFull;

// Appends the trailer to `dst`, whose bytes from `block_start` on are the
// block's contents: the kind byte, then the checksum of the contents and the
// kind byte.
void AppendTableBlockTrailer(std::string* dst, size_t block_start, TableBlockKind kind);

// The decoded 64-byte footer.
struct TableFooter {
  uint64_t index_offset = 0;
  uint64_t index_size = 0;  // including the block trailer
  uint64_t metadata_offset = 0;
  uint64_t metadata_size = 0;  // including the block trailer
  uint64_t entries = 0;
  uint32_t version = kTableFormatVersion;
};

// Appends exactly kTableFooterSize bytes.
void EncodeTableFooter(const TableFooter& footer, std::string* dst);

// Decodes and checks magic, checksum and version of `bytes` (kTableFooterSize
// bytes). CORRUPTION without a name prefix on failure.
Status DecodeTableFooter(std::string_view bytes, TableFooter* footer);

// Verifies the trailer of `block` (checksum, then kind) and returns the bytes
// before the trailer in *contents. CORRUPTION without a name prefix.
Status CheckTableBlockTrailer(std::string_view block, TableBlockKind kind,
                              std::string_view* contents);

// A view over the entries of a data or index block. Initialise from the
// block's contents (the bytes before the trailer).
class TableBlockView {
 public:
  // O(1) checks that the count and offsets array fit in `contents`. Enough
  // for every accessor below to stay in bounds; a malformed entry is then
  // reported by the accessor, not by a crash.
  Status Init(std::string_view contents);

  // Init, then decodes every entry and checks that the entries exactly tile
  // the region before the offsets array and that keys strictly increase.
  Status InitAndValidate(std::string_view contents);

  uint32_t count() const { return count_; }

  // Decodes entry `i` (REQUIRES: i < count()). False when it is malformed.
  bool Entry(uint32_t i, std::string_view* key, std::string_view* value) const;

  // Sets *index to the first entry at or after `from` whose key >= target
  // (count() when none). False when an entry on the search path is
  // malformed.
  bool LowerBound(std::string_view target, uint32_t* index, uint32_t from = 0) const;

  // The keys of the first and last entries (REQUIRES: count() > 0), or
  // false when malformed.
  bool FirstKey(std::string_view* key) const { return KeyAt(0, key); }
  bool LastKey(std::string_view* key) const { return KeyAt(count_ - 1, key); }

 private:
  uint32_t OffsetOf(uint32_t i) const;
  // The key of entry i, or false when malformed.
  bool KeyAt(uint32_t i, std::string_view* key) const;

  const char* data_ = nullptr;
  uint32_t count_ = 0;
  // Bytes [0, entries_end_) hold the entries; the offsets array follows.
  uint64_t entries_end_ = 0;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_TABLE_FORMAT_H_
