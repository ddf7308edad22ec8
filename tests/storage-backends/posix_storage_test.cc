// What only the posix backend does: a real directory that outlives the
// Storage, locks that exclude other processes, O_DIRECT, errno messages.
#include "storage-backends/posix/posix_storage.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/posix/posix_error.h"
#include "storage-backends/storage_test_util.h"

namespace cairn {
namespace {

using storage_test::AlignedBuffer;
using storage_test::Pattern;
using storage_test::ReadWhole;
using storage_test::TempDir;
using storage_test::WriteString;

namespace fs = std::filesystem;

// A forked child running `body(from_parent_fd, to_parent_fd)`; its return
// value is the exit code. The child never returns into the test.
class ChildProcess {
 public:
  explicit ChildProcess(const std::function<int(int, int)>& body) {
    int down[2], up[2];
    if (::pipe(down) != 0 || ::pipe(up) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(down[1]);
      ::close(up[0]);
      ::_exit(body(down[0], up[1]));
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child_ = down[1];
    from_child_ = up[0];
  }
  ~ChildProcess() { Wait(); }

  bool started() const { return pid_ > 0; }

  // The next byte the child sends; -1 when it exited without sending.
  int Receive() {
    char c;
    return ::read(from_child_, &c, 1) == 1 ? static_cast<unsigned char>(c) : -1;
  }

  // Lets the child go on (it reads EOF) and returns its exit code.
  int Wait() {
    if (to_child_ >= 0) ::close(to_child_);
    to_child_ = -1;
    if (from_child_ >= 0) ::close(from_child_);
    from_child_ = -1;
    if (pid_ <= 0) return -1;
    int status = 0;
    const pid_t waited = ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (waited < 0 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
};

// In a child: blocks until the parent sends a byte or goes away.
void AwaitParent(int from_parent) {
  char c;
  (void)!::read(from_parent, &c, 1);
}

constexpr int kChildCouldNotOpen = 100;

// In a child: opens `dir` and takes its lock; the exit code is the Code.
int TryLockIn(const std::string& dir) {
  PosixOptions options;
  options.create_dir = false;
  Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(dir, options);
  if (!storage.ok()) return kChildCouldNotOpen;
  return static_cast<int>((*storage)->Lock().code());
}

class PosixStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty()) << "mkdtemp failed";
    dir_ = tmp_.path() + "/db";
  }

  std::unique_ptr<Storage> OpenOrFail(const std::string& dir, bool direct_io = true,
                                      bool create_dir = true) {
    PosixOptions options;
    options.direct_io = direct_io;
    options.create_dir = create_dir;
    Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(dir, options);
    EXPECT_TRUE(storage.ok()) << dir << ": " << storage.status().ToString();
    return storage.ok() ? std::move(*storage) : nullptr;
  }

  TempDir tmp_;
  std::string dir_;
};

TEST_F(PosixStorageTest, FilesPersistAcrossReopeningTheDirectory) {
  const std::string segment = Pattern(3 * kStorageBlockSize, 9);
  {
    std::unique_ptr<Storage> storage = OpenOrFail(dir_);
    ASSERT_NE(storage, nullptr);
    FileOptions direct;
    direct.create = true;
    direct.direct = true;
    Result<std::unique_ptr<File>> seg = storage->OpenFile("seg-1", direct);
    Result<std::unique_ptr<File>> meta = storage->OpenFile("meta", FileOptions{true, false});
    CAIRN_ASSERT_OK(seg);
    CAIRN_ASSERT_OK(meta);
    AlignedBuffer buffer(segment.size());
    ASSERT_NE(buffer.bytes, nullptr);
    std::memcpy(buffer.bytes, segment.data(), segment.size());
    CAIRN_ASSERT_OK((*seg)->Write(0, buffer.bytes, buffer.size));
    CAIRN_ASSERT_OK(WriteString(**meta, 0, "v1"));
    CAIRN_ASSERT_OK((*seg)->Sync());
    CAIRN_ASSERT_OK((*meta)->Sync());
  }
  std::unique_ptr<Storage> storage = OpenOrFail(dir_, true, /*create_dir=*/false);
  ASSERT_NE(storage, nullptr);
  std::vector<std::string> names;
  CAIRN_ASSERT_OK(storage->List(&names));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"meta", "seg-1"}));
  Result<std::unique_ptr<File>> seg = storage->OpenFile("seg-1", FileOptions{});
  Result<std::unique_ptr<File>> meta = storage->OpenFile("meta", FileOptions{});
  CAIRN_ASSERT_OK(seg);
  CAIRN_ASSERT_OK(meta);
  EXPECT_EQ(ReadWhole(**seg), segment);
  EXPECT_EQ(ReadWhole(**meta), "v1");
}

TEST_F(PosixStorageTest, MissingDirectoryWithoutCreateIsNotFound) {
  PosixOptions options;
  options.create_dir = false;
  Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(dir_, options);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), Code::kNotFound) << storage.status().ToString();
  EXPECT_NE(storage.status().message().find(dir_), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(PosixStorageTest, CreateDirMakesOneLevelOnly) {
  Result<std::unique_ptr<Storage>> nested = OpenPosixStorage(dir_ + "/inner");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), Code::kNotFound) << nested.status().ToString();
  EXPECT_FALSE(fs::exists(dir_));
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  EXPECT_TRUE(fs::is_directory(dir_));
  EXPECT_EQ(storage->Describe(), dir_);
}

TEST_F(PosixStorageTest, PathThatIsAFileIsAnIOError) {
  std::ofstream(dir_) << "not a directory";
  for (bool create_dir : {true, false}) {
    PosixOptions options;
    options.create_dir = create_dir;
    Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(dir_, options);
    ASSERT_FALSE(storage.ok());
    EXPECT_EQ(storage.status().code(), Code::kIOError) << storage.status().ToString();
    EXPECT_NE(storage.status().message().find(dir_), std::string::npos);
    EXPECT_NE(storage.status().message().find(std::strerror(ENOTDIR)), std::string::npos)
        << storage.status().ToString();
  }
}

TEST_F(PosixStorageTest, EmptyPathIsInvalid) {
  CAIRN_EXPECT_CODE(OpenPosixStorage(""), Code::kInvalidArgument);
}

TEST_F(PosixStorageTest, SecondOpenInThisProcessIsLockedWhateverThePathSpelling) {
  std::unique_ptr<Storage> first = OpenOrFail(dir_);
  ASSERT_NE(first, nullptr);
  CAIRN_ASSERT_OK(first->Lock());
  fs::create_directory_symlink(dir_, tmp_.path() + "/alias");
  for (const std::string& spelling : {dir_, dir_ + "/", dir_ + "/.", tmp_.path() + "/alias"}) {
    SCOPED_TRACE(spelling);
    std::unique_ptr<Storage> other = OpenOrFail(spelling);
    ASSERT_NE(other, nullptr);
    Status locked = other->Lock();
    EXPECT_EQ(locked.code(), Code::kLocked) << locked.ToString();
    EXPECT_NE(locked.message().find(spelling), std::string::npos) << locked.ToString();
  }
  CAIRN_ASSERT_OK(first->Unlock());
  std::unique_ptr<Storage> alias = OpenOrFail(tmp_.path() + "/alias");
  ASSERT_NE(alias, nullptr);
  CAIRN_EXPECT_OK(alias->Lock());
}

// LOCK holds the holder's pid, so hosts without flock (Node) see it; a live
// pid written there by such a host locks native opens out, a dead one does
// not.
TEST_F(PosixStorageTest, LockFileNamesTheHolderAndHonoursOtherHosts) {
  auto read_lock = [&] {
    std::ifstream in(dir_ + "/LOCK");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  CAIRN_ASSERT_OK(storage->Lock());
  EXPECT_EQ(read_lock(), std::to_string(::getpid()) + "\n");
  CAIRN_ASSERT_OK(storage->Unlock());
  EXPECT_EQ(read_lock(), "");

  // A live process (our parent) holds it, as a Node host would.
  std::ofstream(dir_ + "/LOCK") << ::getppid() << "\n";
  Status locked = storage->Lock();
  EXPECT_EQ(locked.code(), Code::kLocked) << locked.ToString();
  EXPECT_NE(locked.message().find("pid " + std::to_string(::getppid())), std::string::npos)
      << locked.ToString();

  // A holder that is gone: a child that has exited and been reaped.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  std::ofstream(dir_ + "/LOCK", std::ios::trunc) << child << "\n";
  CAIRN_ASSERT_OK(storage->Lock());
  EXPECT_EQ(read_lock(), std::to_string(::getpid()) + "\n");
  CAIRN_ASSERT_OK(storage->Unlock());
}

TEST_F(PosixStorageTest, AnotherProcessCannotTakeOurLock) {
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  const std::string dir = dir_;
  {
    // Forked before we lock, so the child's copy of the in-process table is
    // empty and only flock can stop it.
    ChildProcess child([&](int from_parent, int) {
      AwaitParent(from_parent);
      return TryLockIn(dir);
    });
    ASSERT_TRUE(child.started());
    CAIRN_ASSERT_OK(storage->Lock());
    EXPECT_EQ(child.Wait(), static_cast<int>(Code::kLocked));
  }
  CAIRN_ASSERT_OK(storage->Unlock());
  {
    ChildProcess child([&](int, int) { return TryLockIn(dir); });
    ASSERT_TRUE(child.started());
    EXPECT_EQ(child.Wait(), static_cast<int>(Code::kOk)) << "Unlock must release the flock";
  }
  CAIRN_ASSERT_OK(storage->Lock());
  storage.reset();
  {
    ChildProcess child([&](int, int) { return TryLockIn(dir); });
    ASSERT_TRUE(child.started());
    EXPECT_EQ(child.Wait(), static_cast<int>(Code::kOk)) << "destruction must release the flock";
  }
}

TEST_F(PosixStorageTest, ALockHeldByAnotherProcessExcludesUs) {
  ASSERT_NE(OpenOrFail(dir_), nullptr);  // creates the directory
  const std::string dir = dir_;
  ChildProcess child([&](int from_parent, int to_parent) {
    PosixOptions options;
    options.create_dir = false;
    Result<std::unique_ptr<Storage>> storage = OpenPosixStorage(dir, options);
    const char code = storage.ok() ? static_cast<char>((*storage)->Lock().code()) : 'E';
    (void)!::write(to_parent, &code, 1);
    AwaitParent(from_parent);  // hold the lock until the parent has tried
    return 0;
  });
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.Receive(), static_cast<int>(Code::kOk)) << "the child could not lock";
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  Status locked = storage->Lock();
  EXPECT_EQ(locked.code(), Code::kLocked) << locked.ToString();
  EXPECT_NE(locked.message().find("another process"), std::string::npos) << locked.ToString();
  EXPECT_NE(locked.message().find(dir_), std::string::npos) << locked.ToString();
  EXPECT_EQ(child.Wait(), 0);
  CAIRN_EXPECT_OK(storage->Lock());  // the child's exit released it
}

TEST_F(PosixStorageTest, LockFileIsReservedAndNeverListed) {
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  CAIRN_ASSERT_OK(storage->Lock());
  EXPECT_TRUE(fs::exists(dir_ + "/LOCK"));
  CAIRN_ASSERT_OK(storage->OpenFile("data", FileOptions{true, false}));
  std::vector<std::string> names;
  CAIRN_ASSERT_OK(storage->List(&names));
  EXPECT_EQ(names, std::vector<std::string>{"data"});
  CAIRN_EXPECT_CODE(storage->OpenFile("LOCK", FileOptions{true, false}), Code::kInvalidArgument);
  CAIRN_EXPECT_CODE(storage->Remove("LOCK"), Code::kInvalidArgument);
  CAIRN_EXPECT_CODE(storage->Rename("data", "LOCK"), Code::kInvalidArgument);
  CAIRN_EXPECT_CODE(storage->Rename("LOCK", "data"), Code::kInvalidArgument);
  EXPECT_TRUE(fs::exists(dir_ + "/LOCK"));
  EXPECT_TRUE(fs::exists(dir_ + "/data"));
}

TEST_F(PosixStorageTest, ListSkipsEntriesCairnCannotHaveMade) {
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  CAIRN_ASSERT_OK(storage->OpenFile("ok", FileOptions{true, false}));
  fs::create_directory(dir_ + "/subdir");
  std::ofstream(dir_ + "/bad+name") << "x";
  std::ofstream(dir_ + "/.hidden") << "x";
  std::vector<std::string> names;
  CAIRN_ASSERT_OK(storage->List(&names));
  EXPECT_EQ(names, std::vector<std::string>{"ok"});
}

TEST_F(PosixStorageTest, InvalidNamesNeverReachTheFilesystem) {
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  for (const std::string& name :
       {std::string("../escape"), std::string("sub/escape"), std::string("esc\0ape", 7)}) {
    CAIRN_EXPECT_CODE(storage->OpenFile(name, FileOptions{true, false}), Code::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(tmp_.path() + "/escape"));
  EXPECT_FALSE(fs::exists(dir_ + "/esc"));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(PosixStorageTest, IoErrorsNameTheCallThePathAndTheReason) {
  std::unique_ptr<Storage> storage = OpenOrFail(dir_);
  ASSERT_NE(storage, nullptr);
  fs::create_directory(dir_ + "/taken");
  Result<std::unique_ptr<File>> f = storage->OpenFile("taken", FileOptions{true, false});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Code::kIOError);
  const std::string& message = f.status().message();
  EXPECT_NE(message.find("open"), std::string::npos) << message;
  EXPECT_NE(message.find(dir_ + "/taken"), std::string::npos) << message;
  EXPECT_NE(message.find(std::strerror(EISDIR)), std::string::npos) << message;
}

TEST(PosixErrorTest, TurnsErrnoIntoAStatus) {
  Status full = PosixError("write", "/data/db/seg-1", ENOSPC);
  EXPECT_EQ(full.code(), Code::kIOError);
  EXPECT_EQ(full.message().find("write /data/db/seg-1: "), 0u) << full.message();
  EXPECT_NE(full.message().find("no space left on device"), std::string::npos) << full.message();

  Status missing = PosixError("open", "/data/db/x", ENOENT);
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_NE(missing.message().find(std::strerror(ENOENT)), std::string::npos);

  Status denied = PosixError("sync", "/data/db/x", EIO);
  EXPECT_EQ(denied.code(), Code::kIOError);
  EXPECT_NE(denied.message().find("sync /data/db/x"), std::string::npos);
  EXPECT_NE(denied.message().find(std::strerror(EIO)), std::string::npos);
}

#if defined(__linux__)
struct DescriptorCount {
  int total = 0;
  int direct = 0;
};

// This process's descriptors open on `path`, and how many have O_DIRECT, as
// the kernel reports them in /proc/self/fdinfo.
DescriptorCount CountDescriptorsOn(const std::string& path) {
  DescriptorCount count;
  const fs::path target = fs::canonical(path);
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const fs::path link = fs::read_symlink(entry.path(), ec);
    if (ec || link != target) continue;
    count.total++;
    std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
    std::string key;
    while (info >> key) {
      if (key != "flags:") continue;
      std::string octal;
      info >> octal;
      if (std::stoul(octal, nullptr, 8) & O_DIRECT) count.direct++;
      break;
    }
  }
  return count;
}

bool IsTmpfs(const std::string& path) {
  struct statfs sfs;
  return ::statfs(path.c_str(), &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
}

TEST_F(PosixStorageTest, DirectIoTakesEffectWhereTheFilesystemAllowsIt) {
  const bool expect_direct = !IsTmpfs(tmp_.path());
  std::unique_ptr<Storage> storage = OpenOrFail(dir_, /*direct_io=*/true);
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->Capabilities().direct_io, expect_direct);
  FileOptions options;
  options.create = true;
  options.direct = true;
  Result<std::unique_ptr<File>> f = storage->OpenFile("seg", options);
  CAIRN_ASSERT_OK(f);
  EXPECT_EQ((*f)->IsDirect(), expect_direct) << "tmpfs: " << !expect_direct;
  const DescriptorCount count = CountDescriptorsOn(dir_ + "/seg");
  // A direct file reads through a second, buffered descriptor.
  EXPECT_EQ(count.total, expect_direct ? 2 : 1);
  EXPECT_EQ(count.direct, expect_direct ? 1 : 0);
}

TEST_F(PosixStorageTest, BufferedUnlessBothTheStorageAndTheFileAskForDirect) {
  std::unique_ptr<Storage> off = OpenOrFail(dir_, /*direct_io=*/false);
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->Capabilities().direct_io);
  Result<std::unique_ptr<File>> a = off->OpenFile("a", FileOptions{true, true});
  CAIRN_ASSERT_OK(a);
  EXPECT_FALSE((*a)->IsDirect());
  EXPECT_EQ(CountDescriptorsOn(dir_ + "/a").direct, 0);

  std::unique_ptr<Storage> on = OpenOrFail(dir_, /*direct_io=*/true);
  ASSERT_NE(on, nullptr);
  Result<std::unique_ptr<File>> b = on->OpenFile("b", FileOptions{true, false});
  CAIRN_ASSERT_OK(b);
  EXPECT_FALSE((*b)->IsDirect());
  EXPECT_EQ(CountDescriptorsOn(dir_ + "/b").direct, 0);
}
#endif  // __linux__

}  // namespace
}  // namespace cairn
