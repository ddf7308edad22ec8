// What Open, Seek and Check report for each kind of damage: the code, the
// file name and the byte offset, and for Check every problem, not only the
// first.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/block_cache.h"
#include "engine/table.h"
#include "tests/core/engine/table_test_util.h"

namespace cairn {
namespace {

const char kName[] = "index-000012.cairn";

std::string At(const char* what, uint64_t offset) {
  return std::string(kName) + ": " + what + " at offset " + std::to_string(offset);
}

class TableErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 300; i++) {
      std::string key;
      PutBigEndian64(&key, i * 10);
      contents_[key] = "value-" + std::to_string(i);
    }
    auto state = NewTableTestFile();
    TableOptions options;
    options.block_bytes = 256;
    ASSERT_TRUE(BuildTestTable(state, contents_, "meta", options).ok());
    image_ = state->data;
    footer_ = TestTableFooter(image_);
    blocks_ = TestTableBlocks(image_);
    ASSERT_GE(blocks_.size(), 6u);
  }

  // The first key stored in data block `i`: the key after block i-1's last.
  std::string FirstKeyOf(size_t i) {
    if (i == 0) return contents_.begin()->first;
    return contents_.upper_bound(blocks_[i - 1].last_key)->first;
  }

  Result<std::unique_ptr<Table>> Open(const std::string& image) {
    state_ = NewTableTestFile();
    state_->data = image;
    return OpenTestTable(state_, &cache_, kName);
  }

  TableContents contents_;
  std::string image_;
  TableFooter footer_;
  std::vector<TestBlockHandle> blocks_;
  std::shared_ptr<TableTestFileState> state_;
  BlockCache cache_{1 << 20};
};

TEST_F(TableErrorsTest, ShortFile) {
  auto table = Open(image_.substr(0, 10));
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsCorruption());
  EXPECT_EQ(table.status().message(),
            At("footer", 0) + ": file is 10 bytes, shorter than the footer");
}

TEST_F(TableErrorsTest, BadMagic) {
  std::string image = image_;
  image[image.size() - 10] ^= 1;  // inside the magic
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsCorruption());
  EXPECT_EQ(table.status().message(), At("footer", image.size() - 64) + ": bad magic");
}

TEST_F(TableErrorsTest, FooterChecksum) {
  std::string image = image_;
  image[image.size() - 64] ^= 1;  // index offset
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(), At("footer", image.size() - 64) + ": checksum mismatch");
}

// A table whose blocks have boxes (1-D keys: a 1-byte prefix, the
// coordinate, an 8-byte suffix), and the image offset of block 0's box.
struct BoxedTable {
  std::string image;
  uint64_t box_at = 0;  // block 0's box: u8 prefix_bytes, u8 dims, min, max
};

BoxedTable BuildBoxedTable() {
  TableContents contents;
  for (uint32_t i = 0; i < 200; i++) {
    std::string key = "S";
    PutBigEndian32(&key, i * 7);
    PutBigEndian64(&key, 0);
    contents[key] = "v";
  }
  TableOptions options;
  options.block_bytes = 128;
  options.box_prefix_bytes = 1;
  options.box_dims = [](std::string_view key) { return key.size() == 13 ? 1u : 0u; };
  auto state = NewTableTestFile();
  EXPECT_TRUE(BuildTestTable(state, contents, "meta", options).ok());
  BoxedTable t{state->data};
  const TableFooter footer = TestTableFooter(t.image);
  TableBlockView view;
  EXPECT_TRUE(view.InitAndValidate(std::string_view(t.image).substr(
      footer.index_offset, footer.index_size - kTableBlockTrailerSize)).ok());
  std::string_view key, handle;
  EXPECT_TRUE(view.Entry(0, &key, &handle));
  EXPECT_EQ(handle.size(), 1 + 2 + 10u);  // offset 0, the size, then the box
  t.box_at = static_cast<uint64_t>(handle.data() + handle.size() - 10 - t.image.data());
  return t;
}

void ResealIndex(std::string* image) {
  const TableFooter footer = TestTableFooter(*image);
  ResealTestBlock(image, footer.index_offset, footer.index_size);
}

TEST_F(TableErrorsTest, BoxesAreReadAndChecked) {
  BoxedTable t = BuildBoxedTable();
  EXPECT_EQ(TestTableFooter(t.image).version, 2u);
  EXPECT_EQ(t.image.substr(t.box_at, 2), std::string("\x01\x01", 2));
  auto table = Open(t.image);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->boxed_blocks(), TestTableBlocks(t.image).size());
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  EXPECT_TRUE(problems.empty());
}

TEST_F(TableErrorsTest, BoxThatMissesItsEntriesIsReportedByCheck) {
  BoxedTable t = BuildBoxedTable();
  // Block 0's box claims [max, max]: every other entry of it lies outside.
  std::string image = t.image;
  image.replace(t.box_at + 2, 4, image.substr(t.box_at + 6, 4));
  ResealIndex(&image);
  auto table = Open(image);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], At("block", 0) + ": entry 0 lies outside the block's box");
}

TEST_F(TableErrorsTest, MalformedBoxes) {
  const TableFooter footer = TestTableFooter(BuildBoxedTable().image);
  const std::string index_at = At("index block", footer.index_offset);
  struct Case {
    const char* what;
    std::function<void(std::string*, uint64_t)> damage;
  };
  const Case cases[] = {
      {"no axes", [](std::string* im, uint64_t at) { (*im)[at + 1] = 0; }},
      {"more axes than the box holds", [](std::string* im, uint64_t at) { (*im)[at + 1] = 2; }},
      {"more axes than a key holds", [](std::string* im, uint64_t at) { (*im)[at] = 9; }},
      {"a minimum above the maximum", [](std::string* im, uint64_t at) { (*im)[at + 2] = '\xff'; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    BoxedTable t = BuildBoxedTable();
    c.damage(&t.image, t.box_at);
    ResealIndex(&t.image);
    auto table = Open(t.image);
    ASSERT_FALSE(table.ok());
    EXPECT_TRUE(table.status().IsCorruption());
    EXPECT_EQ(table.status().message(), index_at + ": entry 0 has a malformed block handle");
  }
  // A version 1 table has no boxes.
  BoxedTable t = BuildBoxedTable();
  t.image[t.image.size() - 64 + 40] = 1;
  ResealTestBlock(&t.image, t.image.size() - 64, 64);
  auto table = Open(t.image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(), index_at + ": entry 0 has a malformed block handle");
}

TEST_F(TableErrorsTest, UnsupportedVersion) {
  std::string image = image_;
  const uint64_t at = image.size() - 64;
  image[at + 40] = 3;
  ResealTestBlock(&image, at, 64);
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(), At("footer", at) + ": unsupported format version 3");
}

TEST_F(TableErrorsTest, FooterOffsetsOutsideTheFile) {
  std::string image = image_;
  const uint64_t at = image.size() - 64;
  std::string huge;
  PutFixed64(&huge, 1ull << 62);
  image.replace(at, 8, huge);  // index offset
  ResealTestBlock(&image, at, 64);
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsCorruption());
  EXPECT_EQ(table.status().message().rfind(At("footer", at) + ": bad offsets", 0), 0u)
      << table.status().message();
}

TEST_F(TableErrorsTest, IndexChecksum) {
  std::string image = image_;
  image[footer_.index_offset + 3] ^= 0x40;
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            At("index block", footer_.index_offset) + ": checksum mismatch");
}

TEST_F(TableErrorsTest, IndexHandleThatSkipsBytes) {
  // Forge the first handle's size (resealed): the blocks no longer tile the file.
  std::string image = image_;
  const size_t handle = footer_.index_offset + 2 + 8 + 1;  // lengths, 8-byte key, varint 0
  ASSERT_EQ(static_cast<uint8_t>(image[handle]), (blocks_[0].size & 0x7F) | 0x80);
  image[handle] ^= 0x01;
  ResealTestBlock(&image, footer_.index_offset, footer_.index_size);
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message().rfind(
                At("index block", footer_.index_offset) + ": entry 1 has a bad block handle", 0),
            0u)
      << table.status().message();
}

TEST_F(TableErrorsTest, MetadataChecksum) {
  std::string image = image_;
  image[footer_.metadata_offset] ^= 0x01;
  auto table = Open(image);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            At("metadata", footer_.metadata_offset) + ": checksum mismatch");
}

TEST_F(TableErrorsTest, DataBlockChecksumFailsSeekAndCheck) {
  std::string image = image_;
  image[blocks_[2].offset + 5] ^= 0x01;
  auto table = Open(image);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto it = (*table)->NewIterator();
  Status s = it->Seek(FirstKeyOf(2));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), At("block", blocks_[2].offset) + ": checksum mismatch");
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(cache_.usage(), 0u);  // a damaged block is never cached

  // Other blocks still read.
  ASSERT_TRUE(it->Seek(FirstKeyOf(4)).ok());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), FirstKeyOf(4));

  // Next from block 1 into the damaged block 2 fails too.
  ASSERT_TRUE(it->Seek(FirstKeyOf(2)).IsCorruption());
  auto last_of_1 = contents_.find(FirstKeyOf(2));
  --last_of_1;
  ASSERT_TRUE(it->Seek(last_of_1->first).ok());
  ASSERT_TRUE(it->Valid());
  EXPECT_TRUE(it->Next().IsCorruption());
  EXPECT_FALSE(it->Valid());
}

TEST_F(TableErrorsTest, CheckReportsEveryDamagedBlock) {
  std::string image = image_;
  image[blocks_[1].offset] ^= 0x01;
  image[blocks_[4].offset + blocks_[4].size - 1] ^= 0x01;  // inside the checksum
  auto table = Open(image);
  ASSERT_TRUE(table.ok());
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], At("block", blocks_[1].offset) + ": checksum mismatch");
  EXPECT_EQ(problems[1], At("block", blocks_[4].offset) + ": checksum mismatch");
}

TEST_F(TableErrorsTest, CheckReadsTheFileNotTheCache) {
  auto table = Open(image_);
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->Seek(FirstKeyOf(3)).ok());  // block 3 is now cached
  state_->data[blocks_[3].offset + 1] ^= 0x01;
  state_->data[footer_.metadata_offset] ^= 0x01;
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], At("metadata", footer_.metadata_offset) + ": checksum mismatch");
  EXPECT_EQ(problems[1], At("block", blocks_[3].offset) + ": checksum mismatch");
}

TEST_F(TableErrorsTest, StructuralDamageWithValidChecksum) {
  struct Case {
    const char* what;
    size_t block;
    std::function<void(std::string*, const TestBlockHandle&)> damage;
    std::string expect;  // prefix of the message after the block name
  };
  const std::vector<Case> cases = {
      {"count too large", 1,
       [](std::string* img, const TestBlockHandle& b) {
         img->replace(b.offset + b.size - 13, 4, "\xff\xff\xff\xff");
       },
       "entry count 4294967295 does not fit the block"},
      {"second offset wrong", 1,
       [](std::string* img, const TestBlockHandle& b) {
         // The count is at size-13; entry 1's offset at size-13-4*(count-1).
         const uint32_t count = DecodeFixed32(img->data() + b.offset + b.size - 13);
         const size_t at = b.offset + b.size - 13 - 4 * count + 4;
         (*img)[at] ^= 0x01;
       },
       "entry 1 has offset"},
      {"keys out of order", 1,
       [](std::string* img, const TestBlockHandle& b) {
         // Entry 1's key is 8 big-endian bytes after its two length bytes;
         // make its last byte smaller than entry 0's.
         const uint32_t count = DecodeFixed32(img->data() + b.offset + b.size - 13);
         const uint32_t e1 = DecodeFixed32(img->data() + b.offset + b.size - 13 - 4 * count + 4);
         (*img)[b.offset + e1 + 2 + 6] = 0;
         (*img)[b.offset + e1 + 2 + 7] = 0;
       },
       "entry 1 is out of order"},
      {"last key differs from the index", 1,
       [](std::string* img, const TestBlockHandle& b) {
         // The last entry's key: bump its final byte (order inside the block holds).
         const uint32_t count = DecodeFixed32(img->data() + b.offset + b.size - 13);
         const uint32_t last =
             DecodeFixed32(img->data() + b.offset + b.size - 13 - 4 * count + 4 * (count - 1));
         (*img)[b.offset + last + 2 + 7] += 1;
       },
       "last key differs from the block index"},
      {"first key not after the previous block", 2,
       [this](std::string* img, const TestBlockHandle& b) {
         img->replace(b.offset + 2, 8, blocks_[1].last_key);
       },
       "first key is not after the previous block's last key"},
      {"kind byte", 1,
       [](std::string* img, const TestBlockHandle& b) { (*img)[b.offset + b.size - 9] = 2; },
       "block kind 2, expected 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::string image = image_;
    c.damage(&image, blocks_[c.block]);
    ResealTestBlock(&image, blocks_[c.block].offset, blocks_[c.block].size);
    auto table = Open(image);
    ASSERT_TRUE(table.ok());
    auto it = (*table)->NewIterator();
    Status s = it->Seek(FirstKeyOf(c.block));
    EXPECT_TRUE(s.IsCorruption());
    const std::string prefix = At("block", blocks_[c.block].offset) + ": " + c.expect;
    EXPECT_EQ(s.message().rfind(prefix, 0), 0u) << s.message();
    std::vector<std::string> problems;
    ASSERT_TRUE((*table)->Check(&problems).ok());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].rfind(prefix, 0), 0u) << problems[0];
  }
}

TEST_F(TableErrorsTest, WrongEntryCountIsFoundByCheck) {
  std::string image = image_;
  const uint64_t at = image.size() - 64;
  image[at + 32] ^= 0x01;  // entries: 300 -> 301
  ResealTestBlock(&image, at, 64);
  auto table = Open(image);
  ASSERT_TRUE(table.ok());
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], At("footer", at) + ": entry count 301, but the blocks hold 300");
}

TEST_F(TableErrorsTest, FileTruncatedAfterOpen) {
  auto table = Open(image_);
  ASSERT_TRUE(table.ok());
  state_->data.resize(blocks_[3].offset + 7);
  auto it = (*table)->NewIterator();
  Status s = it->Seek(FirstKeyOf(3));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), At("block", blocks_[3].offset) + ": truncated, read 7 of " +
                             std::to_string(blocks_[3].size) + " bytes");
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  ASSERT_GE(problems.size(), 2u);  // the tail is gone, and blocks 3.. are cut
  EXPECT_EQ(problems[0], At("footer", blocks_[3].offset + 7 - 64) + ": bad magic");
  for (size_t i = 1; i < problems.size(); i++) {
    EXPECT_EQ(problems[i], At("block", blocks_[2 + i].offset) + ": truncated");
  }
}

TEST_F(TableErrorsTest, ReadErrorsAreIOErrorsNotCorruption) {
  state_ = NewTableTestFile();
  state_->data = image_;
  state_->fail_reads = true;
  auto failed = OpenTestTable(state_, &cache_, kName);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsIOError()) << failed.status().ToString();
  EXPECT_EQ(failed.status().message().rfind(kName, 0), 0u);

  state_->fail_reads = false;
  auto table = OpenTestTable(state_, &cache_, kName);
  ASSERT_TRUE(table.ok());
  state_->fail_reads = true;
  auto it = (*table)->NewIterator();
  Status s = it->Seek(FirstKeyOf(1));
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.message().rfind(At("block", blocks_[1].offset), 0), 0u) << s.message();
  std::vector<std::string> problems;
  EXPECT_TRUE((*table)->Check(&problems).IsIOError());
}

}  // namespace
}  // namespace cairn
