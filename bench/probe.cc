#include "bench/probe.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <sstream>
#include <utility>

#include "bench/bench_util.h"

namespace cairn::bench {
namespace {

constexpr const char* kStatPrefix = "stat.";

std::string SelfPath() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) Fatal(std::string("cannot find this executable: ") + std::strerror(errno));
  path.resize(static_cast<size_t>(n));
  return path;
}

// Runs `argv` with stdout captured; returns the output, Fatal unless it exits 0.
std::string Capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) Fatal(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) Fatal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fatal("the open probe (" + argv[1] + " " + argv[2] + ") failed; it printed:\n" + out);
  }
  return out;
}

}  // namespace

OpenProbe RunProbeProcess(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SelfPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = Capture(argv);
  OpenProbe probe;
  std::istringstream in(out);
  const std::pair<const char*, double*> fields[] = {
      {"open_ms", &probe.open_ms}, {"open_first_get_ms", &probe.open_first_get_ms}};
  const std::pair<const char*, uint64_t*> counters[] = {{"rss_before", &probe.rss_before},
                                                        {"rss_open", &probe.rss_open},
                                                        {"rss_warm", &probe.rss_warm},
                                                        {"anon_before", &probe.anon_before},
                                                        {"anon_warm", &probe.anon_warm},
                                                        {"warm_gets", &probe.warm_gets}};
  std::string key;
  double value;
  size_t seen = 0;
  while (in >> key >> value) {
    bool known = false;
    for (const auto& [name, field] : fields) {
      if (key == name) {
        *field = value;
        known = true;
      }
    }
    for (const auto& [name, counter] : counters) {
      if (key == name) {
        *counter = static_cast<uint64_t>(value);
        known = true;
      }
    }
    if (known) {
      seen++;
    } else if (key.rfind(kStatPrefix, 0) == 0) {
      probe.stats.emplace_back(key.substr(std::strlen(kStatPrefix)), value);
    } else {
      Fatal("the open probe printed an unknown field: " + key);
    }
  }
  if (seen != std::size(fields) + std::size(counters) || !in.eof())
    Fatal("the open probe printed an incomplete report:\n" + out);
  return probe;
}

void PrintProbe(const OpenProbe& p, std::FILE* out) {
  std::fprintf(out, "open_ms %.6f\nopen_first_get_ms %.6f\n", p.open_ms, p.open_first_get_ms);
  std::fprintf(
      out, "rss_before %llu\nrss_open %llu\nrss_warm %llu\nwarm_gets %llu\n",
      static_cast<unsigned long long>(p.rss_before), static_cast<unsigned long long>(p.rss_open),
      static_cast<unsigned long long>(p.rss_warm), static_cast<unsigned long long>(p.warm_gets));
  std::fprintf(out, "anon_before %llu\nanon_warm %llu\n",
               static_cast<unsigned long long>(p.anon_before),
               static_cast<unsigned long long>(p.anon_warm));
  for (const auto& [name, value] : p.stats)
    std::fprintf(out, "%s%s %.17g\n", kStatPrefix, name.c_str(), value);
}

}  // namespace cairn::bench
