// Mutexes annotated for clang's -Wthread-safety analysis. In the WebAssembly
// build (no threads) the standard mutexes compile to no-ops.
#ifndef CAIRN_UTIL_MUTEX_H_
#define CAIRN_UTIL_MUTEX_H_

#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define CAIRN_TSA(x) __attribute__((x))
#else
#define CAIRN_TSA(x)
#endif

#define CAPABILITY(x) CAIRN_TSA(capability(x))
#define SCOPED_CAPABILITY CAIRN_TSA(scoped_lockable)
#define GUARDED_BY(x) CAIRN_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) CAIRN_TSA(pt_guarded_by(x))
#define REQUIRES(...) CAIRN_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CAIRN_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) CAIRN_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CAIRN_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CAIRN_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CAIRN_TSA(release_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) CAIRN_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS CAIRN_TSA(no_thread_safety_analysis)

namespace cairn {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

// A condition variable used with a Mutex, which Wait requires held.
class CondVar {
 public:
  void Wait(Mutex* mu) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->native(), std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

class CAPABILITY("shared_mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterLock() RELEASE() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~ReaderLock() RELEASE() { mu_->UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* mu_;
};

}  // namespace cairn

#endif  // CAIRN_UTIL_MUTEX_H_
