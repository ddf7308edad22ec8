// Status and Result<T>: how every call in core/ reports failure.
//
// core/ never throws. A Status is a cheap value: OK carries no allocation; an
// error carries a code and a message that says what is wrong and where.
//
// Thread-safety: values; safe to copy between threads.
#ifndef CAIRN_STATUS_H_
#define CAIRN_STATUS_H_

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cairn {

// Stable error codes. The names (see CodeName) are part of the public
// contract of every host: JS CairnError.code and HTTP error.code use them.
enum class Code : uint8_t {
  kOk = 0,
  kInvalidArgument,  // the caller passed something malformed or out of limits
  kNotFound,         // a named thing does not exist
  kParseError,       // text (JSON, a query) could not be parsed
  kCorruption,       // stored data failed a checksum or a structural check
  kIOError,          // the storage backend failed (EIO, ENOSPC, ...)
  kLocked,           // the database is held by another opener
  kClosed,           // the database was closed
  kAlreadyExists,    // a named thing exists and the call required it not to
  kInternal,         // a broken invariant inside Cairn (a bug)
};

// "OK", "INVALID_ARGUMENT", "NOT_FOUND", ...
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status ParseError(std::string msg) { return {Code::kParseError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Locked(std::string msg) { return {Code::kLocked, std::move(msg)}; }
  static Status Closed(std::string msg) { return {Code::kClosed, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }

  // "INVALID_ARGUMENT: id is empty" or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` + ": ".
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = Status::Internal("Result constructed from OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace cairn

#define CAIRN_CONCAT_INNER_(a, b) a##b
#define CAIRN_CONCAT_(a, b) CAIRN_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)              \
  do {                                           \
    ::cairn::Status cairn_status_ = (expr);      \
    if (!cairn_status_.ok()) return cairn_status_; \
  } while (0)

// `lhs = value of expr` when expr (a Result<T>) is OK; otherwise returns its status.
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL_(CAIRN_CONCAT_(cairn_result_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#endif  // CAIRN_STATUS_H_
