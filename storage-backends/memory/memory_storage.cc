// The memory backend. Portable C++ only: it is compiled into the core library,
// including the WebAssembly build, so it makes no OS call.
#include "storage-backends/memory/memory_storage.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "core/util/mutex.h"

namespace cairn {
namespace {

// One file's bytes. Shared (shared_ptr) between the directory entry and every
// open handle, so a handle keeps working after its name is removed or renamed,
// as it does on POSIX. `data` is guarded by the owning storage's mutex.
struct MemoryNode {
  std::vector<uint8_t> data;
};

// Grows `data` so that [offset, offset + n) fits, or fails when that is past
// what a vector can hold. New bytes are zero.
Status MakeRoom(std::vector<uint8_t>* data, uint64_t offset, size_t n, const std::string& what) {
  const uint64_t limit = data->max_size();
  if (offset > limit || n > limit - offset) {
    return Status::IOError("write " + what + ": file too large for memory (EFBIG)");
  }
  const uint64_t end = offset + n;
  if (end > data->size()) data->resize(static_cast<size_t>(end));
  return Status::OK();
}

// A view of a node's bytes. It holds the node, so a removed file stays
// readable; File::Map's contract (no writes or truncation meanwhile) keeps
// the bytes where they are.
class MemoryMapping final : public FileMapping {
 public:
  MemoryMapping(std::shared_ptr<MemoryNode> node, size_t size)
      : node_(std::move(node)), size_(size) {}
  std::string_view bytes() const override {
    return std::string_view(reinterpret_cast<const char*>(node_->data.data()), size_);
  }

 private:
  const std::shared_ptr<MemoryNode> node_;
  const size_t size_;
};

class MemoryFile final : public File {
 public:
  MemoryFile(Mutex* mu, std::shared_ptr<MemoryNode> node, std::string what)
      : mu_(mu), node_(std::move(node)), what_(std::move(what)) {}

  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    MutexLock lock(mu_);
    const std::vector<uint8_t>& data = node_->data;
    size_t have = 0;
    if (offset < data.size())
      have = static_cast<size_t>(std::min<uint64_t>(n, data.size() - offset));
    if (have > 0) std::memcpy(out, data.data() + offset, have);
    if (n > have) std::memset(out + have, 0, n - have);
    *got = have;
    return Status::OK();
  }

  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    if (n == 0) return Status::OK();
    MutexLock lock(mu_);
    CAIRN_RETURN_IF_ERROR(MakeRoom(&node_->data, offset, n, what_));
    std::memcpy(node_->data.data() + offset, data, n);
    return Status::OK();
  }

  // Nothing to make durable: the bytes never leave memory.
  Status Sync() override { return Status::OK(); }

  Result<uint64_t> Size() override {
    MutexLock lock(mu_);
    return static_cast<uint64_t>(node_->data.size());
  }

  // The file's bytes are already in memory: the mapping is a view of them.
  Result<std::unique_ptr<FileMapping>> Map(uint64_t size) override {
    MutexLock lock(mu_);
    if (size == 0 || size > node_->data.size()) {
      return Status::InvalidArgument(what_ + ": cannot map " + std::to_string(size) + " of " +
                                     std::to_string(node_->data.size()) + " bytes");
    }
    return std::unique_ptr<FileMapping>(new MemoryMapping(node_, static_cast<size_t>(size)));
  }

  Status Truncate(uint64_t size) override {
    MutexLock lock(mu_);
    if (size > node_->data.max_size()) {
      return Status::IOError("truncate " + what_ + ": file too large for memory (EFBIG)");
    }
    node_->data.resize(static_cast<size_t>(size));
    return Status::OK();
  }

 private:
  Mutex* const mu_;  // the storage's mutex; the File dies before the Storage
  const std::shared_ptr<MemoryNode> node_;
  const std::string what_;  // "<storage>/<name>", for error messages
};

class MemoryStorage final : public Storage {
 public:
  explicit MemoryStorage(std::string name) : name_(std::move(name)) {}

  Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                         const FileOptions& options) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    MutexLock lock(&mu_);
    auto it = files_.find(name);
    if (it == files_.end()) {
      if (!options.create) return Status::NotFound("no file " + Path(name));
      it = files_.emplace(name, std::make_shared<MemoryNode>()).first;
    }
    return std::unique_ptr<File>(std::make_unique<MemoryFile>(&mu_, it->second, Path(name)));
  }

  Status List(std::vector<std::string>* names) override {
    MutexLock lock(&mu_);
    names->clear();
    for (const auto& [name, node] : files_) names->push_back(name);
    return Status::OK();
  }

  Status Remove(const std::string& name) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    MutexLock lock(&mu_);
    if (files_.erase(name) == 0) return Status::NotFound("remove: no file " + Path(name));
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(from));
    CAIRN_RETURN_IF_ERROR(CheckFileName(to));
    MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it == files_.end()) {
      return Status::NotFound("rename " + Path(from) + " to " + Path(to) + ": no file " +
                              Path(from));
    }
    if (from == to) return Status::OK();
    std::shared_ptr<MemoryNode> node = std::move(it->second);
    files_.erase(it);
    files_[to] = std::move(node);
    return Status::OK();
  }

  Status Lock() override {
    MutexLock lock(&mu_);
    if (locked_) return Status::Locked("memory storage " + name_ + " is already locked");
    locked_ = true;
    return Status::OK();
  }

  Status Unlock() override {
    MutexLock lock(&mu_);
    locked_ = false;
    return Status::OK();
  }

  StorageCapabilities Capabilities() const override {
    StorageCapabilities caps;
    caps.durable_sync = false;
    caps.direct_io = false;
    caps.atomic_rename = true;
    caps.cross_process_lock = false;
    caps.memory_map = true;
    caps.name = "memory";
    return caps;
  }

  std::string Describe() const override { return name_; }

 private:
  std::string Path(const std::string& name) const { return name_ + "/" + name; }

  const std::string name_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<MemoryNode>> files_ GUARDED_BY(mu_);
  bool locked_ GUARDED_BY(mu_) = false;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStorage(std::string name) {
  return std::make_unique<MemoryStorage>(std::move(name));
}

}  // namespace cairn
