#include "bench/bench_util.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace cairn::bench {
namespace {

// The value after "key" and its colon on the first line of `file` that starts
// with `key`, trimmed; empty when there is none.
std::string ProcField(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? std::string() : line.substr(begin);
  }
  return std::string();
}

}  // namespace

void Fatal(const std::string& message) {
  std::fprintf(stderr, "cairn-bench: %s\n", message.c_str());
  std::exit(1);
}

double ProcessCpuSeconds() {
  struct rusage ru;
  if (::getrusage(RUSAGE_SELF, &ru) != 0) Fatal(std::string("getrusage: ") + std::strerror(errno));
  auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

double Median(std::vector<double> samples) {
  if (samples.empty()) Fatal("median of no samples");
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

namespace {

// A size field of /proc/self/status ("VmRSS:	  123456 kB"), in bytes.
uint64_t StatusBytes(const char* field) {
  const std::string value = ProcField("/proc/self/status", field);
  if (value.empty()) Fatal(std::string("no ") + field + " in /proc/self/status");
  return std::strtoull(value.c_str(), nullptr, 10) * 1024;
}

}  // namespace

uint64_t ResidentBytes() { return StatusBytes("VmRSS"); }

uint64_t AnonymousResidentBytes() { return StatusBytes("RssAnon"); }

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  if (ec) Fatal("cannot list " + dir + ": " + ec.message());
  return total;
}

std::string MakeFreshDirectory(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) Fatal("cannot create " + parent + ": " + ec.message());
  std::string templ = parent + "/" + prefix + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    Fatal("cannot create a directory in " + parent + ": " + std::strerror(errno));
  }
  return templ;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec)
    std::fprintf(stderr, "cairn-bench: cannot remove %s: %s\n", path.c_str(), ec.message().c_str());
}

double SyncLatencyMs(const std::string& dir, int samples) {
  const std::string path = dir + "/sync-latency-probe";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fatal("cannot create " + path + ": " + std::strerror(errno));
  const std::string block(4096, 'x');
  std::vector<double> ms;
  for (int i = 0; i < samples; i++) {
    Stopwatch watch;
    const off_t offset = static_cast<off_t>(i) * static_cast<off_t>(block.size());
    if (::pwrite(fd, block.data(), block.size(), offset) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      Fatal("cannot write and sync " + path + ": " + std::strerror(errno));
    }
    ms.push_back(watch.Seconds() * 1000);
  }
  ::close(fd);
  ::unlink(path.c_str());
  return Median(ms);
}

std::string FilesystemType(const std::string& path) {
  struct statfs st;
  if (::statfs(path.c_str(), &st) != 0) return "unknown";
  switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53:
      return "ext2/ext3/ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x858458F6:
      return "ramfs";
    case 0x794C7630:
      return "overlayfs";
    case 0xF2F52010:
      return "f2fs";
    case 0x2FC12FC1:
      return "zfs";
    case 0x6969:
      return "nfs";
    case 0x65735546:
      return "fuse";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof(hex), "0x%lx", static_cast<unsigned long>(st.f_type));
      return std::string("statfs type ") + hex;
    }
  }
}

MachineInfo DescribeMachine(const std::string& data_dir) {
  MachineInfo m;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  m.cores = cpus > 0 ? static_cast<unsigned>(cpus) : 0;
  m.cpu_model = ProcField("/proc/cpuinfo", "model name");
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  m.memory_bytes =
      std::strtoull(ProcField("/proc/meminfo", "MemTotal").c_str(), nullptr, 10) * 1024;
  struct utsname u;
  m.kernel = ::uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
  m.filesystem = FilesystemType(data_dir);
#if defined(__clang__)
  m.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  m.compiler = "gcc " __VERSION__;
#else
  m.compiler = "unknown";
#endif
#if defined(NDEBUG)
  m.build_type = "release (NDEBUG)";
#else
  m.build_type = "debug (assertions on)";
#endif
  return m;
}

std::string DescribeLoad() {
  std::string out;
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  if (loadavg >> one >> five >> fifteen) out = "load average " + one + " " + five + " " + fifteen;
  std::ifstream pressure("/proc/pressure/cpu");
  std::string word;
  while (pressure >> word) {
    if (word.rfind("avg60=", 0) == 0) {
      out += (out.empty() ? "" : ", ") + std::string("cpu pressure (some, avg60) ") +
             word.substr(6) + "%";
      break;
    }
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace cairn::bench
