// The conformance suite over every C++ storage backend: the fixture and the
// parameter type, shared by the conformance_*_test.cc files. The backends
// are listed (and the suite instantiated) in conformance_test.cc.
#ifndef CAIRN_TESTS_STORAGE_BACKENDS_CONFORMANCE_H_
#define CAIRN_TESTS_STORAGE_BACKENDS_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn::storage_test {

// One backend under test: opens Storages onto one place (a directory, a
// fault file system, a memory storage).
class Harness {
 public:
  virtual ~Harness() = default;
  // A Storage onto the place; with CanOpenTwice, every call returns a new
  // view onto the same files.
  virtual Result<std::unique_ptr<Storage>> Open() = 0;
  virtual bool CanOpenTwice() const = 0;
};

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Harness>()> make;
  // What Capabilities() must say.
  std::string capability_name;
  bool durable_sync;
  bool cross_process_lock;
  bool memory_map;
};

// gtest prints the parameter of a failing case by this.
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class StorageConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    Result<std::unique_ptr<Storage>> opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(*opened);
  }

  void TearDown() override {
    storage_.reset();
    harness_.reset();
  }

  // Opens `name` on `storage` (default: the fixture's); nullptr and a test
  // failure when that fails.
  std::unique_ptr<File> OpenOrFail(const std::string& name, bool create = true, bool direct = false,
                                   Storage* storage = nullptr) {
    FileOptions options;
    options.create = create;
    options.direct = direct;
    Result<std::unique_ptr<File>> file =
        (storage ? storage : storage_.get())->OpenFile(name, options);
    EXPECT_TRUE(file.ok()) << name << ": " << file.status().ToString();
    return file.ok() ? std::move(*file) : nullptr;
  }

  std::vector<std::string> SortedList(Storage* storage = nullptr) {
    std::vector<std::string> names;
    Status s = (storage ? storage : storage_.get())->List(&names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<Harness> harness_;
  std::unique_ptr<Storage> storage_;
};

}  // namespace cairn::storage_test

#endif  // CAIRN_TESTS_STORAGE_BACKENDS_CONFORMANCE_H_
