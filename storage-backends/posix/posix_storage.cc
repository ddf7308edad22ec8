#include "storage-backends/posix/posix_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "core/util/mutex.h"
#include "storage-backends/posix/posix_error.h"
#include "storage-backends/posix/posix_file.h"

namespace cairn {
namespace {

// The lock file in every database directory. It is not a database file: List
// leaves it out and the other calls refuse its name.
constexpr char kLockFileName[] = "LOCK";

// A directory's identity, independent of how its path is spelled.
struct DirKey {
  dev_t dev;
  ino_t ino;
  auto operator<=>(const DirKey&) const = default;
};

// The directories locked by this process. flock alone already excludes
// other open file descriptions, but the table also covers filesystems where
// flock is emulated with per-process fcntl locks (NFS), and gives a clearer
// message. Never destroyed, so a Storage may be unlocked during exit.
struct LockRegistry {
  Mutex mu;
  std::set<DirKey> dirs GUARDED_BY(mu);
};

LockRegistry& Registry() {
  static LockRegistry* registry = new LockRegistry();
  return *registry;
}

// True when `dir_fd` is on a filesystem where O_DIRECT means nothing: tmpfs
// keeps pages in memory anyway, and newer kernels accept O_DIRECT there, so
// the open alone would not tell.
bool IsMemoryFilesystem(int dir_fd) {
#if defined(__linux__)
  struct statfs fs;
  return ::fstatfs(dir_fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
#else
  (void)dir_fd;
  return false;
#endif
}

Status FsyncDirectory(int fd, const std::string& path) {
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return PosixError("sync directory", path, errno);
  return Status::OK();
}

// The directory holding `dir` ("/a/b/" -> "/a", "b" -> ".", "/b" -> "/").
std::string ParentOf(const std::string& dir) {
  size_t end = dir.size();
  while (end > 1 && dir[end - 1] == '/') end--;
  const size_t slash = dir.rfind('/', end - 1);
  if (slash == std::string::npos) return std::string(".");
  return dir.substr(0, slash == 0 ? 1 : slash);
}

// Makes the creation of `dir` durable by syncing the directory holding it.
Status SyncParentOf(const std::string& dir) {
  const std::string parent = ParentOf(dir);
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open directory", parent, errno);
  Status status = FsyncDirectory(fd, parent);
  ::close(fd);
  return status;
}

// True when the directory entry `e` of `dir_fd` is a regular file (or a
// symlink to one, which OpenFile would follow).
bool IsRegularFile(int dir_fd, const struct dirent* e) {
  if (e->d_type == DT_REG) return true;
  if (e->d_type != DT_UNKNOWN && e->d_type != DT_LNK) return false;
  struct stat st;
  return ::fstatat(dir_fd, e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

class PosixStorage final : public Storage {
 public:
  PosixStorage(std::string dir, int dir_fd, DirKey key, bool direct_io)
      : dir_(std::move(dir)), dir_fd_(dir_fd), key_(key), direct_io_(direct_io) {}

  ~PosixStorage() override {
    (void)Unlock();  // releasing a lock cannot fail in a way worth reporting here
    ::close(dir_fd_);
  }

  Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                         const FileOptions& options) override {
    CAIRN_RETURN_IF_ERROR(CheckName(name));
    bool created = false;
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                           OpenPosixFile(dir_fd_, Path(name), name, options.create,
                                         options.direct && direct_io_, &created));
    if (created) CAIRN_RETURN_IF_ERROR(FsyncDirectory(dir_fd_, dir_));
    return file;
  }

  Status List(std::vector<std::string>* names) override {
    const int fd = ::openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("list", dir_, errno);
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      const int err = errno;
      ::close(fd);
      return PosixError("list", dir_, err);
    }
    names->clear();
    while (true) {
      errno = 0;
      const struct dirent* e = ::readdir(d);
      if (e == nullptr) break;
      // "." and "..", the lock file, and anything Cairn could not have
      // created (bad names, subdirectories) are not database files.
      const std::string name = e->d_name;
      if (name == kLockFileName || !IsValidFileName(name) || !IsRegularFile(fd, e)) continue;
      names->push_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError("list", dir_, err);
    return Status::OK();
  }

  Status Remove(const std::string& name) override {
    CAIRN_RETURN_IF_ERROR(CheckName(name));
    if (::unlinkat(dir_fd_, name.c_str(), 0) != 0) return PosixError("remove", Path(name), errno);
    return FsyncDirectory(dir_fd_, dir_);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    CAIRN_RETURN_IF_ERROR(CheckName(from));
    CAIRN_RETURN_IF_ERROR(CheckName(to));
    if (::renameat(dir_fd_, from.c_str(), dir_fd_, to.c_str()) != 0) {
      return PosixError("rename", Path(from) + " to " + Path(to), errno);
    }
    return FsyncDirectory(dir_fd_, dir_);
  }

  Status Lock() override {
    MutexLock lock(&mu_);
    if (lock_fd_ >= 0) {
      return Status::Locked("database directory " + dir_ + " is already locked by this open");
    }
    LockRegistry& registry = Registry();
    MutexLock registry_lock(&registry.mu);
    if (registry.dirs.count(key_) != 0) {
      return Status::Locked("database directory " + dir_ +
                            " is locked by another open in this process");
    }
    int fd;
    do {
      fd = ::openat(dir_fd_, kLockFileName, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return PosixError("open", Path(kLockFileName), errno);
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::Locked("database directory " + dir_ + " is locked by another process");
      }
      return PosixError("lock", Path(kLockFileName), err);
    }
    // Hosts without flock (Node) hold the lock by writing their pid into
    // LOCK; a live pid other than ours means such a host has it open.
    char held[32] = {};
    ssize_t n = ::pread(fd, held, sizeof(held) - 1, 0);
    const long holder = n > 0 ? std::strtol(held, nullptr, 10) : 0;
    if (holder > 0 && holder != ::getpid() &&
        (::kill(static_cast<pid_t>(holder), 0) == 0 || errno == EPERM)) {
      ::close(fd);
      return Status::Locked("database directory " + dir_ + " is locked by another process (pid " +
                            std::to_string(holder) + ")");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      const int err = errno;
      ::close(fd);
      return PosixError("write", Path(kLockFileName), err);
    }
    registry.dirs.insert(key_);
    lock_fd_ = fd;
    return Status::OK();
  }

  Status Unlock() override {
    MutexLock lock(&mu_);
    if (lock_fd_ < 0) return Status::OK();
    // An empty LOCK tells other hosts the database is free.
    (void)::ftruncate(lock_fd_, 0);
    // Closing the only descriptor of this open file description drops the
    // flock.
    ::close(lock_fd_);
    lock_fd_ = -1;
    LockRegistry& registry = Registry();
    MutexLock registry_lock(&registry.mu);
    registry.dirs.erase(key_);
    return Status::OK();
  }

  StorageCapabilities Capabilities() const override {
    StorageCapabilities caps;
    caps.durable_sync = true;
    caps.direct_io = direct_io_;
    caps.atomic_rename = true;
    caps.cross_process_lock = true;
    caps.memory_map = true;
    caps.name = "posix";
    return caps;
  }

  std::string Describe() const override { return dir_; }

 private:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  Status CheckName(const std::string& name) const {
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    if (name == kLockFileName) {
      return Status::InvalidArgument("invalid file name \"LOCK\": it is reserved for the lock of " +
                                     dir_);
    }
    return Status::OK();
  }

  const std::string dir_;
  const int dir_fd_;  // kept open: the base of every *at() call and of directory syncs
  const DirKey key_;
  const bool direct_io_;  // O_DIRECT is attempted for FileOptions::direct
  Mutex mu_;
  int lock_fd_ GUARDED_BY(mu_) = -1;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenPosixStorage(const std::string& dir,
                                                  const PosixOptions& options) {
  if (dir.empty()) return Status::InvalidArgument("storage directory path is empty");
  bool made = false;
  if (options.create_dir) {
    if (::mkdir(dir.c_str(), 0755) == 0) {
      made = true;
    } else if (errno != EEXIST) {
      return PosixError("create directory", dir, errno);
    }
  }
  int fd;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return PosixError("open directory", dir, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return PosixError("stat directory", dir, err);
  }
  if (made) {
    Status synced = SyncParentOf(dir);
    if (!synced.ok()) {
      ::close(fd);
      return synced;
    }
  }
  const bool direct_io = options.direct_io && !IsMemoryFilesystem(fd);
  return std::unique_ptr<Storage>(
      std::make_unique<PosixStorage>(dir, fd, DirKey{st.st_dev, st.st_ino}, direct_io));
}

}  // namespace cairn
