#include "storage-backends/posix/posix_error.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "cairn/status.h"

namespace cairn {
namespace {

// strerror_r comes in two flavours (XSI returns int, GNU returns char*);
// these overloads accept either.
[[maybe_unused]] const char* StrerrorText(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}
[[maybe_unused]] const char* StrerrorText(const char* text, const char* /*buf*/) { return text; }

}  // namespace

Status PosixError(std::string_view op, std::string_view path, int err) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": ";
  if (err == ENOSPC) {
    msg += "no space left on device (ENOSPC)";
  } else {
    char buf[256] = {0};
    msg += StrerrorText(strerror_r(err, buf, sizeof(buf)), buf);
    msg += " (errno " + std::to_string(err) + ")";
  }
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IOError(std::move(msg));
}

}  // namespace cairn
