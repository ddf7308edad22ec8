// Small helpers shared by the benchmark harness: timing, medians, resident
// memory, directory sizes and a description of the machine.
//
// The harness is a Linux tool: it reads /proc and calls statfs. Errors in the
// harness itself (a directory that cannot be made, an engine call that fails)
// end the process through Fatal(), because a benchmark that carries on after a
// failed write would report numbers for work that was not done.
//
// Thread-safety: every function here may be called from any thread;
// a Stopwatch is a value used by one thread.
#ifndef CAIRN_BENCH_BENCH_UTIL_H_
#define CAIRN_BENCH_BENCH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cairn::bench {

// Prints "cairn-bench: <message>" to stderr and exits with status 1.
[[noreturn]] void Fatal(const std::string& message);

// Wall-clock time on the monotonic clock, started at construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// CPU time (user + system) of every thread of this process, in seconds.
double ProcessCpuSeconds();

// Wall-clock and process CPU time since construction. CPU time is the less
// noisy measure on a shared machine: it does not grow while the process waits
// for a core, though it does not count time spent waiting for the disk.
class PhaseTimer {
 public:
  PhaseTimer() : cpu_start_(ProcessCpuSeconds()) {}
  double WallSeconds() const { return wall_.Seconds(); }
  double CpuSeconds() const { return ProcessCpuSeconds() - cpu_start_; }

 private:
  Stopwatch wall_;
  double cpu_start_;
};

// The median of `samples` (the mean of the middle two for an even count).
// REQUIRES: samples is not empty.
double Median(std::vector<double> samples);

// VmRSS of this process, in bytes, from /proc/self/status.
uint64_t ResidentBytes();

// RssAnon of this process (resident memory that is not a file's pages:
// the heap, caches the process allocated), in bytes.
uint64_t AnonymousResidentBytes();

// Sum of the sizes of the regular files directly inside `dir`.
uint64_t DirectoryBytes(const std::string& dir);

// Creates a fresh directory "<parent>/<prefix>XXXXXX" and returns its path.
std::string MakeFreshDirectory(const std::string& parent, const std::string& prefix);

// Removes `path` and everything below it; a missing path is not an error.
void RemoveTree(const std::string& path);

// The filesystem type holding `path` ("ext4", "xfs", "tmpfs", ...), from statfs.
std::string FilesystemType(const std::string& path);

// The median latency, in milliseconds, of appending 4 KiB to a scratch file in
// `dir` and calling fdatasync, over `samples` appends. The file is removed.
// Virtual disks can change their flush latency by 10x within minutes; this
// tells the reader what the disk did around a durability-bound phase.
double SyncLatencyMs(const std::string& dir, int samples = 16);

struct MachineInfo {
  unsigned cores = 0;         // online CPUs
  std::string cpu_model;      // /proc/cpuinfo "model name"
  uint64_t memory_bytes = 0;  // MemTotal
  std::string kernel;         // uname: sysname release
  std::string filesystem;     // of the data directory
  std::string compiler;       // the compiler that built the harness
  std::string build_type;     // "release (NDEBUG)" or "debug (assertions on)"
};

// How busy the machine is: /proc/loadavg's three averages and, where the
// kernel has pressure stall information, /proc/pressure/cpu "some avg60"
// (the share of time runnable tasks waited for a CPU). "unknown" parts are
// left out.
std::string DescribeLoad();

MachineInfo DescribeMachine(const std::string& data_dir);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_BENCH_UTIL_H_
