// The conformance suite, continued: names, listing, removal, renaming and
// locks (see conformance_test.cc).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/conformance.h"
#include "storage-backends/storage_test_util.h"

namespace cairn {
namespace {

using storage_test::ReadWhole;
using storage_test::StorageConformanceTest;
using storage_test::WriteString;

TEST_P(StorageConformanceTest, ListNamesEveryFileButNotTheLock) {
  EXPECT_TRUE(SortedList().empty());
  CAIRN_ASSERT_OK(storage_->Lock());  // the posix backend now has a LOCK file
  for (const char* name : {"b", "a", "c.log"}) ASSERT_NE(OpenOrFail(name), nullptr);
  EXPECT_EQ(SortedList(), (std::vector<std::string>{"a", "b", "c.log"}));
  CAIRN_ASSERT_OK(storage_->Unlock());
  EXPECT_EQ(SortedList(), (std::vector<std::string>{"a", "b", "c.log"}));
}

TEST_P(StorageConformanceTest, RemoveDeletesAndMissingIsNotFound) {
  {
    std::unique_ptr<File> f = OpenOrFail("gone");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "x"));
  }
  ASSERT_NE(OpenOrFail("kept"), nullptr);
  CAIRN_ASSERT_OK(storage_->Remove("gone"));
  EXPECT_EQ(SortedList(), std::vector<std::string>{"kept"});
  CAIRN_EXPECT_CODE(storage_->OpenFile("gone", FileOptions{}), Code::kNotFound);
  CAIRN_EXPECT_CODE(storage_->Remove("gone"), Code::kNotFound);
  CAIRN_EXPECT_CODE(storage_->Remove("never"), Code::kNotFound);
  // A new file under the removed name starts empty.
  std::unique_ptr<File> again = OpenOrFail("gone");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ReadWhole(*again), "");
}

TEST_P(StorageConformanceTest, RenameReplacesAnExistingTarget) {
  {
    std::unique_ptr<File> from = OpenOrFail("new");
    std::unique_ptr<File> to = OpenOrFail("current");
    ASSERT_NE(from, nullptr);
    ASSERT_NE(to, nullptr);
    CAIRN_ASSERT_OK(WriteString(*from, 0, "fresh"));
    CAIRN_ASSERT_OK(WriteString(*to, 0, "stale and longer"));
  }
  CAIRN_ASSERT_OK(storage_->Rename("new", "current"));
  EXPECT_EQ(SortedList(), std::vector<std::string>{"current"});
  CAIRN_EXPECT_CODE(storage_->OpenFile("new", FileOptions{}), Code::kNotFound);
  std::unique_ptr<File> f = OpenOrFail("current", /*create=*/false);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadWhole(*f), "fresh");
  // Renaming to a name that does not exist moves the file.
  CAIRN_ASSERT_OK(storage_->Rename("current", "moved"));
  EXPECT_EQ(SortedList(), std::vector<std::string>{"moved"});
}

// The engine relies on this when a compaction replaces the newest
// checkpoint table while readers still hold the old one open.
TEST_P(StorageConformanceTest, AFileOpenWhileRenamedOverStaysReadable) {
  std::unique_ptr<File> old_file = OpenOrFail("table");
  ASSERT_NE(old_file, nullptr);
  CAIRN_ASSERT_OK(WriteString(*old_file, 0, "the old table"));
  CAIRN_ASSERT_OK(old_file->Sync());
  {
    std::unique_ptr<File> fresh = OpenOrFail("table.tmp");
    ASSERT_NE(fresh, nullptr);
    CAIRN_ASSERT_OK(WriteString(*fresh, 0, "the new one"));
    CAIRN_ASSERT_OK(fresh->Sync());
  }
  CAIRN_ASSERT_OK(storage_->Rename("table.tmp", "table"));
  EXPECT_EQ(ReadWhole(*old_file), "the old table");
  std::unique_ptr<File> now = OpenOrFail("table", /*create=*/false);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(ReadWhole(*now), "the new one");
  EXPECT_EQ(SortedList(), std::vector<std::string>{"table"});
}

TEST_P(StorageConformanceTest, RenameOfMissingFileIsNotFound) {
  ASSERT_NE(OpenOrFail("target"), nullptr);
  CAIRN_EXPECT_CODE(storage_->Rename("missing", "target"), Code::kNotFound);
  EXPECT_EQ(SortedList(), std::vector<std::string>{"target"});
}

TEST_P(StorageConformanceTest, OpenWithoutCreateOnMissingFileIsNotFound) {
  CAIRN_EXPECT_CODE(storage_->OpenFile("missing", FileOptions{}), Code::kNotFound);
  FileOptions direct;
  direct.direct = true;
  CAIRN_EXPECT_CODE(storage_->OpenFile("missing", direct), Code::kNotFound);
  EXPECT_TRUE(SortedList().empty());
}

TEST_P(StorageConformanceTest, OpenWithCreateKeepsAnExistingFile) {
  {
    std::unique_ptr<File> f = OpenOrFail("data");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "keep me"));
  }
  std::unique_ptr<File> f = OpenOrFail("data", /*create=*/true);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadWhole(*f), "keep me");
}

TEST_P(StorageConformanceTest, InvalidNamesAreRejected) {
  ASSERT_NE(OpenOrFail("valid"), nullptr);
  const std::vector<std::string> bad = {
      "../x", "a/b",  "",       ".hidden", std::string(65, 'n'), std::string("x\0y", 3),
      "..",   "/abs", "sp ace", "tab\t"};
  FileOptions create;
  create.create = true;
  for (const std::string& name : bad) {
    SCOPED_TRACE("name: " + name);
    Result<std::unique_ptr<File>> opened = storage_->OpenFile(name, create);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), Code::kInvalidArgument) << opened.status().ToString();
    EXPECT_NE(opened.status().message().find("invalid file name"), std::string::npos)
        << opened.status().ToString();
    CAIRN_EXPECT_CODE(storage_->Remove(name), Code::kInvalidArgument);
    CAIRN_EXPECT_CODE(storage_->Rename("valid", name), Code::kInvalidArgument);
    CAIRN_EXPECT_CODE(storage_->Rename(name, "valid"), Code::kInvalidArgument);
  }
  EXPECT_EQ(SortedList(), std::vector<std::string>{"valid"});
}

TEST_P(StorageConformanceTest, EdgeValidNamesWork) {
  const std::string longest(64, 'L');
  for (const std::string& name :
       {longest, std::string("a.b-c_D9"), std::string("-"), std::string("x..y")}) {
    std::unique_ptr<File> f = OpenOrFail(name);
    ASSERT_NE(f, nullptr) << name;
    CAIRN_ASSERT_OK(WriteString(*f, 0, name));
  }
  EXPECT_EQ(SortedList(), (std::vector<std::string>{"-", longest, "a.b-c_D9", "x..y"}));
}

TEST_P(StorageConformanceTest, TwoHandlesOfOneFileSeeEachOthersWrites) {
  std::unique_ptr<File> a = OpenOrFail("shared");
  std::unique_ptr<File> b = OpenOrFail("shared", /*create=*/false);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  CAIRN_ASSERT_OK(WriteString(*a, 0, "from a"));
  EXPECT_EQ(ReadWhole(*b), "from a");
  CAIRN_ASSERT_OK(WriteString(*b, 5, "b!"));
  EXPECT_EQ(ReadWhole(*a), "from b!");
}

TEST_P(StorageConformanceTest, LockIsExclusiveWithinOneStorage) {
  CAIRN_ASSERT_OK(storage_->Lock());
  Status again = storage_->Lock();
  EXPECT_EQ(again.code(), Code::kLocked) << again.ToString();
  EXPECT_NE(again.message().find(storage_->Describe()), std::string::npos) << again.ToString();
  CAIRN_ASSERT_OK(storage_->Unlock());
  CAIRN_ASSERT_OK(storage_->Lock());
  CAIRN_ASSERT_OK(storage_->Unlock());
  CAIRN_EXPECT_OK(storage_->Unlock());  // unlocking an unlocked storage is harmless
}

TEST_P(StorageConformanceTest, LockExcludesASecondStorage) {
  if (!harness_->CanOpenTwice()) GTEST_SKIP() << "each memory storage is a place of its own";
  Result<std::unique_ptr<Storage>> opened = harness_->Open();
  CAIRN_ASSERT_OK(opened);
  std::unique_ptr<Storage> second = std::move(*opened);

  CAIRN_ASSERT_OK(storage_->Lock());
  Status locked = second->Lock();
  EXPECT_EQ(locked.code(), Code::kLocked) << locked.ToString();
  EXPECT_NE(locked.message().find(second->Describe()), std::string::npos) << locked.ToString();
  // Unlocking the storage that does not hold the lock releases nothing.
  CAIRN_ASSERT_OK(second->Unlock());
  CAIRN_EXPECT_CODE(second->Lock(), Code::kLocked);

  CAIRN_ASSERT_OK(storage_->Unlock());
  CAIRN_ASSERT_OK(second->Lock());
  CAIRN_EXPECT_CODE(storage_->Lock(), Code::kLocked);
  CAIRN_ASSERT_OK(second->Unlock());
  CAIRN_EXPECT_OK(storage_->Lock());
}

TEST_P(StorageConformanceTest, DestroyingAStorageReleasesItsLock) {
  if (!harness_->CanOpenTwice()) GTEST_SKIP() << "each memory storage is a place of its own";
  {
    Result<std::unique_ptr<Storage>> second = harness_->Open();
    CAIRN_ASSERT_OK(second);
    CAIRN_ASSERT_OK((*second)->Lock());
    CAIRN_EXPECT_CODE(storage_->Lock(), Code::kLocked);
  }
  CAIRN_EXPECT_OK(storage_->Lock());
}

TEST_P(StorageConformanceTest, ASecondStorageSeesTheSameFiles) {
  if (!harness_->CanOpenTwice()) GTEST_SKIP() << "each memory storage is a place of its own";
  {
    std::unique_ptr<File> f = OpenOrFail("data");
    ASSERT_NE(f, nullptr);
    CAIRN_ASSERT_OK(WriteString(*f, 0, "synced"));
    CAIRN_ASSERT_OK(f->Sync());
  }
  storage_.reset();
  Result<std::unique_ptr<Storage>> reopened = harness_->Open();
  CAIRN_ASSERT_OK(reopened);
  EXPECT_EQ(SortedList(reopened->get()), std::vector<std::string>{"data"});
  std::unique_ptr<File> f = OpenOrFail("data", /*create=*/false, false, reopened->get());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadWhole(*f), "synced");
}

}  // namespace
}  // namespace cairn
