// ThreadScheduler: background tasks run in order; ParallelFor covers every
// index exactly once, on the helpers too, and degrades to the calling thread
// when it has no helpers or they are busy.
#include "storage-backends/posix/thread_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cairn {
namespace {

// Runs ParallelFor(n, grain) and checks that each index in [0, n) was
// passed exactly once; returns the threads that took part.
std::set<std::thread::id> CoverOnce(ThreadScheduler* s, size_t n, size_t grain) {
  std::vector<std::atomic<int>> hits(n);
  std::mutex mu;
  std::set<std::thread::id> threads;
  s->ParallelFor(n, grain, [&](size_t begin, size_t end) {
    EXPECT_LT(begin, end);
    EXPECT_LE(end, n);
    {
      std::lock_guard<std::mutex> l(mu);
      threads.insert(std::this_thread::get_id());
    }
    for (size_t i = begin; i < end; i++) hits[i]++;
    // Long enough that a helper wakes before the caller has taken every range.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  });
  for (size_t i = 0; i < n; i++) EXPECT_EQ(hits[i].load(), 1) << "index " << i;
  return threads;
}

TEST(ThreadSchedulerTest, ParallelForCoversEveryIndexOnce) {
  for (size_t helpers : {0u, 1u, 3u}) {
    ThreadScheduler s(helpers);
    EXPECT_EQ(s.helpers(), helpers);
    for (size_t n : {0u, 1u, 31u, 32u, 33u, 1000u}) {
      for (size_t grain : {0u, 1u, 7u, 32u, 5000u}) CoverOnce(&s, n, grain);
    }
  }
}

TEST(ThreadSchedulerTest, ParallelForRunsInlineWithoutHelpers) {
  ThreadScheduler s(0);
  auto threads = CoverOnce(&s, 200, 4);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

TEST(ThreadSchedulerTest, ParallelForUsesItsHelpers) {
  ThreadScheduler s(1);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> helper_ran{false};
  std::atomic<size_t> covered{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  s.ParallelFor(100, 1, [&](size_t begin, size_t end) {
    covered += end - begin;
    if (std::this_thread::get_id() != caller) {
      helper_ran = true;
      return;
    }
    // The caller's ranges wait (up to 10 s in all) for the helper to take
    // one, so that a slow wake-up on a busy machine cannot fail the test.
    while (!helper_ran && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  EXPECT_TRUE(helper_ran);
  EXPECT_EQ(covered.load(), 100u);
}

TEST(ThreadSchedulerTest, ConcurrentParallelForCallsEachFinish) {
  ThreadScheduler s(2);
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; t++) {
    callers.emplace_back([&] {
      for (int round = 0; round < 20; round++) CoverOnce(&s, 64, 3);
    });
  }
  for (std::thread& t : callers) t.join();
}

TEST(ThreadSchedulerTest, ScheduledTasksRunInOrderBeforeDestruction) {
  std::vector<int> order;
  std::mutex mu;
  {
    ThreadScheduler s;
    for (int i = 0; i < 100; i++) {
      s.Schedule([&, i] {
        std::lock_guard<std::mutex> l(mu);
        order.push_back(i);
      });
    }
    CoverOnce(&s, 50, 2);  // helpers and the task thread at once
  }
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; i++) EXPECT_EQ(order[i], i);
}

// The nice value of the calling thread (Linux: each thread has its own).
int ThreadNice() {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  EXPECT_EQ(errno, 0);
  return nice;
}

// The nice value the worker ran a task at, and one of the helpers' (or -100
// if none took a range).
std::pair<int, int> WorkerAndHelperNice(ThreadScheduler* s) {
  std::promise<int> worker;
  s->Schedule([&] { worker.set_value(ThreadNice()); });
  const int worker_nice = worker.get_future().get();
  std::atomic<int> helper_nice{-100};
  const std::thread::id caller = std::this_thread::get_id();
  s->ParallelFor(64, 1, [&](size_t, size_t) {
    if (std::this_thread::get_id() != caller) helper_nice = ThreadNice();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  });
  return {worker_nice, helper_nice.load()};
}

TEST(ThreadSchedulerTest, BackgroundTasksRunAtALowerPriorityWhereThereIsAnotherCore) {
  const int mine = ThreadNice();
  const bool several_cores = std::thread::hardware_concurrency() > 1;
  {
    ThreadScheduler s(1);
    EXPECT_EQ(s.background_nice(), several_cores ? ThreadScheduler::kBackgroundNice : 0);
    const auto [worker, helper] = WorkerAndHelperNice(&s);
    EXPECT_EQ(worker, std::min(mine + s.background_nice(), 19));
    // The helpers work for a caller that waits on them: its priority.
    if (helper != -100) EXPECT_EQ(helper, mine);
  }
  {
    ThreadScheduler s(1, 0);
    EXPECT_EQ(s.background_nice(), 0);
    EXPECT_EQ(WorkerAndHelperNice(&s).first, mine);
  }
  {
    ThreadScheduler s(1, 3);
    EXPECT_EQ(WorkerAndHelperNice(&s).first, std::min(mine + (several_cores ? 3 : 0), 19));
  }
  {
    // Never above the creator's priority.
    ThreadScheduler s(1, -5);
    EXPECT_EQ(s.background_nice(), 0);
    EXPECT_EQ(WorkerAndHelperNice(&s).first, mine);
  }
  {
    // Never past the lowest priority.
    ThreadScheduler s(1, 100);
    EXPECT_EQ(WorkerAndHelperNice(&s).first, several_cores ? 19 : mine);
  }
  EXPECT_EQ(ThreadNice(), mine);  // the caller's own priority is untouched
}

}  // namespace
}  // namespace cairn
