// TableBuilder: key order, call order, durability (Finish syncs), error
// propagation, and the exact bytes it writes.
#include <gtest/gtest.h>

#include <string>

#include "engine/table.h"
#include "tests/core/engine/table_test_util.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

TEST(TableBuilderTest, KeysMustStrictlyIncrease) {
  auto state = NewTableTestFile();
  TableTestFile file(state);
  TableBuilder builder(&file, "t.cairn");
  ASSERT_TRUE(builder.Add("b", "1").ok());
  Status s = builder.Add("b", "2");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("t.cairn"), std::string::npos) << s.message();
  EXPECT_EQ(builder.Add("a", "3").code(), Code::kInvalidArgument);
  // 0xFF sorts after every ASCII byte (memcmp order), 0x00 before.
  EXPECT_EQ(builder.Add(std::string("b\0", 2), "").code(), Code::kOk);
  EXPECT_EQ(builder.Add("\xff", "4").code(), Code::kOk);
  EXPECT_EQ(builder.Add("c", "5").code(), Code::kInvalidArgument);
  EXPECT_EQ(builder.entries(), 3u);
  ASSERT_TRUE(builder.Finish("").ok());

  auto table = OpenTestTable(state, nullptr);
  ASSERT_TRUE(table.ok());
  ExpectFullScan(**table, {{"b", "1"}, {std::string("b\0", 2), ""}, {"\xff", "4"}});
}

TEST(TableBuilderTest, AddAfterFinishAndFinishTwiceAreRejected) {
  auto state = NewTableTestFile();
  TableTestFile file(state);
  TableBuilder builder(&file, "t.cairn");
  ASSERT_TRUE(builder.Add("a", "1").ok());
  ASSERT_TRUE(builder.Finish("").ok());
  EXPECT_EQ(builder.Add("b", "2").code(), Code::kInvalidArgument);
  EXPECT_EQ(builder.Finish("").code(), Code::kInvalidArgument);
}

TEST(TableBuilderTest, FinishWritesEverythingAndSyncsOnce) {
  auto state = NewTableTestFile();
  TableTestFile file(state);
  TableOptions options;
  options.block_bytes = 64;
  TableBuilder builder(&file, "t.cairn", options);
  for (int i = 0; i < 5000; i++) {
    std::string key;
    PutBigEndian64(&key, i);
    ASSERT_TRUE(builder.Add(key, "value").ok());
  }
  EXPECT_EQ(state->syncs, 0);
  ASSERT_TRUE(builder.Finish("m").ok());
  EXPECT_EQ(state->syncs, 1);
  EXPECT_EQ(builder.file_size(), state->data.size());
}

TEST(TableBuilderTest, FileMustBeEmpty) {
  auto state = NewTableTestFile();
  state->data = "old bytes";
  TableTestFile file(state);
  TableBuilder builder(&file, "t.cairn");
  ASSERT_TRUE(builder.Add("a", "1").ok());
  EXPECT_EQ(builder.Finish("").code(), Code::kInvalidArgument);
  EXPECT_EQ(state->data, "old bytes");
}

TEST(TableBuilderTest, WriteErrorIsReturnedAndSticky) {
  auto state = NewTableTestFile();
  state->fail_writes = true;
  TableTestFile file(state);
  TableOptions options;
  options.block_bytes = 64;
  TableBuilder builder(&file, "t.cairn", options);
  Status first;
  uint64_t i = 0;
  // The builder writes in large chunks; keep adding until a write happens.
  for (; first.ok() && i < 100000; i++) {
    std::string key;
    PutBigEndian64(&key, i);
    first = builder.Add(key, std::string(100, 'v'));
  }
  ASSERT_TRUE(first.IsIOError()) << first.ToString();
  state->fail_writes = false;
  std::string key;
  PutBigEndian64(&key, i + 1);
  EXPECT_TRUE(builder.Add(key, "v").IsIOError());
  EXPECT_TRUE(builder.Finish("").IsIOError());
  EXPECT_EQ(state->syncs, 0);
}

TEST(TableBuilderTest, SyncErrorFailsFinish) {
  auto state = NewTableTestFile();
  state->fail_syncs = true;
  TableTestFile file(state);
  TableBuilder builder(&file, "t.cairn");
  ASSERT_TRUE(builder.Add("a", "1").ok());
  Status s = builder.Finish("");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("t.cairn"), std::string::npos) << s.message();
}

// The byte layout of a one-entry table, spelled out (FORMAT.md test vector).
TEST(TableBuilderTest, FormatOfAOneEntryTable) {
  auto state = NewTableTestFile();
  ASSERT_TRUE(BuildTestTable(state, {{"a", "b"}}, "m").ok());
  const std::string& f = state->data;
  ASSERT_EQ(f.size(), 21u + 22u + 10u + 64u);
  auto bytes = [&](size_t at, size_t n) { return f.substr(at, n); };
  auto sum = [&](size_t at, size_t n) {
    std::string s;
    PutFixed64(&s, Checksum64(f.data() + at, n));
    return s;
  };
  // Data block at 0, 21 bytes: entry, offsets, count, kind 1, checksum.
  EXPECT_EQ(bytes(0, 13), std::string("\x01\x01"
                                      "ab"
                                      "\0\0\0\0"
                                      "\x01\0\0\0"
                                      "\x01",
                                      13));
  EXPECT_EQ(bytes(13, 8), sum(0, 13));
  // Index block at 21, 22 bytes: key "a", handle varint(0) varint(21).
  EXPECT_EQ(bytes(21, 14), std::string("\x01\x02"
                                       "a"
                                       "\x00\x15"
                                       "\0\0\0\0"
                                       "\x01\0\0\0"
                                       "\x02",
                                       14));
  EXPECT_EQ(bytes(35, 8), sum(21, 14));
  // Metadata at 43, 10 bytes: "m", kind 3, checksum.
  EXPECT_EQ(bytes(43, 2), "m\x03");
  EXPECT_EQ(bytes(45, 8), sum(43, 2));
  // Footer at 53.
  std::string footer;
  PutFixed64(&footer, 21);  // index offset
  PutFixed64(&footer, 22);  // index size
  PutFixed64(&footer, 43);  // metadata offset
  PutFixed64(&footer, 10);  // metadata size
  PutFixed64(&footer, 1);   // entries
  PutFixed32(&footer, 1);   // format version
  PutFixed32(&footer, 0);   // reserved
  footer += "CAIRNTBL";
  EXPECT_EQ(bytes(53, 56), footer);
  EXPECT_EQ(bytes(109, 8), sum(53, 56));
}

// The same table as one golden vector (FORMAT.md), so that a change of the
// encoding or of the checksum function cannot go unnoticed.
// Lowercase hex of `bytes`, for the golden vectors.
std::string Hex(const std::string& bytes) {
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back("0123456789abcdef"[c >> 4]);
    hex.push_back("0123456789abcdef"[c & 15]);
  }
  return hex;
}

// A one-entry table whose block has a box (FORMAT.md, "Block boxes"): key
// 'S', BE32(7), 8 zero bytes; value "v"; prefix_bytes 1, one axis. Version
// 2, and the box [7, 7] after the handle.
TEST(TableBuilderTest, GoldenOneEntryTableWithABox) {
  std::string key = "S";
  PutBigEndian32(&key, 7);
  key.append(8, '\0');
  TableOptions options;
  options.box_prefix_bytes = 1;
  options.box_dims = [](std::string_view k) { return k.size() == 13 ? 1u : 0u; };
  auto state = NewTableTestFile();
  ASSERT_TRUE(BuildTestTable(state, {{key, "v"}}, "m", options).ok());
  static const char kGolden[] =
      "0d0153000000070000000000000000760000000001000000011a9cc186e60578"
      "8b0d0c5300000007000000000000000000210101070000000700000000000000"
      "01000000024453f171ae7fd1ed6d031d5a59bdd9180f8a21000000000000002c"
      "000000000000004d000000000000000a00000000000000010000000000000002"
      "00000000000000434149524e54424c026e98711e36b630";
  EXPECT_EQ(Hex(state->data), kGolden);
  EXPECT_EQ(TestTableFooter(state->data).version, 2u);
}

TEST(TableBuilderTest, GoldenOneEntryTable) {
  auto state = NewTableTestFile();
  ASSERT_TRUE(BuildTestTable(state, {{"a", "b"}}, "m").ok());
  static const char kGolden[] =
      "01016162000000000100000001bc36cedeb72ecf0a0102610015000000000100"
      "00000298ca50dcfdf34dfe6d031d5a59bdd9180f8a1500000000000000160000"
      "00000000002b000000000000000a000000000000000100000000000000010000"
      "0000000000434149524e54424cc3e4f36c95d3731e";
  EXPECT_EQ(Hex(state->data), kGolden);
}

}  // namespace
}  // namespace cairn
