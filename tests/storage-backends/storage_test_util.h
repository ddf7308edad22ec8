// Helpers shared by the storage backend tests.
#ifndef CAIRN_TESTS_STORAGE_BACKENDS_STORAGE_TEST_UTIL_H_
#define CAIRN_TESTS_STORAGE_BACKENDS_STORAGE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn::storage_test {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

#define CAIRN_ASSERT_OK(expr)                                              \
  do {                                                                     \
    const auto& cairn_test_value_ = (expr);                                \
    const ::cairn::Status& cairn_test_status_ =                            \
        ::cairn::storage_test::StatusOf(cairn_test_value_);                \
    ASSERT_TRUE(cairn_test_status_.ok()) << cairn_test_status_.ToString(); \
  } while (0)

#define CAIRN_EXPECT_OK(expr)                                              \
  do {                                                                     \
    const auto& cairn_test_value_ = (expr);                                \
    const ::cairn::Status& cairn_test_status_ =                            \
        ::cairn::storage_test::StatusOf(cairn_test_value_);                \
    EXPECT_TRUE(cairn_test_status_.ok()) << cairn_test_status_.ToString(); \
  } while (0)

// Expects `expr` (a Status or Result) to fail with `code`.
#define CAIRN_EXPECT_CODE(expr, expected_code)                                              \
  do {                                                                                      \
    const auto& cairn_test_value_ = (expr);                                                 \
    const ::cairn::Status& cairn_test_status_ =                                             \
        ::cairn::storage_test::StatusOf(cairn_test_value_);                                 \
    EXPECT_EQ(cairn_test_status_.code(), (expected_code)) << cairn_test_status_.ToString(); \
  } while (0)

// A fresh directory under /tmp, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/cairn-storage-XXXXXX";
    if (::mkdtemp(pattern) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when the directory could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A buffer whose address is a multiple of kStorageBlockSize.
struct AlignedBuffer {
  // aligned_alloc wants a size that is a multiple of the alignment.
  explicit AlignedBuffer(size_t n)
      : bytes(static_cast<uint8_t*>(std::aligned_alloc(
            kStorageBlockSize,
            (n + kStorageBlockSize - 1) / kStorageBlockSize * kStorageBlockSize))),
        size(n) {}
  ~AlignedBuffer() { std::free(bytes); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* bytes;
  size_t size;
};

inline const uint8_t* U8(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

inline Status WriteString(File& f, uint64_t offset, std::string_view s) {
  return f.Write(offset, U8(s), s.size());
}

// Reads `n` bytes at `offset`; *got as File::Read sets it.
inline std::string ReadString(File& f, uint64_t offset, size_t n, size_t* got) {
  std::string out(n, '\xAA');  // poisoned so that a missing zero-fill shows
  Status s = f.Read(offset, n, reinterpret_cast<uint8_t*>(out.data()), got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// The whole file, by its Size().
inline std::string ReadWhole(File& f) {
  Result<uint64_t> size = f.Size();
  EXPECT_TRUE(size.ok()) << size.status().ToString();
  if (!size.ok()) return std::string();
  size_t got = 0;
  std::string out = ReadString(f, 0, static_cast<size_t>(*size), &got);
  EXPECT_EQ(got, *size);
  return out;
}

// Deterministic, position-dependent bytes, so misplaced data is caught.
inline std::string Pattern(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

}  // namespace cairn::storage_test

#endif  // CAIRN_TESTS_STORAGE_BACKENDS_STORAGE_TEST_UTIL_H_
