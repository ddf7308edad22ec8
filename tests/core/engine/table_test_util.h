// Helpers for the table tests: a std::string-backed File whose bytes are
// shared with the test (to inspect or damage them after the Table owns the
// File), with a log of reads and switches that make calls fail; and
// shortcuts to build and open tables.
//
// Thread-safety: TableTestFile follows the File contract (one mutex).
#ifndef CAIRN_TESTS_CORE_ENGINE_TABLE_TEST_UTIL_H_
#define CAIRN_TESTS_CORE_ENGINE_TABLE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/storage.h"
#include "engine/table.h"
#include "engine/table_format.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {

struct TableTestFileState {
  std::mutex mu;
  std::string data;
  std::vector<std::pair<uint64_t, size_t>> reads;  // (offset, n) of every Read
  int syncs = 0;
  bool fail_reads = false;
  bool fail_writes = false;
  bool fail_syncs = false;
  bool mappable = false;  // Map returns a view of `data` (which must then not change size)
  bool fail_maps = false;  // Map fails with IO_ERROR

  size_t read_count() {
    std::lock_guard<std::mutex> lock(mu);
    return reads.size();
  }
};

class TableTestFile final : public File {
 public:
  explicit TableTestFile(std::shared_ptr<TableTestFileState> state) : state_(std::move(state)) {}

  Status Read(uint64_t offset, size_t n, uint8_t* out, size_t* got) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->reads.emplace_back(offset, n);
    if (state_->fail_reads) return Status::IOError("injected read error");
    const std::string& d = state_->data;
    const size_t avail = offset < d.size() ? std::min(n, d.size() - offset) : 0;
    if (avail > 0) std::memcpy(out, d.data() + offset, avail);
    std::memset(out + avail, 0, n - avail);
    *got = avail;
    return Status::OK();
  }

  Status Write(uint64_t offset, const uint8_t* data, size_t n) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->fail_writes) return Status::IOError("injected write error");
    std::string& d = state_->data;
    if (d.size() < offset + n) d.resize(offset + n, '\0');
    std::memcpy(d.data() + offset, data, n);
    return Status::OK();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->fail_syncs) return Status::IOError("injected sync error");
    state_->syncs++;
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return static_cast<uint64_t>(state_->data.size());
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->data.resize(size, '\0');
    return Status::OK();
  }

  // A view of the shared bytes, as a backend that maps files gives: a test
  // that changes a byte in place changes what the table reads.
  Result<std::unique_ptr<FileMapping>> Map(uint64_t size) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->fail_maps) return Status::IOError("injected map error (ENOMEM)");
    if (!state_->mappable) return std::unique_ptr<FileMapping>();
    if (size == 0 || size > state_->data.size()) return Status::InvalidArgument("cannot map");
    return std::unique_ptr<FileMapping>(new View(state_, static_cast<size_t>(size)));
  }

 private:
  class View final : public FileMapping {
   public:
    View(std::shared_ptr<TableTestFileState> state, size_t size)
        : state_(std::move(state)), size_(size) {}
    std::string_view bytes() const override {
      return std::string_view(state_->data.data(), size_);
    }

   private:
    const std::shared_ptr<TableTestFileState> state_;
    const size_t size_;
  };

  std::shared_ptr<TableTestFileState> state_;
};

using TableContents = std::map<std::string, std::string>;

inline std::shared_ptr<TableTestFileState> NewTableTestFile() {
  return std::make_shared<TableTestFileState>();
}

// Writes `contents` and `metadata` as a table into `state`'s bytes.
inline Status BuildTestTable(const std::shared_ptr<TableTestFileState>& state,
                             const TableContents& contents, std::string_view metadata,
                             const TableOptions& options = {}) {
  TableTestFile file(state);
  TableBuilder builder(&file, "build.cairn", options);
  for (const auto& [key, value] : contents) CAIRN_RETURN_IF_ERROR(builder.Add(key, value));
  return builder.Finish(metadata);
}

inline Result<std::unique_ptr<Table>> OpenTestTable(
    const std::shared_ptr<TableTestFileState>& state, BlockCache* cache,
    const std::string& name = "index-000012.cairn", uint64_t file_id = 12, bool map = false) {
  return Table::Open(std::make_unique<TableTestFile>(state), name, file_id, cache, map);
}

// Scans `table` from the first key and checks it holds exactly `expected`.
inline void ExpectFullScan(const Table& table, const TableContents& expected) {
  auto it = table.NewIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  auto want = expected.begin();
  while (it->Valid()) {
    ASSERT_NE(want, expected.end());
    ASSERT_EQ(it->key(), want->first);
    ASSERT_EQ(it->value(), want->second);
    ++want;
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_EQ(want, expected.end());
}

// The footer of a well-formed table image.
inline TableFooter TestTableFooter(const std::string& image) {
  TableFooter footer;
  Status s =
      DecodeTableFooter(std::string_view(image).substr(image.size() - kTableFooterSize), &footer);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return footer;
}

struct TestBlockHandle {
  uint64_t offset;
  uint64_t size;
  std::string last_key;
};

// The data block handles listed in the index of a well-formed table image.
inline std::vector<TestBlockHandle> TestTableBlocks(const std::string& image) {
  const TableFooter footer = TestTableFooter(image);
  std::string_view contents;
  Status s =
      CheckTableBlockTrailer(std::string_view(image).substr(footer.index_offset, footer.index_size),
                             TableBlockKind::kIndex, &contents);
  EXPECT_TRUE(s.ok()) << s.ToString();
  TableBlockView view;
  s = view.InitAndValidate(contents);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<TestBlockHandle> blocks;
  for (uint32_t i = 0; s.ok() && i < view.count(); i++) {
    std::string_view key, handle;
    TestBlockHandle h{};
    EXPECT_TRUE(view.Entry(i, &key, &handle));
    EXPECT_TRUE(GetVarint64(&handle, &h.offset) && GetVarint64(&handle, &h.size));
    h.last_key = std::string(key);
    blocks.push_back(h);
  }
  return blocks;
}

// Recomputes the trailer checksum of the block at [offset, offset + size) of
// `image`, to forge damage that only structural checks can catch.
inline void ResealTestBlock(std::string* image, uint64_t offset, uint64_t size) {
  const uint64_t body = size - 8;
  std::string sum;
  PutFixed64(&sum, Checksum64(image->data() + offset, body));
  image->replace(offset + body, 8, sum);
}

}  // namespace cairn

#endif  // CAIRN_TESTS_CORE_ENGINE_TABLE_TEST_UTIL_H_
