#include "wasm/js_storage.h"

#include <string>
#include <utility>

namespace cairn {
namespace {

using emscripten::typed_memory_view;
using emscripten::val;

// OK for a successful bridge result, else the Status its error object names
// (an unknown code name reads as IO_ERROR: the backend failed).
Status StatusOf(const val& r) {
  if (r.isNull() || r.typeOf().as<std::string>() != "object" || r["code"].isUndefined()) {
    return Status::OK();
  }
  const std::string code = r["code"].as<std::string>();
  std::string message = r["message"].as<std::string>();
  if (code == "INVALID_ARGUMENT") return Status::InvalidArgument(std::move(message));
  if (code == "NOT_FOUND") return Status::NotFound(std::move(message));
  if (code == "CORRUPTION") return Status::Corruption(std::move(message));
  if (code == "LOCKED") return Status::Locked(std::move(message));
  if (code == "ALREADY_EXISTS") return Status::AlreadyExists(std::move(message));
  return Status::IOError(std::move(message));
}

class JsFile final : public File {
 public:
  explicit JsFile(val handle) : handle_(std::move(handle)) {}
  ~JsFile() override { handle_.call<void>("close"); }

  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    val r = handle_.call<val>("read", static_cast<double>(offset), val(typed_memory_view(n, out)));
    if (!r.isNumber()) return StatusOf(r);
    *got = static_cast<size_t>(r.as<double>());
    return Status::OK();
  }
  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    return StatusOf(handle_.call<val>("write", static_cast<double>(offset),
                                      val(typed_memory_view(n, data))));
  }
  Status Sync() override { return StatusOf(handle_.call<val>("sync")); }
  Result<uint64_t> Size() override {
    val r = handle_.call<val>("size");
    if (!r.isNumber()) return StatusOf(r);
    return static_cast<uint64_t>(r.as<double>());
  }
  Status Truncate(uint64_t size) override {
    return StatusOf(handle_.call<val>("truncate", static_cast<double>(size)));
  }

 private:
  val handle_;
};

class JsStorage final : public Storage {
 public:
  explicit JsStorage(val bridge) : bridge_(std::move(bridge)) {}

  Result<std::unique_ptr<File>> OpenFile(const std::string& name,
                                         const FileOptions& options) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    val r = bridge_.call<val>("openFile", name, options.create, options.direct);
    Status s = StatusOf(r);
    if (!s.ok()) return s;
    return std::unique_ptr<File>(new JsFile(std::move(r)));
  }
  Status List(std::vector<std::string>* names) override {
    val r = bridge_.call<val>("list");
    if (!r.isArray()) return StatusOf(r);
    names->clear();
    const size_t n = r["length"].as<size_t>();
    for (size_t i = 0; i < n; i++) names->push_back(r[i].as<std::string>());
    return Status::OK();
  }
  Status Remove(const std::string& name) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(name));
    return StatusOf(bridge_.call<val>("remove", name));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    CAIRN_RETURN_IF_ERROR(CheckFileName(from));
    CAIRN_RETURN_IF_ERROR(CheckFileName(to));
    return StatusOf(bridge_.call<val>("rename", from, to));
  }
  Status Lock() override { return StatusOf(bridge_.call<val>("lock")); }
  Status Unlock() override { return StatusOf(bridge_.call<val>("unlock")); }
  StorageCapabilities Capabilities() const override {
    val c = bridge_.call<val>("capabilities");
    StorageCapabilities out;
    out.durable_sync = c["durableSync"].as<bool>();
    out.direct_io = c["directIo"].as<bool>();
    out.atomic_rename = c["atomicRename"].as<bool>();
    out.cross_process_lock = c["crossProcessLock"].as<bool>();
    out.name = c["name"].as<std::string>();
    return out;
  }
  std::string Describe() const override { return bridge_.call<std::string>("describe"); }

 private:
  val bridge_;
};

}  // namespace

std::unique_ptr<Storage> NewJsStorage(val bridge) {
  return std::make_unique<JsStorage>(std::move(bridge));
}

}  // namespace cairn
