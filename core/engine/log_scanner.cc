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

bool LogScanner::ValidRecordAfter(size_t pos) const {
  std::string why;
  for (size_t p = AlignUp(pos + 1, kRecordAlign); p + kRecordHeaderBytes <= bytes_.size();
       p += kRecordAlign) {
    // Cheap filters first: most positions fail them.
    uint8_t type = static_cast<uint8_t>(bytes_[p + 12]);
    if (type != kRecordSegmentHeader && type != kRecordCommit) continue;
    if (bytes_[p + 13] || bytes_[p + 14] || bytes_[p + 15]) continue;
    if (ValidRecordAt(p, &why)) return true;
  }
  return false;
}

LogScanner::Outcome LogScanner::Next() {
  offset_ = base_ + pos_;
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
    return ValidRecordAfter(pos_) ? Outcome::kCorrupt : Outcome::kTornTail;
  }
  uint32_t len = DecodeFixed32(bytes_.data() + pos_ + 8);
  type_ = static_cast<uint8_t>(bytes_[pos_ + 12]);
  payload_ = bytes_.substr(pos_ + kRecordHeaderBytes, len);
  pos_ += AlignUp(kRecordHeaderBytes + len, kRecordAlign);
  if (pos_ > bytes_.size()) pos_ = bytes_.size();
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
