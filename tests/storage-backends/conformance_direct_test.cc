// The conformance suite, continued: direct files, randomized runs against a
// model, and concurrent reads (see conformance_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/conformance.h"
#include "storage-backends/storage_test_util.h"

namespace cairn {
namespace {

using storage_test::AlignedBuffer;
using storage_test::Pattern;
using storage_test::ReadString;
using storage_test::ReadWhole;
using storage_test::StorageConformanceTest;
using storage_test::WriteString;

TEST_P(StorageConformanceTest, AlignedDirectWritesRoundTrip) {
  constexpr size_t kBlock = kStorageBlockSize;
  std::unique_ptr<File> f = OpenOrFail("segment", /*create=*/true, /*direct=*/true);
  ASSERT_NE(f, nullptr);
  AlignedBuffer buffer(4 * kBlock);
  ASSERT_NE(buffer.bytes, nullptr);
  std::string model;
  auto write = [&](uint64_t offset, size_t n, uint32_t seed) {
    const std::string bytes = Pattern(n, seed);
    std::copy(bytes.begin(), bytes.end(), buffer.bytes);
    Status s = f->Write(offset, buffer.bytes, n);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (model.size() < offset + n) model.resize(offset + n, '\0');
    model.replace(offset, n, bytes);
  };
  write(0, 3 * kBlock, 1);
  write(3 * kBlock, 2 * kBlock, 2);
  write(kBlock, kBlock, 3);          // overwrite in the middle
  write(8 * kBlock, 4 * kBlock, 4);  // past the end: leaves a gap
  CAIRN_ASSERT_OK(f->Sync());
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 12 * kBlock);
  EXPECT_EQ(ReadWhole(*f), model);
  // Reads need no alignment, even on a direct file.
  size_t got = 0;
  EXPECT_EQ(ReadString(*f, 4097, 10, &got), model.substr(4097, 10));
  EXPECT_EQ(got, 10u);
  // A new handle (buffered) sees the same bytes.
  std::unique_ptr<File> plain = OpenOrFail("segment", /*create=*/false);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(ReadWhole(*plain), model);
}

TEST_P(StorageConformanceTest, UnalignedWritesOnADirectFileStillWork) {
  constexpr size_t kBlock = kStorageBlockSize;
  std::unique_ptr<File> f = OpenOrFail("segment", /*create=*/true, /*direct=*/true);
  ASSERT_NE(f, nullptr);
  // Room for a write larger than the backend's aligned copy buffer, at an
  // address one byte past alignment.
  const size_t big = (1u << 20) + 2 * kBlock;
  AlignedBuffer buffer(big + kBlock);
  ASSERT_NE(buffer.bytes, nullptr);
  std::string model;
  uint32_t seed = 10;
  auto write = [&](uint64_t offset, size_t n, size_t misalign) {
    const std::string bytes = Pattern(n, seed++);
    uint8_t* at = buffer.bytes + misalign;
    std::copy(bytes.begin(), bytes.end(), at);
    Status s = f->Write(offset, at, n);
    ASSERT_TRUE(s.ok()) << "write at " << offset << " of " << n << ": " << s.ToString();
    if (model.size() < offset + n) model.resize(offset + n, '\0');
    model.replace(offset, n, bytes);
  };
  write(0, kBlock, 1);           // aligned offset and length, unaligned address
  write(100, 10, 0);             // unaligned offset and length
  write(kBlock, kBlock + 1, 0);  // unaligned length
  write(kBlock + 7, kBlock, 0);  // unaligned offset
  write(kBlock, 2 * kBlock, 0);  // fully aligned, over bytes written unaligned
  EXPECT_EQ(ReadWhole(*f), model);
  CAIRN_ASSERT_OK(f->Truncate(5 * kBlock + 33));
  model.resize(5 * kBlock + 33, '\0');
  write(5 * kBlock + 33, 100, 3);  // append at an unaligned end
  write(8 * kBlock, big, 1);       // larger than one aligned copy
  write(6 * kBlock, kBlock, 0);    // aligned, inside a region never written
  CAIRN_ASSERT_OK(f->Sync());
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, model.size());
  EXPECT_EQ(ReadWhole(*f), model);
}

// Random writes, truncates and reads on plain and direct files, checked
// against a string that models the file.
TEST_P(StorageConformanceTest, RandomOperationsMatchAModel) {
  for (bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "direct file" : "plain file");
    std::unique_ptr<File> f = OpenOrFail(direct ? "direct" : "plain", true, direct);
    ASSERT_NE(f, nullptr);
    AlignedBuffer buffer(16 * kStorageBlockSize + 1);
    ASSERT_NE(buffer.bytes, nullptr);
    std::mt19937 rng(direct ? 7 : 3);
    std::string model;
    for (int op = 0; op < 400; op++) {
      const uint32_t kind = rng() % 10;
      if (kind < 6) {
        const bool aligned = rng() % 2 == 0;
        uint64_t offset = rng() % (64 * 1024);
        size_t n = rng() % (3 * kStorageBlockSize);
        if (aligned) {
          offset -= offset % kStorageBlockSize;
          n = (1 + rng() % 8) * kStorageBlockSize;
        }
        const size_t misalign = rng() % 4 == 0 ? 1 : 0;
        const std::string bytes = Pattern(n, static_cast<uint32_t>(op));
        std::copy(bytes.begin(), bytes.end(), buffer.bytes + misalign);
        Status s = f->Write(offset, buffer.bytes + misalign, n);
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (n > 0) {  // a zero-length write changes nothing, even past the end
          if (model.size() < offset + n) model.resize(offset + n, '\0');
          model.replace(offset, n, bytes);
        }
      } else if (kind < 7) {
        const uint64_t size = rng() % (80 * 1024);
        CAIRN_ASSERT_OK(f->Truncate(size));
        model.resize(size, '\0');
      } else if (kind < 8) {
        CAIRN_ASSERT_OK(f->Sync());
      } else {
        const uint64_t offset = rng() % (90 * 1024);
        const size_t n = rng() % 10000;
        size_t got = 0;
        const std::string read = ReadString(*f, offset, n, &got);
        const size_t expect_got =
            offset >= model.size() ? 0 : std::min<size_t>(n, model.size() - offset);
        ASSERT_EQ(got, expect_got) << "op " << op;
        std::string expected = offset < model.size() ? model.substr(offset, expect_got) : "";
        expected.resize(n, '\0');
        ASSERT_EQ(read, expected) << "op " << op;
      }
    }
    Result<uint64_t> size = f->Size();
    CAIRN_ASSERT_OK(size);
    EXPECT_EQ(*size, model.size());
    EXPECT_EQ(ReadWhole(*f), model);
  }
}

TEST_P(StorageConformanceTest, ConcurrentReadsSeeTheSameBytes) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  const std::string bytes = Pattern(64 * 1024, 5);
  CAIRN_ASSERT_OK(WriteString(*f, 0, bytes));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; t++) {
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::string out;
      for (int i = 0; i < 200; i++) {
        const uint64_t offset = rng() % bytes.size();
        const size_t n = rng() % 5000;
        out.assign(n, '\xAA');
        size_t got = 0;
        Status s = f->Read(offset, n, reinterpret_cast<uint8_t*>(out.data()), &got);
        std::string expected = bytes.substr(offset, n);
        const size_t expect_got = expected.size();
        expected.resize(n, '\0');
        if (!s.ok() || got != expect_got || out != expected) mismatches[t]++;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}


// ReadIfCached reads what Read reads, or reports that it would wait and
// reads nothing; once Read has read the bytes they are cached. Direct
// writes leave the OS page cache cold, so on posix the first reads there
// may report a miss.
TEST_P(StorageConformanceTest, ReadIfCachedReadsWhatReadReadsOrNothing) {
  constexpr size_t kBlock = kStorageBlockSize;
  for (const bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    std::unique_ptr<File> f = OpenOrFail(direct ? "segment" : "data", /*create=*/true, direct);
    ASSERT_NE(f, nullptr);
    AlignedBuffer buffer(8 * kBlock);
    ASSERT_NE(buffer.bytes, nullptr);
    const std::string bytes = Pattern(8 * kBlock, 9);
    std::copy(bytes.begin(), bytes.end(), buffer.bytes);
    CAIRN_ASSERT_OK(f->Write(0, buffer.bytes, bytes.size()));
    CAIRN_ASSERT_OK(f->Sync());
    const std::vector<std::pair<uint64_t, size_t>> reads = {
        {0, kBlock}, {kBlock + 17, 100}, {3 * kBlock, 2 * kBlock}, {7 * kBlock + 5, kBlock}, {9 * kBlock, 10}};
    for (const auto& [offset, n] : reads) {
      SCOPED_TRACE("offset " + std::to_string(offset) + " n " + std::to_string(n));
      std::string expected = offset < bytes.size() ? bytes.substr(offset, n) : "";
      const size_t expect_got = expected.size();
      expected.resize(n, '\0');
      for (int attempt = 0; attempt < 2; attempt++) {
        std::string out(n, '\xAA');
        size_t got = 99;
        bool cached = false;
        CAIRN_ASSERT_OK(f->ReadIfCached(offset, n, reinterpret_cast<uint8_t*>(out.data()), &got, &cached));
        if (cached) {
          EXPECT_EQ(got, expect_got);
          EXPECT_EQ(out, expected);
        } else {
          EXPECT_EQ(attempt, 0) << "still not cached after a Read of the same bytes";
          EXPECT_EQ(got, 0u);
        }
        // A plain read always reads, and leaves the bytes cached.
        std::string plain(n, '\xAA');
        size_t plain_got = 0;
        CAIRN_ASSERT_OK(f->Read(offset, n, reinterpret_cast<uint8_t*>(plain.data()), &plain_got));
        EXPECT_EQ(plain_got, expect_got);
        EXPECT_EQ(plain, expected);
      }
    }
  }
}
}  // namespace
}  // namespace cairn
