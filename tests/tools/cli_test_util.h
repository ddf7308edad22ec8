// Helpers for the cairn CLI tests: run the built binary, hold one running in
// the background, temporary directories and JSON lines.
#ifndef CAIRN_TESTS_TOOLS_CLI_TEST_UTIL_H_
#define CAIRN_TESTS_TOOLS_CLI_TEST_UTIL_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

struct CliRun {
  int exit_code = -1;  // 128 + signal when the process was killed
  std::string out;
  std::string err;
};

// Runs the cairn binary with `args`, feeding `input` on its standard input,
// and waits for it.
CliRun RunCairn(const std::vector<std::string>& args, std::string_view input = {});

// A cairn process whose standard input stays open until Finish(), so that it
// holds its database open meanwhile (e.g. `import -`).
class BackgroundCairn {
 public:
  explicit BackgroundCairn(const std::vector<std::string>& args);
  ~BackgroundCairn();  // kills the process if Finish() was not called
  BackgroundCairn(const BackgroundCairn&) = delete;
  BackgroundCairn& operator=(const BackgroundCairn&) = delete;

  // Writes to its standard input.
  void Write(std::string_view text);
  // Closes its standard input and waits for it to exit.
  CliRun Finish();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string out_path_, err_path_;
};

// A fresh directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(std::string_view name) const;

 private:
  std::string path_;
};

// True when some process holds a flock on `file` (read from /proc/locks,
// which looks without taking the lock).
bool IsFlocked(const std::string& file);

// The lines of `text` (each without its newline). REQUIRES: text is empty or
// ends with a newline.
std::vector<std::string> Lines(const std::string& text);

// Parses one line of JSON; fails the current test (and returns null) when it
// does not parse.
nlohmann::json ParseJson(const std::string& line);

// Reads and writes whole files.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view data);

}  // namespace cairn

#endif  // CAIRN_TESTS_TOOLS_CLI_TEST_UTIL_H_
