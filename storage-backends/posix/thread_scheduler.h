// ThreadScheduler: the native hosts' Scheduler. Runs background tasks
// (checkpoints) in order on one worker thread.
//
// Thread-safety: thread-safe. The destructor runs every queued task, then
// joins the thread; destroy it after every Database that uses it.
#ifndef CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_
#define CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "cairn/options.h"

namespace cairn {

class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  void Schedule(std::function<void()> task) override;

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cairn

#endif  // CAIRN_STORAGE_BACKENDS_POSIX_THREAD_SCHEDULER_H_
