// TableBuilder: streams sorted entries into data blocks, then writes the
// index block, the metadata and the footer (layout in table_format.h).

#include <string>
#include <utility>

#include "engine/table.h"
#include "engine/table_format.h"
#include "util/coding.h"

namespace cairn {
namespace {

// Writes reach the storage in chunks of at least this size (except the last),
// because some backends pay a high cost per call.
constexpr size_t kWriteChunkBytes = 64 * 1024;

uint64_t VarintLength(uint64_t v) {
  uint64_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// Accumulates the entries of one block and its offsets array.
class BlockBuilder {
 public:
  bool empty() const { return count_ == 0; }
  uint32_t count() const { return count_; }

  // Bytes of the block before its trailer, once finished.
  uint64_t ContentBytes() const { return entries_.size() + offsets_.size() + kTableBlockCountSize; }

  // Bytes an entry adds to ContentBytes(), its offset included.
  static uint64_t EntryBytes(uint64_t key_len, uint64_t value_len) {
    return VarintLength(key_len) + VarintLength(value_len) + key_len + value_len + 4;
  }

  // REQUIRES: ContentBytes() + EntryBytes(...) + kTableBlockTrailerSize <= kTableMaxBlockBytes.
  void Add(std::string_view key, std::string_view value) {
    PutFixed32(&offsets_, static_cast<uint32_t>(entries_.size()));
    PutVarint64(&entries_, key.size());
    PutVarint64(&entries_, value.size());
    entries_.append(key.data(), key.size());
    entries_.append(value.data(), value.size());
    count_++;
  }

  // Appends the finished block (contents and trailer) to `dst` and resets.
  void FinishInto(std::string* dst, TableBlockKind kind) {
    const size_t start = dst->size();
    dst->append(entries_);
    dst->append(offsets_);
    PutFixed32(dst, count_);
    AppendTableBlockTrailer(dst, start, kind);
    entries_.clear();
    offsets_.clear();
    count_ = 0;
  }

 private:
  std::string entries_;
  std::string offsets_;
  uint32_t count_ = 0;
};

}  // namespace

struct TableBuilder::Rep {
  File* file;
  std::string name;
  TableOptions options;

  BlockBuilder data_block;
  BlockBuilder index_block;
  std::string last_key;
  uint64_t entries = 0;

  // The current data block's box while every key so far qualifies
  // (TableOptions::box_dims); box_dims == 0 when it has none.
  uint32_t box_dims = 0;
  uint32_t box_min[kMaxBoxDims];
  uint32_t box_max[kMaxBoxDims];
  bool any_box = false;

  std::string pending;  // encoded bytes not yet written, starting at `written`
  uint64_t written = 0;
  bool finished = false;
  Status error;  // sticky: after a failed write nothing more is written

  uint64_t position() const { return written + pending.size(); }

  Status Fail(Status s) {
    if (error.ok()) error = s;
    return s;
  }

  Status WritePending() {
    if (pending.empty()) return Status::OK();
    if (written == 0) {
      // The contract says the file is empty; check it once, before the first
      // write, rather than silently interleaving with old bytes.
      Result<uint64_t> size = file->Size();
      if (!size.ok()) return Fail(size.status().WithContext(name));
      if (*size != 0) {
        return Fail(Status::InvalidArgument(name + ": table file is not empty (" +
                                            std::to_string(*size) + " bytes)"));
      }
    }
    Status s =
        file->Write(written, reinterpret_cast<const uint8_t*>(pending.data()), pending.size());
    if (!s.ok()) return Fail(s.WithContext(name + ": write at offset " + std::to_string(written)));
    written += pending.size();
    pending.clear();
    return Status::OK();
  }

  // Widens the current block's box by `key`, which is about to join the
  // block, or drops the box when the key does not qualify.
  void NoteBox(std::string_view key) {
    if (!options.box_dims) return;
    const bool first = data_block.empty();
    if (!first && box_dims == 0) return;
    const size_t prefix = options.box_prefix_bytes;
    const uint32_t dims = options.box_dims(key);
    if (dims == 0 || dims > kMaxBoxDims || prefix > 255 || key.size() < prefix + 4 * size_t{dims} + 8 ||
        (!first && (dims != box_dims || key.substr(0, prefix) != std::string_view(last_key).substr(0, prefix)))) {
      box_dims = 0;
      return;
    }
    const char* coords = key.data() + key.size() - 8 - 4 * size_t{dims};
    for (uint32_t i = 0; i < dims; i++) {
      const uint32_t c = DecodeBigEndian32(coords + 4 * i);
      if (first || c < box_min[i]) box_min[i] = c;
      if (first || c > box_max[i]) box_max[i] = c;
    }
    box_dims = dims;
  }

  Status FlushDataBlock() {
    if (data_block.empty()) return Status::OK();
    const uint64_t offset = position();
    data_block.FinishInto(&pending, TableBlockKind::kData);
    const uint64_t size = position() - offset;

    std::string handle;
    PutVarint64(&handle, offset);
    PutVarint64(&handle, size);
    if (box_dims > 0) {
      handle.push_back(static_cast<char>(options.box_prefix_bytes));
      handle.push_back(static_cast<char>(box_dims));
      for (uint32_t i = 0; i < box_dims; i++) {
        PutFixed32(&handle, box_min[i]);
        PutFixed32(&handle, box_max[i]);
      }
      any_box = true;
    }
    if (index_block.ContentBytes() + BlockBuilder::EntryBytes(last_key.size(), handle.size()) +
            kTableBlockTrailerSize >
        kTableMaxBlockBytes) {
      return Fail(Status::InvalidArgument(name + ": block index exceeds 4 GiB"));
    }
    index_block.Add(last_key, handle);
    if (pending.size() >= kWriteChunkBytes) return WritePending();
    return Status::OK();
  }
};

TableBuilder::TableBuilder(File* file, std::string name, const TableOptions& options)
    : rep_(std::make_unique<Rep>()) {
  rep_->file = file;
  rep_->name = std::move(name);
  rep_->options = options;
}

TableBuilder::~TableBuilder() = default;

Status TableBuilder::Add(std::string_view key, std::string_view value) {
  Rep& r = *rep_;
  if (r.finished) return Status::InvalidArgument(r.name + ": Add after Finish");
  if (!r.error.ok()) return r.error;
  if (r.entries > 0 && key <= std::string_view(r.last_key)) {
    return Status::InvalidArgument(r.name + ": key #" + std::to_string(r.entries) +
                                   " is not greater than the previous key");
  }
  const uint64_t entry_bytes = BlockBuilder::EntryBytes(key.size(), value.size());
  const uint64_t content = r.data_block.ContentBytes();
  if (!r.data_block.empty() &&
      (content + entry_bytes > r.options.block_bytes ||
       content + entry_bytes + kTableBlockTrailerSize > kTableMaxBlockBytes)) {
    CAIRN_RETURN_IF_ERROR(r.FlushDataBlock());
  }
  if (r.data_block.ContentBytes() + entry_bytes + kTableBlockTrailerSize > kTableMaxBlockBytes) {
    return Status::InvalidArgument(r.name + ": entry of " + std::to_string(key.size()) +
                                   "-byte key and " + std::to_string(value.size()) +
                                   "-byte value does not fit in a block (4 GiB)");
  }
  r.NoteBox(key);
  r.data_block.Add(key, value);
  r.last_key.assign(key.data(), key.size());
  r.entries++;
  return Status::OK();
}

Status TableBuilder::Finish(std::string_view metadata) {
  Rep& r = *rep_;
  if (r.finished) return Status::InvalidArgument(r.name + ": Finish called twice");
  r.finished = true;
  if (!r.error.ok()) return r.error;

  CAIRN_RETURN_IF_ERROR(r.FlushDataBlock());

  TableFooter footer;
  footer.version = r.any_box ? kTableFormatVersion : kTableFormatVersionWithoutBoxes;
  footer.entries = r.entries;
  footer.index_offset = r.position();
  r.index_block.FinishInto(&r.pending, TableBlockKind::kIndex);
  footer.index_size = r.position() - footer.index_offset;

  footer.metadata_offset = r.position();
  const size_t metadata_start = r.pending.size();
  r.pending.append(metadata.data(), metadata.size());
  AppendTableBlockTrailer(&r.pending, metadata_start, TableBlockKind::kMetadata);
  footer.metadata_size = r.position() - footer.metadata_offset;

  EncodeTableFooter(footer, &r.pending);
  CAIRN_RETURN_IF_ERROR(r.WritePending());
  Status s = r.file->Sync();
  if (!s.ok()) return r.Fail(s.WithContext(r.name + ": sync"));
  return Status::OK();
}

uint64_t TableBuilder::entries() const { return rep_->entries; }

uint64_t TableBuilder::file_size() const { return rep_->position(); }

}  // namespace cairn
