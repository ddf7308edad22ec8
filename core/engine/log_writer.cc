#include "engine/log_writer.h"

#include <cstring>

#include "engine/log_format.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {

void AppendRecordBytes(uint8_t type, std::string_view payload, std::string* out) {
  size_t start = out->size();
  out->append(8, '\0');  // checksum, filled below
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  out->push_back(static_cast<char>(type));
  out->append(3, '\0');
  out->append(payload.data(), payload.size());
  out->append(AlignUp(out->size() - start, kRecordAlign) - (out->size() - start), '\0');
  uint64_t sum = Checksum64(out->data() + start + 8, kRecordHeaderBytes - 8 + payload.size());
  EncodeFixed64(reinterpret_cast<uint8_t*>(out->data() + start), sum);
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
  scratch_.clear();
  scratch_.append(tail_);
  AppendRecordBytes(type, payload, &scratch_);
  const uint64_t new_end = block_start + scratch_.size();
  scratch_.append(AlignUp(scratch_.size(), kStorageBlockSize) - scratch_.size(), '\0');
  CAIRN_RETURN_IF_ERROR(file_->Write(block_start, reinterpret_cast<const uint8_t*>(scratch_.data()),
                                     scratch_.size()));
  *payload_offset = end_ + kRecordHeaderBytes;
  end_ = new_end;
  const uint64_t tail_start = AlignDown(end_, kStorageBlockSize);
  tail_.assign(scratch_.data() + (tail_start - block_start), end_ - tail_start);
  return Status::OK();
}

}  // namespace cairn
