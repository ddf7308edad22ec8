// Sorted tables: immutable files of (key, value) pairs sorted by memcmp on
// the key. A checkpoint writes the engine's whole index as one table, so that
// open reads only the table's small block index and the log tail.
//
// File layout (FORMAT.md, "Index tables"):
//   data block*   each: entries, an offsets array, a trailer with a checksum
//   index block   the last key of every data block with its offset and size
//                 (and its bounding box, for blocks of spatial entries)
//   metadata      opaque bytes given to Finish (the checkpoint's state)
//   footer        fixed 64 bytes: offsets and sizes of index and metadata,
//                 entry count, format version, magic, checksum
// Every block and the footer carry an XXH3-64 checksum; a mismatch is
// CORRUPTION naming the file and the offset.
//
// Thread-safety: TableBuilder is not thread-safe. Table is thread-safe for
// reads; each Iterator must be used by one thread at a time.
#ifndef CAIRN_ENGINE_TABLE_H_
#define CAIRN_ENGINE_TABLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "engine/block_cache.h"

namespace cairn {

// A data block's bounding box (FORMAT.md, "Block boxes"): every key of the
// block begins with the same `prefix_bytes` bytes as the block's last key,
// and ends with `dims` big-endian u32 coordinates followed by 8 more bytes;
// each coordinate i lies in [min[i], max[i]]. Spatial index entries ('S',
// engine/db_space.cc) have that shape.
struct BlockBox {
  uint32_t prefix_bytes = 0;
  uint32_t dims = 0;
  const uint32_t* min = nullptr;
  const uint32_t* max = nullptr;
};

// Decides, from a data block's last key and its box, whether an iterator
// may pass over the block without reading it: a scan that would filter out
// every entry of such a block anyway (see Table::Iterator::SetBlockFilter).
class BlockFilter {
 public:
  virtual ~BlockFilter() = default;
  virtual bool Skip(std::string_view last_key, const BlockBox& box) const = 0;
};

struct TableOptions {
  size_t block_bytes = 4096;  // target size of a data block before its trailer
  // Block boxes: when set, a data block gets a box if box_dims returns the
  // same count d > 0 for each of its keys, every key has at least
  // box_prefix_bytes + 4·d + 8 bytes, and all share their first
  // box_prefix_bytes bytes.
  size_t box_prefix_bytes = 0;
  std::function<uint32_t(std::string_view key)> box_dims;
};

class TableBuilder {
 public:
  // `file` is borrowed, must be empty, and must outlive the builder.
  TableBuilder(File* file, std::string name, const TableOptions& options = {});
  ~TableBuilder();

  // REQUIRES: key > every key added before (memcmp order), Finish not called.
  // INVALID_ARGUMENT when keys are out of order.
  Status Add(std::string_view key, std::string_view value);

  // Writes the last data block, the index, `metadata` and the footer, then
  // syncs the file.
  Status Finish(std::string_view metadata);

  uint64_t entries() const;
  uint64_t file_size() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

class Table {
 public:
  // Reads and checks the footer, the index block and the metadata. The Table
  // owns `file`; `cache` is borrowed and must outlive the Table. `file_id`
  // must be unique among files sharing the cache. `name` appears in errors.
  // With `map`, point reads use the file's mapping (File::Map) instead of
  // the cache and File::Read, where the storage can map: each block read
  // is still checked (checksum and structure), but costs no backend call
  // and no copy. When Map fails or declines, reads go through the cache as
  // without `map` (mapped() tells). Scans and Check read the file as
  // without it.
  static Result<std::unique_ptr<Table>> Open(std::unique_ptr<File> file, std::string name,
                                             uint64_t file_id, BlockCache* cache,
                                             bool map = false);
  ~Table();

  const std::string& metadata() const;
  uint64_t entries() const;
  uint64_t file_size() const;
  // Bytes of memory held by the in-memory block index.
  size_t index_memory_bytes() const;
  // Data blocks that have a box.
  size_t boxed_blocks() const;
  uint64_t file_id() const;
  // True when point reads use the file's mapping (Open with `map`, and the
  // storage could map).
  bool mapped() const;

  class Iterator {
   public:
    virtual ~Iterator() = default;
    // Positions at the first key >= `target`.
    virtual Status Seek(std::string_view target) = 0;
    virtual Status SeekToFirst() = 0;
    virtual bool Valid() const = 0;
    // REQUIRES: Valid().
    virtual Status Next() = 0;
    // REQUIRES: Valid(). Views stay valid until the next Seek/Next call.
    virtual std::string_view key() const = 0;
    virtual std::string_view value() const = 0;
    // From now on, the iterator passes over every data block that has a box
    // and that `filter` skips, without reading it: Seek and Next then stop
    // at the first key at or after the target (or the current key) outside
    // such blocks. For scans that would discard every entry of those
    // blocks. Set once, before the first Seek; `filter` must outlive the
    // iterator. Iterators over entries without blocks ignore it.
    virtual void SetBlockFilter(const BlockFilter* filter) { (void)filter; }
  };
  std::unique_ptr<Iterator> NewIterator() const;
  // An iterator for one pass over many consecutive blocks (checkpoint
  // merges): it reads about 256 KiB of blocks per read, checks each block
  // in full, and neither consults nor fills the block cache.
  std::unique_ptr<Iterator> NewScanIterator() const;

  // Reads every data block and checks its checksum and structure; appends one
  // line per problem ("index-12.cairn: block at offset 8192: checksum
  // mismatch"). Returns non-OK only when the file cannot be read at all.
  Status Check(std::vector<std::string>* problems) const;

 private:
  struct Rep;
  explicit Table(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace cairn

#endif  // CAIRN_ENGINE_TABLE_H_
