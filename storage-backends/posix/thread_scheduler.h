// ThreadScheduler: the native hosts' Scheduler. Runs background tasks
// (checkpoints) in order on one worker thread, and lends ParallelFor helper
// threads, one fewer than the machine's hardware threads (none on a
// one-core machine, where ParallelFor runs inline).
//
// On a machine with more than one hardware thread the worker runs at a lower
// CPU priority (a higher nice value) than the thread that made the
// scheduler: a checkpoint then takes the cores that writers, readers and
// helpers leave idle instead of delaying them. On one core it keeps the
// same priority, so that a busy writer cannot starve checkpoints.
//
// Thread-safety: thread-safe. One ParallelFor has the helpers at a time; a
// call made while they are busy runs on its own thread. The destructor runs
// every queued task, then joins the threads; destroy it after every Database
// that uses it.
#ifndef CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_
#define CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "cairn/options.h"

namespace cairn {

class ThreadScheduler final : public Scheduler {
 public:
  // How much the worker's nice value exceeds its creator's by default.
  static constexpr int kBackgroundNice = 10;

  // helpers: how many ParallelFor helper threads to start; the default,
  // SIZE_MAX, means one fewer than std::thread::hardware_concurrency().
  // background_nice: how much higher the worker's nice value is (0 keeps
  // the creator's priority; on one hardware thread it always does). A
  // negative value is taken as 0: checkpoints never outrank the writers,
  // and raising a priority is not open to an unprivileged thread anyway.
  // The worker's nice value stops at 19, the lowest priority.
  explicit ThreadScheduler(size_t helpers = SIZE_MAX, int background_nice = kBackgroundNice);
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  void Schedule(std::function<void()> task) override;
  void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) override;

  size_t helpers() const { return helpers_.size(); }
  // The nice value added to the worker's (see the class comment).
  int background_nice() const { return background_nice_; }

 private:
  void Run();
  void Help();
  // Runs ranges of the current job until none is left.
  void RunRanges();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  const int background_nice_;  // before thread_, which reads it
  std::thread thread_;

  // The ParallelFor job the helpers work on. job_mu_ is held by the caller
  // for the whole job, so one job runs at a time.
  std::mutex job_mu_;
  std::mutex help_mu_;
  std::condition_variable help_cv_;  // a new job, or stopping
  std::condition_variable done_cv_;  // a helper left the job
  uint64_t job_id_ = 0;              // guarded by help_mu_
  size_t busy_helpers_ = 0;          // guarded by help_mu_
  bool help_stopping_ = false;       // guarded by help_mu_
  const std::function<void(size_t, size_t)>* job_fn_ = nullptr;
  size_t job_n_ = 0;
  size_t job_grain_ = 1;
  std::atomic<size_t> job_next_{0};
  std::vector<std::thread> helpers_;
};

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_
