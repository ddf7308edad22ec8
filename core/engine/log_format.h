// Log segments (FORMAT.md, "Log segments").
//
// A segment "log-NNNNNN.cairn" is a sequence of records, each starting at a
// multiple of 8 bytes:
//   u64 checksum   XXH3-64 of bytes [8, 16 + length) of the record
//   u32 length     of the payload
//   u8  type       1 = segment header, 2 = commit
//   u8[3]          zero
//   payload[length], then zero padding to a multiple of 8
// After the last record the file holds zeros up to a multiple of 4096 bytes:
// the engine always writes whole aligned 4096-byte blocks (so O_DIRECT works),
// rewriting the partly filled last block with identical leading bytes.
//
// Segment header payload: "CAIRNLOG" u32 format_version u32 segment_number.
// Commit payload: u64 first_seq, u32 count, head_after[32], u64
// synced_through (every byte of this segment before it was synced when the
// record was written; in strict mode that is the record's own offset), then `count`
// items, each: varint n, u64 XXH3-64 of the entry, the entry (n - 8 bytes,
// docs/version_codec.h). An index location names an item's checksum, so a
// point read checks the bytes it returns without reading the whole record.
// One commit record holds one group commit: all its writes or none survive.
#ifndef CAIRN_ENGINE_LOG_FORMAT_H_
#define CAIRN_ENGINE_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kRecordHeaderBytes = 16;
inline constexpr size_t kRecordAlign = 8;
inline constexpr uint8_t kRecordSegmentHeader = 1;
inline constexpr uint8_t kRecordCommit = 2;
inline constexpr char kLogMagic[8] = {'C', 'A', 'I', 'R', 'N', 'L', 'O', 'G'};
inline constexpr size_t kSegmentHeaderPayloadBytes = 16;
inline constexpr size_t kCommitHeaderBytes = 8 + 4 + 32 + 8;
inline constexpr size_t kCommitSyncedThroughOffset = 8 + 4 + 32;
// A record may not exceed this (a batch is bounded by Limits).
inline constexpr uint32_t kMaxRecordBytes = 1u << 30;

inline uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
inline uint64_t AlignDown(uint64_t v, uint64_t a) { return v / a * a; }

inline constexpr size_t kEntryChecksumBytes = 8;

// Appends one commit item holding `entry`; returns the item's offset in
// *payload and sets *item_bytes to its size (checksum + entry).
size_t AppendCommitItem(std::string* payload, std::string_view entry, size_t* item_bytes);

// Reads the next item from the front of *rest: *item is checksum + entry,
// *entry the entry. False when the item is cut short.
bool NextCommitItem(std::string_view* rest, std::string_view* item, std::string_view* entry);

// Checks an item's checksum and returns its entry, or false.
bool CheckCommitItem(std::string_view item, std::string_view* entry);

std::string SegmentFileName(uint32_t segment);
// Parses "log-NNNNNN.cairn". False for any other name.
bool ParseSegmentFileName(const std::string& name, uint32_t* segment);

std::string CheckpointFileName(uint64_t seq);
bool ParseCheckpointFileName(const std::string& name, uint64_t* seq);

}  // namespace cairn

#endif  // CAIRN_ENGINE_LOG_FORMAT_H_
