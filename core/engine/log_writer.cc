#include "engine/log_writer.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "engine/log_format.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {

namespace {

// Writes the record of `payload` (LogWriter::RecordBytes(payload.size())
// bytes) at `out`.
void EncodeRecordBytes(uint8_t type, std::string_view payload, uint8_t* out) {
  EncodeFixed32(out + 8, static_cast<uint32_t>(payload.size()));
  out[12] = type;
  std::memset(out + 13, 0, 3);
  std::memcpy(out + kRecordHeaderBytes, payload.data(), payload.size());
  const size_t used = kRecordHeaderBytes + payload.size();
  std::memset(out + used, 0, LogWriter::RecordBytes(payload.size()) - used);
  EncodeFixed64(out, Checksum64(out + 8, kRecordHeaderBytes - 8 + payload.size()));
}

}  // namespace

void AppendRecordBytes(uint8_t type, std::string_view payload, std::string* out) {
  const size_t start = out->size();
  out->resize(start + LogWriter::RecordBytes(payload.size()));
  EncodeRecordBytes(type, payload, reinterpret_cast<uint8_t*>(out->data() + start));
}

uint64_t LogWriter::RecordBytes(size_t n) { return AlignUp(kRecordHeaderBytes + n, kRecordAlign); }

LogWriter::LogWriter(std::unique_ptr<File> file, uint32_t segment, uint64_t end, std::string tail)
    : file_(std::move(file)), segment_(segment), end_(end), synced_end_(end), tail_(std::move(tail)) {}

Status LogWriter::Sync() {
  const uint64_t end = end_;
  CAIRN_RETURN_IF_ERROR(file_->Sync());
  synced_end_ = end;
  return Status::OK();
}

Status LogWriter::Append(uint8_t type, std::string_view payload, uint64_t* payload_offset) {
  if (payload.size() > kMaxRecordBytes) {
    return Status::InvalidArgument("log record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the limit");
  }
  const uint64_t block_start = AlignDown(end_, kStorageBlockSize);
  // The partly filled last block, the record, zeros to the block's end: in a
  // block-aligned buffer, so that a direct-I/O file writes it in one call
  // instead of through bounce copies.
  const size_t used = tail_.size() + RecordBytes(payload.size());
  const size_t total = AlignUp(used, kStorageBlockSize);
  if (buffer_capacity_ < total) {
    buffer_capacity_ = std::max(total, 2 * buffer_capacity_);
    buffer_.reset(static_cast<uint8_t*>(::operator new(buffer_capacity_, std::align_val_t{kStorageBlockSize})));
  }
  uint8_t* b = buffer_.get();
  std::memcpy(b, tail_.data(), tail_.size());
  EncodeRecordBytes(type, payload, b + tail_.size());
  std::memset(b + used, 0, total - used);
  const uint64_t new_end = block_start + used;
  CAIRN_RETURN_IF_ERROR(file_->Write(block_start, b, total));
  *payload_offset = end_ + kRecordHeaderBytes;
  end_ = new_end;
  const uint64_t tail_start = AlignDown(end_, kStorageBlockSize);
  tail_.assign(reinterpret_cast<const char*>(b) + (tail_start - block_start), end_ - tail_start);
  return Status::OK();
}

}  // namespace cairn
