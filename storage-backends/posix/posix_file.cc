#include "storage-backends/posix/posix_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "storage-backends/posix/posix_error.h"

namespace cairn {
namespace {

#if defined(O_DIRECT)
constexpr int kODirect = O_DIRECT;
#else
constexpr int kODirect = 0;  // no O_DIRECT on this platform: always buffered
#endif

// Largest aligned copy made for a direct write whose buffer is not aligned.
constexpr size_t kBounceBytes = size_t{1} << 20;
constexpr uint64_t kMaxOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

bool IsBlockAligned(uint64_t v) { return v % kStorageBlockSize == 0; }

// A read-only shared mapping of a file's first bytes (PosixFile::Map).
class PosixMapping final : public FileMapping {
 public:
  PosixMapping(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~PosixMapping() override { ::munmap(addr_, size_); }
  std::string_view bytes() const override {
    return std::string_view(static_cast<const char*>(addr_), size_);
  }

 private:
  void* const addr_;
  const size_t size_;
};

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Opens `name` under `dir_fd` with O_RDWR | O_CLOEXEC | extra_flags; when it
// is missing and `create`, creates it. Returns the descriptor, or -1 with
// errno set. Sets *created whenever it attempted a create, because a create
// that failed half-way (O_DIRECT refused after the inode was made) still
// leaves a new name behind.
int OpenAt(int dir_fd, const std::string& name, int extra_flags, bool create, bool* created) {
  const int flags = O_RDWR | O_CLOEXEC | extra_flags;
  int fd;
  do {
    fd = ::openat(dir_fd, name.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0 || errno != ENOENT || !create) return fd;
  *created = true;
  do {
    fd = ::openat(dir_fd, name.c_str(), flags | O_CREAT | O_EXCL, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0 || errno != EEXIST) return fd;
  // Another opener created it first.
  do {
    fd = ::openat(dir_fd, name.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// `fd_` carries writes, Sync, Size and Truncate. When direct, `fd_` is
// O_DIRECT and `buffered_fd_` is a second, buffered descriptor of the same
// file that serves every read (so reads need no alignment) and the writes
// that are not block-aligned. Otherwise both are the same descriptor.
//
// A failed Sync leaves it unknown which bytes reached the disk; retrying it
// proves nothing, so callers treat the failure as final.
class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, int buffered_fd, bool direct)
      : path_(std::move(path)), fd_(fd), buffered_fd_(buffered_fd), direct_(direct) {}

  ~PosixFile() override {
    ::close(fd_);
    if (buffered_fd_ != fd_) ::close(buffered_fd_);
  }

  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    size_t done = 0;
    while (done < n && offset <= kMaxOffset - done) {
      const ssize_t r =
          ::pread(buffered_fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    if (done < n) std::memset(out + done, 0, n - done);
    *got = done;
    return Status::OK();
  }

  // preadv2(RWF_NOWAIT) fails with EAGAIN instead of waiting for the disk,
  // having started the kernel's readahead of the missing pages. Where the
  // kernel or filesystem does not support it, reads as Read does.
  Status ReadIfCached(uint64_t offset, size_t n, uint8_t* out, size_t* got, bool* cached) override {
#if defined(RWF_NOWAIT)
    size_t done = 0;
    while (done < n && offset <= kMaxOffset - done) {
      struct iovec iov = {out + done, n - done};
      const ssize_t r = ::preadv2(buffered_fd_, &iov, 1, static_cast<off_t>(offset + done), RWF_NOWAIT);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          *cached = false;
          *got = 0;
          return Status::OK();
        }
        if (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS) break;  // unsupported
        return PosixError("read", path_, errno);
      }
      if (r == 0) {  // end of file
        std::memset(out + done, 0, n - done);
        *got = done;
        *cached = true;
        return Status::OK();
      }
      done += static_cast<size_t>(r);
    }
    if (done == n) {
      *got = done;
      *cached = true;
      return Status::OK();
    }
#endif
    *cached = true;
    return Read(offset, n, out, got);
  }

  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    if (n == 0) return Status::OK();
    if (offset > kMaxOffset || n > kMaxOffset - offset) return PosixError("write", path_, EFBIG);
    if (!direct_ || !IsBlockAligned(offset) || !IsBlockAligned(n)) {
      return WriteAll(buffered_fd_, data, n, offset);
    }
    if (IsBlockAligned(reinterpret_cast<uintptr_t>(data))) return WriteDirect(data, n, offset);
    return WriteThroughAlignedCopy(data, n, offset);
  }

  Status Sync() override {
    int rc;
    do {
#if defined(__APPLE__)
      rc = ::fcntl(fd_, F_FULLFSYNC);
#else
      rc = ::fdatasync(fd_);
#endif
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return PosixError("sync", path_, errno);
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status Truncate(uint64_t size) override {
    if (size > kMaxOffset) return PosixError("truncate", path_, EFBIG);
    int rc;
    do {
      rc = ::ftruncate(fd_, static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return PosixError("truncate", path_, errno);
    return Status::OK();
  }

  // Maps through the buffered descriptor, so the view is the page cache.
  // The kernel's default read-around on a fault stays on: with MADV_RANDOM
  // (one page read per fault), reads of a table not yet in the page cache
  // were 1.4x (point reads) to 3.5x (scans) slower than pread, and with the
  // default they are 3x and 1.5x faster than it (BENCHMARKS.md).
  Result<std::unique_ptr<FileMapping>> Map(uint64_t size) override {
    Result<uint64_t> have = Size();
    if (!have.ok()) return have.status();
    if (size == 0 || size > *have || size > std::numeric_limits<size_t>::max()) {
      return Status::InvalidArgument(path_ + ": cannot map " + std::to_string(size) + " of " +
                                     std::to_string(*have) + " bytes");
    }
    void* addr = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, buffered_fd_, 0);
    if (addr == MAP_FAILED) return PosixError("map", path_, errno);
    return std::unique_ptr<FileMapping>(new PosixMapping(addr, static_cast<size_t>(size)));
  }

  bool IsDirect() const override { return direct_; }

 private:
  // pwrite until all `n` bytes are written (short writes and EINTR retried).
  Status WriteAll(int fd, const uint8_t* data, size_t n, uint64_t offset) {
    while (n > 0) {
      const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      if (w == 0) return PosixError("write", path_, EIO);
      data += w;
      n -= static_cast<size_t>(w);
      offset += static_cast<uint64_t>(w);
    }
    return Status::OK();
  }

  // REQUIRES: data, n and offset block-aligned. Whatever the O_DIRECT
  // descriptor cannot take (a short write leaving an unaligned rest, or an
  // EINVAL from a filesystem that accepted the open but not the write) is
  // finished through the buffered descriptor.
  Status WriteDirect(const uint8_t* data, size_t n, uint64_t offset) {
    while (n > 0) {
      const ssize_t w = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL) break;
        return PosixError("write", path_, errno);
      }
      if (w == 0) return PosixError("write", path_, EIO);
      data += w;
      n -= static_cast<size_t>(w);
      offset += static_cast<uint64_t>(w);
      if (!IsBlockAligned(static_cast<uint64_t>(w))) break;
    }
    return WriteAll(buffered_fd_, data, n, offset);
  }

  // REQUIRES: n and offset block-aligned. Copies `data` into an aligned
  // buffer, at most kBounceBytes at a time, and writes it directly.
  Status WriteThroughAlignedCopy(const uint8_t* data, size_t n, uint64_t offset) {
    const size_t capacity = std::min(n, kBounceBytes);
    void* raw = nullptr;
    const int rc = ::posix_memalign(&raw, kStorageBlockSize, capacity);
    if (rc != 0) return PosixError("allocate an aligned write buffer for", path_, rc);
    std::unique_ptr<void, FreeDeleter> owned(raw);
    uint8_t* buffer = static_cast<uint8_t*>(raw);
    while (n > 0) {
      const size_t len = std::min(n, capacity);
      std::memcpy(buffer, data, len);
      CAIRN_RETURN_IF_ERROR(WriteDirect(buffer, len, offset));
      data += len;
      n -= len;
      offset += len;
    }
    return Status::OK();
  }

  const std::string path_;
  const int fd_;
  const int buffered_fd_;
  const bool direct_;
};

}  // namespace

Result<std::unique_ptr<File>> OpenPosixFile(int dir_fd, const std::string& path,
                                            const std::string& name, bool create, bool try_direct,
                                            bool* created) {
  int fd = -1;
  bool direct = false;
  if (try_direct && kODirect != 0) {
    fd = OpenAt(dir_fd, name, kODirect, create, created);
    if (fd >= 0) {
      direct = true;
    } else if (errno != EINVAL) {
      return PosixError("open", path, errno);
    }
  }
  if (fd < 0) {
    fd = OpenAt(dir_fd, name, 0, create, created);
    if (fd < 0) return PosixError("open", path, errno);
  }
  int buffered_fd = fd;
  if (direct) {
    buffered_fd = OpenAt(dir_fd, name, 0, /*create=*/false, created);
    if (buffered_fd < 0) {
      const int err = errno;
      ::close(fd);
      return PosixError("open", path, err);
    }
  }
  return std::unique_ptr<File>(std::make_unique<PosixFile>(path, fd, buffered_fd, direct));
}

}  // namespace cairn
