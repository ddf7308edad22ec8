// The fault-injecting backend. It owns every byte itself: each file is a node
// holding what the process sees ("current") and what would survive a power
// cut ("durable"). A power cut starts a new generation; handles from an older
// generation are dead.
#include "storage-backends/fault/fault_storage.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"
#include "core/util/mutex.h"

namespace cairn {
namespace {

// One file. Shared (shared_ptr) by the directory entry and open handles, so a
// handle keeps working after its name is removed or renamed, as on POSIX.
// Guarded by FaultState::mu.
struct FaultNode {
  std::vector<uint8_t> current;
  std::vector<uint8_t> durable;
  // [dirty_lo, dirty_hi): where current may differ from durable, so Sync
  // copies only what changed since the last Sync.
  uint64_t dirty_lo = std::numeric_limits<uint64_t>::max();
  uint64_t dirty_hi = 0;

  void MarkDirty(uint64_t lo, uint64_t hi) {
    dirty_lo = std::min(dirty_lo, lo);
    dirty_hi = std::max(dirty_hi, hi);
  }
  void MarkClean() {
    dirty_lo = std::numeric_limits<uint64_t>::max();
    dirty_hi = 0;
  }
};

struct ArmedFault {
  uint64_t at = 0;  // the call count that fails; 0 = not armed
  FaultKind kind = FaultKind::kEIO;
};

Status InjectedError(const char* op, const std::string& name, FaultKind kind) {
  const char* what = kind == FaultKind::kENOSPC ? "injected ENOSPC: no space left on device"
                                                : "injected EIO: input/output error";
  return Status::IOError(std::string(op) + " fault/" + name + ": " + what);
}

// Writes [data, data + n) into `bytes` at `offset`, growing it with zeros.
Status PutBytes(std::vector<uint8_t>* bytes, uint64_t offset, const uint8_t* data, size_t n,
                const std::string& name) {
  if (n == 0) return Status::OK();
  const uint64_t limit = bytes->max_size();
  if (offset > limit || n > limit - offset) {
    return Status::IOError("write fault/" + name + ": file too large for memory (EFBIG)");
  }
  if (offset + n > bytes->size()) bytes->resize(static_cast<size_t>(offset + n));
  std::memcpy(bytes->data() + offset, data, n);
  return Status::OK();
}

// Everything a FaultFileSystem shares with its Storages and Files.
struct FaultState {
  Mutex mu;
  std::map<std::string, std::shared_ptr<FaultNode>> files GUARDED_BY(mu);
  // Bumped by every power cut; handles of an older generation are dead.
  uint64_t generation GUARDED_BY(mu) = 1;
  uint64_t next_storage_id GUARDED_BY(mu) = 1;
  uint64_t lock_owner GUARDED_BY(mu) = 0;  // id of the locking Storage; 0 = free
  uint64_t writes GUARDED_BY(mu) = 0;
  uint64_t syncs GUARDED_BY(mu) = 0;
  std::atomic<uint64_t> sync_delay_us{0};  // SetSyncDelay
  ArmedFault fail_write GUARDED_BY(mu);
  ArmedFault fail_sync GUARDED_BY(mu);
  uint64_t tear_at GUARDED_BY(mu) = 0;
  size_t tear_keep GUARDED_BY(mu) = 0;
  bool cold_reads GUARDED_BY(mu) = false;
  uint64_t cold_misses GUARDED_BY(mu) = 0;

  Status CheckAlive(uint64_t gen, const std::string& what) REQUIRES(mu) {
    if (gen == generation) return Status::OK();
    return Status::IOError(what + ": power cut (opened before the power was cut)");
  }

  void PowerCut() REQUIRES(mu) {
    for (auto& [name, node] : files) {
      node->current = node->durable;
      node->MarkClean();
    }
    generation++;
    lock_owner = 0;
  }
};

class FaultFile final : public File {
 public:
  FaultFile(std::shared_ptr<FaultState> state, std::shared_ptr<FaultNode> node, std::string name,
            uint64_t generation)
      : state_(std::move(state)),
        node_(std::move(node)),
        name_(std::move(name)),
        generation_(generation) {}

  Status ReadIfCached(uint64_t offset, size_t n, uint8_t* out, size_t* got, bool* cached) override {
    {
      MutexLock lock(&state_->mu);
      CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "read fault/" + name_));
      if (state_->cold_reads) {
        state_->cold_misses++;
        *cached = false;
        *got = 0;
        return Status::OK();
      }
    }
    *cached = true;
    return Read(offset, n, out, got);
  }

  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "read fault/" + name_));
    const std::vector<uint8_t>& data = node_->current;
    size_t have = 0;
    if (offset < data.size())
      have = static_cast<size_t>(std::min<uint64_t>(n, data.size() - offset));
    if (have > 0) std::memcpy(out, data.data() + offset, have);
    if (n > have) std::memset(out + have, 0, n - have);
    *got = have;
    return Status::OK();
  }

  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    FaultState& s = *state_;
    MutexLock lock(&s.mu);
    CAIRN_RETURN_IF_ERROR(s.CheckAlive(generation_, "write fault/" + name_));
    s.writes++;
    if (s.fail_write.at == s.writes) {
      s.fail_write.at = 0;
      return InjectedError("write", name_, s.fail_write.kind);
    }
    if (s.tear_at == s.writes) {
      s.tear_at = 0;
      const size_t keep = std::min(s.tear_keep, n);
      Status torn = PutBytes(&node_->durable, offset, data, keep, name_);
      s.PowerCut();
      CAIRN_RETURN_IF_ERROR(torn);
      return Status::IOError("write fault/" + name_ + ": power cut after " + std::to_string(keep) +
                             " of " + std::to_string(n) + " bytes");
    }
    if (n == 0) return Status::OK();
    const uint64_t old_size = node_->current.size();
    CAIRN_RETURN_IF_ERROR(PutBytes(&node_->current, offset, data, n, name_));
    node_->MarkDirty(std::min(offset, old_size), offset + n);
    return Status::OK();
  }

  Status Sync() override {
    FaultState& s = *state_;
    if (const uint64_t us = s.sync_delay_us.load(); us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
    MutexLock lock(&s.mu);
    CAIRN_RETURN_IF_ERROR(s.CheckAlive(generation_, "sync fault/" + name_));
    s.syncs++;
    if (s.fail_sync.at == s.syncs) {
      s.fail_sync.at = 0;
      return InjectedError("sync", name_, s.fail_sync.kind);
    }
    // Bytes past durable's old size were all written (or zero-extended)
    // since the last sync, so they lie inside the dirty range.
    FaultNode& node = *node_;
    const uint64_t size = node.current.size();
    node.durable.resize(node.current.size());
    const uint64_t lo = std::min(node.dirty_lo, size);
    const uint64_t hi = std::min(node.dirty_hi, size);
    if (lo < hi) std::memcpy(node.durable.data() + lo, node.current.data() + lo, hi - lo);
    node.MarkClean();
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "size fault/" + name_));
    return static_cast<uint64_t>(node_->current.size());
  }

  Status Truncate(uint64_t size) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "truncate fault/" + name_));
    if (size > node_->current.max_size()) {
      return Status::IOError("truncate fault/" + name_ + ": file too large for memory (EFBIG)");
    }
    const uint64_t old_size = node_->current.size();
    node_->current.resize(static_cast<size_t>(size));
    node_->MarkDirty(std::min(size, old_size), std::max(size, old_size));
    return Status::OK();
  }

 private:
  const std::shared_ptr<FaultState> state_;
  const std::shared_ptr<FaultNode> node_;
  const std::string name_;
  const uint64_t generation_;
};

class FaultStorage final : public Storage {
 public:
  FaultStorage(std::shared_ptr<FaultState> state, uint64_t id, uint64_t generation)
      : state_(std::move(state)), id_(id), generation_(generation) {}

  ~FaultStorage() override {
    MutexLock lock(&state_->mu);
    if (state_->lock_owner == id_) state_->lock_owner = 0;
  }

  Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                         const FileOptions& options) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "open fault/" + name));
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    auto it = state_->files.find(name);
    if (it == state_->files.end()) {
      if (!options.create) return Status::NotFound("open: no file fault/" + name);
      // Creating a name is durable at once; the new file is empty.
      it = state_->files.emplace(name, std::make_shared<FaultNode>()).first;
    }
    return std::unique_ptr<File>(
        std::make_unique<FaultFile>(state_, it->second, name, generation_));
  }

  Status List(std::vector<std::string>* names) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "list fault"));
    names->clear();
    for (const auto& [name, node] : state_->files) names->push_back(name);
    return Status::OK();
  }

  Status Remove(const std::string& name) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "remove fault/" + name));
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    if (state_->files.erase(name) == 0) return Status::NotFound("remove: no file fault/" + name);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "rename fault/" + from));
    CAIRN_RETURN_IF_ERROR(CheckFileName(from));
    CAIRN_RETURN_IF_ERROR(CheckFileName(to));
    auto it = state_->files.find(from);
    if (it == state_->files.end()) {
      return Status::NotFound("rename fault/" + from + " to " + to + ": no file fault/" + from);
    }
    if (from == to) return Status::OK();
    std::shared_ptr<FaultNode> node = std::move(it->second);
    state_->files.erase(it);
    state_->files[to] = std::move(node);
    return Status::OK();
  }

  Status Lock() override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "lock fault"));
    if (state_->lock_owner != 0) {
      return Status::Locked("fault file system is already locked by another open");
    }
    state_->lock_owner = id_;
    return Status::OK();
  }

  Status Unlock() override {
    MutexLock lock(&state_->mu);
    CAIRN_RETURN_IF_ERROR(state_->CheckAlive(generation_, "unlock fault"));
    if (state_->lock_owner == id_) state_->lock_owner = 0;
    return Status::OK();
  }

  StorageCapabilities Capabilities() const override {
    StorageCapabilities caps;
    caps.durable_sync = true;
    caps.direct_io = false;
    caps.atomic_rename = true;
    caps.cross_process_lock = false;
    caps.name = "fault";
    return caps;
  }

  std::string Describe() const override { return "fault"; }

 private:
  const std::shared_ptr<FaultState> state_;
  const uint64_t id_;
  const uint64_t generation_;
};

}  // namespace

// The private State of the header is the FaultState above.
struct FaultFileSystem::State final : FaultState {};

FaultFileSystem::FaultFileSystem() : state_(std::make_shared<State>()) {}

FaultFileSystem::~FaultFileSystem() = default;

std::unique_ptr<Storage> FaultFileSystem::NewStorage() {
  MutexLock lock(&state_->mu);
  const uint64_t id = state_->next_storage_id++;
  return std::make_unique<FaultStorage>(state_, id, state_->generation);
}

// An nth of 0 disarms the fault.
void FaultFileSystem::FailWrite(uint64_t nth, FaultKind kind) {
  MutexLock lock(&state_->mu);
  state_->fail_write = {nth == 0 ? 0 : state_->writes + nth, kind};
}

void FaultFileSystem::FailSync(uint64_t nth, FaultKind kind) {
  MutexLock lock(&state_->mu);
  state_->fail_sync = {nth == 0 ? 0 : state_->syncs + nth, kind};
}

void FaultFileSystem::TearWrite(uint64_t nth, size_t keep) {
  MutexLock lock(&state_->mu);
  state_->tear_at = nth == 0 ? 0 : state_->writes + nth;
  state_->tear_keep = keep;
}

void FaultFileSystem::SetSyncDelay(uint64_t micros) { state_->sync_delay_us.store(micros); }

void FaultFileSystem::ClearFaults() {
  MutexLock lock(&state_->mu);
  state_->fail_write = {};
  state_->fail_sync = {};
  state_->tear_at = 0;
  state_->tear_keep = 0;
}

void FaultFileSystem::PowerCut() {
  MutexLock lock(&state_->mu);
  state_->PowerCut();
}

void FaultFileSystem::SetColdReads(bool cold) {
  MutexLock lock(&state_->mu);
  state_->cold_reads = cold;
}

uint64_t FaultFileSystem::cold_misses() const {
  MutexLock lock(&state_->mu);
  return state_->cold_misses;
}

uint64_t FaultFileSystem::writes() const {
  MutexLock lock(&state_->mu);
  return state_->writes;
}

uint64_t FaultFileSystem::syncs() const {
  MutexLock lock(&state_->mu);
  return state_->syncs;
}

std::string FaultFileSystem::ReadRaw(const std::string& name) const {
  MutexLock lock(&state_->mu);
  auto it = state_->files.find(name);
  if (it == state_->files.end()) return std::string();
  const std::vector<uint8_t>& bytes = it->second->current;
  return std::string(bytes.begin(), bytes.end());
}

void FaultFileSystem::WriteRaw(const std::string& name, const std::string& bytes) {
  MutexLock lock(&state_->mu);
  std::shared_ptr<FaultNode>& node = state_->files[name];
  if (!node) node = std::make_shared<FaultNode>();
  node->current.assign(bytes.begin(), bytes.end());
  node->durable = node->current;
  node->MarkClean();
}

std::vector<std::string> FaultFileSystem::FileNames() const {
  MutexLock lock(&state_->mu);
  std::vector<std::string> names;
  for (const auto& [name, node] : state_->files) names.push_back(name);
  return names;
}

}  // namespace cairn
