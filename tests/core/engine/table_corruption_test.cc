// Damaged tables: every kind of damage is CORRUPTION naming the file and the
// byte offset, never a crash, never wrong data.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/block_cache.h"
#include "engine/table.h"
#include "tests/core/engine/table_test_util.h"

namespace cairn {
namespace {

const char kName[] = "index-000012.cairn";

TableContents SampleContents(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  TableContents contents;
  while (static_cast<int>(contents.size()) < n) {
    std::string key(1 + rng() % 10, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    std::string value(rng() % 5 == 0 ? 300 + rng() % 300 : rng() % 20, '\0');
    for (auto& c : value) c = static_cast<char>(rng());
    contents[key] = value;
  }
  return contents;
}

// Keys shaped like spatial entries, so their blocks get boxes (FORMAT.md,
// "Block boxes"): 'S', a space byte, BE32 x, BE32 y, an 8-byte suffix.
TableContents BoxedContents(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  TableContents contents;
  while (static_cast<int>(contents.size()) < n) {
    std::string key = "S";
    key.push_back(static_cast<char>(rng() % 2));
    PutBigEndian32(&key, static_cast<uint32_t>(rng() % 1000));
    PutBigEndian32(&key, static_cast<uint32_t>(rng() % 1000));
    PutBigEndian64(&key, rng());
    contents[key] = std::string(rng() % 30, 'p');
  }
  return contents;
}

bool IsBoxed(const TableContents& contents) {
  return !contents.empty() && contents.begin()->first.size() == 18 && contents.begin()->first[0] == 'S';
}

std::string BuildImage(const TableContents& contents, size_t block_bytes,
                       const std::string& metadata = "checkpoint state") {
  auto state = NewTableTestFile();
  TableOptions options;
  options.block_bytes = block_bytes;
  if (IsBoxed(contents)) {
    options.box_prefix_bytes = 2;
    options.box_dims = [](std::string_view key) { return key.size() == 18 && key[0] == 'S' ? 2u : 0u; };
  }
  Status s = BuildTestTable(state, contents, metadata, options);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return state->data;
}

std::shared_ptr<TableTestFileState> FileWith(std::string image) {
  auto state = NewTableTestFile();
  state->data = std::move(image);
  return state;
}

// A status from reading damaged data: OK, or CORRUPTION naming the file.
void ExpectOkOrCorruption(const Status& s) {
  if (s.ok()) return;
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
}

// Reads everything from a table opened on damaged bytes. With `exact`, data
// that is returned must be the original (checksums were not forged); with
// `must_fail`, the damage lies in a data block and reading everything must
// hit it.
void ReadEverything(const Table& table, const TableContents& original, bool exact, bool must_fail) {
  auto it = table.NewIterator();
  Status s = it->SeekToFirst();
  auto want = original.begin();
  while (s.ok() && it->Valid()) {
    if (exact) {
      ASSERT_NE(want, original.end());
      ASSERT_EQ(it->key(), want->first);
      ASSERT_EQ(it->value(), want->second);
      ++want;
    }
    s = it->Next();
  }
  ExpectOkOrCorruption(s);
  if (must_fail) {
    EXPECT_FALSE(s.ok());
  }
  if (exact && s.ok()) {
    EXPECT_EQ(want, original.end());
  }

  for (const auto& [key, value] : original) {
    s = it->Seek(key);
    ExpectOkOrCorruption(s);
    if (exact && s.ok()) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), key);
      EXPECT_EQ(it->value(), value);
    }
  }
  // A scan that passes over blocks by their boxes: the same statuses, and
  // only original entries while the checksums hold.
  struct SkipLowX final : BlockFilter {
    bool Skip(std::string_view, const BlockBox& box) const override { return box.dims >= 1 && box.max[0] < 500; }
  } filter;
  auto filtered = table.NewIterator();
  filtered->SetBlockFilter(&filter);
  s = filtered->SeekToFirst();
  while (s.ok() && filtered->Valid()) {
    if (exact) {
      auto at = original.find(std::string(filtered->key()));
      ASSERT_NE(at, original.end());
      EXPECT_EQ(filtered->value(), at->second);
    }
    s = filtered->Next();
  }
  ExpectOkOrCorruption(s);

  std::vector<std::string> problems;
  ASSERT_TRUE(table.Check(&problems).ok());
  if (must_fail) {
    EXPECT_FALSE(problems.empty());
  }
  for (const auto& p : problems) EXPECT_EQ(p.rfind(std::string(kName) + ": ", 0), 0u) << p;
}

TEST(TableCorruptionTest, TruncationAtEveryLengthIsCorruption) {
  const TableContents contents = SampleContents(1, 40);
  const std::string image = BuildImage(contents, 128);
  for (size_t len = 0; len < image.size(); len++) {
    auto table = OpenTestTable(FileWith(image.substr(0, len)), nullptr, kName);
    ASSERT_FALSE(table.ok()) << "length " << len;
    EXPECT_TRUE(table.status().IsCorruption()) << table.status().ToString();
    EXPECT_EQ(table.status().message().rfind(std::string(kName) + ": ", 0), 0u);
  }
}

TEST(TableCorruptionTest, EveryFlippedByteIsDetected) {
  for (const TableContents& contents : {SampleContents(2, 40), BoxedContents(2, 40)}) {
  SCOPED_TRACE(IsBoxed(contents) ? "with block boxes" : "without block boxes");
  const std::string image = BuildImage(contents, 128);
  ASSERT_EQ(TestTableFooter(image).version, IsBoxed(contents) ? 2u : 1u);
  const uint64_t index_offset = TestTableFooter(image).index_offset;
  for (size_t pos = 0; pos < image.size(); pos++) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      SCOPED_TRACE("byte " + std::to_string(pos) + " mask " + std::to_string(mask));
      std::string damaged = image;
      damaged[pos] = static_cast<char>(damaged[pos] ^ mask);
      BlockCache cache(1 << 20);
      // Every other byte through the file's mapping (reads in place).
      auto file = FileWith(damaged);
      file->mappable = pos % 2 == 1;
      auto table = OpenTestTable(file, &cache, kName, 12, file->mappable);
      if (pos >= index_offset) {
        // The index, the metadata and the footer are all checked by Open.
        ASSERT_FALSE(table.ok());
        ExpectOkOrCorruption(table.status());
        continue;
      }
      ASSERT_TRUE(table.ok()) << table.status().ToString();  // Open reads no data block
      ReadEverything(**table, contents, /*exact=*/true, /*must_fail=*/true);
      if (HasFatalFailure()) return;
    }
  }
  }
}

TEST(TableCorruptionTest, RandomDamageNeverCrashesOrLies) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 400; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    const TableContents contents =
        round % 2 ? BoxedContents(100 + round % 7, 1 + rng() % 200) : SampleContents(100 + round % 7, 1 + rng() % 200);
    const std::string image = BuildImage(contents, 1 + rng() % 1024);
    std::string damaged = image;
    switch (rng() % 5) {
      case 0:  // flip a few bytes
        for (int n = 1 + rng() % 4; n > 0; n--) {
          damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
        }
        break;
      case 1:  // truncate
        damaged.resize(rng() % damaged.size());
        break;
      case 2: {  // overwrite a range with random bytes
        const size_t at = rng() % damaged.size();
        for (size_t i = at; i < damaged.size() && i < at + 1 + rng() % 100; i++) {
          damaged[i] = static_cast<char>(rng());
        }
        break;
      }
      case 3: {  // zero a range
        const size_t at = rng() % damaged.size();
        const size_t n = std::min<size_t>(1 + rng() % 5000, damaged.size() - at);
        damaged.replace(at, n, n, '\0');
        break;
      }
      default:  // garbage appended
        damaged += std::string(1 + rng() % 100, '\x5a');
        break;
    }
    if (damaged == image) continue;
    const bool in_data = damaged.size() == image.size() &&
                         damaged.compare(TestTableFooter(image).index_offset, std::string::npos,
                                         image, TestTableFooter(image).index_offset) == 0;
    BlockCache cache(rng() % 2 == 0 ? 0 : 1 << 20);
    auto file = FileWith(damaged);
    file->mappable = round % 3 == 0;
    auto table = OpenTestTable(file, &cache, kName, 12, file->mappable);
    if (!table.ok()) {
      ExpectOkOrCorruption(table.status());
      EXPECT_FALSE(in_data) << "Open must not read data blocks";
      continue;
    }
    ASSERT_TRUE(in_data) << "damage to the tail went unnoticed by Open";
    ReadEverything(**table, contents, /*exact=*/true, /*must_fail=*/true);
    if (HasFatalFailure()) return;
  }
}

// Damage with the checksums recomputed, so only the structural checks stand
// between the bytes and the reader. Data may differ; nothing may crash.
TEST(TableCorruptionTest, ForgedChecksumsNeverCrash) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 1500; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    const TableContents contents =
        round % 2 ? BoxedContents(200 + round % 5, 1 + rng() % 100) : SampleContents(200 + round % 5, 1 + rng() % 100);
    std::string image = BuildImage(contents, 1 + rng() % 512);
    const TableFooter footer = TestTableFooter(image);
    const auto blocks = TestTableBlocks(image);
    uint64_t offset, size;
    switch (rng() % 3) {
      case 0: {
        const auto& b = blocks[rng() % blocks.size()];
        offset = b.offset;
        size = b.size;
        break;
      }
      case 1:
        offset = footer.index_offset;
        size = footer.index_size;
        break;
      default:
        offset = image.size() - kTableFooterSize;
        size = kTableFooterSize;
        break;
    }
    // Damage the block's body (its kind byte included), then reseal it.
    for (int n = 1 + rng() % 3; n > 0; n--) {
      const uint64_t at = offset + rng() % (size - 8);
      if (rng() % 2 == 0) {
        image[at] ^= static_cast<char>(1 + rng() % 255);
      } else {
        image[at] = static_cast<char>(rng() % 2 == 0 ? 0xFF : rng() % 4);
      }
    }
    if (offset + size == image.size()) {
      // The footer's magic is checked before its checksum; keep it so the
      // forged fields are what gets tested.
      std::string magic;
      PutFixed64(&magic, kTableMagic);
      image.replace(offset + 48, 8, magic);
    }
    ResealTestBlock(&image, offset, size);

    BlockCache cache(1 << 20);
    auto file = FileWith(image);
    file->mappable = round % 2 == 1;
    auto table = OpenTestTable(file, &cache, kName, 12, file->mappable);
    if (!table.ok()) {
      ExpectOkOrCorruption(table.status());
      continue;
    }
    ReadEverything(**table, contents, /*exact=*/false, /*must_fail=*/false);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace cairn
