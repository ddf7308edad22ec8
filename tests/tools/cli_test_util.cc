#include "tests/tools/cli_test_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace cairn {
namespace {

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(CAIRN_CLI_PATH));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int Wait(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ExitCodeOf(status);
}

void IgnoreSigpipe() {
  // A child that exits without reading all its input must not kill the test.
  static const bool once = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)once;
}

}  // namespace

CliRun RunCairn(const std::vector<std::string>& args, std::string_view input) {
  IgnoreSigpipe();
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return {};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> argv = Argv(args);
  pid_t pid;
  const int rc = ::posix_spawn(&pid, CAIRN_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  CliRun run;
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << CAIRN_CLI_PATH << ": errno " << rc;
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return run;
  }
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  int stdin_fd = in[1];
  if (input.empty()) {
    ::close(stdin_fd);
    stdin_fd = -1;
  }
  int fds[2] = {out[0], err[0]};
  std::string* sinks[2] = {&run.out, &run.err};
  while (fds[0] >= 0 || fds[1] >= 0 || stdin_fd >= 0) {
    pollfd p[3];
    int n = 0;
    for (int i = 0; i < 2; i++) p[n++] = {fds[i], POLLIN, 0};
    p[n++] = {stdin_fd, POLLOUT, 0};
    if (::poll(p, n, -1) < 0) {
      if (errno == EINTR) continue;
      ADD_FAILURE() << "poll failed";
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t got = ::read(fds[i], buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i]);
        fds[i] = -1;
      }
    }
    if (stdin_fd >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t put = ::write(stdin_fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<size_t>(put);
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  run.exit_code = Wait(pid);
  return run;
}

BackgroundCairn::BackgroundCairn(const std::vector<std::string>& args) {
  IgnoreSigpipe();
  char out_template[] = "/tmp/cairn-cli-out-XXXXXX";
  char err_template[] = "/tmp/cairn-cli-err-XXXXXX";
  const int out_fd = ::mkstemp(out_template);
  const int err_fd = ::mkstemp(err_template);
  out_path_ = out_template;
  err_path_ = err_template;
  int in[2];
  if (out_fd < 0 || err_fd < 0 || ::pipe2(in, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "cannot set up the background process";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> argv = Argv(args);
  const int rc = ::posix_spawn(&pid_, CAIRN_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out_fd);
  ::close(err_fd);
  stdin_fd_ = in[1];
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << CAIRN_CLI_PATH << ": errno " << rc;
  }
}

BackgroundCairn::~BackgroundCairn() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    Wait(pid_);
  }
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
}

void BackgroundCairn::Write(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(stdin_fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0) << "writing to the background process failed";
    text.remove_prefix(static_cast<size_t>(n));
  }
}

CliRun BackgroundCairn::Finish() {
  CliRun run;
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
  if (pid_ <= 0) return run;
  run.exit_code = Wait(pid_);
  pid_ = -1;
  run.out = ReadFile(out_path_);
  run.err = ReadFile(err_path_);
  return run;
}

TempDir::TempDir() {
  std::string base = std::filesystem::temp_directory_path().string() + "/cairn-cli-XXXXXX";
  if (!::mkdtemp(base.data())) ADD_FAILURE() << "mkdtemp failed";
  path_ = base;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

bool IsFlocked(const std::string& file) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) return false;
  std::ifstream locks("/proc/locks");
  EXPECT_TRUE(locks.is_open()) << "/proc/locks is needed to see who holds a lock";
  const std::string inode = ":" + std::to_string(st.st_ino) + " ";
  std::string line;
  while (std::getline(locks, line)) {
    if (line.find("FLOCK") != std::string::npos && line.find(inode) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "output does not end with a newline";
  return lines;
}

nlohmann::json ParseJson(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
  return j.is_discarded() ? nlohmann::json() : j;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

}  // namespace cairn
