// LogScanner walks the records of one log segment held in memory, telling a
// clean end, a torn tail (a bad record with nothing valid after it) and
// corruption (a bad record followed by a valid one) apart.
#ifndef CAIRN_ENGINE_LOG_SCANNER_H_
#define CAIRN_ENGINE_LOG_SCANNER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {

class LogScanner {
 public:
  enum class Outcome {
    kRecord,    // a valid record: type(), payload(), offset()
    kEnd,       // no more records; offset() is the end of valid data
    kTornTail,  // a bad record at offset() that a torn write explains
    kCorrupt,   // a bad record at offset() that only damage explains: a valid
                // record follows it, or it is a fully written commit record
  };

  // `bytes` holds the segment from file offset `base`; scanning starts at
  // `start` (>= base, a multiple of 8).
  LogScanner(std::string_view bytes, uint64_t base, uint64_t start);

  Outcome Next();

  uint8_t type() const { return type_; }
  std::string_view payload() const { return payload_; }
  // File offset of the current record (kRecord) or of the end / bad record.
  uint64_t offset() const { return offset_; }
  // File offset just past the current record and its padding.
  uint64_t next_offset() const { return base_ + pos_; }
  // Why the record at offset() is bad.
  const std::string& reason() const { return reason_; }

  // After kCorrupt: moves to the next valid record, so that a verifier can
  // keep checking what follows damage. False when there is none.
  bool Resync();

 private:
  bool ValidRecordAt(size_t pos, std::string* why) const;
  bool ValidRecordAfter(size_t pos) const;
  bool FullyWritten(size_t pos) const;

  std::string_view bytes_;
  uint64_t base_;
  size_t pos_;
  uint8_t type_ = 0;
  std::string_view payload_;
  uint64_t offset_ = 0;
  std::string reason_;
};

// Reads [from, end of file) of `file` into *out.
Status ReadFileFrom(File* file, uint64_t from, std::string* out);

}  // namespace cairn

#endif  // CAIRN_ENGINE_LOG_SCANNER_H_
