// LogWriter appends records to one log segment in whole, aligned 4096-byte
// blocks (see log_format.h), so the same bytes work with O_DIRECT.
//
// Thread-safety: not thread-safe; the engine's commit leader owns it.
#ifndef CAIRN_ENGINE_LOG_WRITER_H_
#define CAIRN_ENGINE_LOG_WRITER_H_

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {

class LogWriter {
 public:
  // `file` is the segment, `end` the end of its valid records (a multiple of
  // 8), `tail` the bytes of [AlignDown(end, 4096), end) as they are on disk.
  LogWriter(std::unique_ptr<File> file, uint32_t segment, uint64_t end, std::string tail);

  // Appends one record. On success *payload_offset is the file offset of the
  // payload's first byte. The record is written but not synced.
  Status Append(uint8_t type, std::string_view payload, uint64_t* payload_offset);

  Status Sync();

  uint32_t segment() const { return segment_; }
  uint64_t end() const { return end_; }
  // Every byte before this offset is known to be on stable storage.
  uint64_t synced_end() const { return synced_end_; }
  bool direct() const { return file_->IsDirect(); }

  // Bytes that Append(payload of n bytes) adds to end().
  static uint64_t RecordBytes(size_t n);

 private:
  std::unique_ptr<File> file_;
  uint32_t segment_;
  uint64_t end_;
  uint64_t synced_end_;
  std::string tail_;     // bytes of the partly filled last block
  // The reused write buffer, aligned to kStorageBlockSize.
  struct AlignedDelete {
    void operator()(uint8_t* p) const { ::operator delete(p, std::align_val_t{kStorageBlockSize}); }
  };
  std::unique_ptr<uint8_t, AlignedDelete> buffer_;
  size_t buffer_capacity_ = 0;
};

// Builds the bytes of one record (header, payload, padding to 8 bytes).
void AppendRecordBytes(uint8_t type, std::string_view payload, std::string* out);

}  // namespace cairn

#endif  // CAIRN_ENGINE_LOG_WRITER_H_
