#include "cairn/status.h"

namespace cairn {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "INVALID_ARGUMENT";
    case Code::kNotFound: return "NOT_FOUND";
    case Code::kParseError: return "PARSE_ERROR";
    case Code::kCorruption: return "CORRUPTION";
    case Code::kIOError: return "IO_ERROR";
    case Code::kLocked: return "LOCKED";
    case Code::kClosed: return "CLOSED";
    case Code::kAlreadyExists: return "ALREADY_EXISTS";
    case Code::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = CodeName(code_);
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

}  // namespace cairn
