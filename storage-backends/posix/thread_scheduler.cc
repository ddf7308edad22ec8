#include "storage-backends/posix/thread_scheduler.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cairn {

namespace {

int BackgroundNice(int requested) {
  return std::thread::hardware_concurrency() > 1 ? std::max(requested, 0) : 0;
}

}  // namespace

ThreadScheduler::ThreadScheduler(size_t helpers, int background_nice)
    : background_nice_(BackgroundNice(background_nice)), thread_([this] { Run(); }) {
  if (helpers == SIZE_MAX) {
    const unsigned hardware = std::thread::hardware_concurrency();
    helpers = hardware > 1 ? hardware - 1 : 0;
  }
  helpers_.reserve(helpers);
  for (size_t i = 0; i < helpers; i++) helpers_.emplace_back([this] { Help(); });
}

ThreadScheduler::~ThreadScheduler() {
  {
    std::lock_guard<std::mutex> l(help_mu_);
    help_stopping_ = true;
  }
  help_cv_.notify_all();
  for (std::thread& t : helpers_) t.join();
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ThreadScheduler::Schedule(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadScheduler::Run() {
  if (background_nice_ > 0) {
    // Linux gives each thread its own nice value (setpriority on a thread
    // id); the new thread starts with its creator's. The kernel caps it at
    // 19. Failing changes nothing but the priority, so it is not an error.
    const id_t self = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, self);
    if (errno == 0) (void)setpriority(PRIO_PROCESS, self, std::min(current + background_nice_, 19));
  }
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and everything queued has run
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    l.unlock();
    task();
    l.lock();
  }
}

void ThreadScheduler::ParallelFor(size_t n, size_t grain,
                                  const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  std::unique_lock<std::mutex> job(job_mu_, std::try_to_lock);
  if (helpers_.empty() || n <= grain || !job.owns_lock()) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> l(help_mu_);
    job_fn_ = &fn;
    job_n_ = n;
    job_grain_ = grain;
    job_next_.store(0, std::memory_order_relaxed);
    job_id_++;
  }
  help_cv_.notify_all();
  RunRanges();
  // Every range is taken; wait for the helpers still running one. A helper
  // that wakes after this sees no job (job_fn_ is null) and sleeps again.
  std::unique_lock<std::mutex> l(help_mu_);
  done_cv_.wait(l, [this] { return busy_helpers_ == 0; });
  job_fn_ = nullptr;
}

void ThreadScheduler::RunRanges() {
  for (;;) {
    const size_t begin = job_next_.fetch_add(job_grain_, std::memory_order_relaxed);
    if (begin >= job_n_) return;
    (*job_fn_)(begin, std::min(job_n_, begin + job_grain_));
  }
}

void ThreadScheduler::Help() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> l(help_mu_);
  for (;;) {
    help_cv_.wait(l, [&] { return help_stopping_ || job_id_ != seen; });
    if (help_stopping_) return;
    seen = job_id_;
    if (job_fn_ == nullptr) continue;  // that job has finished
    busy_helpers_++;
    l.unlock();
    RunRanges();
    l.lock();
    if (--busy_helpers_ == 0) done_cv_.notify_all();
  }
}

}  // namespace cairn
