// A progress bar on standard error, drawn only when standard error is a
// terminal (so logs and pipes never see control characters).
//
// Thread-safety: not thread-safe; one per import.
#ifndef CAIRN_TOOLS_CLI_PROGRESS_H_
#define CAIRN_TOOLS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace cairn {

class ProgressBar {
 public:
  // `total_bytes`: the input size when known (a regular file), else 0, in
  // which case the bar shows counts without a percentage.
  ProgressBar(std::string label, uint64_t total_bytes);
  ~ProgressBar();  // erases the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Reports progress; redraws at most ten times a second.
  void Update(uint64_t bytes_read, uint64_t lines);
  // Erases the bar (idempotent), so that later messages start on a clean line.
  void Clear();

 private:
  const bool enabled_;
  const std::string label_;
  const uint64_t total_bytes_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace cairn

#endif  // CAIRN_TOOLS_CLI_PROGRESS_H_
