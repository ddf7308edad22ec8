// Table: opens a sorted table by its footer, block index and metadata, and
// reads data blocks on demand through the BlockCache (layout in
// table_format.h).

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/table.h"
#include "engine/table_format.h"
#include "util/coding.h"

namespace cairn {
namespace {

// Check() reads consecutive data blocks in chunks of about this size.
constexpr uint64_t kCheckChunkBytes = 1 << 20;
// Scan iterators read consecutive data blocks in chunks of about this size.
constexpr uint64_t kScanChunkBytes = 256 << 10;

// The block index keeps every block's last-key prefix (KeyPrefix), and the
// prefix of the last block of every group of kPrefixGroup blocks in a
// smaller array that stays in the CPU cache.
constexpr size_t kPrefixGroup = 16;

struct KeyPrefix {
  uint64_t hi = 0;
  uint64_t lo = 0;

  static KeyPrefix Of(std::string_view key) {
    char buf[16] = {};
    key.copy(buf, std::min<size_t>(key.size(), 16));
    return KeyPrefix{DecodeBigEndian64(buf), DecodeBigEndian64(buf + 8)};
  }
  // <0, 0, >0 like memcmp of the padded prefixes: when it is not 0, the
  // whole keys compare the same way.
  int Compare(const KeyPrefix& o) const {
    if (hi != o.hi) return hi < o.hi ? -1 : 1;
    if (lo != o.lo) return lo < o.lo ? -1 : 1;
    return 0;
  }
};

// One block of the block index. The prefix sits next to the handle, so the
// search's last step brings the handle into the CPU cache with it.
struct alignas(32) IndexEntry {
  KeyPrefix prefix;  // of the block's last key
  uint64_t offset;   // of the data block in the file
  uint32_t size;     // of the data block, trailer included
  uint32_t key_end;  // end of its last key in TableTail::index_keys
};

// Everything Open reads: the footer, the block index and the metadata.
struct TableTail {
  uint64_t file_size = 0;
  TableFooter footer;
  std::string metadata;
  std::string index_keys;  // every block's last key, concatenated
  std::vector<IndexEntry> index;
  // The first 16 bytes (zero-padded, as two big-endian numbers) of the last
  // key of the last block of every kPrefixGroup blocks (group_prefixes[g] =
  // index[min(g * kPrefixGroup + kPrefixGroup, n) - 1].prefix). FindBlock
  // searches these, then one group's prefixes in `index`, and reads whole
  // keys only among blocks whose prefixes tie with the target's.
  std::vector<KeyPrefix> group_prefixes;
  // Block boxes (version 2): box_at[i] is where block i's box starts in
  // `boxes` (prefix_bytes, dims, then dims minimums and dims maximums), or
  // kNoBox. Empty when no block has a box.
  static constexpr uint32_t kNoBox = UINT32_MAX;
  std::vector<uint32_t> box_at;
  std::vector<uint32_t> boxes;

  bool Box(size_t i, BlockBox* box) const {
    if (box_at.empty() || box_at[i] == kNoBox) return false;
    const uint32_t* b = boxes.data() + box_at[i];
    *box = BlockBox{b[0], b[1], b + 2, b + 2 + b[1]};
    return true;
  }

  bool operator==(const TableTail& o) const {
    return file_size == o.file_size && footer.index_offset == o.footer.index_offset &&
           footer.index_size == o.footer.index_size && footer.entries == o.footer.entries &&
           metadata == o.metadata && index_keys == o.index_keys && box_at == o.box_at &&
           boxes == o.boxes &&
           std::equal(index.begin(), index.end(), o.index.begin(), o.index.end(),
                      [](const IndexEntry& a, const IndexEntry& b) {
                        return a.offset == b.offset && a.size == b.size && a.key_end == b.key_end;
                      });
  }
};

std::string At(const std::string& name, const char* what, uint64_t offset) {
  return name + ": " + what + " at offset " + std::to_string(offset);
}

// Reads exactly out->size() bytes at `offset`; a short read is CORRUPTION
// (the file is truncated), a failed read keeps its code. No name prefix.
Status ReadFully(File* file, uint64_t offset, std::string* out) {
  size_t got = 0;
  CAIRN_RETURN_IF_ERROR(
      file->Read(offset, out->size(), reinterpret_cast<uint8_t*>(out->data()), &got));
  if (got < out->size()) {
    return Status::Corruption("truncated, read " + std::to_string(got) + " of " +
                              std::to_string(out->size()) + " bytes");
  }
  return Status::OK();
}

// Parses the box after block i's handle (version 2 only): u8 prefix_bytes,
// u8 dims, then a u32 minimum and maximum per axis. False when malformed,
// or when it cannot describe the block's last key `key`.
bool ParseBox(std::string_view box, std::string_view key, uint32_t i, uint32_t count, TableTail* tail) {
  if (tail->footer.version < kTableFormatVersion || box.size() < 2) return false;
  const uint32_t prefix = static_cast<uint8_t>(box[0]), dims = static_cast<uint8_t>(box[1]);
  if (dims == 0 || dims > kMaxBoxDims || box.size() != 2 + 8 * size_t{dims} ||
      key.size() < prefix + 4 * size_t{dims} + 8) {
    return false;
  }
  if (tail->box_at.empty()) tail->box_at.assign(count, TableTail::kNoBox);
  tail->box_at[i] = static_cast<uint32_t>(tail->boxes.size());
  tail->boxes.push_back(prefix);
  tail->boxes.push_back(dims);
  const size_t at = tail->boxes.size();
  tail->boxes.resize(at + 2 * dims);
  for (uint32_t d = 0; d < dims; d++) {
    const uint32_t lo = DecodeFixed32(box.data() + 2 + 8 * d), hi = DecodeFixed32(box.data() + 6 + 8 * d);
    if (lo > hi) return false;
    tail->boxes[at + d] = lo;
    tail->boxes[at + dims + d] = hi;
  }
  return true;
}

// Parses the index block contents into tail->index and tail->index_keys, and
// checks that the blocks tile [0, index_offset).
Status ParseIndex(std::string_view contents, TableTail* tail) {
  TableBlockView view;
  CAIRN_RETURN_IF_ERROR(view.InitAndValidate(contents));
  const uint32_t count = view.count();
  if ((count == 0) != (tail->footer.entries == 0) || tail->footer.entries < count) {
    return Status::Corruption(std::to_string(count) + " blocks cannot hold " +
                              std::to_string(tail->footer.entries) + " entries");
  }
  tail->index.reserve(count);
  tail->group_prefixes.reserve(count / kPrefixGroup + 1);
  size_t key_bytes = 0;
  for (uint32_t i = 0; i < count; i++) {
    std::string_view key, handle;
    if (view.Entry(i, &key, &handle)) key_bytes += key.size();
  }
  tail->index_keys.reserve(key_bytes);
  uint64_t expected = 0;
  for (uint32_t i = 0; i < count; i++) {
    std::string_view key, handle;
    uint64_t offset, size;
    if (!view.Entry(i, &key, &handle) || !GetVarint64(&handle, &offset) ||
        !GetVarint64(&handle, &size) ||
        (!handle.empty() && !ParseBox(handle, key, i, count, tail))) {
      return Status::Corruption("entry " + std::to_string(i) + " has a malformed block handle");
    }
    if (offset != expected || size < kTableBlockCountSize + kTableBlockTrailerSize ||
        size > kTableMaxBlockBytes || size > tail->footer.index_offset - offset) {
      return Status::Corruption("entry " + std::to_string(i) + " has a bad block handle (offset " +
                                std::to_string(offset) + ", size " + std::to_string(size) + ")");
    }
    expected += size;
    tail->index_keys.append(key.data(), key.size());
    tail->index.push_back(IndexEntry{KeyPrefix::Of(key), offset, static_cast<uint32_t>(size),
                                     static_cast<uint32_t>(tail->index_keys.size())});
    if (i % kPrefixGroup == kPrefixGroup - 1 || i == count - 1) {
      tail->group_prefixes.push_back(tail->index.back().prefix);
    }
  }
  if (expected != tail->footer.index_offset) {
    return Status::Corruption("data blocks end at " + std::to_string(expected) +
                              ", not at the index");
  }
  return Status::OK();
}

// Reads and checks the footer, the block index and the metadata.
Status ReadTail(File* file, const std::string& name, TableTail* tail) {
  Result<uint64_t> size = file->Size();
  if (!size.ok()) return size.status().WithContext(name);
  tail->file_size = *size;
  if (tail->file_size < kTableFooterSize) {
    return Status::Corruption(At(name, "footer", 0) + ": file is " +
                              std::to_string(tail->file_size) + " bytes, shorter than the footer");
  }
  const uint64_t footer_offset = tail->file_size - kTableFooterSize;
  const std::string footer_at = At(name, "footer", footer_offset);
  std::string footer_bytes(kTableFooterSize, '\0');
  CAIRN_RETURN_IF_ERROR(ReadFully(file, footer_offset, &footer_bytes).WithContext(footer_at));
  CAIRN_RETURN_IF_ERROR(DecodeTableFooter(footer_bytes, &tail->footer).WithContext(footer_at));

  // The index, then the metadata, must exactly fill the bytes before the
  // footer. Compared without sums that could wrap.
  const TableFooter& f = tail->footer;
  if (f.index_offset > footer_offset || f.index_size > footer_offset - f.index_offset ||
      f.metadata_offset != f.index_offset + f.index_size ||
      f.metadata_size != footer_offset - f.metadata_offset ||
      f.index_size < kTableBlockCountSize + kTableBlockTrailerSize ||
      f.index_size > kTableMaxBlockBytes || f.metadata_size < kTableBlockTrailerSize ||
      footer_offset - f.index_offset > std::numeric_limits<size_t>::max()) {
    return Status::Corruption(footer_at + ": bad offsets (index " + std::to_string(f.index_offset) +
                              "+" + std::to_string(f.index_size) + ", metadata " +
                              std::to_string(f.metadata_offset) + "+" +
                              std::to_string(f.metadata_size) + ")");
  }

  // One read for the index and the metadata: they are adjacent.
  std::string bytes(static_cast<size_t>(footer_offset - f.index_offset), '\0');
  const std::string index_at = At(name, "index block", f.index_offset);
  CAIRN_RETURN_IF_ERROR(ReadFully(file, f.index_offset, &bytes).WithContext(index_at));
  const std::string_view all(bytes);
  const size_t index_size = static_cast<size_t>(f.index_size);  // <= kTableMaxBlockBytes
  std::string_view contents;
  Status s = CheckTableBlockTrailer(all.substr(0, index_size), TableBlockKind::kIndex, &contents);
  if (s.ok()) s = ParseIndex(contents, tail);
  CAIRN_RETURN_IF_ERROR(s.WithContext(index_at));

  s = CheckTableBlockTrailer(all.substr(index_size), TableBlockKind::kMetadata, &contents);
  CAIRN_RETURN_IF_ERROR(s.WithContext(At(name, "metadata", f.metadata_offset)));
  tail->metadata.assign(contents.data(), contents.size());
  return Status::OK();
}

// An open table. Immutable after Open, so reads from several threads are safe
// (File::Read and BlockCache are thread-safe).
struct TableState {
  std::unique_ptr<File> file;
  std::string name;
  uint64_t file_id = 0;
  BlockCache* cache = nullptr;  // may be null: no caching
  TableTail tail;
  // When the storage mapped the file: its bytes, read in place of the
  // block cache and File::Read.
  std::unique_ptr<FileMapping> mapping;
  std::string_view mapped;

  size_t blocks() const { return tail.index.size(); }

  std::string_view IndexKey(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : tail.index[i - 1].key_end;
    return std::string_view(tail.index_keys).substr(begin, tail.index[i].key_end - begin);
  }

  // The first block whose last key >= target; blocks() when none.
  size_t FindBlock(std::string_view target) const {
    const KeyPrefix t = KeyPrefix::Of(target);
    const size_t n = blocks();
    const std::vector<IndexEntry>& p = tail.index;
    auto less = [](const KeyPrefix& a, const KeyPrefix& b) { return a.Compare(b) < 0; };
    // a = the first block whose prefix is not below t. Every block of the
    // groups before group g ends below t; within group g, count those that
    // do (independent loads the CPU can fetch together).
    const size_t g = static_cast<size_t>(
        std::lower_bound(tail.group_prefixes.begin(), tail.group_prefixes.end(), t, less) -
        tail.group_prefixes.begin());
    if (g == tail.group_prefixes.size()) return n;
    size_t a = g * kPrefixGroup;
    const size_t group_end = std::min(a + kPrefixGroup, n);
    size_t below = 0;
    for (size_t i = a; i < group_end; i++) below += p[i].prefix.Compare(t) < 0 ? 1 : 0;
    a += below;
    if (p[a].prefix.Compare(t) != 0) return a;  // its prefix, so its key, is above target
    // Blocks [a, b) share the target's prefix: only whole keys decide among
    // them. Gallop to b, since such runs are short unless keys share long
    // prefixes.
    size_t lo = a, step = 1, hi = a + 1;
    while (hi < n && p[hi].prefix.Compare(t) == 0) {
      lo = hi;
      step *= 2;
      hi = std::min(lo + step, n);
    }
    while (lo < hi) {  // b = the first block in [lo, hi) whose prefix is above t, or hi
      const size_t mid = lo + (hi - lo) / 2;
      if (p[mid].prefix.Compare(t) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const size_t b = lo;
    size_t first = a, last = b;
    while (first < last) {
      const size_t mid = first + (last - first) / 2;
      if (IndexKey(mid) < target) {
        first = mid + 1;
      } else {
        last = mid;
      }
    }
    return first;
  }

  std::string BlockAt(size_t i) const { return At(name, "block", tail.index[i].offset); }

  // Checks block i, read from the file, in full: trailer, structure, order,
  // and agreement with the block index. No name prefix on failure.
  //
  // Agreement compares whole keys when `whole_keys` (Check, scans). A point
  // read passes false: it compares the last key with the index entry's
  // prefix and key length, and the first key with the previous entry's
  // prefix (whole keys only on a tie), so it reads only the index entries
  // its search has just brought into the CPU cache, not the keys' bytes.
  // The trailer's checksum and kind still cover every byte of the block.
  Status ValidateBlock(size_t i, std::string_view raw, TableBlockView* view,
                       bool whole_keys = true) const {
    std::string_view contents;
    CAIRN_RETURN_IF_ERROR(CheckTableBlockTrailer(raw, TableBlockKind::kData, &contents));
    CAIRN_RETURN_IF_ERROR(view->InitAndValidate(contents));
    if (view->count() == 0) return Status::Corruption("data block has no entries");
    std::string_view first, last, value;
    if (!view->Entry(0, &first, &value) || !view->Entry(view->count() - 1, &last, &value)) {
      return Status::Corruption("malformed entry");
    }
    const IndexEntry& e = tail.index[i];
    const bool last_differs =
        whole_keys ? last != IndexKey(i)
                   : KeyPrefix::Of(last).Compare(e.prefix) != 0 ||
                         last.size() != e.key_end - (i == 0 ? 0 : tail.index[i - 1].key_end);
    if (last_differs) return Status::Corruption("last key differs from the block index");
    if (i > 0) {
      const int c = whole_keys ? 0 : KeyPrefix::Of(first).Compare(tail.index[i - 1].prefix);
      if (c < 0 || (c == 0 && first <= IndexKey(i - 1))) {
        return Status::Corruption("first key is not after the previous block's last key");
      }
    }
    return Status::OK();
  }

  // Checks that every entry of block i lies in the block's box, if it has
  // one: a box that does not cover its block would make filtered scans
  // lose entries.
  Status CheckBox(size_t i, const TableBlockView& view) const {
    BlockBox box;
    if (!tail.Box(i, &box)) return Status::OK();
    const std::string_view prefix = IndexKey(i).substr(0, box.prefix_bytes);
    for (uint32_t e = 0; e < view.count(); e++) {
      std::string_view key, value;
      if (!view.Entry(e, &key, &value)) return Status::Corruption("malformed entry");
      bool inside = key.size() >= box.prefix_bytes + 4 * size_t{box.dims} + 8 && key.starts_with(prefix);
      const char* coords = key.data() + key.size() - 8 - 4 * size_t{box.dims};
      for (uint32_t d = 0; inside && d < box.dims; d++) {
        const uint32_t c = DecodeBigEndian32(coords + 4 * d);
        inside = c >= box.min[d] && c <= box.max[d];
      }
      if (!inside) return Status::Corruption("entry " + std::to_string(e) + " lies outside the block's box");
    }
    return Status::OK();
  }

  // Block i from the cache, or read, validated and cached. Sets *view. The
  // hot path of every lookup: no allocation on a cache hit.
  Status GetBlock(size_t i, BlockCache::Block* block, TableBlockView* view) const {
    const IndexEntry& e = tail.index[i];
    if (!mapped.empty()) {
      // The index was checked against the file size at open, and the
      // mapping covers the file as it was then.
      Status s = ValidateBlock(i, mapped.substr(e.offset, e.size), view, /*whole_keys=*/false);
      return s.ok() ? s : s.WithContext(BlockAt(i));
    }
    BlockCache::Block cached = cache != nullptr ? cache->Lookup(file_id, e.offset) : nullptr;
    Status s;
    if (cached != nullptr && cached->size() == e.size) {
      // Validated in full before it was cached; Init's O(1) checks suffice.
      s = view->Init(std::string_view(*cached).substr(0, e.size - kTableBlockTrailerSize));
      if (s.ok()) {
        *block = std::move(cached);
        return s;
      }
    } else {
      auto fresh = cache != nullptr ? cache->Acquire(e.size)
                                    : std::make_shared<std::string>(e.size, '\0');
      s = ReadFully(file.get(), e.offset, fresh.get());
      if (s.ok()) s = ValidateBlock(i, *fresh, view, /*whole_keys=*/false);
      if (s.ok()) {
        *block = std::move(fresh);
        if (cache != nullptr) cache->Insert(file_id, e.offset, *block);
        return s;
      }
    }
    return s.WithContext(BlockAt(i));
  }
};

class TableIterator final : public Table::Iterator {
 public:
  TableIterator(const TableState* rep, bool scan) : rep_(rep), scan_(scan) {}

  Status Seek(std::string_view target) override {
    if (valid_) {
      // A target inside the current block's key range (leapfrog joins,
      // range decompositions, point reads of neighbouring ids): search that
      // block only, after the current entry when seeking forward.
      std::string_view first, last;
      if (!view_.FirstKey(&first) || !view_.LastKey(&last)) {
        valid_ = false;
        return Status::Corruption(rep_->BlockAt(block_index_) + ": malformed entry");
      }
      if (first < target && target <= last) {
        const uint32_t from = key_ < target ? entry_ + 1 : 0;
        valid_ = false;
        uint32_t e;
        if (!view_.LowerBound(target, &e, from)) {
          return Status::Corruption(rep_->BlockAt(block_index_) + ": malformed entry");
        }
        return Settle(e);
      }
    }
    valid_ = false;
    const size_t i = Unskipped(rep_->FindBlock(target));
    if (i == rep_->blocks()) return Status::OK();  // past the last key
    CAIRN_RETURN_IF_ERROR(Load(i));
    uint32_t e;
    if (!view_.LowerBound(target, &e)) {
      return Status::Corruption(rep_->BlockAt(i) + ": malformed entry");
    }
    return Settle(e);
  }

  Status SeekToFirst() override {
    valid_ = false;
    const size_t i = Unskipped(0);
    if (i == rep_->blocks()) return Status::OK();
    CAIRN_RETURN_IF_ERROR(Load(i));
    return Settle(0);
  }

  bool Valid() const override { return valid_; }

  Status Next() override {
    valid_ = false;
    return Settle(entry_ + 1);
  }

  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  void SetBlockFilter(const BlockFilter* filter) override { filter_ = filter; }

 private:
  // The first block at or after i that the filter does not skip; blocks()
  // when none.
  size_t Unskipped(size_t i) const {
    if (filter_ == nullptr || rep_->tail.box_at.empty()) return i;
    BlockBox box;
    while (i < rep_->blocks() && rep_->tail.Box(i, &box) && filter_->Skip(rep_->IndexKey(i), box)) i++;
    return i;
  }

  // Makes block i current, reusing it when it already is.
  Status Load(size_t i) {
    if (loaded_ && block_index_ == i) return Status::OK();
    block_.reset();
    block_index_ = i;
    Status s = scan_ ? LoadFromChunk(i) : rep_->GetBlock(i, &block_, &view_);
    loaded_ = s.ok();
    // Never leave the view pointing into a block that failed and was freed.
    if (!s.ok()) view_ = TableBlockView();
    return s;
  }

  // Scan mode: block i from the chunk of consecutive blocks read last, or
  // from a new chunk starting at block i; checked in full either way.
  Status LoadFromChunk(size_t i) {
    const std::vector<IndexEntry>& index = rep_->tail.index;
    if (chunk_ == nullptr || i < chunk_first_ || i >= chunk_end_) {
      chunk_.reset();
      size_t end = i + 1;
      uint64_t bytes = index[i].size;
      while (end < index.size() && bytes + index[end].size <= kScanChunkBytes) {
        bytes += index[end++].size;
      }
      auto data = std::make_shared<std::string>(static_cast<size_t>(bytes), '\0');
      Status s = ReadFully(rep_->file.get(), index[i].offset, data.get());
      if (!s.ok()) return s.WithContext(rep_->BlockAt(i));
      chunk_ = std::move(data);
      chunk_first_ = i;
      chunk_end_ = end;
    }
    const std::string_view raw = std::string_view(*chunk_).substr(
        static_cast<size_t>(index[i].offset - index[chunk_first_].offset), index[i].size);
    Status s = rep_->ValidateBlock(i, raw, &view_);
    if (!s.ok()) return s.WithContext(rep_->BlockAt(i));
    block_ = chunk_;
    return s;
  }

  // Positions at entry e of the current block, or at the start of the next
  // block when e is past its end.
  Status Settle(uint32_t e) {
    while (e >= view_.count()) {
      const size_t next = Unskipped(block_index_ + 1);
      if (next >= rep_->blocks()) return Status::OK();  // end
      CAIRN_RETURN_IF_ERROR(Load(next));
      e = 0;
    }
    if (!view_.Entry(e, &key_, &value_)) {
      return Status::Corruption(rep_->BlockAt(block_index_) + ": entry " + std::to_string(e) +
                                " is malformed");
    }
    entry_ = e;
    valid_ = true;
    return Status::OK();
  }

  const TableState* rep_;
  const bool scan_;
  const BlockFilter* filter_ = nullptr;
  std::shared_ptr<const std::string> chunk_;  // scan mode: blocks [chunk_first_, chunk_end_)
  size_t chunk_first_ = 0;
  size_t chunk_end_ = 0;
  size_t block_index_ = 0;
  BlockCache::Block block_;  // keeps key_ and value_ alive (null for a mapped table)
  bool loaded_ = false;      // view_ holds block block_index_
  TableBlockView view_;
  uint32_t entry_ = 0;
  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
};

}  // namespace

struct Table::Rep {
  TableState state;
};

Result<std::unique_ptr<Table>> Table::Open(std::unique_ptr<File> file, std::string name,
                                           uint64_t file_id, BlockCache* cache, bool map) {
  if (file == nullptr) return Status::InvalidArgument(name + ": no file");
  auto rep = std::make_unique<Rep>();
  TableState& t = rep->state;
  CAIRN_RETURN_IF_ERROR(ReadTail(file.get(), name, &t.tail));
  if (map) {
    // A storage that cannot map this file now (no address space, a
    // filesystem without mmap) still reads it: through File::Read.
    auto mapping = file->Map(t.tail.file_size);
    if (mapping.ok() && *mapping != nullptr) {
      t.mapping = std::move(mapping).value();
      t.mapped = t.mapping->bytes();
    }
  }
  t.file = std::move(file);
  t.name = std::move(name);
  t.file_id = file_id;
  t.cache = cache;
  return std::unique_ptr<Table>(new Table(std::move(rep)));
}

Table::Table(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Table::~Table() = default;

const std::string& Table::metadata() const { return rep_->state.tail.metadata; }
uint64_t Table::entries() const { return rep_->state.tail.footer.entries; }
uint64_t Table::file_id() const { return rep_->state.file_id; }
bool Table::mapped() const { return !rep_->state.mapped.empty(); }
uint64_t Table::file_size() const { return rep_->state.tail.file_size; }

size_t Table::index_memory_bytes() const {
  const TableTail& tail = rep_->state.tail;
  return tail.index_keys.capacity() + tail.index.capacity() * sizeof(IndexEntry) +
         tail.group_prefixes.capacity() * sizeof(KeyPrefix) +
         (tail.box_at.capacity() + tail.boxes.capacity()) * sizeof(uint32_t);
}

size_t Table::boxed_blocks() const {
  const std::vector<uint32_t>& at = rep_->state.tail.box_at;
  return static_cast<size_t>(std::count_if(at.begin(), at.end(), [](uint32_t b) { return b != TableTail::kNoBox; }));
}

std::unique_ptr<Table::Iterator> Table::NewIterator() const {
  return std::make_unique<TableIterator>(&rep_->state, /*scan=*/false);
}

std::unique_ptr<Table::Iterator> Table::NewScanIterator() const {
  return std::make_unique<TableIterator>(&rep_->state, /*scan=*/true);
}

Status Table::Check(std::vector<std::string>* problems) const {
  const TableState& r = rep_->state;
  // The tail again, from the file: it may have been damaged since Open.
  TableTail fresh;
  Status s = ReadTail(r.file.get(), r.name, &fresh);
  if (s.IsCorruption()) {
    problems->push_back(s.message());
  } else if (!s.ok()) {
    return s;
  } else if (!(fresh == r.tail)) {
    problems->push_back(At(r.name, "footer", fresh.file_size - kTableFooterSize) +
                        ": table changed since it was opened");
  }

  // Every data block, from the file rather than the cache, in large reads.
  uint64_t entries = 0;
  bool blocks_ok = true;
  std::string chunk;
  for (size_t first = 0; first < r.blocks();) {
    size_t end = first + 1;
    uint64_t bytes = r.tail.index[first].size;
    while (end < r.blocks() && bytes + r.tail.index[end].size <= kCheckChunkBytes) {
      bytes += r.tail.index[end++].size;
    }
    chunk.assign(static_cast<size_t>(bytes), '\0');
    size_t got = 0;
    s = r.file->Read(r.tail.index[first].offset, chunk.size(),
                     reinterpret_cast<uint8_t*>(chunk.data()), &got);
    if (!s.ok()) return s.WithContext(r.BlockAt(first));
    for (size_t i = first; i < end; i++) {
      const uint64_t at = r.tail.index[i].offset - r.tail.index[first].offset;
      if (at + r.tail.index[i].size > got) {
        problems->push_back(r.BlockAt(i) + ": truncated");
        blocks_ok = false;
        continue;
      }
      TableBlockView view;
      s = r.ValidateBlock(
          i, std::string_view(chunk).substr(static_cast<size_t>(at), r.tail.index[i].size), &view);
      if (s.ok()) s = r.CheckBox(i, view);
      if (!s.ok()) {
        problems->push_back(r.BlockAt(i) + ": " + s.message());
        blocks_ok = false;
        continue;
      }
      entries += view.count();
    }
    first = end;
  }
  if (blocks_ok && entries != r.tail.footer.entries) {
    problems->push_back(At(r.name, "footer", r.tail.file_size - kTableFooterSize) +
                        ": entry count " + std::to_string(r.tail.footer.entries) +
                        ", but the blocks hold " + std::to_string(entries));
  }
  return Status::OK();
}

}  // namespace cairn
