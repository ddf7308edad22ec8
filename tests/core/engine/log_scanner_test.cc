#include "engine/log_scanner.h"

#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "engine/log_writer.h"

namespace cairn {
namespace {

std::string Records(int n) {
  std::string out;
  for (int i = 0; i < n; i++) AppendRecordBytes(kRecordCommit, std::string(10 + i * 7, 'a' + i), &out);
  return out;
}

TEST(LogScannerTest, ReadsRecordsThenCleanEndInZeroPadding) {
  std::string bytes = Records(3);
  bytes.append(4096 - bytes.size(), '\0');
  LogScanner s(bytes, 0, 0);
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
    EXPECT_EQ(s.payload(), std::string(10 + i * 7, 'a' + i));
  }
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kEnd);
}

TEST(LogScannerTest, LastRecordWithZeroedEndIsATornTail) {
  std::string bytes = Records(3);
  size_t last = Records(2).size();
  // A torn write: only a prefix of the last record reached the disk; the rest
  // is still the zeros that were there before.
  for (size_t i = last + 20; i < bytes.size(); i++) bytes[i] = 0;
  bytes.append(4096 - bytes.size(), '\0');
  LogScanner s(bytes, 0, 0);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kTornTail);
  EXPECT_EQ(s.offset(), last);
  EXPECT_EQ(s.reason(), "checksum mismatch");
}

TEST(LogScannerTest, FlippedByteInAFullyWrittenLastRecordIsCorruption) {
  std::string bytes = Records(3);
  size_t last = Records(2).size();
  bytes[last + 20] ^= 1;
  bytes.append(4096 - bytes.size(), '\0');
  LogScanner s(bytes, 0, 0);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kCorrupt);
  EXPECT_EQ(s.offset(), last);
  EXPECT_EQ(s.reason(), "checksum mismatch in a fully written commit record");
}

TEST(LogScannerTest, RecordWithAZeroedSectorIsATornTail) {
  // A multi-block write whose middle never reached the disk.
  std::string bytes;
  AppendRecordBytes(kRecordCommit, std::string(3000, 'q'), &bytes);
  for (size_t i = 1024; i < 1536; i++) bytes[i] = 0;
  LogScanner s(bytes, 0, 0);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kTornTail);
}

TEST(LogScannerTest, ResyncFindsTheRecordAfterDamage) {
  std::string bytes = Records(3);
  bytes[20] ^= 0x40;
  LogScanner s(bytes, 0, 0);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kCorrupt);
  ASSERT_TRUE(s.Resync());
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.payload(), std::string(17, 'b'));
}

TEST(LogScannerTest, DamageFollowedByAValidRecordIsCorruption) {
  std::string bytes = Records(3);
  bytes[20] ^= 0x40;  // inside the first record's payload
  LogScanner s(bytes, 0, 0);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kCorrupt);
  EXPECT_EQ(s.offset(), 0u);
}

TEST(LogScannerTest, ZeroedHeaderBeforeValidRecordsIsCorruption) {
  std::string bytes = Records(3);
  size_t first = Records(1).size();
  for (size_t i = 0; i < kRecordHeaderBytes; i++) bytes[first + i] = 0;
  LogScanner s(bytes, 0, 0);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kCorrupt);
}

TEST(LogScannerTest, LengthPastEndIsATornTail) {
  std::string bytes = Records(2);
  bytes.resize(bytes.size() - 10);  // into the second record's payload
  LogScanner s(bytes, 0, 0);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.Next(), LogScanner::Outcome::kTornTail);
}

TEST(LogScannerTest, StartsAtAnOffsetWithinABase) {
  std::string bytes = Records(3);
  size_t second = Records(1).size();
  LogScanner s(std::string_view(bytes).substr(8), 8, second);
  ASSERT_EQ(s.Next(), LogScanner::Outcome::kRecord);
  EXPECT_EQ(s.offset(), second);
  EXPECT_EQ(s.payload(), std::string(17, 'b'));
}

}  // namespace
}  // namespace cairn
