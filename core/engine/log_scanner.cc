#include "engine/log_scanner.h"

#include "engine/log_format.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {

LogScanner::LogScanner(std::string_view bytes, uint64_t base, uint64_t start)
    : bytes_(bytes), base_(base), pos_(start - base) {}

bool LogScanner::ValidRecordAt(size_t pos, std::string* why) const {
  if (pos + kRecordHeaderBytes > bytes_.size()) {
    *why = "record header cut short by the end of the file";
    return false;
  }
  const char* h = bytes_.data() + pos;
  uint32_t len = DecodeFixed32(h + 8);
  uint8_t type = static_cast<uint8_t>(h[12]);
  if (type != kRecordSegmentHeader && type != kRecordCommit) {
    *why = "unknown record type " + std::to_string(type);
    return false;
  }
  if (h[13] || h[14] || h[15]) {
    *why = "non-zero reserved header bytes";
    return false;
  }
  if (len > bytes_.size() - pos - kRecordHeaderBytes) {
    *why = "record of " + std::to_string(len) + " bytes runs past the end of the file";
    return false;
  }
  if (Checksum64(h + 8, kRecordHeaderBytes - 8 + len) != DecodeFixed64(h)) {
    *why = "checksum mismatch";
    return false;
  }
  return true;
}

bool LogScanner::Resync() {
  std::string why;
  for (size_t p = AlignUp(pos_ + 1, kRecordAlign); p + kRecordHeaderBytes <= bytes_.size();
       p += kRecordAlign) {
    if (ValidRecordAt(p, &why)) {
      pos_ = p;
      return true;
    }
  }
  return false;
}

// A valid record after a bad one proves damage only if it was written after
// the bad one was synced. A commit written before that (relaxed mode: no sync
// per write) may reach the disk before earlier ones, so a power cut can leave
// it behind a torn record; it is an unsynced tail, not damage.
bool LogScanner::ValidRecordAfter(size_t pos) const {
  std::string why;
  const uint64_t bad_offset = base_ + pos;
  for (size_t p = AlignUp(pos + 1, kRecordAlign); p + kRecordHeaderBytes <= bytes_.size();
       p += kRecordAlign) {
    // Cheap filters first: most positions fail them.
    uint8_t type = static_cast<uint8_t>(bytes_[p + 12]);
    if (type != kRecordSegmentHeader && type != kRecordCommit) continue;
    if (bytes_[p + 13] || bytes_[p + 14] || bytes_[p + 15]) continue;
    if (!ValidRecordAt(p, &why)) continue;
    if (type != kRecordCommit) return true;
    uint32_t len = DecodeFixed32(bytes_.data() + p + 8);
    if (len < kCommitHeaderBytes) return true;
    uint64_t synced_through =
        DecodeFixed64(bytes_.data() + p + kRecordHeaderBytes + kCommitSyncedThroughOffset);
    if (synced_through > bad_offset) return true;
  }
  return false;
}

// A torn write leaves the end of its record as it was before: zeros (the log
// beyond its end is always zero). A fully written commit record ends with the
// last byte of JSON text, never zero, and holds no zeroed 512-byte sector (a
// block that never reached the disk). So a bad commit record that is fully
// written was damaged after the fact.
bool LogScanner::FullyWritten(size_t pos) const {
  if (pos + kRecordHeaderBytes > bytes_.size()) return false;
  const char* h = bytes_.data() + pos;
  uint32_t len = DecodeFixed32(h + 8);
  if (static_cast<uint8_t>(h[12]) != kRecordCommit || h[13] || h[14] || h[15] || len == 0 ||
      len > bytes_.size() - pos - kRecordHeaderBytes) {
    return false;
  }
  const size_t begin = pos + kRecordHeaderBytes, end = begin + len;
  if (bytes_[end - 1] == 0) return false;
  constexpr size_t kSector = 512;
  for (size_t s = AlignUp(base_ + begin, kSector) - base_; s + kSector <= end; s += kSector) {
    bool zero = true;
    for (size_t i = 0; i < kSector && zero; i++) zero = bytes_[s + i] == 0;
    if (zero) return false;
  }
  return true;
}

LogScanner::Outcome LogScanner::Next() {
  offset_ = base_ + pos_;
  if (pos_ >= bytes_.size()) return Outcome::kEnd;
  if (pos_ + kRecordHeaderBytes > bytes_.size()) {
    for (size_t p = pos_; p < bytes_.size(); p++) {
      if (bytes_[p]) {
        reason_ = "stray bytes after the last record";
        return Outcome::kTornTail;
      }
    }
    return Outcome::kEnd;
  }
  bool zero_header = true;
  for (size_t i = 0; i < kRecordHeaderBytes; i++) zero_header &= bytes_[pos_ + i] == 0;
  if (zero_header) {
    if (ValidRecordAfter(pos_)) {
      reason_ = "zeroed record header followed by valid records";
      return Outcome::kCorrupt;
    }
    return Outcome::kEnd;
  }
  if (!ValidRecordAt(pos_, &reason_)) {
    if (ValidRecordAfter(pos_)) return Outcome::kCorrupt;
    if (FullyWritten(pos_)) {
      reason_ += " in a fully written commit record";
      return Outcome::kCorrupt;
    }
    return Outcome::kTornTail;
  }
  uint32_t len = DecodeFixed32(bytes_.data() + pos_ + 8);
  type_ = static_cast<uint8_t>(bytes_[pos_ + 12]);
  payload_ = bytes_.substr(pos_ + kRecordHeaderBytes, len);
  // The padding may run past the end of the file (a write torn inside it);
  // next_offset() still names the aligned end, where the next record goes.
  pos_ += AlignUp(kRecordHeaderBytes + len, kRecordAlign);
  return Outcome::kRecord;
}

Status ReadFileFrom(File* file, uint64_t from, std::string* out) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  out->clear();
  if (size <= from) return Status::OK();
  out->resize(size - from);
  size_t got = 0;
  CAIRN_RETURN_IF_ERROR(file->Read(from, out->size(), reinterpret_cast<uint8_t*>(out->data()), &got));
  out->resize(got);
  return Status::OK();
}

}  // namespace cairn
