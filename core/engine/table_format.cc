#include "engine/table_format.h"

#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

// Decodes the entry at `offset` in data[0, end). Sets *next to the offset just
// past it. False when the entry does not fit.
bool DecodeEntry(const char* data, uint64_t end, uint64_t offset, std::string_view* key,
                 std::string_view* value, uint64_t* next) {
  if (offset >= end) return false;
  std::string_view in(data + offset, static_cast<size_t>(end - offset));
  uint64_t key_len;
  uint64_t value_len;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  if (in.size() >= 2 && (p[0] | p[1]) < 0x80) {
    // Both lengths under 128, one byte each: nearly every index entry.
    key_len = p[0];
    value_len = p[1];
    in.remove_prefix(2);
  } else if (!GetVarint64(&in, &key_len) || !GetVarint64(&in, &value_len)) {
    return false;
  }
  if (key_len > in.size() || value_len > in.size() - key_len) return false;
  *key = in.substr(0, static_cast<size_t>(key_len));
  *value = in.substr(static_cast<size_t>(key_len), static_cast<size_t>(value_len));
  *next = static_cast<uint64_t>(value->data() + value->size() - data);
  return true;
}

}  // namespace

void AppendTableBlockTrailer(std::string* dst, size_t block_start, TableBlockKind kind) {
  dst->push_back(static_cast<char>(kind));
  PutFixed64(dst, Checksum64(dst->data() + block_start, dst->size() - block_start));
}

void EncodeTableFooter(const TableFooter& footer, std::string* dst) {
  const size_t start = dst->size();
  PutFixed64(dst, footer.index_offset);
  PutFixed64(dst, footer.index_size);
  PutFixed64(dst, footer.metadata_offset);
  PutFixed64(dst, footer.metadata_size);
  PutFixed64(dst, footer.entries);
  PutFixed32(dst, footer.version);
  PutFixed32(dst, 0);  // reserved
  PutFixed64(dst, kTableMagic);
  PutFixed64(dst, Checksum64(dst->data() + start, dst->size() - start));
}

Status DecodeTableFooter(std::string_view bytes, TableFooter* footer) {
  if (bytes.size() != kTableFooterSize) return Status::Corruption("footer has wrong size");
  const char* p = bytes.data();
  if (DecodeFixed64(p + 48) != kTableMagic) return Status::Corruption("bad magic");
  if (DecodeFixed64(p + 56) != Checksum64(p, 56)) return Status::Corruption("checksum mismatch");
  footer->index_offset = DecodeFixed64(p);
  footer->index_size = DecodeFixed64(p + 8);
  footer->metadata_offset = DecodeFixed64(p + 16);
  footer->metadata_size = DecodeFixed64(p + 24);
  footer->entries = DecodeFixed64(p + 32);
  footer->version = DecodeFixed32(p + 40);
  if (footer->version != kTableFormatVersion && footer->version != kTableFormatVersionWithoutBoxes) {
    return Status::Corruption("unsupported format version " + std::to_string(footer->version));
  }
  if (DecodeFixed32(p + 44) != 0) return Status::Corruption("reserved field is not zero");
  return Status::OK();
}

Status CheckTableBlockTrailer(std::string_view block, TableBlockKind kind,
                              std::string_view* contents) {
  if (block.size() < kTableBlockTrailerSize)
    return Status::Corruption("block shorter than its trailer");
  const size_t body = block.size() - 8;  // contents + kind byte
  if (DecodeFixed64(block.data() + body) != Checksum64(block.data(), body)) {
    return Status::Corruption("checksum mismatch");
  }
  const uint8_t got = static_cast<uint8_t>(block[body - 1]);
  if (got != static_cast<uint8_t>(kind)) {
    return Status::Corruption("block kind " + std::to_string(got) + ", expected " +
                              std::to_string(static_cast<int>(kind)));
  }
  *contents = block.substr(0, body - 1);
  return Status::OK();
}

Status TableBlockView::Init(std::string_view contents) {
  data_ = contents.data();
  count_ = 0;
  entries_end_ = 0;
  if (contents.size() < kTableBlockCountSize)
    return Status::Corruption("block too short for its count");
  const uint64_t size = contents.size();
  const uint32_t count = DecodeFixed32(contents.data() + size - kTableBlockCountSize);
  // 64-bit arithmetic: count * 4 must not wrap where size_t is 32 bits.
  const uint64_t array_bytes = static_cast<uint64_t>(count) * 4 + kTableBlockCountSize;
  if (array_bytes > size) {
    return Status::Corruption("entry count " + std::to_string(count) + " does not fit the block");
  }
  count_ = count;
  entries_end_ = size - array_bytes;
  return Status::OK();
}

Status TableBlockView::InitAndValidate(std::string_view contents) {
  CAIRN_RETURN_IF_ERROR(Init(contents));
  uint64_t expected = 0;
  std::string_view prev_key;
  for (uint32_t i = 0; i < count_; i++) {
    if (OffsetOf(i) != expected) {
      return Status::Corruption("entry " + std::to_string(i) + " has offset " +
                                std::to_string(OffsetOf(i)) + ", expected " +
                                std::to_string(expected));
    }
    std::string_view key;
    std::string_view value;
    if (!DecodeEntry(data_, entries_end_, expected, &key, &value, &expected)) {
      return Status::Corruption("entry " + std::to_string(i) + " is malformed");
    }
    if (i > 0 && key <= prev_key) {
      return Status::Corruption("entry " + std::to_string(i) + " is out of order");
    }
    prev_key = key;
  }
  if (expected != entries_end_) {
    return Status::Corruption(std::to_string(entries_end_ - expected) +
                              " stray bytes after the last entry");
  }
  return Status::OK();
}

uint32_t TableBlockView::OffsetOf(uint32_t i) const {
  return DecodeFixed32(data_ + entries_end_ + static_cast<uint64_t>(i) * 4);
}

bool TableBlockView::Entry(uint32_t i, std::string_view* key, std::string_view* value) const {
  uint64_t next;
  return DecodeEntry(data_, entries_end_, OffsetOf(i), key, value, &next);
}

bool TableBlockView::KeyAt(uint32_t i, std::string_view* key) const {
  std::string_view value;
  return Entry(i, key, &value);
}

bool TableBlockView::LowerBound(std::string_view target, uint32_t* index, uint32_t from) const {
  uint32_t lo = from;
  uint32_t hi = count_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    std::string_view key;
    if (!KeyAt(mid, &key)) return false;
    if (key < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *index = lo;
  return true;
}

}  // namespace cairn
