#include "engine/table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/block_cache.h"
#include "storage-backends/memory/memory_storage.h"
#include "tests/core/engine/table_test_util.h"
#include "util/coding.h"

namespace cairn {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// Keys of four shapes: arbitrary binary, shared prefixes over a tiny
// alphabet that includes 0x00 and 0xFF, big-endian numbers, and prefixes
// shared past the 16 bytes the block index keeps of each key, so that whole
// keys must decide between blocks.
std::string RandomKey(std::mt19937_64& rng, int shape) {
  switch (shape) {
    case 0:
      return RandomBytes(rng, rng() % 13);
    case 1: {
      static const std::string kPrefixes[] = {"", "user/", "user/alice/", std::string("\0\0", 2),
                                              "\xff\xff"};
      static const char kAlphabet[] = {'\0', 'a', 'b', '\xff'};
      std::string s = kPrefixes[rng() % 5];
      for (size_t n = rng() % 5; n > 0; n--) s.push_back(kAlphabet[rng() % 4]);
      return s;
    }
    case 2: {
      std::string s;
      PutBigEndian64(&s, rng() % 100000);
      if (rng() % 4 == 0) s += RandomBytes(rng, 1 + rng() % 3);
      return s;
    }
    default: {
      static const std::string kPrefixes[] = {std::string(15, 'p'), std::string(16, 'p'),
                                              std::string(17, 'p'),
                                              std::string("a-collection-name-of-32-bytes\0id", 33)};
      static const char kAlphabet[] = {'\0', 'a', 'p', '\xff'};
      std::string s = kPrefixes[rng() % 4];
      for (size_t n = rng() % 6; n > 0; n--) s.push_back(kAlphabet[rng() % 4]);
      return s;
    }
  }
}

std::string RandomValue(std::mt19937_64& rng, size_t block_bytes) {
  const int kind = static_cast<int>(rng() % 40);
  if (kind < 10) return "";
  if (kind == 39) return RandomBytes(rng, block_bytes * 2 + rng() % 100);  // spans blocks
  return RandomBytes(rng, rng() % 40);
}

// Checks the iterator against `expected` from lower_bound(target) on.
void ExpectAt(Table::Iterator* it, const TableContents& expected, const std::string& target) {
  auto want = expected.lower_bound(target);
  for (int step = 0; step < 3; step++) {
    if (want == expected.end()) {
      EXPECT_FALSE(it->Valid());
      return;
    }
    ASSERT_TRUE(it->Valid()) << "step " << step;
    EXPECT_EQ(it->key(), want->first);
    EXPECT_EQ(it->value(), want->second);
    ++want;
    ASSERT_TRUE(it->Next().ok());
  }
}

TEST(TableTest, RandomTablesMatchStdMap) {
  const size_t kBlockSizes[] = {1, 64, 512, 4096};
  const size_t kCacheBytes[] = {0, 16 * 1024, 64 << 20};
  int case_number = 0;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    for (size_t block_bytes : kBlockSizes) {
      for (int shape = 0; shape < 4; shape++, case_number++) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " block_bytes " +
                     std::to_string(block_bytes) + " shape " + std::to_string(shape));
        std::mt19937_64 rng(seed * 131 + block_bytes + shape);
        TableContents expected;
        const size_t n = seed == 1 ? shape : rng() % 700;  // seed 1: tiny tables
        while (expected.size() < n) {
          expected[RandomKey(rng, shape)] = RandomValue(rng, block_bytes);
        }
        const std::string metadata = RandomBytes(rng, rng() % 100);

        auto state = NewTableTestFile();
        TableOptions options;
        options.block_bytes = block_bytes;
        {
          TableTestFile file(state);
          TableBuilder builder(&file, "t.cairn", options);
          for (const auto& [k, v] : expected) ASSERT_TRUE(builder.Add(k, v).ok());
          EXPECT_EQ(builder.entries(), expected.size());
          ASSERT_TRUE(builder.Finish(metadata).ok());
          EXPECT_EQ(builder.file_size(), state->data.size());
        }

        // Every fourth case reads through the file's mapping.
        BlockCache cache(kCacheBytes[case_number % 3]);
        const bool map = case_number % 4 == 1;
        state->mappable = map;
        auto table = OpenTestTable(state, case_number % 5 == 4 ? nullptr : &cache,
                                   "index-000012.cairn", 12, map);
        ASSERT_TRUE(table.ok()) << table.status().ToString();
        EXPECT_EQ((*table)->entries(), expected.size());
        EXPECT_EQ((*table)->metadata(), metadata);
        ExpectFullScan(**table, expected);

        auto reused = (*table)->NewIterator();
        for (int probe = 0; probe < 200; probe++) {
          std::string target;
          const int how = static_cast<int>(rng() % 6);
          if (how < 3 && !expected.empty()) {
            auto pick = expected.begin();
            std::advance(pick, rng() % expected.size());
            target = pick->first;
            if (how == 1) target.push_back('\0');
            if (how == 2 && !target.empty()) target.pop_back();
          } else if (how == 3) {
            target = "";
          } else if (how == 4) {
            target = std::string(20, '\xff');
          } else {
            target = RandomKey(rng, shape);
          }
          SCOPED_TRACE("probe " + std::to_string(probe));
          ASSERT_TRUE(reused->Seek(target).ok());
          ExpectAt(reused.get(), expected, target);
          if (HasFatalFailure()) return;
        }

        std::vector<std::string> problems;
        ASSERT_TRUE((*table)->Check(&problems).ok());
        EXPECT_TRUE(problems.empty()) << problems.front();
        EXPECT_LE(cache.usage(), cache.capacity());
      }
    }
  }
}

// The scan iterator (checkpoint merges) returns exactly what the cached
// iterator returns, across chunk boundaries and after seeks, and leaves the
// block cache alone; a damaged block is still reported.
TEST(TableTest, ScanIteratorMatchesAndBypassesTheCache) {
  std::mt19937_64 rng(77);
  TableContents expected;
  while (expected.size() < 20000) {
    expected["k" + std::to_string(rng() % 1000000)] = std::string(rng() % 90, 'x');
  }
  auto state = NewTableTestFile();
  ASSERT_TRUE(BuildTestTable(state, expected, "m", TableOptions{512}).ok());
  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewScanIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  auto want = expected.begin();
  for (; it->Valid(); ++want) {
    ASSERT_NE(want, expected.end());
    ASSERT_EQ(it->key(), want->first);
    ASSERT_EQ(it->value(), want->second);
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_EQ(want, expected.end());
  for (int probe = 0; probe < 300; probe++) {
    const std::string target = "k" + std::to_string(rng() % 1000000);
    ASSERT_TRUE(it->Seek(target).ok());
    auto w = expected.lower_bound(target);
    ASSERT_EQ(it->Valid(), w != expected.end());
    if (it->Valid()) ASSERT_EQ(it->key(), w->first);
  }
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(cache.hits() + cache.misses(), 0u);

  // Damage in a block in the middle of the file fails the scan there.
  const auto blocks = TestTableBlocks(state->data);
  ASSERT_GT(blocks.size(), 100u);
  state->data[blocks[blocks.size() / 2].offset + 3] ^= 0x20;
  auto damaged = OpenTestTable(state, &cache);
  ASSERT_TRUE(damaged.ok());
  auto scan = (*damaged)->NewScanIterator();
  Status s = scan->SeekToFirst();
  while (s.ok() && scan->Valid()) s = scan->Next();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// Keys shaped like spatial index entries (FORMAT.md, "Block boxes"): a
// 17-byte prefix, an 8-byte sort key, `dims` BE32 coordinates, an 8-byte
// suffix.
std::string BoxKey(char space, const std::vector<uint32_t>& p, uint64_t sort, uint64_t suffix) {
  std::string k(1, 'S');
  k.append(15, '\0');
  k.push_back(space);
  PutBigEndian64(&k, sort);
  for (uint32_t c : p) PutBigEndian32(&k, c);
  PutBigEndian64(&k, suffix);
  return k;
}

// A filter like a spatial scan's: skips blocks of `prefix` whose box misses
// [lo, hi].
class TestBoxFilter final : public BlockFilter {
 public:
  TestBoxFilter(std::string prefix, std::vector<uint32_t> lo, std::vector<uint32_t> hi)
      : prefix_(std::move(prefix)), lo_(std::move(lo)), hi_(std::move(hi)) {}
  bool Skip(std::string_view last_key, const BlockBox& box) const override {
    if (box.prefix_bytes != prefix_.size() || box.dims != lo_.size() || !last_key.starts_with(prefix_)) {
      return false;
    }
    for (uint32_t i = 0; i < box.dims; i++) {
      if (box.max[i] < lo_[i] || box.min[i] > hi_[i]) {
        skipped++;
        return true;
      }
    }
    return false;
  }
  mutable size_t skipped = 0;

 private:
  std::string prefix_;
  std::vector<uint32_t> lo_, hi_;
};

// Block boxes cover their blocks, and a filtered scan of a space's prefix
// still returns every entry inside the query box, whatever blocks it
// passes over: checked against a brute-force filter of the contents, for
// random boxes over two spaces (2-D and 3-D) and keys of other kinds.
TEST(TableTest, FilteredScansByBlockBoxesMissNoEntryInTheBox) {
  std::mt19937_64 rng(42);
  TableContents contents;
  auto dims_of = [](char space) { return space == 'a' ? 2u : 3u; };
  for (int i = 0; i < 6000; i++) {
    const char space = i % 3 == 0 ? 'b' : 'a';
    std::vector<uint32_t> p(dims_of(space));
    for (uint32_t& c : p) c = static_cast<uint32_t>(rng() % 1000);
    // Sorting by the first coordinate keeps blocks narrow on that axis, as
    // the Hilbert order keeps them small.
    contents[BoxKey(space, p, uint64_t{p[0]} << 32 | (rng() & 0xffffffff), rng())] = std::to_string(i);
  }
  for (int i = 0; i < 300; i++) contents["v/doc" + std::to_string(i)] = "x";  // no box
  contents["S-short"] = "y";  // an 'S' key of no space: a block holding it gets no box

  TableOptions options;
  options.block_bytes = 512;
  options.box_prefix_bytes = 17;
  options.box_dims = [&](std::string_view key) -> uint32_t {
    if (key.size() < 17 || key[0] != 'S' || key.substr(1, 15) != std::string(15, '\0')) return 0;
    const uint32_t d = dims_of(key[16]);
    return key.size() == 17 + 8 + 4 * d + 8 ? d : 0;
  };
  for (bool map : {false, true}) {
    SCOPED_TRACE(map ? "mapped" : "read through the cache");
    auto state = NewTableTestFile();
    ASSERT_TRUE(BuildTestTable(state, contents, "m", options).ok());
    state->mappable = map;
    EXPECT_EQ(TestTableFooter(state->data).version, kTableFormatVersion);
    BlockCache cache(1 << 20);
    auto table = OpenTestTable(state, &cache, "index-000012.cairn", 12, map);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    const size_t blocks = TestTableBlocks(state->data).size();
    EXPECT_GT((*table)->boxed_blocks(), blocks / 2);
    EXPECT_LT((*table)->boxed_blocks(), blocks);  // the other keys' blocks
    std::vector<std::string> problems;
    ASSERT_TRUE((*table)->Check(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
    ExpectFullScan(**table, contents);

    size_t skipped = 0;
    for (int q = 0; q < 300; q++) {
      const char space = q % 2 ? 'a' : 'b';
      const std::string prefix = BoxKey(space, {}, 0, 0).substr(0, 17);
      std::vector<uint32_t> lo(dims_of(space)), hi(dims_of(space));
      for (size_t d = 0; d < lo.size(); d++) {
        const uint32_t a = static_cast<uint32_t>(rng() % 1000), w = static_cast<uint32_t>(rng() % (q % 3 ? 40 : 400));
        lo[d] = a;
        hi[d] = a + w;
      }
      auto in_box = [&](std::string_view key) {
        if (!key.starts_with(prefix) || key.size() != 17 + 8 + 4 * lo.size() + 8) return false;
        for (size_t d = 0; d < lo.size(); d++) {
          const uint32_t c = DecodeBigEndian32(key.data() + 25 + 4 * d);
          if (c < lo[d] || c > hi[d]) return false;
        }
        return true;
      };
      std::vector<std::string> want, got;
      for (const auto& [key, value] : contents) {
        if (in_box(key)) want.push_back(key);
      }
      TestBoxFilter filter(prefix, lo, hi);
      auto it = (*table)->NewIterator();
      it->SetBlockFilter(&filter);
      // From the prefix, or from a random key inside it (a seek that lands
      // in a skipped block moves on to the next block kept).
      const std::string from = q % 4 ? prefix : BoxKey(space, std::vector<uint32_t>(lo.size(), 0), rng() % (1000ull << 32), 0);
      ASSERT_TRUE(it->Seek(from).ok());
      while (it->Valid() && it->key().starts_with(prefix)) {
        if (in_box(it->key())) got.push_back(std::string(it->key()));
        ASSERT_TRUE(it->Next().ok());
      }
      want.erase(std::remove_if(want.begin(), want.end(), [&](const std::string& k) { return k < from; }), want.end());
      ASSERT_EQ(got, want) << "query " << q;
      skipped += filter.skipped;
    }
    EXPECT_GT(skipped, 1000u);  // the filter did pass over blocks
  }
}

TEST(TableTest, EmptyTable) {
  auto state = NewTableTestFile();
  ASSERT_TRUE(BuildTestTable(state, {}, "meta").ok());
  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->entries(), 0u);
  EXPECT_EQ((*table)->metadata(), "meta");
  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  EXPECT_FALSE(it->Valid());
  ASSERT_TRUE(it->Seek("").ok());
  EXPECT_FALSE(it->Valid());
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  EXPECT_TRUE(problems.empty());
}

TEST(TableTest, EmptyKeyAndEmptyMetadata) {
  auto state = NewTableTestFile();
  TableContents contents = {{"", "empty key"}, {std::string(1, '\0'), ""}, {"\xff", "x"}};
  ASSERT_TRUE(BuildTestTable(state, contents, "").ok());
  auto table = OpenTestTable(state, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->metadata(), "");
  ExpectFullScan(**table, contents);
  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->Seek("").ok());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "");
  EXPECT_EQ(it->value(), "empty key");
}

TEST(TableTest, ValueLargerThanManyBlocks) {
  std::mt19937_64 rng(7);
  TableContents contents = {{"a", "1"}, {"b", RandomBytes(rng, 100000)}, {"c", "3"}};
  auto state = NewTableTestFile();
  TableOptions options;
  options.block_bytes = 256;
  ASSERT_TRUE(BuildTestTable(state, contents, "m", options).ok());
  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ExpectFullScan(**table, contents);
  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->Seek("b").ok());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), contents["b"]);
}

TEST(TableTest, OpenReadsOnlyTheTail) {
  auto state = NewTableTestFile();
  TableContents contents;
  for (int i = 0; i < 2000; i++) contents["key" + std::to_string(i)] = std::string(50, 'v');
  ASSERT_TRUE(BuildTestTable(state, contents, "meta").ok());
  const TableFooter footer = TestTableFooter(state->data);
  ASSERT_GT(footer.index_offset, 50000u);

  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(state->reads.size(), 2u);  // the footer, then index and metadata together
  for (const auto& [offset, n] : state->reads) EXPECT_GE(offset, footer.index_offset);
  EXPECT_EQ(cache.misses(), 0u);
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_GT((*table)->index_memory_bytes(), 0u);
  // In memory each block costs its key plus 32 bytes (key prefix and
  // handle, one half cache line), against about 8 bytes of lengths and
  // handle on disk: with these 7-byte keys, under 3x the index block.
  EXPECT_LT((*table)->index_memory_bytes(), footer.index_size * 3);
}

// A table of 2,000 short entries ("key<i>" -> "v<i>") over several blocks.
std::shared_ptr<TableTestFileState> ShortEntriesTable(TableContents* contents,
                                                      std::vector<TestBlockHandle>* blocks) {
  auto state = NewTableTestFile();
  for (int i = 0; i < 2000; i++) (*contents)["key" + std::to_string(i)] = "v" + std::to_string(i);
  EXPECT_TRUE(BuildTestTable(state, *contents, "").ok());
  *blocks = TestTableBlocks(state->data);
  EXPECT_GT(blocks->size(), 5u);
  return state;
}

TEST(TableTest, SeeksReadBlocksThroughTheCache) {
  TableContents contents;
  std::vector<TestBlockHandle> blocks;
  auto state = ShortEntriesTable(&contents, &blocks);
  ASSERT_GT(blocks.size(), 5u);

  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok());
  const size_t reads_after_open = state->read_count();

  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->Seek("key1000").ok());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "v1000");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(state->read_count(), reads_after_open + 1);

  // A second iterator finds the block in the cache: no file read.
  auto other = (*table)->NewIterator();
  ASSERT_TRUE(other->Seek("key1000").ok());
  EXPECT_EQ(other->value(), "v1000");
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(state->read_count(), reads_after_open + 1);

  // Exactly one block is cached, whole, keyed by (file id, block offset).
  int cached_blocks = 0;
  for (const auto& b : blocks) {
    if (BlockCache::Block block = cache.Lookup(12, b.offset)) {
      cached_blocks++;
      EXPECT_EQ(*block, state->data.substr(b.offset, b.size));
      // It counts with its buffer, whose capacity the cache chose.
      EXPECT_EQ(cache.usage(), BlockCache::AcquireCapacity(b.size));
      EXPECT_EQ(block->capacity(), BlockCache::AcquireCapacity(b.size));
    }
  }
  EXPECT_EQ(cached_blocks, 1);
}

// A mapped table's point reads neither call File::Read nor use the cache,
// and check the block they read every time: damage after open is reported.
TEST(TableTest, MappedTableReadsInPlaceAndChecksEveryRead) {
  TableContents contents;
  std::vector<TestBlockHandle> blocks;
  auto state = ShortEntriesTable(&contents, &blocks);
  ASSERT_GT(blocks.size(), 5u);
  state->mappable = true;

  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache, "index-000012.cairn", 12, /*map=*/true);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_TRUE((*table)->mapped());
  const size_t reads_after_open = state->read_count();
  auto it = (*table)->NewIterator();
  for (const auto& [key, value] : contents) {
    ASSERT_TRUE(it->Seek(key).ok());
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->value(), value);
  }
  ExpectFullScan(**table, contents);
  EXPECT_EQ(state->read_count(), reads_after_open);
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(cache.misses() + cache.hits(), 0u);

  // Block 3 read fine above; a byte flipped in it now is found by the next
  // read of that block, which names the block.
  state->data[blocks[3].offset + 5] ^= 0x10;
  const std::string in_block_2 = contents.upper_bound(blocks[1].last_key)->first;
  const std::string in_block_3 = contents.upper_bound(blocks[2].last_key)->first;
  auto fresh = (*table)->NewIterator();
  ASSERT_TRUE(fresh->Seek(in_block_2).ok());
  Status s = fresh->Seek(in_block_3);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message().rfind("index-000012.cairn: block at offset " +
                                  std::to_string(blocks[3].offset) + ": ",
                              0),
            0u)
      << s.message();
  state->data[blocks[3].offset + 5] ^= 0x10;
  ASSERT_TRUE(fresh->Seek(in_block_3).ok());
  ASSERT_TRUE(fresh->Valid());
  EXPECT_EQ(fresh->key(), in_block_3);
}

// A file the storage declines or fails to map is read through the cache.
TEST(TableTest, TableThatCannotBeMappedIsReadThroughTheCache) {
  TableContents contents;
  std::vector<TestBlockHandle> blocks;
  auto state = ShortEntriesTable(&contents, &blocks);
  for (bool fail : {false, true}) {
    SCOPED_TRACE(fail ? "Map fails" : "Map declines");
    state->mappable = false;
    state->fail_maps = fail;
    BlockCache cache(1 << 20);
    auto table = OpenTestTable(state, &cache, "index-000012.cairn", 12, /*map=*/true);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_FALSE((*table)->mapped());
    const size_t reads_after_open = state->read_count();
    auto it = (*table)->NewIterator();
    ASSERT_TRUE(it->Seek("key1000").ok());
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->value(), "v1000");
    EXPECT_EQ(state->read_count(), reads_after_open + 1);
    EXPECT_EQ(cache.misses(), 1u);
  }
}

TEST(TableTest, ViewsOutliveEvictionOfTheirBlock) {
  auto state = NewTableTestFile();
  TableContents contents;
  for (int i = 0; i < 500; i++) contents["k" + std::to_string(i)] = std::string(30, 'a' + i % 26);
  ASSERT_TRUE(BuildTestTable(state, contents, "").ok());
  BlockCache cache(1 << 20);
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewIterator();
  ASSERT_TRUE(it->Seek("k250").ok());
  ASSERT_TRUE(it->Valid());
  cache.EraseFile((*table)->file_id());
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(it->key(), "k250");
  EXPECT_EQ(it->value(), contents["k250"]);
}

TEST(TableTest, ConcurrentReaders) {
  auto state = NewTableTestFile();
  TableContents contents;
  std::mt19937_64 rng(99);
  while (contents.size() < 5000) contents[RandomKey(rng, 0)] = RandomBytes(rng, rng() % 20);
  ASSERT_TRUE(BuildTestTable(state, contents, "").ok());
  BlockCache cache(32 * 1024);  // small: readers race on misses and evictions
  auto table = OpenTestTable(state, &cache);
  ASSERT_TRUE(table.ok());

  std::vector<std::string> keys;
  for (const auto& [k, v] : contents) keys.push_back(k);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 local(t);
      auto it = (*table)->NewIterator();
      for (int i = 0; i < 5000; i++) {
        const std::string& key = keys[local() % keys.size()];
        if (!it->Seek(key).ok() || !it->Valid() || it->key() != key ||
            it->value() != contents.at(key)) {
          wrong++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.usage(), cache.capacity());
}

// The same round trip through a real storage backend: build, reopen the file
// by name, read back.
TEST(TableTest, RoundTripThroughMemoryStorage) {
  std::unique_ptr<Storage> storage = NewMemoryStorage();
  TableContents contents;
  std::mt19937_64 rng(5);
  while (contents.size() < 1000) contents[RandomKey(rng, 1)] = RandomValue(rng, 4096);
  const std::string name = "checkpoint-00000000000000000042.cairn";
  {
    auto file = storage->OpenFile(name, FileOptions{.create = true});
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    TableBuilder builder(file->get(), name);
    for (const auto& [k, v] : contents) ASSERT_TRUE(builder.Add(k, v).ok());
    ASSERT_TRUE(builder.Finish("state").ok());
  }
  auto file = storage->OpenFile(name, FileOptions{});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  BlockCache cache(1 << 20);
  auto table = Table::Open(std::move(file).value(), name, 1, &cache);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->metadata(), "state");
  EXPECT_EQ((*table)->entries(), contents.size());
  ExpectFullScan(**table, contents);
  std::vector<std::string> problems;
  ASSERT_TRUE((*table)->Check(&problems).ok());
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace cairn
