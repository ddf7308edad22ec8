// What only the fault backend does: power cuts, torn writes, injected
// errors and the counters tests use to choose where to inject them.
#include "storage-backends/fault/fault_storage.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/storage_test_util.h"

namespace cairn {
namespace {

using storage_test::ReadWhole;
using storage_test::WriteString;

std::unique_ptr<File> OpenOrFail(Storage& storage, const std::string& name, bool create = true) {
  FileOptions options;
  options.create = create;
  Result<std::unique_ptr<File>> file = storage.OpenFile(name, options);
  EXPECT_TRUE(file.ok()) << name << ": " << file.status().ToString();
  return file.ok() ? std::move(*file) : nullptr;
}

// Reads `name` through a fresh Storage, as a restarted process would.
std::string ReadAfterRestart(FaultFileSystem& fs, const std::string& name) {
  std::unique_ptr<Storage> storage = fs.NewStorage();
  std::unique_ptr<File> f = OpenOrFail(*storage, name, /*create=*/false);
  return f ? ReadWhole(*f) : std::string("<missing>");
}

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

TEST(FaultStorageTest, PowerCutDropsUnsyncedBytesAndKeepsSyncedOnes) {
  FaultFileSystem fs;
  {
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "synced|"));
    CAIRN_ASSERT_OK(f->Sync());
    CAIRN_ASSERT_OK(WriteString(*f, 7, "lost"));
    CAIRN_ASSERT_OK(WriteString(*f, 2, "XX"));  // an unsynced overwrite of synced bytes
    EXPECT_EQ(fs.ReadRaw("log"), "syXXed|lost");
    fs.PowerCut();
  }
  EXPECT_EQ(fs.ReadRaw("log"), "synced|");
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "synced|");
}

TEST(FaultStorageTest, PowerCutRevertsAnUnsyncedTruncate) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> storage = fs.NewStorage();
  {
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "0123456789"));
    CAIRN_ASSERT_OK(f->Sync());
    CAIRN_ASSERT_OK(f->Truncate(4));
    CAIRN_ASSERT_OK(f->Truncate(6));  // regrown with zeros, still unsynced
    EXPECT_EQ(ReadWhole(*f), std::string("0123\0\0", 6));
  }
  fs.PowerCut();
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "0123456789");
}

TEST(FaultStorageTest, SyncAfterShrinkAndRegrowMakesTheZerosDurable) {
  FaultFileSystem fs;
  {
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "0123456789"));
    CAIRN_ASSERT_OK(f->Sync());
    CAIRN_ASSERT_OK(f->Truncate(3));
    CAIRN_ASSERT_OK(WriteString(*f, 8, "ab"));  // a gap of zeros over the cut bytes
    CAIRN_ASSERT_OK(f->Sync());
    std::unique_ptr<File> g = OpenOrFail(*storage, "index");
    ASSERT_NE(g, nullptr);
    CAIRN_ASSERT_OK(WriteString(*g, 0, "abcdef"));
    CAIRN_ASSERT_OK(g->Sync());
    CAIRN_ASSERT_OK(g->Truncate(2));
    CAIRN_ASSERT_OK(g->Truncate(6));  // regrown by truncate alone
    CAIRN_ASSERT_OK(g->Sync());
  }
  fs.PowerCut();
  EXPECT_EQ(ReadAfterRestart(fs, "log"), std::string("012\0\0\0\0\0ab", 10));
  EXPECT_EQ(ReadAfterRestart(fs, "index"), std::string("ab\0\0\0\0", 6));
}

// Random writes, truncates and syncs with power cuts in between: after each
// cut the file holds exactly what was last synced.
TEST(FaultStorageTest, RandomWorkloadSurvivesPowerCutsAsSynced) {
  FaultFileSystem fs;
  std::mt19937 rng(11);
  std::string current;
  std::string durable;
  for (int round = 0; round < 20; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(ReadWhole(*f), durable);
    for (int op = 0; op < 30; op++) {
      const uint32_t kind = rng() % 6;
      if (kind < 3) {
        const uint64_t offset = rng() % 20000;
        const std::string bytes = storage_test::Pattern(rng() % 3000, rng());
        CAIRN_ASSERT_OK(WriteString(*f, offset, bytes));
        if (!bytes.empty()) {
          if (current.size() < offset + bytes.size()) current.resize(offset + bytes.size(), '\0');
          current.replace(offset, bytes.size(), bytes);
        }
      } else if (kind < 4) {
        const uint64_t size = rng() % 24000;
        CAIRN_ASSERT_OK(f->Truncate(size));
        current.resize(size, '\0');
      } else {
        CAIRN_ASSERT_OK(f->Sync());
        durable = current;
      }
    }
    ASSERT_EQ(ReadWhole(*f), current);
    fs.PowerCut();
    current = durable;
  }
}

TEST(FaultStorageTest, CreateRenameAndRemoveAreDurableAtOnce) {
  FaultFileSystem fs;
  {
    std::unique_ptr<Storage> storage = fs.NewStorage();
    ASSERT_NE(OpenOrFail(*storage, "created"), nullptr);
    ASSERT_NE(OpenOrFail(*storage, "doomed"), nullptr);
    std::unique_ptr<File> f = OpenOrFail(*storage, "temp");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "manifest"));
    CAIRN_ASSERT_OK(f->Sync());
    CAIRN_ASSERT_OK(storage->Rename("temp", "final"));
    CAIRN_ASSERT_OK(storage->Remove("doomed"));
    fs.PowerCut();
  }
  EXPECT_EQ(fs.FileNames(), (std::vector<std::string>{"created", "final"}));
  EXPECT_EQ(ReadAfterRestart(fs, "created"), "");
  EXPECT_EQ(ReadAfterRestart(fs, "final"), "manifest");
}

TEST(FaultStorageTest, HandlesOpenedBeforeAPowerCutFailEveryCall) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> storage = fs.NewStorage();
  std::unique_ptr<File> f = OpenOrFail(*storage, "log");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "abc"));
  CAIRN_ASSERT_OK(f->Sync());
  fs.PowerCut();

  std::vector<Status> results;
  uint8_t byte = 0;
  size_t got = 0;
  results.push_back(f->Read(0, 1, &byte, &got));
  results.push_back(WriteString(*f, 0, "x"));
  results.push_back(f->Sync());
  results.push_back(f->Size().status());
  results.push_back(f->Truncate(0));
  FileOptions create;
  create.create = true;
  results.push_back(storage->OpenFile("log", create).status());
  results.push_back(storage->OpenFile("../bad", create).status());  // dead before invalid
  std::vector<std::string> names;
  results.push_back(storage->List(&names));
  results.push_back(storage->Remove("log"));
  results.push_back(storage->Rename("log", "other"));
  results.push_back(storage->Lock());
  results.push_back(storage->Unlock());
  for (size_t i = 0; i < results.size(); i++) {
    EXPECT_EQ(results[i].code(), Code::kIOError) << "call " << i << ": " << results[i].ToString();
    EXPECT_TRUE(Contains(results[i], "power cut")) << "call " << i << ": " << results[i].ToString();
  }
  // The dead handles changed nothing.
  EXPECT_EQ(fs.FileNames(), std::vector<std::string>{"log"});
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "abc");
}

TEST(FaultStorageTest, PowerCutReleasesTheLock) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> before = fs.NewStorage();
  CAIRN_ASSERT_OK(before->Lock());
  fs.PowerCut();
  std::unique_ptr<Storage> after = fs.NewStorage();
  CAIRN_ASSERT_OK(after->Lock());
  // The dead storage's destruction must not release the new holder's lock.
  before.reset();
  std::unique_ptr<Storage> third = fs.NewStorage();
  CAIRN_EXPECT_CODE(third->Lock(), Code::kLocked);
}

TEST(FaultStorageTest, TearWriteKeepsExactlyKeepBytesThenCutsThePower) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> storage = fs.NewStorage();
  std::unique_ptr<File> f = OpenOrFail(*storage, "log");
  ASSERT_NE(f, nullptr);
  CAIRN_ASSERT_OK(WriteString(*f, 0, "0123456789"));
  CAIRN_ASSERT_OK(f->Sync());
  fs.TearWrite(2, 3);
  CAIRN_ASSERT_OK(WriteString(*f, 20, "unsynced"));  // write 1: fine, never synced
  Status torn = WriteString(*f, 8, "ABCDEFGH");      // write 2: torn after 3 bytes
  EXPECT_EQ(torn.code(), Code::kIOError) << torn.ToString();
  EXPECT_TRUE(Contains(torn, "power cut")) << torn.ToString();
  // The cut killed the handles.
  CAIRN_EXPECT_CODE(f->Size(), Code::kIOError);
  // 3 bytes at offset 8 survive and extend the durable file by one byte;
  // the unsynced write is gone.
  EXPECT_EQ(fs.ReadRaw("log"), "01234567ABC");
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "01234567ABC");
}

TEST(FaultStorageTest, TearWriteKeepingNothingOrEverything) {
  FaultFileSystem fs;
  {
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    fs.TearWrite(1, 0);
    CAIRN_EXPECT_CODE(WriteString(*f, 0, "gone"), Code::kIOError);
  }
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "");
  {
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log", /*create=*/false);
    ASSERT_NE(f, nullptr);
    fs.TearWrite(1, 100);  // more than the write: all of it is kept
    CAIRN_EXPECT_CODE(WriteString(*f, 0, "whole"), Code::kIOError);
  }
  EXPECT_EQ(ReadAfterRestart(fs, "log"), "whole");
}

TEST(FaultStorageTest, FailWriteFailsTheNthWriteAndAppliesNothing) {
  for (FaultKind kind : {FaultKind::kEIO, FaultKind::kENOSPC}) {
    const std::string text =
        kind == FaultKind::kEIO ? "injected EIO" : "injected ENOSPC: no space left on device";
    SCOPED_TRACE(text);
    FaultFileSystem fs;
    std::unique_ptr<Storage> storage = fs.NewStorage();
    std::unique_ptr<File> f = OpenOrFail(*storage, "log");
    ASSERT_NE(f, nullptr);
    fs.FailWrite(3, kind);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "one "));
    CAIRN_ASSERT_OK(WriteString(*f, 4, "two "));
    Status failed = WriteString(*f, 0, "THREE AND LONGER");
    EXPECT_EQ(failed.code(), Code::kIOError) << failed.ToString();
    EXPECT_TRUE(Contains(failed, text)) << failed.ToString();
    EXPECT_EQ(ReadWhole(*f), "one two ");
    // Only the nth write fails; the handle stays usable.
    CAIRN_ASSERT_OK(WriteString(*f, 8, "four"));
    EXPECT_EQ(ReadWhole(*f), "one two four");
  }
}

TEST(FaultStorageTest, FailSyncFailsTheNthSyncAndMakesNothingDurable) {
  for (FaultKind kind : {FaultKind::kEIO, FaultKind::kENOSPC}) {
    const std::string text =
        kind == FaultKind::kEIO ? "injected EIO" : "injected ENOSPC: no space left on device";
    SCOPED_TRACE(text);
    FaultFileSystem fs;
    {
      std::unique_ptr<Storage> storage = fs.NewStorage();
      std::unique_ptr<File> f = OpenOrFail(*storage, "log");
      ASSERT_NE(f, nullptr);
      fs.FailSync(2, kind);
      CAIRN_ASSERT_OK(WriteString(*f, 0, "first"));
      CAIRN_ASSERT_OK(f->Sync());
      CAIRN_ASSERT_OK(WriteString(*f, 5, "+second"));
      Status failed = f->Sync();
      EXPECT_EQ(failed.code(), Code::kIOError) << failed.ToString();
      EXPECT_TRUE(Contains(failed, text)) << failed.ToString();
      EXPECT_EQ(ReadWhole(*f), "first+second");  // still visible, not durable
      fs.PowerCut();
    }
    EXPECT_EQ(ReadAfterRestart(fs, "log"), "first");
  }
}

TEST(FaultStorageTest, ClearFaultsDisarmsEverything) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> storage = fs.NewStorage();
  std::unique_ptr<File> f = OpenOrFail(*storage, "log");
  ASSERT_NE(f, nullptr);
  fs.FailWrite(1, FaultKind::kEIO);
  fs.FailSync(1, FaultKind::kENOSPC);
  fs.TearWrite(2, 1);
  fs.ClearFaults();
  CAIRN_ASSERT_OK(WriteString(*f, 0, "a"));
  CAIRN_ASSERT_OK(WriteString(*f, 1, "b"));
  CAIRN_ASSERT_OK(f->Sync());
  EXPECT_EQ(ReadWhole(*f), "ab");
}

TEST(FaultStorageTest, CountersCountEveryWriteAndSyncCall) {
  FaultFileSystem fs;
  EXPECT_EQ(fs.writes(), 0u);
  EXPECT_EQ(fs.syncs(), 0u);
  std::unique_ptr<Storage> storage = fs.NewStorage();
  std::unique_ptr<File> a = OpenOrFail(*storage, "a");
  std::unique_ptr<File> b = OpenOrFail(*storage, "b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  CAIRN_ASSERT_OK(WriteString(*a, 0, "1"));
  CAIRN_ASSERT_OK(WriteString(*b, 0, "2"));
  CAIRN_ASSERT_OK(a->Sync());
  fs.FailWrite(1, FaultKind::kEIO);
  CAIRN_EXPECT_CODE(WriteString(*a, 1, "3"), Code::kIOError);  // failed calls count too
  EXPECT_EQ(fs.writes(), 3u);
  EXPECT_EQ(fs.syncs(), 1u);
  // Reads, sizes and truncates are not counted.
  CAIRN_ASSERT_OK(a->Truncate(0));
  CAIRN_ASSERT_OK(a->Size());
  EXPECT_EQ(fs.writes(), 3u);
  EXPECT_EQ(fs.syncs(), 1u);
  // N counts from the arming call, not from construction.
  fs.FailWrite(2, FaultKind::kENOSPC);
  CAIRN_ASSERT_OK(WriteString(*b, 1, "4"));
  CAIRN_EXPECT_CODE(WriteString(*b, 2, "5"), Code::kIOError);
  EXPECT_EQ(fs.writes(), 5u);
}

TEST(FaultStorageTest, RawAccessSeesAndSetsBothCopies) {
  FaultFileSystem fs;
  EXPECT_EQ(fs.ReadRaw("missing"), "");
  fs.WriteRaw("seg-1", std::string("da\0ta", 5));
  EXPECT_EQ(fs.FileNames(), std::vector<std::string>{"seg-1"});
  EXPECT_EQ(fs.ReadRaw("seg-1"), std::string("da\0ta", 5));
  // WriteRaw overwrites the durable bytes too: a power cut keeps them.
  fs.PowerCut();
  EXPECT_EQ(ReadAfterRestart(fs, "seg-1"), std::string("da\0ta", 5));
}

TEST(FaultStorageTest, CapabilitiesAndDirectFilesAreBuffered) {
  FaultFileSystem fs;
  std::unique_ptr<Storage> storage = fs.NewStorage();
  StorageCapabilities caps = storage->Capabilities();
  EXPECT_EQ(caps.name, "fault");
  EXPECT_TRUE(caps.durable_sync);
  EXPECT_FALSE(caps.cross_process_lock);
  EXPECT_FALSE(caps.direct_io);
  FileOptions options;
  options.create = true;
  options.direct = true;
  Result<std::unique_ptr<File>> f = storage->OpenFile("seg", options);
  CAIRN_ASSERT_OK(f);
  EXPECT_FALSE((*f)->IsDirect());
}

}  // namespace
}  // namespace cairn
