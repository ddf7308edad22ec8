// One conformance suite over every C++ storage backend: posix with and
// without O_DIRECT, memory and fault. Each case holds every backend to the
// contract in cairn/storage.h. This file lists the backends and covers the
// bytes of one file; conformance_names_test.cc covers names and locks, and
// conformance_direct_test.cc direct files and randomized runs.
#include "storage-backends/conformance.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/fault/fault_storage.h"
#include "storage-backends/memory/memory_storage.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/storage_test_util.h"

namespace cairn {
namespace {

using storage_test::Backend;
using storage_test::Harness;
using storage_test::Pattern;
using storage_test::ReadString;
using storage_test::ReadWhole;
using storage_test::StorageConformanceTest;
using storage_test::TempDir;
using storage_test::U8;
using storage_test::WriteString;

class PosixHarness final : public Harness {
 public:
  explicit PosixHarness(bool direct_io) : direct_io_(direct_io) {}
  Result<std::unique_ptr<Storage>> Open() override {
    if (dir_.path().empty()) return Status::IOError("mkdtemp failed");
    PosixOptions options;
    options.direct_io = direct_io_;
    options.create_dir = true;
    return OpenPosixStorage(dir_.path() + "/db", options);
  }
  bool CanOpenTwice() const override { return true; }

 private:
  TempDir dir_;
  const bool direct_io_;
};

class MemoryHarness final : public Harness {
 public:
  Result<std::unique_ptr<Storage>> Open() override { return NewMemoryStorage(); }
  bool CanOpenTwice() const override { return false; }
};

class FaultHarness final : public Harness {
 public:
  Result<std::unique_ptr<Storage>> Open() override { return fs_.NewStorage(); }
  bool CanOpenTwice() const override { return true; }

 private:
  FaultFileSystem fs_;
};

std::vector<Backend> AllBackends() {
  return {
      {"PosixDirect", [] { return std::make_unique<PosixHarness>(true); }, "posix", true, true,
       true},
      {"PosixBuffered", [] { return std::make_unique<PosixHarness>(false); }, "posix", true, true,
       true},
      {"Memory", [] { return std::make_unique<MemoryHarness>(); }, "memory", false, false, true},
      {"Fault", [] { return std::make_unique<FaultHarness>(); }, "fault", true, false, false},
  };
}

TEST_P(StorageConformanceTest, CapabilitiesDescribeTheBackend) {
  StorageCapabilities caps = storage_->Capabilities();
  EXPECT_EQ(caps.name, GetParam().capability_name);
  EXPECT_EQ(caps.durable_sync, GetParam().durable_sync);
  EXPECT_EQ(caps.cross_process_lock, GetParam().cross_process_lock);
  EXPECT_EQ(caps.memory_map, GetParam().memory_map);
  EXPECT_TRUE(caps.atomic_rename);
  EXPECT_FALSE(storage_->Describe().empty());
}

TEST_P(StorageConformanceTest, WritesAndReadsAtOffsets) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "hello"));
  CAIRN_ASSERT_OK(WriteString(*f, 5, " world"));
  CAIRN_ASSERT_OK(WriteString(*f, 6, "W"));  // overwrite inside
  size_t got = 0;
  EXPECT_EQ(ReadString(*f, 0, 11, &got), "hello World");
  EXPECT_EQ(got, 11u);
  EXPECT_EQ(ReadString(*f, 3, 4, &got), "lo W");
  EXPECT_EQ(got, 4u);
  EXPECT_EQ(ReadString(*f, 0, 0, &got), "");
  EXPECT_EQ(got, 0u);
}

TEST_P(StorageConformanceTest, ShortReadZeroFillsAndReportsGot) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "0123456789"));
  size_t got = 99;
  EXPECT_EQ(ReadString(*f, 6, 10, &got), std::string("6789") + std::string(6, '\0'));
  EXPECT_EQ(got, 4u);
  // Wholly past the end: not an error, nothing read, all zeros.
  got = 99;
  EXPECT_EQ(ReadString(*f, 10, 5, &got), std::string(5, '\0'));
  EXPECT_EQ(got, 0u);
  got = 99;
  EXPECT_EQ(ReadString(*f, 1000000, 3, &got), std::string(3, '\0'));
  EXPECT_EQ(got, 0u);
}

TEST_P(StorageConformanceTest, GapReadsAsZeros) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "ab"));
  CAIRN_ASSERT_OK(WriteString(*f, 10000, "yz"));
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 10002u);
  size_t got = 0;
  EXPECT_EQ(ReadString(*f, 2, 9998, &got), std::string(9998, '\0'));
  EXPECT_EQ(got, 9998u);
  EXPECT_EQ(ReadString(*f, 9999, 3, &got), std::string("\0yz", 3));
}

TEST_P(StorageConformanceTest, SizeFollowsTheFurthestWrite) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 0u);
  CAIRN_ASSERT_OK(WriteString(*f, 100, "x"));
  size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 101u);
  CAIRN_ASSERT_OK(WriteString(*f, 10, "abc"));  // inside: the size stays
  size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 101u);
}

TEST_P(StorageConformanceTest, ZeroLengthWriteChangesNothing) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "abc"));
  CAIRN_ASSERT_OK(f->Write(5000, U8("zzz"), 0));
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 3u);
  EXPECT_EQ(ReadWhole(*f), "abc");
}

TEST_P(StorageConformanceTest, TruncateShrinksAndGrowsWithZeros) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  const std::string bytes = Pattern(100, 1);
  CAIRN_ASSERT_OK(WriteString(*f, 0, bytes));
  CAIRN_ASSERT_OK(f->Truncate(10));
  Result<uint64_t> size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 10u);
  size_t got = 0;
  EXPECT_EQ(ReadString(*f, 0, 100, &got), bytes.substr(0, 10) + std::string(90, '\0'));
  EXPECT_EQ(got, 10u);
  // Growing must not bring the cut bytes back.
  CAIRN_ASSERT_OK(f->Truncate(50));
  size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 50u);
  EXPECT_EQ(ReadWhole(*f), bytes.substr(0, 10) + std::string(40, '\0'));
  CAIRN_ASSERT_OK(f->Truncate(0));
  size = f->Size();
  CAIRN_ASSERT_OK(size);
  EXPECT_EQ(*size, 0u);
}

TEST_P(StorageConformanceTest, SyncKeepsContents) {
  std::unique_ptr<File> f = OpenOrFail("data");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "durable"));
  CAIRN_ASSERT_OK(f->Sync());
  CAIRN_ASSERT_OK(f->Truncate(3));
  CAIRN_ASSERT_OK(f->Sync());
  EXPECT_EQ(ReadWhole(*f), "dur");
  CAIRN_ASSERT_OK(f->Sync());  // nothing new: still fine
}

TEST_P(StorageConformanceTest, MapShowsTheFileOrIsDeclinedWhenNotOffered) {
  std::unique_ptr<File> f = OpenOrFail("table");
  ASSERT_NE(f, nullptr);
  const std::string bytes = Pattern(3 * 4096 + 123, 7);  // not a whole number of pages
  CAIRN_ASSERT_OK(WriteString(*f, 0, bytes));
  CAIRN_ASSERT_OK(f->Sync());
  Result<std::unique_ptr<FileMapping>> mapped = f->Map(bytes.size());
  CAIRN_ASSERT_OK(mapped.status());
  if (!GetParam().memory_map) {
    EXPECT_EQ(*mapped, nullptr) << "a backend that does not declare memory_map must not map";
    return;
  }
  ASSERT_NE(*mapped, nullptr);
  EXPECT_EQ((*mapped)->bytes(), bytes);
  // A prefix maps too; more than the file holds, or nothing, is refused.
  Result<std::unique_ptr<FileMapping>> head = f->Map(100);
  CAIRN_ASSERT_OK(head.status());
  EXPECT_EQ((*head)->bytes(), bytes.substr(0, 100));
  for (uint64_t bad : {uint64_t{0}, uint64_t{bytes.size() + 1}}) {
    Result<std::unique_ptr<FileMapping>> refused = f->Map(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("cannot map " + std::to_string(bad)),
              std::string::npos)
        << refused.status().ToString();
  }
  // The mapping outlives the file's name and its handle.
  f.reset();
  CAIRN_ASSERT_OK(storage_->Remove("table"));
  EXPECT_EQ((*mapped)->bytes(), bytes);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StorageConformanceTest, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace cairn
